"""Label normalisation: make the many printings of one template label compare equal.

Reports print the same label with full- or half-width punctuation, stray
spaces (``结 果 维 持``, ``只计这一情 形``), line-break tags, different
brackets (〔〕【】（）) and the odd misprint.  Matching is done on the
normalised form only; the printed text is always kept elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from parsers.templates import TEMPLATES

_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SPACE = re.compile(r"[\s\u00a0\u200b\u3000\ufeff*]+")
_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "【": "(", "】": ")", "［": "(", "］": ")", "[": "(", "]": ")",
                           "﹙": "(", "﹚": ")", "「": "", "」": "", "“": "", "”": "", '"': "", "‘": "", "’": "",
                           "'": "", "、": "、", "．": ".", "。": "."})


def normalize_label(text: str) -> str:
    """The comparable form of a printed label."""
    text = _BREAK_TAG.sub("", text or "")
    text = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    text = _SPACE.sub("", text)
    for wrong, right in TEMPLATES.typos.items():
        text = text.replace(wrong, right)
    return text


def first_match(label: str, entries: Iterable[dict]) -> dict | None:
    """The first template entry one of whose ``match`` patterns is found in the normalised label."""
    for entry in entries:
        if any(pattern.search(label) for pattern in entry["patterns"]):
            return entry
    return None
