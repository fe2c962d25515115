"""The mapper on grids shaped like real tables: 2021 and mixed layouts, splits, blanks, unrelated tables."""

from __future__ import annotations

from parsers_synthetic import (
    appeal_rows,
    figures_for,
    report_document,
    report_tables,
    report_text,
    request_rows,
    seeded_draw,
)

from nianbao.parsers.extract.text import text_to_document
from nianbao.parsers.model import Block, Document, Table
from nianbao.parsers.report import build_report


def _plain(text: str) -> str:
    return text


def _number(_col: str, value: int) -> str:
    return str(value)


def _tables(template: str, figures: dict, sub_rows: bool, merged: bool = True) -> list:
    return report_tables(template, figures, sub_rows, _plain, _number, merged)


def test_full_2021_template_with_other_sub_rows():
    figures = figures_for("2021", seeded_draw(1), sub_rows=True)
    result = build_report(report_document(_tables("2021", figures, True), 2022))
    assert result.template == "2021" and result.year == 2022 and result.agency == "示例县人民政府"
    assert result.figures == figures
    assert {f"requests.other.{c}" for c in ("natural_person", "total")} <= set(result.inferred)
    assert result.failed_checks == []


def test_mixed_report_is_2021_with_the_single_other_row():
    figures = figures_for("2021", seeded_draw(2), sub_rows=False)
    result = build_report(report_document(_tables("2021", figures, False), 2023))
    assert result.template == "2021"
    assert result.figures == figures
    assert not any("other_other" in k for k in result.figures)


def test_table_3_split_over_pages_without_header_on_the_second():
    figures = figures_for("2019", seeded_draw(3), sub_rows=False)
    for split in (5, 12, 20):
        result = build_report(report_document(_tables("2019", figures, False), 2020, split_at=split))
        assert result.figures == figures, split


def test_text_rendering_of_2021_tables():
    figures = figures_for("2021", seeded_draw(4), sub_rows=True)
    result = build_report(text_to_document(report_text(_tables("2021", figures, True, merged=False), 2021)))
    assert result.template == "2021"
    assert result.figures == figures


def test_blank_cells_are_zero_and_blank_total_is_computed():
    figures = figures_for("2019", seeded_draw(5), sub_rows=False)

    def blank_zero_and_totals(col: str, value: int) -> str:
        return "" if value == 0 or col == "total" else str(value)

    tables = [("三、收到和处理政府信息公开申请情况", request_rows(figures, False, _plain, blank_zero_and_totals))]
    result = build_report(report_document(tables, 2020))
    expected = {k: v for k, v in figures.items() if k.startswith("requests.")}
    assert result.figures == expected
    assert "requests.total.total" in result.inferred
    assert "requests.new.natural_person" not in result.inferred


def test_misprints_and_stray_spaces_in_labels():
    figures = figures_for("2021", seeded_draw(6), sub_rows=False)
    variants = {"2.其他法律行政法规禁止公开": "2.其他法律行政止公开", "6.属于四类过程性信息": "6.属于四类过程信息",
                "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": "（二）部分公开（区分处理的，只计这一情 形，不计其他情形）",
                "结果维持": "结 果 维 持", "总计": "总 计", "5.要求行政机关确认或重新出具已获取信息": "5.要求行政机关确认或重 新出具已获取信息"}

    def label(text: str) -> str:
        return variants.get(text, text)

    tables = [("三、收到和处理政府信息公开申请情况", request_rows(figures, False, label, _number)),
              ("四、政府信息公开行政复议、行政诉讼情况", appeal_rows(figures, label, _number))]
    result = build_report(report_document(tables, 2024))
    assert result.figures == {k: v for k, v in figures.items() if not k.startswith("active.")}


def test_table_4_printed_without_values_gives_nulls_not_zeros():
    figures = figures_for("2019", seeded_draw(7), sub_rows=False)
    headers_only = appeal_rows(figures, _plain, _number)[:3]
    result = build_report(report_document([("四、政府信息公开行政复议、行政诉讼情况", headers_only)], 2020))
    appeals = {k: v for k, v in result.figures.items() if k.startswith("appeals.")}
    assert len(appeals) == 15 and set(appeals.values()) == {None}
    assert not any(k.startswith("requests.") for k in result.figures)  # table 3 absent: keys left out


def test_unrelated_tables_stay_raw_and_unmapped():
    listing = [["索引号", "标题", "发布单位", "发布日期"],
               ["WS01012/2018-01812", "《生育登记(审批)操作办理规定》解读", "市卫生和计划生育局", "2018-01-19"],
               ["640501001/2017-49811", "关于重复申请不予处理的说明", "市人民政府办公室", "2017-09-30"]]
    doc = Document(format="html", blocks=[Block("paragraph", "某局2019年政府信息公开工作年度报告"),
                                          Block("table", table=Table(rows=listing))])
    result = build_report(doc)
    assert result.figures == {} and result.template == "unknown"
    assert result.tables[0]["rows"] == listing


def test_made_up_report_without_tables_is_unknown():
    text = "# 某某镇2022年政府信息公开工作年度报告\n\n一、总体情况\n\n全年共受理政府信息公开申请3件。\n\n二、其他\n\n无。\n"
    result = build_report(text_to_document(text))
    assert result.template == "unknown" and result.figures == {} and result.errors == []
    assert result.year == 2022 and result.agency == "某某镇"
    assert [s["number"] for s in result.sections] == ["", "一", "二"]  # the title line leads


def test_table_2_with_the_article_label_merged_down_the_first_column():
    first = "第二十条第（一）项"
    rows = [[first, "信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            [first, "规章", "1", "0", "5"], [first, "行政规范性文件", "3", "", "8"],
            ["第二十条第（五）项", "信息内容", "本年处理决定数量", "本年处理决定数量", "本年处理决定数量"],
            ["第二十条第（五）项", "行政许可", "9487", "9487", "9487"]]
    result = build_report(report_document([("二、主动公开政府信息情况", rows)], 2024))
    assert result.template == "2021"
    assert result.figures == {"active.rules.issued": 1, "active.rules.repealed": 0, "active.rules.in_force": 5,
                              "active.normative_docs.issued": 3, "active.normative_docs.repealed": 0,
                              "active.normative_docs.in_force": 8, "active.licensing.decisions": 9487}
