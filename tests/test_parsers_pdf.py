"""The PDF extractor on the two real sample PDFs: grids checked against the hand-checked figures."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from nianbao.parsers.extract.pdf import extract
from nianbao.parsers.model import Document, Table

SAMPLES = Path(__file__).parents[1].parent / "shared" / "samples"
YEARS = (2023, 2024)
COLUMNS = ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total")
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")

# The printed row label (last label cell) of each table-3 row and the figure key it holds.
TABLE3_ROWS = [
    ("一、本年新收政府信息公开申请数量", "new"),
    ("二、上年结转政府信息公开申请数量", "carried_over"),
    ("（一）予以公开", "granted"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partly_granted"),
    ("1.属于国家秘密", "denied_state_secret"),
    ("2.其他法律行政止公开", "denied_prohibited_by_law"),
    ("3.危及“三安全一稳定”", "denied_security_stability"),
    ("4.保护第三方合法权益", "denied_third_party"),
    ("5.属于三类内部事务信息", "denied_internal_affairs"),
    ("6.属于四类过程性信息", "denied_process_info"),
    ("7.属于行政执法案卷", "denied_enforcement_file"),
    ("8.属于行政查询事项", "denied_inquiry"),
    ("1.本机关不掌握相关政府信息", "unable_not_held"),
    ("2.没有现成信息需要另行制作", "unable_needs_creation"),
    ("3.补正后申请内容仍不明确", "unable_unclear"),
    ("1.信访举报投诉类申请", "rejected_petition"),
    ("2.重复申请", "rejected_duplicate"),
    ("3.要求提供公开出版物", "rejected_publication"),
    ("4.无正当理由大量反复申请", "rejected_excessive"),
    ("5.要求行政机关确认或重新出具已获取信息", "rejected_confirmation"),
    ("（六）其他处理", "other"),
    ("（七）总计", "total"),
    ("四、结转下年度继续办理", "carried_forward"),
]


@cache
def sample(year: int) -> tuple[Document, dict]:
    doc = extract((SAMPLES / f"hongze-{year}.pdf").read_bytes())
    truth = json.loads((SAMPLES / f"hongze-{year}.json").read_text(encoding="utf-8"))
    return doc, truth["figures"]


def table_titled(doc: Document, words: str) -> Table:
    [table] = [t for t in doc.tables if t.title and words in t.title]
    return table


def number(text: str) -> int | float:
    return 0 if text == "" else float(text) if "." in text else int(text)


def label_and_values(row: list[str]) -> tuple[str, list[str]]:
    """The last non-empty label cell and the seven value cells of a table-3 row."""
    labels = [cell for cell in row[:-7] if cell]
    return labels[-1], row[-7:]


@pytest.mark.parametrize("year", YEARS)
def test_three_tables_and_no_body_text_taken_for_a_table(year: int) -> None:
    doc, _ = sample(year)
    assert not doc.errors and not doc.needs_ocr
    titles = [t.title for t in doc.tables]
    assert titles == ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]


@pytest.mark.parametrize("year", YEARS)
def test_table3_rows_hold_the_hand_checked_figures(year: int) -> None:
    doc, figures = sample(year)
    table = table_titled(doc, "收到和处理")
    value_rows = [row for row in table.rows if row[-1].isdigit()]
    assert len(value_rows) == len(TABLE3_ROWS)
    for row, (label, key) in zip(value_rows, TABLE3_ROWS):
        printed_label, values = label_and_values(row)
        assert printed_label == label
        assert [number(v) for v in values] == [figures[f"requests.{key}.{col}"] for col in COLUMNS], label


@pytest.mark.parametrize("year", YEARS)
def test_table3_split_over_pages_keeps_its_merged_labels(year: int) -> None:
    doc, _ = sample(year)
    table = table_titled(doc, "收到和处理")
    assert table.page == 3 and table.row_pages is not None
    assert table.row_pages[0] == 3 and table.row_pages[-1] == 4 and len(table.row_pages) == len(table.rows)
    outcome_rows = [row for row in table.rows if row[0] == "三、本年度办理结果"]
    assert len(outcome_rows) == 20  # （一）…（七）: the vertical label, printed one character per line
    by_label = {label_and_values(row)[0]: row for row in table.rows}
    # The group label printed on page 3 is carried down into the rows of page 4.
    assert by_label["3.补正后申请内容仍不明确"][1] == "（四）无法提供"
    assert by_label["2.没有现成信息需要另行制作"][1] == "（四）无法提供"
    assert by_label["5.要求行政机关确认或重新出具已获取信息"][1] == "（五）不予处理"
    header = table.rows[:3]
    assert [h[-7:] for h in header][2] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


@pytest.mark.parametrize("year", YEARS)
def test_table4_headers_joined_and_values_on_one_row(year: int) -> None:
    doc, figures = sample(year)
    table = table_titled(doc, "行政复议")
    assert len(table.rows) == 4
    assert table.rows[2] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    assert table.rows[1][5:] == ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5
    assert table.rows[0][:5] == ["行政复议"] * 5 and table.rows[0][-1] == "行政诉讼"
    expected = [figures[f"appeals.{group}.{outcome}"]
                for group in ("review", "suit_direct", "suit_after_review") for outcome in OUTCOMES]
    assert [number(v) for v in table.rows[3]] == expected


@pytest.mark.parametrize("year", YEARS)
def test_table2_joined_over_pages_with_its_values(year: int) -> None:
    doc, figures = sample(year)
    table = table_titled(doc, "主动公开")
    assert table.page == 2 and set(table.row_pages or []) == {2, 3}
    rows = {row[0]: row[1:] for row in table.rows}
    assert [number(v) for v in rows["行政规范性文件"]] == [
        figures["active.normative_docs.issued"], figures["active.normative_docs.repealed"],
        figures["active.normative_docs.in_force"]]
    for label, key in (("行政许可", "licensing.decisions"), ("行政处罚", "penalty.decisions"),
                       ("行政强制", "enforcement.decisions"), ("行政事业性收费", "fees.amount")):
        assert number(rows[label][0]) == figures[f"active.{key}"], label


@pytest.mark.parametrize("year", YEARS)
def test_running_text_in_reading_order(year: int) -> None:
    doc, _ = sample(year)
    headings = [(b.text, b.page) for b in doc.blocks if b.kind == "heading"]
    assert headings[0][0].endswith(f"{year}年政府信息公开工作年度报告") and headings[0][1] == 1
    numbered = [text[:2] for text, _ in headings[1:]]
    assert numbered == ["一、", "二、", "三、", "四、", "五、", "六、"]
    kinds = [b.kind for b in doc.blocks]
    assert kinds.index("table") > kinds.index("heading")
    assert f"统计期限自{year}年1月1日起至{year}年12月31日止" in doc.text
    assert "- 3 -" not in doc.text and "\n3\n" not in doc.text  # page numbers dropped
    assert doc.meta["creator"].startswith("WPS")
