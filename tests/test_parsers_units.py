"""Small parts of the parsers: numbers, labels, metadata, narrative rule, text extractor, legacy chapters."""

from __future__ import annotations

import pytest

from nianbao.parsers.extract.text import extract, text_to_document
from nianbao.parsers.labels import normalize_label
from nianbao.parsers.metadata import find_agency, find_published, find_title, find_year
from nianbao.parsers.model import Block, Document, Table
from nianbao.parsers.narrative import narrative_checks
from nianbao.parsers.numbers import header_money_unit, is_blank, money_in_wan, parse_number
from nianbao.parsers.report import build_report


@pytest.mark.parametrize("text, value", [("10", 10), ("+1", 1), ("-302", -302), ("0件", 0), ("1,234", 1234),
                                         ("１２", 12), (" 7 ", 7), ("3.5", 3.5)])
def test_counts_and_signed(text, value):
    assert parse_number(text).value == value


@pytest.mark.parametrize("text", ["WS01012/2018-01812", "2018-01-19", "自然人", "第二十条第（一）项", "", "——"])
def test_not_numbers(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("text, header, expected", [
    ("251000元", None, (25.1, False)), ("3168.0656(万元)", None, (3168.0656, False)),
    ("21207.84 万元", None, (21207.84, False)), ("25060.3597", "采购总金额（单位：万元，保留4位小数）", (25060.3597, False)),
    ("120000", "采购总金额（单位：元）", (12, False)), ("0", "采购总金额", (0, True))])
def test_money_in_wan(text, header, expected):
    assert money_in_wan(text, header_money_unit(header)) == expected


def test_blank_placeholders():
    assert all(is_blank(t) for t in ["", " ", "—", "——", "/", "-"])
    assert not is_blank("0")


@pytest.mark.parametrize("printed, normal", [
    ("结 果 维 持", "结果维持"), ("（二）部分公开（区分处理的，只计这一情 形，不", "(二)部分公开(区分处理的,只计这一情形,不"),
    ("2.其他法律行政止公开", "2.其他法律行政法规禁止公开"), ("本年新<br>制作数量", "本年新制作数量"),
    ("6.属于四类过程信息", "6.属于四类过程性信息"), ("3.危及“三安全一稳定”", "3.危及三安全一稳定"), ("〔2019〕", "(2019)")])
def test_normalize_label(printed, normal):
    assert normalize_label(printed) == normal


def _doc(*lines: str, meta: dict | None = None) -> Document:
    return Document(format="html", blocks=[Block("paragraph", line) for line in lines], meta=meta or {})


def test_title_on_two_lines_and_bare_place_agency():
    doc = _doc("淮安市洪泽区人民政府", "2024 年政府信息公开工作年度报告", "统计期限自 2024 年 1 月 1 日起至 2024 年 12 月 31 日止。")
    title = find_title(doc)
    assert title == "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    assert find_agency(doc, title) == "淮安市洪泽区人民政府"
    assert find_agency(doc, "隆德县 2020 年政府信息公开工作年度报告") == "隆德县人民政府"
    assert find_agency(doc, "2020年某某市生态环境局政府信息公开工作年度报告") == "某某市生态环境局"
    assert find_agency(doc, "某某市人民政府办公室关于2020年政府信息公开工作年度报告") == "某某市人民政府办公室"


def test_title_split_over_two_lines_gives_title_and_agency():
    doc = _doc("2025 年上海市人民政府办公厅政府信息公开", "工作年度报告", "一、总体情况")
    title = find_title(doc)
    assert title == "2025年上海市人民政府办公厅政府信息公开工作年度报告"
    assert find_agency(doc, title) == "上海市人民政府办公厅"


def test_page_label_is_not_part_of_title_or_agency():
    doc = _doc("标题: 中埠镇人民政府2023年政府信息公开工作年度报告", "发布日期：2024-01-20")
    title = find_title(doc)
    assert title == "中埠镇人民政府2023年政府信息公开工作年度报告"
    assert find_agency(doc, title) == "中埠镇人民政府"


@pytest.mark.parametrize("sentence, year", [("现将我镇2023年政府信息公开工作情况汇报如下。", 2023),
                                            ("2019年我局政府信息公开工作运行良好。", 2019)])
def test_year_only_in_the_body(sentence, year):
    doc = _doc("一、总体情况", sentence)
    assert find_year(doc, find_title(doc)) == year


def test_year_is_the_period_covered_not_publication():
    doc = _doc("某局2021年政府信息公开工作年度报告", "本报告所列数据统计期限为2020年1月1日至2020年12月31日。")
    assert find_year(doc, find_title(doc)) == 2020


def test_published_from_signature_or_page_metadata():
    assert find_published(_doc("正文。", "某某局", "2021年1月29日", "（此件公开发布）")) == "2021-01-29"
    assert find_published(_doc("正文。", "某某局", "二〇二一年一月二十九日")) == "2021-01-29"
    assert find_published(_doc("统计期限自2020年1月1日起至2020年12月31日止。")) is None
    assert find_published(_doc("正文。", meta={"published": "2021-02-03 10:00"})) == "2021-02-03"


@pytest.mark.parametrize("text, ok", [
    ("2020年共受理3件政府信息依公开申请，办结3件。", False),
    ("共收到和处理政府信息公开申请10件，均为自然人申请件。", True),
    ("全市办理依申请公开案件106件，比去年增加30件。", False),
])
def test_narrative_whole_report_sentences(text, ok):
    checks = narrative_checks(text, {"requests.new.total": 10, "requests.carried_over.total": 0,
                                     "requests.total.total": 10})
    assert [c["ok"] for c in checks] == [ok]


@pytest.mark.parametrize("text", ["2024 年，区政府办代表区政府受理政府信息公开申请 17 件。",
                                  "其中，本局收到申请17件。", "收到申请17件。"])
def test_narrative_ignores_parts_and_unqualified_sentences(text):
    assert narrative_checks(text, {"requests.new.total": 95, "requests.total.total": 95}) == []


def test_text_extractor_tables_headings_separators():
    text = ("# 某县2020年政府信息公开工作年度报告\n\n## 四、复议诉讼\n\n| 行政复议 | 行政诉讼 |\n|---|---|\n\n| 1 | 2 |\n"
            "正文 **加粗** 段落\n信息内容\t本年新<br>制作数量\n规章\t0\n")
    doc = text_to_document(text)
    kinds = [b.kind for b in doc.blocks]
    assert kinds == ["heading", "heading", "table", "paragraph", "table"]
    assert doc.tables[0].rows == [["行政复议", "行政诉讼"], ["1", "2"]]
    assert doc.tables[0].title == "四、复议诉讼" and doc.tables[0].loose
    assert doc.blocks[3].text == "正文 加粗 段落"


def test_text_extractor_reads_gbk():
    doc = extract("某县2020年政府信息公开工作年度报告\n规章\t0\t0\t0\n".encode("gbk"))
    assert doc.blocks[0].text.startswith("某县") and doc.tables[0].rows[0] == ["规章", "0", "0", "0"]


def test_legacy_rows_told_apart_by_chapter_across_a_page_break():
    first = [["统计指标", "单位", "统计数"], ["四、行政复议数量", "件", "3"], ["（一）维持具体行政行为数", "件", "1"],
             ["（二）被依法纠错数", "件", "2"], ["（三）其他情形数", "件", "0"]]
    second = [["五、行政诉讼数量", "件", "1"], ["（一）维持具体行政行为或者驳回原告诉讼请求数", "件", "0"],
              ["（二）被依法纠错数", "件", "1"], ["（三）其他情形数", "件", ""], ["六、举报投诉数量", "件", "0"],
              ["七、依申请公开信息收取的费用", "万元", "0.5"]]
    doc = Document(format="pdf", blocks=[Block("table", table=Table(first, page=5)), Block("paragraph", "- 5 -"),
                                         Block("table", table=Table(second, page=6))])
    result = build_report(doc)
    assert result.template == "legacy"
    assert result.figures == {"legacy.reviews.total": 3, "legacy.reviews.upheld": 1, "legacy.reviews.corrected": 2,
                              "legacy.reviews.other": 0, "legacy.suits.total": 1, "legacy.suits.upheld": 0,
                              "legacy.suits.corrected": 1, "legacy.suits.other": 0, "legacy.complaints": 0,
                              "legacy.fees": 0.5}
    assert result.provenance["legacy.suits.corrected"]["page"] == 6
    assert {c["rule"] for c in result.checks} == {"legacy.sum:reviews", "legacy.sum:suits"}
    assert result.failed_checks == []


def test_breadcrumb_is_not_the_title():
    doc = _doc("首页 > 政府信息公开 > 年度报告", "某某县人民政府2020年政府信息公开工作年度报告", "正文。")
    assert find_title(doc) == "某某县人民政府2020年政府信息公开工作年度报告"


@pytest.mark.parametrize("title, agency", [
    ("2020年某某县人民政府政府信息公开工作年度报告", "某某县人民政府"),
    ("2020年度某某县人民政府信息公开工作年度报告", "某某县人民政府"),
    ("2020年某某市生态环境局政府信息公开工作年度报告", "某某市生态环境局")])
def test_agency_of_year_first_titles(title, agency):
    assert find_agency(_doc("正文。"), title) == agency


def test_tab_indented_prose_is_not_a_table():
    doc = text_to_document("某县2020年政府信息公开工作年度报告\n\t一、总体情况\n\t2020年，我县共受理申请3件。\n规章\t0\t0\t0\n")
    assert [b.kind for b in doc.blocks] == ["paragraph", "paragraph", "paragraph", "table"]
    assert doc.blocks[1].text == "一、总体情况"


def test_sections_in_sequence_with_text_on_the_heading_line():
    from nianbao.parsers.sections import split_sections

    doc = _doc("某县2020年政府信息公开工作年度报告", "一、总体情况。2020年，我县……", "一是加强领导。",
               "二、主动公开政府信息情况", "三、本年度办理结果", "三、收到和处理政府信息公开申请情况")
    sections = split_sections(doc)
    assert [(s["number"], s["heading"]) for s in sections] == [
        ("", ""), ("一", "总体情况"), ("二", "主动公开政府信息情况"), ("三", "收到和处理政府信息公开申请情况")]
    assert sections[0]["text"] == "某县2020年政府信息公开工作年度报告"
    assert sections[1]["text"] == "2020年，我县……\n一是加强领导。"


def test_a_document_without_chapters_keeps_its_text_as_one_section():
    from nianbao.parsers.sections import split_sections

    sections = split_sections(_doc("某局2020年工作总结", "今年共办理申请5件。"))
    assert sections == [{"number": "", "heading": "", "text": "某局2020年工作总结\n今年共办理申请5件。"}]
