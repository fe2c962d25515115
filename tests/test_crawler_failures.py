"""Failures leave a trace: articles answering 404/500 or looping in redirects are logged in ``fetches``,
counted in the run and change the exit status; an edited article whose attachment answers 500 is a new
version naming the failure.  Real spider, real loopback server, real archive."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from nianbao.crawler.outcome import SOME_PORTALS_FAILED, run_exit_status
from nianbao.crawler.run import MIRROR_SETTINGS, run_crawl_subprocess
from tools.loopback_portal import Page, article_page, list_page, serve, write_registry

HOST = "www.broken.gov.cn"
PDF = Page(Path("tools/mirror/files/hongze-2023.pdf").read_bytes(), 200, "application/pdf")
SETTINGS = {k: v for k, v in MIRROR_SETTINGS.items() if k != "NIANBAO_REGISTRY"} | {"ROBOTSTXT_OBEY": False}


def redirect(to: str) -> Page:
    return Page(b"", 302, "text/html", {"Location": to})


def crawl(tmp_path: Path, proxy: str) -> int:
    registry = write_registry(tmp_path / "portals.yml", "broken", HOST, f"http://{HOST}/list/index.html")
    done = run_crawl_subprocess(str(tmp_path / "archive.db"), (), proxy,
                                SETTINGS | {"NIANBAO_REGISTRY": str(registry), "NIANBAO_WARC_DIR": str(tmp_path / "w")},
                                timeout=240)
    return json.loads(done.stdout.splitlines()[-1])["nianbao/run_id"]


def test_failed_articles_are_logged_counted_and_fail_the_run(tmp_path):
    titles = [f"{year}年政府信息公开工作年度报告" for year in (2020, 2021, 2022, 2023)]
    pages = {
        f"{HOST}/list/index.html": list_page(("/ok.html", titles[0]), ("/gone.html", titles[1]),
                                             ("/broken.html", titles[2]), ("/loop-a.html", titles[3])),
        f"{HOST}/ok.html": article_page(titles[0], ("/files/ok.pdf", "附件.pdf")),
        f"{HOST}/files/ok.pdf": PDF,
        f"{HOST}/broken.html": Page(b"server error", 500, "text/plain"),
        f"{HOST}/loop-a.html": redirect(f"http://{HOST}/loop-b.html"),
        f"{HOST}/loop-b.html": redirect(f"http://{HOST}/loop-a.html"),
    }
    with serve(pages) as server:
        run_id = crawl(tmp_path, server.proxy_url)
    db = sqlite3.connect(tmp_path / "archive.db")
    failed = {url: (status, error) for url, status, error in db.execute(
        "select url, status, error from fetches where role = 'article' and error is not null and run_id = ?", [run_id])}
    assert failed == {
        f"http://{HOST}/gone.html": (404, "HTTP 404"),
        f"http://{HOST}/broken.html": (500, "HTTP 500"),
        f"http://{HOST}/loop-a.html": (302, f"RedirectLoop: redirect loop: http://{HOST}/loop-a.html → "
                                            f"http://{HOST}/loop-b.html → http://{HOST}/loop-a.html"),
    }
    (articles_failed, errors, new) = db.execute(
        "select articles_failed, errors, reports_new from crawl_run_portals where run_id = ?", [run_id]).fetchone()
    assert (articles_failed, errors, new) == (3, 3, 1)
    status, lines = run_exit_status(str(tmp_path / "archive.db"), run_id)
    assert status == SOME_PORTALS_FAILED
    assert lines == ["broken: 3 report article(s) could not be fetched (see fetches)"]


def test_edited_article_with_its_attachment_answering_500_makes_versions(tmp_path):
    title = "2023年政府信息公开工作年度报告"
    pages = {
        f"{HOST}/list/index.html": list_page(("/report.html", title)),
        f"{HOST}/report.html": article_page(title, ("/files/report.pdf", "附件.pdf"), text="现予公布。"),
        f"{HOST}/files/report.pdf": PDF,
    }
    outcomes = []
    with serve(pages) as server:
        for edit in ("", "（第一次更正）", "（第二次更正）"):
            if edit:
                pages[f"{HOST}/report.html"] = article_page(title, ("/files/report.pdf", "附件.pdf"),
                                                           text=f"现予公布。{edit}")
                pages[f"{HOST}/files/report.pdf"] = Page(b"busy", 500, "text/plain")
            run_id = crawl(tmp_path, server.proxy_url)
            outcomes.append(sqlite3.connect(tmp_path / "archive.db").execute(
                "select reports_new, reports_changed, reports_unchanged from crawl_run_portals where run_id = ?",
                [run_id]).fetchone())
    assert outcomes == [(1, 0, 0), (0, 1, 0), (0, 1, 0)]
    db = sqlite3.connect(tmp_path / "archive.db")
    versions = db.execute("select version_no, errors, text from report_versions order by version_no").fetchall()
    assert [v[0] for v in versions] == [1, 2, 3]
    for _, errors, text in versions[1:]:
        assert f"http://{HOST}/files/report.pdf: HTTP 500" in json.loads(errors)
        assert "更正" in text


def test_hostile_attachments_cost_their_document_only(tmp_path):
    """A PDF bomb and a file beyond the parse worker's memory cap: errors on their versions, raw bytes
    kept, and the crawl archives the other report and finishes."""
    from test_parsers_pdf_bomb import MiB, pdf_with_streams, zlib_of_zeros

    bomb = pdf_with_streams((b"", zlib_of_zeros(1024 * MiB)))
    huge = (("第一章 总体情况\n" + "本机关主动公开政府信息。" * 20 + "\n") * 60000).encode()
    titles = {name: f"{year}年政府信息公开工作年度报告" for name, year in (("ok", 2021), ("bomb", 2022), ("huge", 2023))}
    pages = {f"{HOST}/list/index.html": list_page(*[(f"/{name}.html", title) for name, title in titles.items()])}
    for name, body in (("ok", PDF.body), ("bomb", bomb), ("huge", huge)):
        pages[f"{HOST}/{name}.html"] = article_page(titles[name], (f"/files/{name}.pdf", "附件.pdf"))
        pages[f"{HOST}/files/{name}.pdf"] = Page(body, 200, "application/pdf")
    registry = write_registry(tmp_path / "portals.yml", "broken", HOST, f"http://{HOST}/list/index.html")
    with serve(pages) as server:
        run_crawl_subprocess(str(tmp_path / "archive.db"), (), server.proxy_url,
                             SETTINGS | {"NIANBAO_REGISTRY": str(registry), "NIANBAO_WARC_DIR": str(tmp_path / "w"),
                                         "NIANBAO_PARSE_WORKERS": 2, "NIANBAO_PARSE_MEMORY_MB": 200},
                             timeout=240)
    db = sqlite3.connect(tmp_path / "archive.db")
    documents = {url.rsplit("/", 1)[-1]: json.loads(errors) for url, errors in db.execute(
        "select url, errors from version_documents where role = 'attachment'")}
    assert documents["ok.pdf"] == []
    assert any("inflates to more than" in e for e in documents["bomb.pdf"]), documents["bomb.pdf"]
    assert any("memory" in e.lower() or "died" in e for e in documents["huge.pdf"]), documents["huge.pdf"]
    stored = {size for (size,) in db.execute("select size from documents")}
    assert {len(bomb), len(huge)} <= stored  # the raw bytes are kept
    assert db.execute("select status from crawl_runs").fetchone() == ("finished",)
    assert db.execute("select max(figure_count) from report_versions").fetchone()[0] > 100
