"""本年增/减 written in words (增加3, 减少2, 减3, 无变化) reads as signed integers; the printed text is kept."""

from __future__ import annotations

import pytest

from nianbao.parsers import parse_bytes
from nianbao.parsers.numbers import is_number, parse_number

HEADER = ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]
ROWS = [["第二十条第（五）项"], HEADER, ["行政许可", "12", "增加3", "300"], ["其他对外管理服务事项", "5", "减少 2", "20"],
        ["第二十条第（六）项"], HEADER, ["行政处罚", "7", "减3", "40"], ["行政强制", "4", "无变化", "2"],
        ["第二十条第（八）项"], ["信息内容", "上一年项目数量", "本年增/减"], ["行政事业性收费", "3", "—"]]


def _html(rows: list[list[str]]) -> bytes:
    def row(cells: list[str]) -> str:
        if len(cells) == 1:
            return f'<tr><td colspan="4">{cells[0]}</td></tr>'
        return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"

    return ("<html><head><meta charset='utf-8'><title>某县2020年政府信息公开工作年度报告</title></head><body>"
            "<p>某县2020年政府信息公开工作年度报告</p><p>二、主动公开政府信息情况</p><table>"
            + "".join(row(r) for r in rows) + "</table></body></html>").encode("utf-8")


@pytest.mark.parametrize("text,value", [("增加3", 3), ("增 3", 3), ("新增1,234", 1234), ("减少2", -2), ("减少了2", -2),
                                        ("减3", -3), ("下降 5 项", -5), ("无变化", 0), ("持平", 0), ("+1", 1),
                                        ("-302", -302), ("－4", -4)])
def test_signed_change_in_words_and_signs(text: str, value: int) -> None:
    assert parse_number(text).value == value


@pytest.mark.parametrize("text", ["增加", "减少", "增加-3", "增加x", "本年增/减", "减少行政审批事项"])
def test_sign_words_without_a_number_are_text(text: str) -> None:
    assert not is_number(text)


def test_table_2_change_column_in_words() -> None:
    result = parse_bytes(_html(ROWS))
    changes = {k: v for k, v in result.figures.items() if k.endswith(".change")}
    assert changes == {"active.licensing.change": 3, "active.other_services.change": -2, "active.penalty.change": -3,
                       "active.enforcement.change": 0, "active.fees.change": 0}
    assert result.figures["active.licensing.decisions"] == 300 and result.figures["active.enforcement.prev_items"] == 4
    printed = {k: result.provenance[k]["text"] for k in changes if k in result.provenance}
    assert printed == {"active.licensing.change": "增加3", "active.other_services.change": "减少 2",
                       "active.penalty.change": "减3", "active.enforcement.change": "无变化"}
    assert result.notes == []
