"""Property tests of the mapper: consistent 2019/2021 tables, printed with random label variants,
spacing, blank cells, page splits and as text, read back to the same figures."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parsers_synthetic import figures_for, report_document, report_tables, report_text, request_rows

from nianbao.parsers.extract.text import text_to_document
from nianbao.parsers.report import build_report

# Printings seen in real reports for the same label.
VARIANTS = {
    "规范性文件": ["规范性文件", "行政规范性文件"],
    "6.属于四类过程性信息": ["6.属于四类过程性信息", "6.属于四类过程信息"],
    "2.其他法律行政法规禁止公开": ["2.其他法律行政法规禁止公开", "2.其他法律行政止公开"],
    "总计": ["总计", "总 计"],
    "本年新制作数量": ["本年新制作数量", "本年新<br>制作数量"],
    "其他对外管理服务事项": ["其他对外管理服务事项", "其他对外管理服务 事项"],
    "法人或其他组织": ["法人或其他组织", "法人或者其他组织", "法人或其他 组织"],
    "（七）总计": ["（七）总计", "(七)总计", "（七） 总 计"],
}
SEEDS = st.integers(0, 2**32 - 1)  # one seed drives all the choices of an example
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _labeller(rnd: random.Random):
    def label(text: str) -> str:
        text = rnd.choice(VARIANTS.get(text, [text]))
        if rnd.random() < 0.3 and len(text) > 2 and "<" not in text:  # a stray space, as PDF text layers print them
            cut = rnd.randrange(1, len(text))
            text = text[:cut] + " " + text[cut:]
        if rnd.random() < 0.3:
            text = text.replace("（", "(").replace("）", ")")
        return text
    return label


def _cells(rnd: random.Random, edges: bool):
    """Zeros sometimes printed blank; with ``edges`` also in the first and total columns (a blank total is computed)."""
    def cell(col: str, value: int) -> str:
        inner = col not in ("natural_person", "total", "upheld")
        if (edges or inner) and rnd.random() < 0.3 and (value == 0 or col == "total"):
            return ""
        return str(value)
    return cell


def _template(rnd: random.Random) -> tuple[str, bool]:
    template = rnd.choice(["2019", "2021"])
    return template, template == "2021" and rnd.random() < 0.5


@SETTINGS
@given(seed=SEEDS, split=st.one_of(st.none(), st.integers(4, 27)))
def test_grid_round_trip(seed, split):
    rnd = random.Random(seed)
    template, sub_rows = _template(rnd)
    figures = figures_for(template, rnd.randint, sub_rows)
    label, cell = _labeller(rnd), _cells(rnd, edges=True)
    tables = report_tables(template, figures, sub_rows, label, cell)
    result = build_report(report_document(tables, 2019 if template == "2019" else 2022, split_at=split))
    assert result.template == template
    assert result.figures == figures
    assert result.failed_checks == []


@SETTINGS
@given(seed=SEEDS)
def test_text_round_trip(seed):
    rnd = random.Random(seed)
    template, sub_rows = _template(rnd)
    figures = figures_for(template, rnd.randint, sub_rows)
    label, cell = _labeller(rnd), _cells(rnd, edges=False)
    tables = report_tables(template, figures, sub_rows, label, cell, merged=False)
    result = build_report(text_to_document(report_text(tables, 2020)))
    assert result.figures == figures
    assert result.failed_checks == []


@SETTINGS
@given(seed=SEEDS)
def test_a_lost_cell_is_restored_exactly_or_left_out(seed):
    """A text rendering that lost one empty cell: never a wrong value, at worst the row is left out with a note."""
    rnd = random.Random(seed)
    figures = figures_for("2019", rnd.randint, False)
    tables = [("三、收到和处理政府信息公开申请情况", request_rows(figures, False, lambda t: t, lambda c, v: str(v)))]
    lines = report_text(tables, 2020).split("\n")
    damaged = [i for i, line in enumerate(lines) if "\t" in line and line.split("\t")[3:9].count("0")]
    target = rnd.choice(damaged)
    cells = lines[target].split("\t")
    zero = rnd.choice([i for i in range(3, 9) if cells[i] == "0"])
    lines[target] = "\t".join(cells[:zero] + cells[zero + 1:])
    result = build_report(text_to_document("\n".join(lines)))
    expected = {k: v for k, v in figures.items() if k.startswith("requests.")}
    assert {k: expected[k] for k in result.figures} == result.figures
    missing = set(expected) - set(result.figures)
    assert not missing or any("left out" in n for n in result.notes)
    assert len({k.split(".")[1] for k in missing}) <= 1


@settings(max_examples=8, deadline=None)
@given(seed=SEEDS)
def test_many_lost_cells_never_give_a_wrong_value(seed):
    """Every row lost a cell: rows the arithmetic cannot pin down are left out, the others are exact."""
    rnd = random.Random(seed)
    figures = figures_for("2019", lambda low, high: rnd.randint(low, max(low, high)), False)
    tables = [("三、收到和处理政府信息公开申请情况", request_rows(figures, False, lambda t: t, lambda c, v: str(v)))]
    lines = report_text(tables, 2020).split("\n")
    for i, line in enumerate(lines):
        cells = line.split("\t")
        zeros = [j for j in range(3, 9) if len(cells) > 9 and cells[j] == "0"]
        if zeros:
            j = rnd.choice(zeros)
            lines[i] = "\t".join(cells[:j] + cells[j + 1:])
    result = build_report(text_to_document("\n".join(lines)))
    assert {k: figures[k] for k in result.figures} == result.figures
