"""A scanned report in the archive and on the site: crawled before OCR was installed, read by
``nianbao reparse --ocr``, its figures marked as OCR, doubtful ones highlighted with a link to the
page image they were read from."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from archive_captures import seed_capture
from click.testing import CliRunner
from PIL import Image

from nianbao.archive.db import open_archive
from nianbao.archive.ingest import ingest_report
from nianbao.archive.publish import make_datasette
from nianbao.cli import main
from nianbao.parsers.extract import pdf
from nianbao.parsers.ocr import available
from tools.mirror.render import render_pdf
from tools.mirror.samples import load_reports
from tools.scans import ScanSettings, scan

# OCR of four pages takes about a minute of one core; a busy machine may need far longer than the default
pytestmark = [pytest.mark.skipif(not available(), reason="the nianbao[ocr] extra is not installed"),
              pytest.mark.slow, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def scanned_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """An archive holding one report: seed-001 (whose printed totals contradict each other) as a 200 dpi
    scan, ingested without OCR, then read by ``nianbao reparse --ocr``."""
    report = next(r for r in load_reports() if r.id == "seed-001")
    path = tmp_path_factory.mktemp("ocr") / "nianbao.db"
    db = open_archive(path)
    capture = seed_capture(1, report=("scan.pdf", scan(render_pdf(report), ScanSettings(dpi=200))))
    with pytest.MonkeyPatch.context() as without_ocr:
        without_ocr.setattr(pdf, "available", lambda: False)
        result = ingest_report(db, capture)
    assert db.execute("select needs_ocr, figure_count from report_versions").fetchone() == (1, 0)
    db.conn.close()
    run = CliRunner().invoke(main, ["reparse", "--ocr", "--workers", "0", "--db", str(path)])  # the pool: test_parsers_ocr
    assert run.exit_code == 0, run.output
    assert "1 versions reparsed, 1 changed" in run.output
    return path, result.report_id


def fetch(path: Path, *urls: str) -> list:
    async def run():
        ds = make_datasette(path)
        await ds.invoke_startup()
        return [await ds.client.get(url) for url in urls]

    return asyncio.run(run())


def test_every_figure_of_a_scan_is_stored_as_ocr_with_its_confidence(scanned_archive) -> None:
    path, report_id = scanned_archive
    db = open_archive(path)
    version = db.execute("select id, ocr, needs_ocr, figure_count from report_versions").fetchone()
    assert version[1:3] == (1, 0) and version[3] > 100
    sources = db.execute("select source, count(*), min(confidence) from figures group by source").fetchall()
    assert [s[0] for s in sources] == ["ocr"] and 0 < sources[0][2] <= 1
    assert db.execute("select count(*) from current_figures where source = 'ocr'").fetchone()[0] == version[3]


def test_the_report_page_says_the_figures_come_from_ocr_and_highlights_what_to_check(scanned_archive) -> None:
    path, report_id = scanned_archive
    db = open_archive(path)
    sha, failing = db.execute("select document_sha256, failed_checks from report_versions").fetchone()
    assert failing >= 1, "seed-001 prints totals that do not add up"
    (page,) = fetch(path, f"/report/{report_id}")
    html = page.text
    assert "Read by OCR" in html and "were read from the images by OCR" in html
    assert 'class="fail verify"' in html  # a figure failing a check is to be verified against the image
    assert f"/raw/{sha}/page/" in html


def test_the_page_image_a_figure_links_to_is_served(scanned_archive) -> None:
    path, report_id = scanned_archive
    db = open_archive(path)
    sha, page_number = db.execute("select v.document_sha256, f.page from figures f "
                                  "join report_versions v on v.id = f.version_id limit 1").fetchone()
    image, missing = fetch(path, f"/raw/{sha}/page/{page_number}", f"/raw/{sha}/page/99")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size[0] > 1000
    assert missing.status_code == 404


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_a_person_sees_the_ocr_notice_and_opens_the_page_image_of_a_doubtful_figure(scanned_archive,
                                                                                      tmp_path: Path) -> None:
    from conftest import serving
    from playwright.sync_api import sync_playwright

    path, report_id = scanned_archive
    artifacts = Path(__file__).resolve().parent / "_artifacts"
    artifacts.mkdir(exist_ok=True)
    with serving(path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 1000}, locale="zh-CN")
        page.goto(f"{url}/report/{report_id}")
        assert page.locator("section.ocr-notice").is_visible()
        doubtful = page.locator("table.figures tr.verify").first
        doubtful.scroll_into_view_if_needed()
        assert doubtful.is_visible()
        background = doubtful.locator("td").first.evaluate("td => getComputedStyle(td).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
        page.screenshot(path=str(artifacts / "ocr-report.png"), full_page=False)
        doubtful.locator("a", has_text="page image").click()
        page.wait_for_url("**/page/*")
        assert page.evaluate("document.images.length === 1 && document.images[0].naturalWidth > 1000")
        browser.close()
