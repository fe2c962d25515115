"""Synthetic reports for the mapper's tests: consistent figures, rendered as grids the way real reports print them.

``figures_for(template, draw)`` makes a consistent set of figures (every
relation of the template holds); ``report_document(...)`` lays them out as
tables 2-4 shaped like the real 2019/2021 tables (merged labels repeated,
multi-row headers, the 2021 layout of table 2, the （六） sub-rows).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from nianbao.parsers.model import Block, Document, Table
from nianbao.parsers.templates import TEMPLATES

COLUMNS = TEMPLATES.columns
APPLICANTS = COLUMNS[:-1]
OUTCOMES = ["upheld", "corrected", "other", "pending", "total"]
GROUPS = ["review", "suit_direct", "suit_after_review"]

# (row key, group label, own label); the group label fills the second label column when the row has no sub-label
REQUEST_ROWS = [
    ("granted", "（一）予以公开", None),
    ("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("denied_state_secret", "（三）不予公开", "1.属于国家秘密"),
    ("denied_prohibited_by_law", "（三）不予公开", "2.其他法律行政法规禁止公开"),
    ("denied_security_stability", "（三）不予公开", "3.危及“三安全一稳定”"),
    ("denied_third_party", "（三）不予公开", "4.保护第三方合法权益"),
    ("denied_internal_affairs", "（三）不予公开", "5.属于三类内部事务信息"),
    ("denied_process_info", "（三）不予公开", "6.属于四类过程性信息"),
    ("denied_enforcement_file", "（三）不予公开", "7.属于行政执法案卷"),
    ("denied_inquiry", "（三）不予公开", "8.属于行政查询事项"),
    ("unable_not_held", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("unable_needs_creation", "（四）无法提供", "2.没有现成信息需要另行制作"),
    ("unable_unclear", "（四）无法提供", "3.补正后申请内容仍不明确"),
    ("rejected_petition", "（五）不予处理", "1.信访举报投诉类申请"),
    ("rejected_duplicate", "（五）不予处理", "2.重复申请"),
    ("rejected_publication", "（五）不予处理", "3.要求提供公开出版物"),
    ("rejected_excessive", "（五）不予处理", "4.无正当理由大量反复申请"),
    ("rejected_confirmation", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
]
OTHER_SINGLE = [("other", "（六）其他处理", None)]
OTHER_PARTS = [
    ("other_no_correction", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_unpaid_fee", "（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_other", "（六）其他处理", "3.其他"),
]
ACTIVE_2019 = [
    ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"], ["new_made", "new_published", "total_published"],
     [("规章", "rules"), ("规范性文件", "normative_docs")]),
    ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"], ["prev_items", "change", "decisions"],
     [("行政许可", "licensing"), ("其他对外管理服务事项", "other_services")]),
    ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"], ["prev_items", "change", "decisions"],
     [("行政处罚", "penalty"), ("行政强制", "enforcement")]),
    ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], ["prev_items", "change"], [("行政事业性收费", "fees")]),
    ("第二十条第（九）项", ["采购项目数量", "采购总金额"], ["items", "amount"], [("政府集中采购", "procurement")]),
]
ACTIVE_2021 = [
    ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"], ["issued", "repealed", "in_force"],
     [("规章", "rules"), ("行政规范性文件", "normative_docs")]),
    ("第二十条第（五）项", ["本年处理决定数量"], ["decisions"], [("行政许可", "licensing")]),
    ("第二十条第（六）项", ["本年处理决定数量"], ["decisions"], [("行政处罚", "penalty"), ("行政强制", "enforcement")]),
    ("第二十条第（八）项", ["本年收费金额（单位：万元）"], ["amount"], [("行政事业性收费", "fees")]),
]

Draw = Callable[[int, int], int]  # (low, high) -> an int, e.g. random.randint or a hypothesis draw


def figures_for(template: str, draw: Draw, sub_rows: bool) -> dict[str, int]:
    """A consistent set of figures: every row, column and group relation holds."""
    figures: dict[str, int] = {}
    for _, _, cols, rows in ACTIVE_2019 if template == "2019" else ACTIVE_2021:
        for _, row in rows:
            for col in cols:
                figures[f"active.{row}.{col}"] = draw(-50, 50) if col == "change" else draw(0, 500)
    rows = [r[0] for r in REQUEST_ROWS] + [r[0] for r in (OTHER_PARTS if sub_rows else OTHER_SINGLE)]
    table = {row: {c: draw(0, 9) if draw(0, 3) == 0 else 0 for c in APPLICANTS} for row in rows}
    if sub_rows:
        table["other"] = {c: sum(table[p[0]][c] for p in OTHER_PARTS) for c in APPLICANTS}
    outcome_rows = [r[0] for r in REQUEST_ROWS] + ["other"]
    table["total"] = {c: sum(table[r][c] for r in outcome_rows) for c in APPLICANTS}
    table["carried_forward"] = {c: draw(0, 3) for c in APPLICANTS}
    table["carried_over"] = {c: draw(0, table["total"][c] + table["carried_forward"][c]) for c in APPLICANTS}
    table["new"] = {c: table["total"][c] + table["carried_forward"][c] - table["carried_over"][c] for c in APPLICANTS}
    for row, values in table.items():
        for col, value in values.items():
            figures[f"requests.{row}.{col}"] = value
        figures[f"requests.{row}.total"] = sum(values.values())
    for group in GROUPS:
        parts = [draw(0, 5) for _ in OUTCOMES[:-1]]
        for outcome, value in zip(OUTCOMES, parts + [sum(parts)]):
            figures[f"appeals.{group}.{outcome}"] = value
    return figures


def active_rows(template: str, figures: dict[str, int], label: Callable[[str], str], merged: bool = True
                ) -> list[list[str]]:
    """Table 2; with ``merged`` every small table is as wide as the widest (merged cells repeated)."""
    grid = []
    for title, headers, cols, rows in ACTIVE_2019 if template == "2019" else ACTIVE_2021:
        width = 1 + (max(3, len(headers)) if merged else len(headers))
        grid.append([title] * width)
        spread = [headers[i * len(headers) // (width - 1)] for i in range(width - 1)]
        grid.append([label("信息内容")] + [label(h) for h in spread])
        for row_label, row in rows:
            values = [str(figures[f"active.{row}.{cols[i * len(cols) // (width - 1)]}"]) for i in range(width - 1)]
            grid.append([label(row_label)] + values)
    return grid


def request_rows(figures: dict[str, int], sub_rows: bool, label: Callable[[str], str],
                 cell: Callable[[str, int], str]) -> list[list[str]]:
    """Table 3 as a 10-column grid: three label columns (merged cells repeated) and seven values."""
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    org = "法人或其他组织"
    grid = [[note] * 3 + ["申请人情况"] * 7,
            [note] * 3 + ["自然人"] + [label(org)] * 5 + [label("总计")],
            [note] * 3 + ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", label("总计")]]

    def values(row: str) -> list[str]:
        return [cell(c, figures[f"requests.{row}.{c}"]) for c in COLUMNS]

    grid.append([label("一、本年新收政府信息公开申请数量")] * 3 + values("new"))
    grid.append([label("二、上年结转政府信息公开申请数量")] * 3 + values("carried_over"))
    for row, group, own in REQUEST_ROWS + (OTHER_PARTS if sub_rows else OTHER_SINGLE):
        grid.append([label("三、本年度办理结果"), label(group), label(own or group)] + values(row))
    grid.append([label("三、本年度办理结果")] + [label("（七）总计")] * 2 + values("total"))
    grid.append([label("四、结转下年度继续办理")] * 3 + values("carried_forward"))
    return grid


def appeal_rows(figures: dict[str, int], label: Callable[[str], str], cell: Callable[[str, int], str]) -> list[list[str]]:
    names = [label(n) for n in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]
    return [["行政复议"] * 5 + ["行政诉讼"] * 10,
            names + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5,
            names * 3,
            [cell(o, figures[f"appeals.{g}.{o}"]) for g in GROUPS for o in OUTCOMES]]


def report_tables(template: str, figures: dict[str, int], sub_rows: bool, label: Callable[[str], str],
                  cell: Callable[[str, int], str], merged: bool = True) -> list[tuple[str, list[list[str]]]]:
    """Tables 2, 3 and 4 with their chapter headings."""
    return [("二、主动公开政府信息情况", active_rows(template, figures, label, merged)),
            ("三、收到和处理政府信息公开申请情况", request_rows(figures, sub_rows, label, cell)),
            ("四、政府信息公开行政复议、行政诉讼情况", appeal_rows(figures, label, cell))]


def report_document(tables: list[tuple[str, list[list[str]]]], year: int, split_at: int | None = None) -> Document:
    """A document with a title, chapter headings and the given tables; table 3 may be split over two pages."""
    blocks = [Block("heading", f"示例县人民政府{year}年政府信息公开工作年度报告"),
              Block("paragraph", f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")]
    for title, rows in tables:
        blocks.append(Block("heading", title))
        if split_at is not None and title.startswith("三") and 3 < split_at < len(rows):
            blocks.append(Block("table", table=Table(rows=rows[:split_at], title=title, page=3)))
            blocks.append(Block("paragraph", "-3-"))
            blocks.append(Block("table", table=Table(rows=rows[split_at:], page=4)))
        else:
            blocks.append(Block("table", table=Table(rows=rows, title=title)))
    return Document(format="html", blocks=blocks)


def report_text(tables: list[tuple[str, list[list[str]]]], year: int) -> str:
    """A plain-text rendering like the seeds: tab-separated rows, repeated merged labels left empty."""
    lines = [f"# 示例县人民政府{year}年政府信息公开工作年度报告",
             f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"]
    for title, rows in tables:
        lines.append(f"## {title}")
        for row in rows:
            cells = [c if i == 0 or c != row[i - 1] or c[:1].isdigit() else "" for i, c in enumerate(row)]
            lines.append("\t".join(cells))
    return "\n\n".join(lines) + "\n"


def seeded_draw(seed: int) -> Draw:
    return random.Random(seed).randint
