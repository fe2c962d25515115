"""Table pages lead to the readable pages: titles and report ids to /report/<id>, a current version to its
report page, a file's SHA-256 to its bytes (/raw/<sha256>); the JSON keeps the plain values; and
current_reports shows the columns a journalist reads first."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import http_get

from nianbao.archive.publish import make_datasette


def cell_links(html: str, column: str) -> list[tuple[str, str]]:
    """(href, link text) of every linked cell of ``column`` in a Datasette table page."""
    soup = BeautifulSoup(html, "html.parser")
    return [(a["href"], a.get_text()) for td in soup.select(f"td.col-{column}") for a in td.select("a")[:1]]


def one(db: Path, sql: str, params: tuple = ()) -> tuple:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchone()


def test_current_reports_title_and_report_id_open_the_report_page(site_url: str, site_db: Path) -> None:
    status, _, body = http_get(f"{site_url}/nianbao/current_reports?_sort=report_id&_size=5")
    assert status == 200
    html = body.decode()
    titles, ids = cell_links(html, "title"), cell_links(html, "report_id")
    assert len(titles) == 5 and len(ids) == 5
    for (title_href, title), (id_href, report_id) in zip(titles, ids):
        assert title_href == id_href == f"/report/{report_id}"
        assert title == one(site_db, "select title from reports where id = ?", (int(report_id),))[0]
        status, _, page = http_get(site_url + title_href)
        assert status == 200 and title in page.decode()


def test_current_version_links_to_that_version_of_the_report(site_url: str, site_db: Path) -> None:
    html = http_get(f"{site_url}/nianbao/current_reports?_sort=report_id&_size=3")[2].decode()
    for href, version_id in cell_links(html, "version_id"):
        report_id, version_no = one(
            site_db, "select report_id, version_no from report_versions where id = ?", (int(version_id),)
        )
        assert href == f"/report/{report_id}?version={version_no}"
        assert http_get(site_url + href)[0] == 200


def test_report_id_foreign_key_links_the_report_page_with_its_title(site_url: str, site_db: Path) -> None:
    html = http_get(f"{site_url}/nianbao/report_versions?_sort=id&_size=3")[2].decode()
    for href, title in cell_links(html, "report_id"):
        report_id = int(href.removeprefix("/report/"))
        assert title == one(site_db, "select title from reports where id = ?", (report_id,))[0]


def test_sha256_links_download_the_stored_bytes(site_url: str, site_db: Path) -> None:
    for table, column in (("report_versions", "document_sha256"), ("version_documents", "sha256"),
                          ("current_reports", "article_sha256")):
        links = cell_links(http_get(f"{site_url}/nianbao/{table}?{column}__notblank=1&_size=2")[2].decode(), column)
        assert links, (table, column)
        for href, sha in links:
            assert href == f"/raw/{sha}"
            status, _, body = http_get(site_url + href)
            assert status == 200 and body == one(site_db, "select content from documents where sha256 = ?", (sha,))[0]


def test_json_keeps_the_plain_values(site_url: str, site_db: Path) -> None:
    row = json.loads(http_get(f"{site_url}/nianbao/current_reports.json?_shape=array&_sort=report_id&_size=1")[2])[0]
    report_id, title, sha = one(
        site_db,
        "select r.id, r.title, v.document_sha256 from reports r join report_versions v on v.id = r.current_version_id "
        "order by r.id limit 1",
    )
    assert (row["report_id"], row["title"], row["document_sha256"]) == (report_id, title, sha)
    version = json.loads(http_get(f"{site_url}/nianbao/report_versions.json?_shape=array&_sort=id&_size=1")[2])[0]
    assert isinstance(version["report_id"], int) and "<a" not in version["document_sha256"]


def test_links_follow_the_base_url(site_db: Path) -> None:
    ds = make_datasette(site_db)
    ds._settings = {**ds._settings, "base_url": "/archive/"}  # as `datasette --setting base_url /archive/`

    async def page() -> str:
        await ds.invoke_startup()
        return (await ds.client.get("/nianbao/current_reports?_sort=report_id&_size=1")).text

    html = asyncio.run(page())
    report_id = one(site_db, "select min(id) from reports")[0]
    assert cell_links(html, "title")[0][0] == f"/archive/report/{report_id}"
    assert cell_links(html, "document_sha256")[0][0].startswith("/archive/raw/")


def test_current_reports_puts_what_a_journalist_reads_first(site_db: Path) -> None:
    with sqlite3.connect(site_db) as conn:
        columns = [c[0] for c in conn.execute("select * from current_reports limit 0").description]
        plan = " ".join(row[-1] for row in conn.execute(
            "explain query plan select year, count(*) from current_reports group by year"
        ))
    assert columns[:10] == ["title", "agency", "year", "province", "city", "county", "level", "template", "status",
                            "failed_checks"]
    assert columns.index("report_id") > columns.index("failed_checks")
    assert "report_versions" not in plan  # a facet count never reads the versions' (large) rows
