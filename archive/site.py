"""What the site's own pages show, kept apart from Datasette so it can be tested alone.

- figure labels (Chinese) for every canonical key, from the shared spec;
- tables re-merged for display: the archive keeps a merged cell's text in
  every position it covers, and the spans where the source drew them; the
  page shows a merged cell once, with rowspan/colspan;
- failing checks explained in plain words (Chinese and English), and the
  figures each check involves;
- small inline SVG charts (the site works offline: no scripts, no CDN).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from nianbao.parsers.relations import all_relations
from nianbao.parsers.templates import TEMPLATES

APPEAL_GROUPS = {"review": "行政复议", "suit_direct": "行政诉讼 未经复议直接起诉", "suit_after_review": "行政诉讼 复议后起诉"}


def column_labels() -> dict[str, str]:
    """Applicant column key -> Chinese label."""
    return dict(zip(TEMPLATES.columns, TEMPLATES.column_labels))


def figure_labels() -> dict[str, tuple[str, str]]:
    """Canonical key -> (Chinese label, unit), in the spec's order."""
    return TEMPLATES.labels


def english_labels() -> dict[str, str]:
    """Canonical key -> English label (``spec/labels_en.csv``), for readers of English."""
    return TEMPLATES.labels_en


def archive_database(datasette):
    """The archive among a Datasette's databases: the first file-backed one."""
    return next(db for name, db in datasette.databases.items() if name != "_internal" and not db.is_memory)


# --- tables as printed ----------------------------------------------------------------------------------

_NUMBER_LIKE = re.compile(r"^[\s\d.,，+\-−%（）()万元件项条个人次篇]*$")


@dataclass
class Cell:
    text: str
    row: int  # position in the stored grid, where figures' provenance points
    col: int
    rowspan: int = 1
    colspan: int = 1


def remerge(rows: list[list[str]], spans: list[list[int]] | None = None) -> list[list[Cell]]:
    """The grid as cells with rowspan/colspan: the source's own merged cells when it recorded them
    (``spans``: [row, col, rowspan, colspan] each), else :func:`remerge_labels`."""
    if spans is None:
        return remerge_labels(rows)
    grid = _padded(rows)
    width = len(grid[0]) if grid else 0
    merged = {
        (r, c): (min(rowspan, len(grid) - r), min(colspan, width - c))
        for r, c, rowspan, colspan in spans
        if 0 <= r < len(grid) and 0 <= c < width
    }
    covered = [[False] * width for _ in grid]
    out: list[list[Cell]] = []
    for i, row in enumerate(grid):
        cells = []
        for j, text in enumerate(row):
            if not covered[i][j]:
                rowspan, colspan = merged.get((i, j), (1, 1))
                _cover(covered, i, j, rowspan, colspan)
                cells.append(Cell(text, i, j, rowspan, colspan))
        out.append(cells)
    return out


def remerge_labels(rows: list[list[str]]) -> list[list[Cell]]:
    """Turn repeated label cells back into spans, for sources that do not record them (plain text,
    versions stored before spans were).  Numbers and blanks are never merged: two adjacent zeros are
    two cells."""
    grid = _padded(rows)
    width = len(grid[0]) if grid else 0
    covered = [[False] * width for _ in grid]
    out: list[list[Cell]] = []
    for i, row in enumerate(grid):
        cells = []
        for j, text in enumerate(row):
            if covered[i][j]:
                continue
            colspan = rowspan = 1
            if not _NUMBER_LIKE.match(text):
                while j + colspan < width and row[j + colspan] == text and not covered[i][j + colspan]:
                    colspan += 1
                while i + rowspan < len(grid) and all(
                    grid[i + rowspan][k] == text and not covered[i + rowspan][k] for k in range(j, j + colspan)
                ):
                    rowspan += 1
            _cover(covered, i, j, rowspan, colspan)
            cells.append(Cell(text, i, j, rowspan, colspan))
        out.append(cells)
    return out


def _padded(rows: list[list[str]]) -> list[list[str]]:
    width = max((len(r) for r in rows), default=0)
    return [list(r) + [""] * (width - len(r)) for r in rows]


def _cover(covered: list[list[bool]], i: int, j: int, rowspan: int, colspan: int) -> None:
    for a in range(i, i + rowspan):
        for b in range(j, j + colspan):
            covered[a][b] = True


# --- checks in plain words --------------------------------------------------------------------------------

# The template's parts, as the 2019 and 2021 templates print their headings (not the page's n-th drawn table)
PART_3 = ("第三部分“三、收到和处理政府信息公开申请情况”", "Part 3 of the template (三、收到和处理政府信息公开申请情况, requests received and handled)")
PART_4 = ("第四部分“四、政府信息公开行政复议、行政诉讼情况”", "Part 4 of the template (四、政府信息公开行政复议、行政诉讼情况, reviews and lawsuits)")
LEGACY_TABLE = ("旧统计表（2018 年度及以前）", "The old statistics table (up to 2018)")

# rule family -> (Chinese, English); {part} is the rule's suffix, {detail} the parser's arithmetic
EXPLANATIONS = {
    "requests.row_sum": (
        PART_3[0] + "中“{part}”这一行：六类申请人的数字相加不等于该行总计（{detail}）。",
        PART_3[1] + ", row '{part}': the six applicant columns do not add up to the row's total ({detail}).",
    ),
    "requests.balance": (
        PART_3[0] + "中“{part}”列：本年新收＋上年结转 应等于 办理结果总计＋结转下年度，但不相等（{detail}）。",
        PART_3[1] + ", column '{part}': new + carried over should equal handled + carried forward, "
        "and does not ({detail}).",
    ),
    "requests.outcomes_sum": (
        PART_3[0] + "中“{part}”列：各项办理结果相加不等于总计（{detail}）。",
        PART_3[1] + ", column '{part}': the outcomes do not add up to the total ({detail}).",
    ),
    "appeals.sum": (
        PART_4[0] + "中“{part}”：维持、纠正、其他、尚未审结相加不等于总计（{detail}）。",
        PART_4[1] + ", '{part}': upheld + corrected + other + pending does not equal the total ({detail}).",
    ),
    "legacy.sum": (
        LEGACY_TABLE[0] + "“{part}”：分项相加不等于合计（{detail}）。",
        LEGACY_TABLE[1] + ", '{part}': the parts do not add up to the total ({detail}).",
    ),
    "narrative": (
        "正文与表格不一致：“{part}”（{detail}）。",
        "The text and the table disagree on '{part}' ({detail}).",
    ),
}


def explain_check(rule: str, detail: str | None) -> tuple[str, str]:
    family, _, part = rule.partition(":")
    label = _part_label(family, part)
    zh, en = EXPLANATIONS.get(family, ("规则 {part} 未通过（{detail}）。", "Rule {part} fails ({detail})."))
    values = {"part": label or rule, "detail": detail or ""}
    return zh.format(**values), en.format(**values)


def _part_label(family: str, part: str) -> str:
    """What a rule's suffix names, as the report prints it: a row, a column, a group or a figure."""
    labels = figure_labels()
    if family == "narrative":
        return labels.get(part, (part, ""))[0]
    if family == "requests.row_sum":
        return labels.get(f"requests.{part}.total", (part, ""))[0].split(" · ")[0]
    if family == "legacy.sum":
        return part
    return column_labels().get(part) or APPEAL_GROUPS.get(part) or part


def check_keys(rule: str, keys: set[str]) -> set[str]:
    """The figure keys a rule compares (for highlighting them)."""
    family, _, part = rule.partition(":")
    if family == "narrative":
        return {part}
    return next((set(r.keys) for r in all_relations(keys) if r.rule == rule), set())


# --- charts -------------------------------------------------------------------------------------------------


# The template's parts a figure key belongs to, for grouping pickers (key prefix -> (Chinese, English))
KEY_GROUPS = {
    "active.": ("二、主动公开政府信息情况", "Part 2: information published proactively"),
    "requests.": ("三、收到和处理政府信息公开申请情况", "Part 3: requests received and handled"),
    "appeals.": ("四、政府信息公开行政复议、行政诉讼情况", "Part 4: reviews and lawsuits"),
    "legacy.": ("旧统计表（2018 年度及以前）", "The old statistics table (up to 2018)"),
}


def grouped_keys() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Every figure key with its label, grouped by the template's part: [(zh, en, [(key, label)])]."""
    groups: dict[str, list[tuple[str, str]]] = {prefix: [] for prefix in KEY_GROUPS}
    for key, (label, _) in figure_labels().items():
        prefix = next((p for p in KEY_GROUPS if key.startswith(p)), None)
        if prefix:
            groups[prefix].append((key, label))
    return [(*KEY_GROUPS[prefix], keys) for prefix, keys in groups.items() if keys]


def line_chart(points: list[tuple[int, float]], title: str, width: int = 560, height: int = 240,
               notes: dict[int, str] | None = None) -> str:
    """An inline SVG line chart of (year, value) points, labelled, no script; ``notes`` go under a year
    (e.g. how many reports its value covers)."""
    esc = html.escape
    if not points:
        return f'<p class="nodata">{esc(title)}: 无数据 / no data</p>'
    notes = notes or {}
    pad_l, pad_r, pad_t, pad_b = 56, 24, 44, 28 + (14 if notes else 0)
    years = [p[0] for p in points]
    top = max(max(p[1] for p in points), 1)
    x0, x1 = min(years), max(years)

    def x(year: int) -> float:
        return pad_l + (0.5 if x0 == x1 else (year - x0) / (x1 - x0)) * (width - pad_l - pad_r)

    def y(value: float) -> float:
        return height - pad_b - (value / top) * (height - pad_t - pad_b)

    path = " ".join(f"{'M' if i == 0 else 'L'}{x(a):.1f},{y(b):.1f}" for i, (a, b) in enumerate(points))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><title>{esc(title)}</title>',
        f'<text x="{pad_l}" y="16" font-size="13">{esc(title)}</text>',
        f'<line x1="{pad_l}" y1="{height - pad_b}" x2="{width - pad_r}" y2="{height - pad_b}" '
        'stroke="#767676"/>',
        f'<text x="{pad_l - 6}" y="{y(top) + 4:.1f}" font-size="11" text-anchor="end">{top:g}</text>',
        f'<text x="{pad_l - 6}" y="{height - pad_b + 4}" font-size="11" text-anchor="end">0</text>',
        f'<path d="{path}" fill="none" stroke="#1f6fb2" stroke-width="2"/>',
    ]
    for year, value in points:
        parts.append(f'<circle cx="{x(year):.1f}" cy="{y(value):.1f}" r="3.5" fill="#1f6fb2">'
                     f"<title>{year}: {value:g}</title></circle>")
        label = 'font-size="11" text-anchor="middle"'
        parts.append(f'<text x="{x(year):.1f}" y="{height - pad_b + 20}" {label}>{year}</text>')
        if year in notes:
            parts.append(f'<text x="{x(year):.1f}" y="{height - pad_b + 34}" {label}>{esc(notes[year])}</text>')
        parts.append(f'<text x="{x(year):.1f}" y="{y(value) - 7:.1f}" {label}>{value:g}</text>')
    parts.append("</svg>")
    return "".join(parts)


# --- change summaries in words --------------------------------------------------------------------------------

_KEY_IN_SUMMARY = re.compile(r"(?<![\w.])([a-z_]+(?:\.[a-z_]+)+)(?=: )")


def summary_in_words(summary: str | None) -> str:
    """A stored change summary with each figure key preceded by its label as printed:
    ``requests.new.total: 10 → 12`` reads ``一、本年新收政府信息公开申请数量 · 总计 (requests.new.total): 10 → 12``."""
    labels = figure_labels()

    def word(match: re.Match[str]) -> str:
        key = match.group(1)
        return f"{labels[key][0]} ({key})" if key in labels else key

    return _KEY_IN_SUMMARY.sub(word, summary or "")
