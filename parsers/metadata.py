"""Title, publishing agency, year covered and publication date of a report, from its text.

- title: the first line naming a 工作年度报告 (joined with the line before
  when the agency is printed on its own line above, or when the title is
  split over two lines: ``2025 年某某政府信息公开`` / ``工作年度报告``); a page
  label before it (``标题：``, ``templates.yml: page_labels``) is dropped;
- agency: the title's words before the year; a bare place name (隆德县)
  means its people's government (隆德县人民政府); without a title, the body
  that compiled the report (本报告由…编制) or the signature at the end;
- year: the 统计期限 (the year covered), else the title's year, else the year
  a sentence opens with (``2019年，我局…``, as 一、总体情况 usually does), else
  the year the text gives its 政府信息公开 work (``汇报我镇2023年政府信息公开工作``);
- published: the date printed alone on a line at the end (落款), else a
  date the extractor found in the page metadata (``meta['published']``).

Page metadata (``article_title``, ``title``, ``publisher``) is the fallback
for the title and agency when the text names neither.
"""

from __future__ import annotations

import re

from nianbao.parsers.model import Document
from nianbao.parsers.templates import TEMPLATES

_TITLE_MAX = 80
_YEAR_IN_TITLE = re.compile(r"(19|20)\d{2}\s*年")
_BARE_PLACE = re.compile(r"(省|市|县|区|自治州|州|旗|盟|自治县|自治区)$")
_PERIOD = re.compile(r"统计(?:期限|时限|时间|区间)[^。\d]{0,12}((?:19|20)\d{2})\s*年")
_PERIOD_RANGE = re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日[^。]{0,8}?\1\s*年\s*12\s*月\s*31\s*日")
_COMPILER = re.compile(r"本报告由(.{2,40}?)(?:根据|依据|按照|汇总|编制|负责)")
_DATE_ALONE = re.compile(r"^\s*((?:19|20)\d{2}|[〇零一二三四五六七八九○Ｏ]{4})\s*年\s*([\d一二三四五六七八九十]{1,3})\s*月"
                         r"\s*([\d一二三四五六七八九十]{1,3})\s*日\s*$")
_ISO_ALONE = re.compile(r"^\s*((?:19|20)\d{2})[-./]([01]?\d)[-./]([0-3]?\d)\s*$")
_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0}
_SPACE_NEAR_CJK = re.compile(r"\s*(?=[\u4e00-\u9fff（）《》])|(?<=[\u4e00-\u9fff（）《》])\s*")
_TAIL_LINES = 12
_HEAD_LINES = 40
_YEAR_FIRST = re.compile(r"^(?:19|20)\d{2}\s*年度?(.{2,40})(?:政府信息公开|政务公开|信息公开)")
_REPORT_NAME = re.compile(r"(?:信息公开|政务公开).{0,8}(?:年度报告|工作报告|年报)|年度报告")
_YEAR_OPENING = re.compile(r"(?:^|。)((?:19|20)\d{2})\s*年度?\s*[，,]")
_NOT_CJK_HEAD = re.compile(r"^[^\u4e00-\u9fff]+")
_YEAR_OF_WORK = re.compile(r"((?:19|20)\d{2})\s*年度?[^，。；,;\d]{0,12}?(?:政府信息公开|政务公开)")
_PAGE_LABEL = re.compile(r"^(?:" + "|".join(map(re.escape, TEMPLATES.data["page_labels"])) + r")\s*[:：]\s*")
_ANY_DATE = re.compile(r"((?:19|20)\d{2})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")


def _squeeze(text: str) -> str:
    return _SPACE_NEAR_CJK.sub("", text.strip().strip("#* ")).strip()


def _lines(doc: Document) -> list[str]:
    return [_PAGE_LABEL.sub("", _squeeze(b.text)) for b in doc.blocks if b.kind != "table" and b.text.strip()]


def _is_title(line: str) -> bool:
    return bool(_REPORT_NAME.search(line)) and len(line) <= _TITLE_MAX and "《" not in line and "。" not in line


def find_title(doc: Document) -> str | None:
    """The report's name: a line naming the report with a year (joined with an agency line above it),
    else the page's title metadata, else any line naming the report (breadcrumbs name it without a year)."""
    lines = _lines(doc)[:_HEAD_LINES]
    for i, line in enumerate(lines):
        above = lines[i - 1] if i > 0 else ""
        if (not _YEAR_IN_TITLE.search(line) and _YEAR_IN_TITLE.search(above) and not _REPORT_NAME.search(above)
                and len(above) <= _TITLE_MAX and _is_title(above + line)):
            return above + line  # split over two lines: 2025年某某政府信息公开 / 工作年度报告
        if _is_title(line) and _YEAR_IN_TITLE.search(line):
            above = lines[i - 1] if i > 0 else ""
            if _YEAR_IN_TITLE.match(line) and above and len(above) <= 30 and not _REPORT_NAME.search(above):
                return above + line
            return line
    for key in ("article_title", "title"):
        if _REPORT_NAME.search(doc.meta.get(key, "")):
            return doc.meta[key]
    return next((line for line in lines if _is_title(line)), None) or doc.meta.get("title") or None


def _drop_split_topic(head: str) -> str:
    """"某局政府" / "某县人民政府政府" left over when 政府信息公开 was cut as 信息公开: drop the stray 政府."""
    if head.endswith("政府") and (not head.endswith("人民政府") or head.endswith("政府政府")):
        return head[:-2]
    return head


def find_agency(doc: Document, title: str | None) -> str | None:
    if title:
        head = _YEAR_IN_TITLE.split(title, maxsplit=1)[0] if _YEAR_IN_TITLE.search(title) else ""
        head = re.sub(r"(关于|的)$", "", _NOT_CJK_HEAD.sub("", head).strip(" ：:"))  # drops "Page 8 - "
        year_first = _YEAR_FIRST.match(title)
        head = head or (_drop_split_topic(year_first.group(1)) if year_first else "")
        if head:
            return head + "人民政府" if _BARE_PLACE.search(head) else head
    compiler = _COMPILER.search(doc.text)
    if compiler:
        return _squeeze(compiler.group(1))
    return doc.meta.get("publisher") or None


def find_year(doc: Document, title: str | None) -> int | None:
    text = doc.text
    for pattern in (_PERIOD, _PERIOD_RANGE):
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    match = _YEAR_IN_TITLE.search(title or "")
    if match:
        return int(match.group(0)[:4])
    opening = next((m for m in map(_YEAR_OPENING.search, _lines(doc)) if m), None)
    if opening:
        return int(opening.group(1))
    work = _YEAR_OF_WORK.search(text)
    return int(work.group(1)) if work else None


def _cn_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if all(c in _DIGITS for c in text):
        return int("".join(str(_DIGITS[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_DIGITS.get(tens, 1) if "十" in text else 0) * 10 + (_DIGITS.get(ones, 0) if ones or "十" not in text else 0)


def find_published(doc: Document) -> str | None:
    for line in reversed(_lines(doc)[-_TAIL_LINES:]):
        match = _DATE_ALONE.match(line) or _ISO_ALONE.match(line)
        if match:
            year, month, day = (_cn_number(g) for g in match.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    match = _ANY_DATE.search(doc.meta.get("published", ""))
    return f"{int(match[1]):04d}-{int(match[2]):02d}-{int(match[3]):02d}" if match else None
