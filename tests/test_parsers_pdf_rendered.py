"""The PDF extractor on the mirror's reportlab renderings (STSong-Light, ruled tables split over pages)."""

from __future__ import annotations

import pytest
from parsers_format_fixtures import rendered_grids, rendered_spans

from nianbao.parsers.extract.pdf import extract
from nianbao.parsers.model import Table
from tools.mirror.render import render_pdf
from tools.mirror.samples import SampleReport, load_reports

TEMPLATED = [r for r in load_reports() if not r.file and r.template in ("2019", "2021")]
COLUMNS = ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total")
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")


def row_labelled(table: Table, label: str) -> list[str]:
    return next(row for row in table.rows if label in row[:3])


def table_titled(tables: list[Table], words: str) -> Table:
    return next(t for t in tables if t.title and words in t.title)


@pytest.mark.parametrize("report", TEMPLATED, ids=lambda r: r.id)
def test_rendered_tables_read_back(report: SampleReport) -> None:
    doc = extract(render_pdf(report))
    assert not doc.errors
    requests = table_titled(doc.tables, "收到和处理")
    for label, key in (("一、本年新收政府信息公开申请数量", "new"), ("（七）总计", "total"),
                       ("四、结转下年度继续办理", "carried_forward")):
        printed = [report.cell_text(f"requests.{key}.{c}") for c in COLUMNS]
        assert row_labelled(requests, label)[-7:] == printed
    appeals = table_titled(doc.tables, "行政复议")
    groups = ("review", "suit_direct", "suit_after_review")
    assert appeals.rows[-1] == [report.cell_text(f"appeals.{g}.{outcome}") for g in groups for outcome in OUTCOMES]
    assert all(len(set(map(len, t.rows))) == 1 for t in doc.tables)  # rectangular grids


def test_ruled_boxes_covering_several_grid_positions_are_kept_as_spans() -> None:
    """A PDF table's merged cells, where its grid has the columns the renderer drew, are the renderer's;
    where a grid is narrower (a part of table 2 whose value box spans every value column), each span
    still covers one box's text."""
    compared = 0
    for report in TEMPLATED:
        tables = extract(render_pdf(report)).tables
        drawn = rendered_spans(report)
        assert len(tables) == len(drawn), report.id
        for table, spans, grid in zip(tables, drawn, rendered_grids(report)):
            assert table.spans is not None
            for row, col, rowspan, colspan in table.spans:
                covered = {table.rows[r][c] for r in range(row, row + rowspan) for c in range(col, col + colspan)}
                assert len(covered) == 1, (report.id, table.title, row, col)
            if table.rows == grid:
                assert table.spans == spans, (report.id, table.title)
                compared += 1
    assert compared >= 2 * len(TEMPLATED)


def test_a_table_split_over_pages_is_one_table() -> None:
    split = []
    for report in TEMPLATED:
        for table in extract(render_pdf(report)).tables:
            if table.row_pages and len(set(table.row_pages)) > 1:
                split.append((report.id, table))
    assert split, "expected at least one rendering with a table broken over a page"
    for _, table in split:
        assert table.row_pages == sorted(table.row_pages)
        labels = [row[0] for row in table.rows]
        assert len(labels) == len(table.rows) and all(labels)  # carried-down labels leave no blank label cell
