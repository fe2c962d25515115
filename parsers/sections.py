"""The report's numbered chapters (一、总体情况 … 六、其他需要报告的事项) with their text.

A chapter heading starts a line with the next Chinese numeral in sequence
and 、, so "一是…" and the table rows (三、本年度办理结果) are not taken for
chapters.  The heading ends at the line's end or at its first punctuation
("一、总体情况。2020年，…" from a text layer): the rest is chapter text.
Legacy reports have their own chapters; they are read the same way.

Text before the first chapter (title, 前言, 统计期限 …) — or the whole text
of a document with no chapters — is kept as a leading section with an empty
number, so nothing the report says is missing from the archive's text,
its search or its diffs.
"""

from __future__ import annotations

import re

from nianbao.parsers.model import Document
from nianbao.parsers.templates import TEMPLATES

_NUMERALS = "一二三四五六七八九十"
_HEADING = re.compile(r"^\s*([一二三四五六七八九十])\s*[、.．]\s*([^，。；：:,;]{2,40}?)\s*(?:$|[，。；：:,;]\s*(.*)$)")


def split_sections(doc: Document) -> list[dict[str, str]]:
    sections: list[dict[str, str]] = []
    body: list[str] = []
    preamble: list[str] = []
    for block in doc.blocks:
        if block.kind == "table":
            continue
        text = block.text.strip().strip("#* ")
        match = _HEADING.match(text)
        expected = _NUMERALS[len(sections)] if len(sections) < len(_NUMERALS) else None
        table_row = match and any(w in match.group(2) for w in TEMPLATES.data["not_chapters"])
        if match and expected is not None and match.group(1) == expected and not table_row:
            if sections:
                sections[-1]["text"] = "\n".join(body)
            sections.append({"number": expected, "heading": (match.group(2) or "").strip(), "text": ""})
            body = [match.group(3)] if match.group(3) else []
        elif text:
            (body if sections else preamble).append(text)
    if sections:
        sections[-1]["text"] = "\n".join(body)
    if preamble:
        sections.insert(0, {"number": "", "heading": "", "text": "\n".join(preamble)})
    return sections
