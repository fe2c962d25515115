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
from functools import lru_cache

from nianbao.parsers.templates import TEMPLATES

_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SPACE = re.compile(r"[\s\u00a0\u200b\u3000\ufeff*]+")
_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "【": "(", "】": ")", "［": "(", "］": ")", "[": "(", "]": ")",
                           "﹙": "(", "﹚": ")", "「": "", "」": "", "“": "", "”": "", '"': "", "‘": "", "’": "",
                           "'": "", "、": "、", "．": ".", "。": "."})


def normalize_label(text: str | None) -> str:
    """The comparable form of a printed label."""
    return _normalize(text or "")


@lru_cache(maxsize=1 << 14)  # labels repeat in every report of a template
def _normalize(text: str) -> str:
    text = _BREAK_TAG.sub("", text)
    text = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    text = _SPACE.sub("", text)
    for wrong, right in TEMPLATES.typos.items():
        text = text.replace(wrong, right)
    return text


_NOTE = re.compile(r"(?<=.)\([^()]*\)")


def without_notes(label: str) -> str:
    """A normalised label without the notes in brackets some forms print after it.

    规章(设区的市、自治州人民政府应提供相关数据) is 规章; a note may name other rows
    (其他对外管理服务事项(指行政许可以外的…行政处罚、行政强制…)), so rows are told
    apart by the label itself.  A leading enumerator such as (二) stays.
    """
    while True:
        shorter = _NOTE.sub("", label)
        if shorter == label:
            return label
        label = shorter


def first_match(label: str, entries: Iterable[dict]) -> dict | None:
    """The first template entry one of whose ``match`` patterns is found in the normalised label."""
    for entry in entries:
        if any(pattern.search(label) for pattern in entry["patterns"]):
            return entry
    return None
