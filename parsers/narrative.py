"""Text versus table: a figure the report's prose states against the same figure in its table.

Only sentences that speak for the whole report are compared (a `whole`
word such as 共/全年/全市 before the number) and never one that speaks for
a part (其中, 代表 — "区政府办代表区政府受理申请17件" is one office's count,
not the table's).  The stated number agrees when it equals any of the
figures listed in `agrees_with` (new requests, new plus carried over, or
all handled).  Rules live in templates.yml under `narrative`.
"""

from __future__ import annotations

import re
from typing import Any

from nianbao.parsers.templates import TEMPLATES

_CLAUSE_END = re.compile(r"[，。；;,！!？?\n]")
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")


def _stated(text: str, spec: dict[str, Any]) -> list[int]:
    """The numbers whole-report sentences state for one figure."""
    numbers = []
    for pattern in spec["patterns"]:
        for match in re.finditer(pattern, text):
            sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, match.start())), default=0)
            clause_start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, match.start())), default=0)
            before = text[sentence_start:match.start()]
            clause = text[clause_start:match.end()]
            if any(w in before or w in match.group(0) for w in spec["whole"]) and \
                    not any(w in clause for w in spec["part"]):
                numbers.append(int(match.group(1)))
    return numbers


def narrative_checks(text: str, figures: dict[str, int | float | None]) -> list[dict[str, Any]]:
    checks = []
    for key, spec in TEMPLATES.data["narrative"].items():
        if figures.get(key) is None:
            continue
        accepted = set()
        for keys in spec["agrees_with"]:
            values = [v for k in keys if (v := figures.get(k)) is not None]
            if len(values) == len(keys):
                accepted.add(sum(values))
        for number in dict.fromkeys(_stated(text, spec)):
            ok = number in accepted
            detail = f"text says {number}, table says {figures[key]}"
            checks.append({"rule": f"narrative:{key}", "ok": ok, "detail": detail})
    return checks
