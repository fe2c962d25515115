"""OCR of scanned reports (the ``nianbao[ocr]`` extra): image-only PDFs and HTML tables pasted as pictures.

The scans are made here from reports the project has: the mirror's rendered
reports and a real report (洪泽区 2024), printed to page images at 150 and
200 dpi, turned a little, with noise and JPEG compression, saved as PDFs
without a text layer.  What OCR reads goes through the same mapping and
checks as a text PDF and is compared with the figures as printed.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import docx
import docx.shared
import numpy as np
import pytest

from nianbao.parsers import parse_bytes
from nianbao.parsers.extract import pdf
from nianbao.parsers.extract.pdf_pdfium import PdfiumSource
from nianbao.parsers.extract.pdf_rules import table_cells
from nianbao.parsers.extract.pdf_source import PageData
from nianbao.parsers.model import ParseResult
from nianbao.parsers.ocr import LOW_CONFIDENCE, MISSING, available
from nianbao.parsers.ocr.image import skew
from nianbao.parsers.ocr.rules import ruling_lines
from nianbao.parsers.pictures import page_png
from nianbao.parsers.pool import ParsePool
from tools.mirror.render import render_pdf
from tools.mirror.samples import SampleReport, load_reports
from tools.scans import ScanSettings, cell_accuracy, image_pdf, page_images, scan, table_pictures

SAMPLES = Path(__file__).parents[1].parent / "shared" / "samples"
REPORTS = {r.id: r for r in load_reports()}
CLEAN = ScanSettings(dpi=200, jpeg_quality=95)
TILTED = ScanSettings(dpi=150, degrees=1.0, noise=6.0, jpeg_quality=75, seed=7)

# OCR of a few pages takes about a minute of one core; a busy machine may need far longer than the default
pytestmark = [pytest.mark.skipif(not available(), reason="the nianbao[ocr] extra is not installed"),
              pytest.mark.timeout(1200)]


def assert_all_ocr(result: ParseResult) -> None:
    assert result.ocr and not result.needs_ocr
    for key in result.figures:
        where = result.provenance[key]
        assert where["source"] == "ocr", key
        assert key in result.inferred or 0.0 < where["confidence"] <= 1.0, (key, where)


@pytest.fixture(scope="module")
def clean_mirror_scan() -> tuple[SampleReport, ParseResult]:
    report = REPORTS["sample-nxld-2021"]
    return report, parse_bytes(scan(render_pdf(report), CLEAN))


@pytest.fixture(scope="module")
def tilted_real_scan() -> tuple[dict, ParseResult]:
    truth = json.loads((SAMPLES / "hongze-2024.json").read_text())
    return truth, parse_bytes(scan((SAMPLES / "hongze-2024.pdf").read_bytes(), TILTED))


@pytest.mark.slow
def test_a_clean_200_dpi_scan_reads_every_figure_and_passes_every_check(clean_mirror_scan) -> None:
    report, result = clean_mirror_scan
    assert result.template == report.template and result.year == report.year
    assert cell_accuracy(report.figures, result.figures) == 1.0
    assert result.checks and result.failed_checks == []
    assert_all_ocr(result)
    assert result.errors == []


@pytest.mark.slow
def test_a_real_report_scanned_at_150_dpi_and_turned_a_degree_reads_at_99_percent(tilted_real_scan) -> None:
    truth, result = tilted_real_scan
    assert result.template == truth["template"] and result.year == truth["year"]
    assert cell_accuracy(truth["figures"], result.figures) >= 0.99
    assert sorted(result.failed_checks) == sorted(truth.get("expected_failed_checks", []))
    assert_all_ocr(result)


@pytest.mark.slow
def test_a_table_split_over_two_scanned_pages_is_one_table(tilted_real_scan) -> None:
    _, result = tilted_real_scan
    requests = next(t for t in result.tables if any("本年新收" in "".join(row) for row in t["rows"]))
    pages = {p for p in (result.provenance[k]["page"] for k in result.figures if k.startswith("requests."))}
    assert len(pages) >= 2, "the requests table of hongze-2024 runs over pages 3 and 4"
    assert requests["confidence"] is not None


@pytest.fixture(scope="module")
def pictured(clean_mirror_scan) -> tuple[SampleReport, list[bytes]]:
    """A mirror report's ruled tables cut out of its pages as PNGs (a table over two pages: two pictures)."""
    report, _ = clean_mirror_scan
    return report, table_pictures(render_pdf(report))


def html_with_pictures(report: SampleReport, pictures: list[bytes]) -> bytes:
    body = "".join(f"<p>{line}</p>" for section in report.sections for line in section.heading_lines)
    images = "".join(f'<p><img src="data:image/png;base64,{base64.b64encode(p).decode()}"></p>' for p in pictures)
    return f'<html><body><div class="TRS_Editor"><h1>{report.title}</h1>{body}{images}</div></body></html>'.encode()


def docx_with_pictures(report: SampleReport, pictures: list[bytes]) -> bytes:
    document = docx.Document()
    document.add_heading(report.title, level=1)
    for section in report.sections:
        for line in section.heading_lines:
            document.add_paragraph(line)
    for picture in pictures:
        document.add_picture(io.BytesIO(picture), width=docx.shared.Cm(16))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("fmt, make", [("html", html_with_pictures), ("docx", docx_with_pictures)])
def test_statistics_tables_pasted_as_pictures_are_read(pictured, fmt, make) -> None:
    report, pictures = pictured
    assert len(pictures) >= 3
    data = make(report, pictures)
    result = parse_bytes(data)
    assert result.format == fmt and result.template == report.template
    assert cell_accuracy(report.figures, result.figures) >= 0.99
    assert_all_ocr(result)
    assert page_png(data, fmt, 1) == (pictures[0], "image/png")


def test_pages_with_a_text_layer_never_go_through_ocr() -> None:
    result = parse_bytes(render_pdf(REPORTS["sample-nxld-2021"]))
    assert not result.ocr and all("source" not in p or p["source"] is None for p in result.provenance.values())
    assert all(t["confidence"] is None for t in result.tables)


def test_without_the_extra_a_scan_is_flagged_with_a_message_naming_it(monkeypatch) -> None:
    monkeypatch.setattr(pdf, "available", lambda: False)
    result = parse_bytes(scan(render_pdf(REPORTS["sample-nxld-2021"]), ScanSettings(dpi=72)))
    assert result.needs_ocr and not result.ocr and not result.figures
    assert any(MISSING in e and "nianbao[ocr]" in e for e in result.errors)


@pytest.mark.parametrize("degrees", [-2.0, -0.7, 0.0, 0.4, 1.5])
def test_the_skew_of_a_scanned_page_is_measured(degrees: float) -> None:
    image = page_images(render_pdf(REPORTS["seed-001"]), ScanSettings(dpi=100, degrees=degrees))[1]
    assert abs(skew(np.asarray(image)) + degrees) <= 0.1


def test_rules_found_in_a_page_image_give_the_cells_the_pdf_draws() -> None:
    """The rules seen in the picture of a page make the same table cells as the PDF's own drawn rules."""
    data = render_pdf(REPORTS["sample-nxld-2021"])
    source = PdfiumSource(data)
    images = page_images(data, ScanSettings(dpi=200))
    for number, image in enumerate(images):
        drawn = table_cells(source.page(number))
        page = PageData(image.width * 72 / 200, image.height * 72 / 200, lines=ruling_lines(np.asarray(image), 200))
        seen = table_cells(page)
        assert [len(cells) for cells in seen] == [len(cells) for cells in drawn], number + 1
        for seen_cells, drawn_cells in zip(seen, drawn):
            for a, b in zip(sorted(seen_cells), sorted(drawn_cells)):
                assert max(abs(x - y) for x, y in zip(a, b)) < 1.5  # points
    source.close()


def test_low_confidence_is_a_threshold_people_can_read() -> None:
    assert 0.5 < LOW_CONFIDENCE < 1.0


@pytest.mark.slow
def test_ocr_runs_in_the_parse_worker_pool_within_its_memory_cap() -> None:
    """A scanned page parsed by a pool worker (address space capped, its own interpreter) is read by OCR there."""
    page = page_images(render_pdf(REPORTS["sample-nxld-2021"]), CLEAN)[1]
    with ParsePool(workers=1, timeout=900) as pool:  # the default 180 s is tight for a page on a busy machine
        result = pool.submit(image_pdf([page], CLEAN), path="scan.pdf").result()
    assert result.ocr and not result.needs_ocr and result.errors == []
    assert any(t["confidence"] is not None and len(t["rows"]) > 10 for t in result.tables)
