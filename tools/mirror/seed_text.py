"""Split a seed report's plain text (../shared/seeds) into title, sections and signature.

The seeds are text renderings of real reports: markdown marks, page-break
fragments, tables as tab- or pipe-separated lines.  Tables are dropped here
(the renderers draw them from the figures); the narrative is kept word for
word, only re-joining paragraphs a page break cut in two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.mirror.samples import Section, Signature

HEADING = re.compile(r"^([一二三四五六七八九十]+)、\s*(.{2,40})$")
DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
SENTENCE_END = tuple("。！？：；」:;.")
PAGE_FRAGMENT_MIN = 30  # shorter lines without a full stop are sub-headings, not cut paragraphs
ONE_CHARACTER_TEXT = {"无"}  # other one-character lines are page-break debris (a repeated 编)
MARKDOWN = [
    (re.compile(r"\[([^\]]*)\]\(mailto:[^)]*\)"), r"\1"),
    (re.compile(r"<(https?://[^>]+)>"), r"\1"),
    (re.compile(r"\*\*"), ""),
    (re.compile(r"\\+_"), "_"),
    (re.compile(r"^#+\s*"), ""),
]


@dataclass
class SeedText:
    title: str | None
    sections: list[Section] = field(default_factory=list)
    signature: Signature | None = None


def _clean(line: str) -> str:
    line = line.strip()
    for pattern, replacement in MARKDOWN:
        line = pattern.sub(replacement, line)
    return line.strip()


def _is_table_line(line: str) -> bool:
    return "\t" in line or "|" in line


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines to paragraphs, re-joining a long line cut by a page break (no full stop at its end)."""
    paragraphs: list[str] = []
    joinable = False
    for line in lines:
        if joinable and paragraphs:
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
        joinable = len(paragraphs[-1]) >= PAGE_FRAGMENT_MIN and not paragraphs[-1].endswith(SENTENCE_END)
    return paragraphs


def split_seed(text: str, table_sections: set[str]) -> SeedText:
    """Title, sections and closing signature of a seed; sections in ``table_sections`` keep no text."""
    lines = [_clean(raw) for raw in text.splitlines() if not _is_table_line(raw)]
    lines = [line for line in lines if len(line) > 1 or line in ONE_CHARACTER_TEXT]
    title = None
    if lines and "年度报告" in lines[0] and not lines[0].endswith("。"):
        title = lines.pop(0)
    signature = None
    while lines and not DATE.match(lines[-1]) and len(lines) >= 2 and DATE.match(lines[-2]):
        lines.pop()  # e.g. （此件公开发布） after the date
    if len(lines) >= 2 and DATE.match(lines[-1]) and len(lines[-2]) <= 20:
        signature = Signature(agency=lines[-2], date=lines[-1])
        lines = lines[:-2]
    sections = [Section("", "")]
    bodies: list[list[str]] = [[]]
    pending_caption = False
    for line in lines:
        heading = HEADING.match(line)
        if pending_caption:
            sections[-1].heading = line
            pending_caption = False
        elif line == "附件":
            sections.append(Section("附件", ""))
            bodies.append([])
            pending_caption = True
        elif heading and not line.endswith("。"):
            sections.append(Section(heading.group(1), heading.group(2).strip()))
            bodies.append([])
        else:
            bodies[-1].append(line)
    for section, body in zip(sections, bodies):
        section.paragraphs = [] if section.number in table_sections else _paragraphs(body)
    if not sections[0].paragraphs:
        sections.pop(0)
    return SeedText(title, sections, signature)
