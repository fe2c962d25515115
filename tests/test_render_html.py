"""render_html: Word-exported article HTML with the templates' real merged-cell layout."""

from __future__ import annotations

import lxml.html
import pytest

from tools.mirror.render import render_html
from tools.mirror.render.layout import covered, tables_after
from tools.mirror.samples import load_reports

RENDERED = [r for r in load_reports() if not r.file]
BY_ID = {r.id: r for r in RENDERED}


def cell_text(td) -> str:
    """A cell's text without the line breaks and &nbsp; of the markup."""
    return td.text_content().replace("\xa0", "").replace("\n", "").strip()


def grid(table_element) -> list[list[str]]:
    """An HTML table as a grid with merged cells repeated (a tiny independent rowspan/colspan expander)."""
    rows: list[list[str | None]] = []
    for r, tr in enumerate(table_element.xpath("./tbody/tr|./tr")):
        while len(rows) <= r:
            rows.append([])
        c = 0
        for td in tr.xpath("./td|./th"):
            while c < len(rows[r]) and rows[r][c] is not None:
                c += 1
            text = cell_text(td)
            for dr in range(int(td.get("rowspan", 1))):
                while len(rows) <= r + dr:
                    rows.append([])
                for dc in range(int(td.get("colspan", 1))):
                    row = rows[r + dr]
                    row.extend([None] * (c + dc + 1 - len(row)))
                    row[c + dc] = text
            c += int(td.get("colspan", 1))
    return [[cell or "" for cell in row] for row in rows]


@pytest.mark.parametrize("report", RENDERED, ids=lambda r: r.id)
def test_html_parses_and_shows_title_text_and_every_figure(report):
    doc = lxml.html.fromstring(render_html(report))
    assert doc.xpath("//div[@class='WordSection1']")
    text = doc.text_content()
    for paragraph in (p for s in report.sections for p in s.paragraphs):
        assert paragraph in text
    assert (report.title in text) == report.layout.get("title_in_body", True)
    tables = doc.xpath("//table[@class='MsoNormalTable']")
    layouts = [t for s in report.sections for t in tables_after(report, s.number)]
    assert len(tables) == len(layouts)
    for element, layout in zip(tables, layouts):
        expected = covered(layout)
        got = grid(element)
        assert len(got) == layout.n_rows
        for (r, c), cell in expected.items():
            assert got[r][c] == cell.text.replace("\n", ""), (layout.name, r, c)


@pytest.mark.parametrize("template, result_rows", [("2019", 20), ("2021", 22)])
def test_requests_table_has_the_template_rowspans(template, result_rows):
    report = next(r for r in RENDERED if r.template == template)
    doc = lxml.html.fromstring(render_html(report))
    spans = {cell_text(td): int(td.get("rowspan"))
             for td in doc.xpath("//td[@rowspan]")}
    assert spans["三、本年度办理结果"] == result_rows
    assert spans["（三）不予公开"] == 8
    assert spans["（四）无法提供"] == 3
    assert spans["（五）不予处理"] == 5
    assert spans.get("（六）其他处理") == (3 if template == "2021" else None)
    assert doc.xpath("//td[@rowspan='3' and @colspan='3']")  # the 勾稽关系 corner cell


def test_labels_wrap_with_br_unless_the_report_prints_them_on_one_line():
    assert "<br>" in render_html(BY_ID["seed-000"])
    assert "<br>" not in render_html(BY_ID["seed-003"])


def test_layout_variants():
    split = lxml.html.fromstring(render_html(BY_ID["seed-001"]))
    assert len(split.xpath("//table[@class='MsoNormalTable']")) == 5 + 2
    nested = lxml.html.fromstring(render_html(BY_ID["seed-002"]))
    assert nested.xpath("//table[not(@class)]//div[@class='WordSection1']")


def test_seed_000_prints_table_4_headers_with_an_empty_value_row():
    doc = lxml.html.fromstring(render_html(BY_ID["seed-000"]))
    rows = grid(doc.xpath("//table[@class='MsoNormalTable']")[-1])
    assert len(rows) == 4 and rows[0][0] == "行政复议"
    assert rows[3] == [""] * 15
