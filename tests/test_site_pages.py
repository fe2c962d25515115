"""The site's pages and data over HTTP: report page, raw file, metadata, canned queries, wide table,
downloads, charts, read-only safety, headers and robots.txt; and the index kept in step with edits."""

from __future__ import annotations

import csv
import html
import io
import json
import random
import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import http_get as get

from nianbao.archive.db import open_archive
from nianbao.archive.search import Indexed, index_is_current, match_sql, sync_search_index
from nianbao.archive.site import explain_check, remerge
from nianbao.archive.wide import rebuild_wide


def rows(site_url: str, path: str, **params: str) -> list[dict]:
    status, _, body = get(f"{site_url}{path}?" + urllib.parse.urlencode(params | {"_shape": "array"}))
    assert status == 200, body[:500]
    return json.loads(body)


def query(db: Path, sql: str, params: list | tuple = ()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def test_report_page_shows_metadata_links_tables_and_explained_failures(site_url: str, site_db: Path) -> None:
    report_id, url, sha = query(
        site_db,
        "select r.id, r.url, v.document_sha256 from reports r join report_versions v on v.id = r.current_version_id "
        "where v.failed_checks > 0 and v.document_sha256 is not null order by r.id limit 1",
    )[0]
    status, _, body = get(f"{site_url}/report/{report_id}")
    page = body.decode()
    assert status == 200
    assert f'href="{url}"' in page and f'href="/raw/{sha}"' in page and f'href="/report/{report_id}/history"' in page
    assert "Numbers that contradict each other" in page and "数字自相矛盾" in page
    failing_rules = [r for (r,) in query(site_db, "select rule from current_checks where report_id = ? and ok = 0", [report_id])]
    assert all(rule in page for rule in failing_rules)
    assert 'class="fail"' in page and '<table class="grid">' in page
    # the full text is one section of the page's content, after the navigation, the title and the tables
    head, _, body = page.partition("</head>")
    assert 'id="text"' not in head and body.count('<h2 id="text">') == 1
    content = body.split('<section class="content">', 1)[1]
    assert body.index("</header>") < body.index('<section class="content">')
    assert content.index('<h1 class="report-title">') < content.rindex('<table class="grid">') < content.index('<h2 id="text">')


def test_report_page_merges_repeated_label_cells(site_url: str, site_db: Path) -> None:
    version_id, table_index, raw = next(
        (v, t, json.loads(r)) for v, t, r in query(site_db, "select version_id, table_index, rows from raw_tables")
        if any(row[i] == row[i + 1] and row[i] and not row[i].isdigit() for row in json.loads(r) for i in range(len(row) - 1))
    )
    report_id = query(site_db, "select report_id from report_versions where id = ?", [version_id])[0][0]
    version_no = query(site_db, "select version_no from report_versions where id = ?", [version_id])[0][0]
    page = get(f"{site_url}/report/{report_id}?version={version_no}")[2].decode()
    assert "colspan=" in page or "rowspan=" in page


def test_pdf_report_tables_keep_merged_cells_and_mark_failing_figures(site_url: str) -> None:
    from site_archive import PDF_REPORT_ID

    page = get(f"{site_url}/report/{PDF_REPORT_ID}")[2].decode()
    assert 'colspan="5">法人或其他组织' in page  # the applicant header as printed
    assert 'rowspan="2">自然人' in page
    assert '<td class="fail"' in page and "第四部分“四、政府信息公开行政复议、行政诉讼情况”中“行政复议”：维持、纠正、其他、尚未审结相加不等于总计" in page


def test_a_value_printed_once_across_columns_shows_once(site_url: str, site_db: Path) -> None:
    """Table 2 (2021 template) of the real PDF: 行政许可's decisions, one box across three columns, as printed."""
    from site_archive import PDF_REPORT_ID

    rows, spans = query(
        site_db,
        "select t.rows, t.spans from raw_tables t join reports r on r.current_version_id = t.version_id "
        "where r.id = ? and t.table_index = 0", [PDF_REPORT_ID],
    )[0]
    licensing = next(i for i, row in enumerate(json.loads(rows)) if row[0] == "行政许可")
    assert [licensing, 1, 1, 3] in json.loads(spans)
    page = get(f"{site_url}/report/{PDF_REPORT_ID}")[2].decode()
    assert re.search(r'<td colspan="3"[^>]*>550</td>', page)
    assert not re.search(r">550</td><td[^>]*>550</td>", page)  # not three cells of 550


def test_remerge_uses_the_sources_spans_when_it_has_them() -> None:
    rows = [["行政许可", "4104", "4104", "4104"], ["规章", "0", "0", "0"], ["总计", "总计", "1", "1"]]
    grid = remerge(rows, [[0, 1, 1, 3]])
    assert [(c.text, c.col, c.colspan) for c in grid[0]] == [("行政许可", 0, 1), ("4104", 1, 3)]
    assert [c.text for c in grid[1]] == ["规章", "0", "0", "0"]
    assert [c.text for c in grid[2]] == ["总计", "总计", "1", "1"]  # repeated, but drawn as two cells
    assert [c.text for c in remerge(rows)[0]] == ["行政许可", "4104", "4104", "4104"]  # no spans: labels only


def test_an_archive_from_before_spans_gets_the_column_empty(site_db: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    old.write_bytes(site_db.read_bytes())
    with sqlite3.connect(old) as conn:
        conn.execute("alter table raw_tables drop column spans")
    db = open_archive(old)
    assert "spans" in db["raw_tables"].columns_dict
    assert query(old, "select count(*) from raw_tables where spans is not null") == [(0,)]
    db.conn.close()


def test_raw_file_is_the_stored_bytes(site_url: str, site_db: Path) -> None:
    sha, content = query(site_db, "select sha256, content from documents limit 1")[0]
    status, headers, body = get(f"{site_url}/raw/{sha}")
    assert status == 200 and body == content and "attachment" in headers["content-disposition"]


def test_unknown_report_is_404(site_url: str) -> None:
    assert get(f"{site_url}/report/999999")[0] == 404


def test_metadata_titles_descriptions_and_facets(site_url: str) -> None:
    page = get(f"{site_url}/nianbao/current_reports")[2].decode()
    assert "当前报告 · Current reports" in page
    for facet in ("province", "city", "level", "year", "template", "failed_checks"):
        assert f'data-column="{facet}"' in page
    metadata = json.loads(get(f"{site_url}/-/metadata.json")[2])
    tables = metadata["databases"]["nianbao"]["tables"]
    assert metadata["license"] and metadata["source"]
    for table in ("reports", "report_versions", "figures", "checks", "raw_tables", "figures_wide", "current_reports"):
        assert tables[table]["title"] and tables[table]["description"]


def test_every_table_and_column_is_described(site_db: Path) -> None:
    import yaml

    metadata = yaml.safe_load((Path(__file__).resolve().parents[1] / "metadata.yml").read_text(encoding="utf-8"))
    tables = metadata["databases"]["nianbao"]["tables"]
    with sqlite3.connect(site_db) as conn:
        names = [
            n for (n,) in conn.execute("select name from sqlite_master where type in ('table', 'view')")
            if not n.startswith(("search_", "sqlite_", "figures_wide"))
        ]
        missing = [
            f"{name}.{col}"
            for name in names
            for (_, col, *_) in conn.execute(f"pragma table_info([{name}])")
            if col not in (tables.get(name, {}).get("columns") or {})
        ]
    assert not missing


def test_canned_queries(site_url: str, site_db: Path) -> None:
    top = rows(site_url, "/nianbao/top_agencies_by_requests.json", year="2020")
    expected = query(
        site_db,
        "select agency, sum(value) from current_figures where key = 'requests.new.total' and year = 2020 "
        "group by agency order by 2 desc",
    )
    assert [(r["agency"], r["requests"]) for r in top] == [tuple(e) for e in expected] and top
    contradictions = rows(site_url, "/nianbao/contradictions_by_region.json", province="", city="")
    assert {r["rule"] for r in contradictions} == {
        r for (r,) in query(site_db, "select rule from current_checks where ok = 0")
    }
    over_years = rows(site_url, "/nianbao/agency_figures_over_years.json", agency=top[0]["agency"])
    assert over_years and all(r["agency"] == top[0]["agency"] for r in over_years)
    refusals = rows(site_url, "/nianbao/refusals_by_reason.json", year="", province="", city="")
    assert refusals and all(not r["reason"].startswith(("new", "granted")) for r in refusals)
    changed = rows(site_url, "/nianbao/recently_changed_or_removed.json")
    assert {r["report_id"] for r in changed} >= {1, 2}  # report 1 was edited, report 2 removed


def test_wide_table_matches_long_figures_and_downloads_as_csv(site_url: str, site_db: Path) -> None:
    version_id, value = query(site_db, "select version_id, value from figures where key = 'requests.new.total' limit 1")[0]
    status, _, body = get(f"{site_url}/nianbao/figures_wide.csv?_size=max")
    assert status == 200
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    row = next(r for r in table if r["version_id"] == str(version_id))
    assert row["requests.new.total"] == str(value)
    assert len(table) == query(site_db, "select count(distinct version_id) from figures")[0][0]


def test_whole_database_downloads(site_url: str, site_db: Path, tmp_path: Path) -> None:
    status, _, body = get(f"{site_url}/nianbao.db")
    assert status == 200
    (tmp_path / "copy.db").write_bytes(body)
    assert query(tmp_path / "copy.db", "select count(*) from report_versions") == query(
        site_db, "select count(*) from report_versions"
    )


def test_charts_are_inline_svg(site_url: str, site_db: Path) -> None:
    agency = query(site_db, "select agency from current_figures where key = 'requests.new.total' limit 1")[0][0]
    page = get(f"{site_url}/charts?" + urllib.parse.urlencode({"agency": agency, "key": "requests.new.total"}))[2].decode()
    assert page.count('class="chart"') == 2 and "<circle" in page and "<script src" not in page


def test_read_only_limits_headers_and_robots(site_url: str) -> None:
    status, headers, body = get(f"{site_url}/nianbao?" + urllib.parse.urlencode({"sql": "delete from reports"}))
    assert status == 400 or b"Statement must be a SELECT" in body
    settings = json.loads(get(f"{site_url}/-/settings.json")[2])
    assert settings["sql_time_limit_ms"] <= 5000 and settings["max_returned_rows"] <= 5000
    _, headers, _ = get(f"{site_url}/report/1")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    status, _, robots = get(f"{site_url}/robots.txt")
    assert status == 200 and b"Disallow: /-/" in robots and b"Allow: /report/" in robots


def test_index_follows_new_and_edited_versions(site_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "edit.db"
    copy.write_bytes(site_db.read_bytes())
    db = open_archive(copy)

    def found(term: str) -> set[int]:
        sql, params = match_sql(term)
        return {r[0] for r in db.execute(sql, params)}

    db.execute("update report_versions set text = text || '独一无二' where id = 1")
    assert sync_search_index(db) == query(copy, "select count(*) from report_versions")[0][0]  # rebuilt
    assert found("独一无二") == found("独一") == found("二") & {1} == {1}
    db.execute("insert into report_versions (id, report_id, version_no, text) values (9999, 1, 99, '新加的版本 Xy')")
    db.conn.commit()
    assert sync_search_index(db) == 1
    assert found("xy") == found("新加") == {9999}


def test_stale_index_falls_back_to_scanning_not_to_missing(site_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "stale.db"
    copy.write_bytes(site_db.read_bytes())
    db = open_archive(copy)
    assert index_is_current(db)
    db.execute("insert into report_versions (id, report_id, version_no, text) values (9999, 1, 99, '未同步的龘靐')")
    db.conn.commit()
    assert not index_is_current(db)
    sql, params = match_sql("龘靐", indexed=index_is_current(db))
    assert {r[0] for r in db.execute(sql, params)} == {9999}


def test_an_archive_indexed_before_fivegrams_gets_them_at_the_next_sync(site_db: Path, tmp_path: Path) -> None:
    """An archive indexed by a nianbao without ``search_fivegrams``: until a sync adds its versions to it
    (and only to it) long terms are looked up by trigrams; then in it, exactly."""
    copy = tmp_path / "old.db"
    copy.write_bytes(site_db.read_bytes())
    with sqlite3.connect(copy) as conn:
        conn.execute("drop table search_fivegrams")
        conn.execute("drop table search_fivegrams_todo")
        documents = [d for (d,) in conn.execute("select document from search_documents")]
    rng = random.Random(14)
    terms: list[str] = []
    while len(terms) < 8:  # windows of 5-9 characters, some across a line break, quoted as a reader would
        document = rng.choice(documents)
        start = rng.randrange(len(document) - 9)
        term = document[start : start + rng.randint(5, 9)].strip()
        if len(term) >= 5 and not set(term) & set('"“”「」『』'):
            terms.append(term)
    expected = {t: {i for (i,) in query(copy, "select version_id from search_documents where instr(lower(document), lower(?)) > 0", [t])} for t in terms}
    db = open_archive(copy)
    assert index_is_current(db) == Indexed.ALL_BUT_FIVEGRAMS
    for term in terms:  # meanwhile by trigrams, as before
        sql, params = match_sql(f'"{term}"', indexed=index_is_current(db))
        assert "search_fivegrams" not in sql and "instr" not in sql
        assert {r[0] for r in db.execute(sql, params)} == expected[term]
    assert sync_search_index(db) == 0  # no version indexed anew: the others are left as they are
    assert index_is_current(db) == Indexed.ALL
    looked_up = 0
    for term in terms:
        sql, params = match_sql(f'"{term}"')
        looked_up += "search_fivegrams" in sql
        assert {r[0] for r in db.execute(sql, params)} == expected[term] != set()
    assert looked_up >= len(terms) // 2


def test_rebuild_wide_has_a_column_per_key(site_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "wide.db"
    copy.write_bytes(site_db.read_bytes())
    db = open_archive(copy)
    assert rebuild_wide(db) == query(copy, "select count(distinct version_id) from figures")[0][0]
    keys = {k for (k,) in query(copy, "select distinct key from figures")}
    assert keys <= set(db["figures_wide"].columns_dict)
    db.execute("delete from figures where version_id = (select min(version_id) from figures)")
    db.conn.commit()
    assert rebuild_wide(db) == len(query(copy, "select distinct version_id from figures"))  # noticed the change


def test_remerge_spans_labels_but_never_numbers() -> None:
    grid = remerge([["申请人", "申请人", "总计"], ["0", "0", "0"], ["自然人", "自然人", "1"]])
    assert [(c.text, c.colspan) for c in grid[0]] == [("申请人", 2), ("总计", 1)]
    assert [c.text for c in grid[1]] == ["0", "0", "0"]


@pytest.mark.parametrize("rule", ["requests.balance:natural_person", "appeals.sum:review", "narrative:requests.new.total"])
def test_failures_are_explained_in_both_languages(rule: str) -> None:
    zh, en = explain_check(rule, "1+2 ≠ 4")
    assert "1+2 ≠ 4" in zh and "1+2 ≠ 4" in en and zh != en
    assert rule.split(":")[1] not in zh  # the report's own words, not the key


def holdings(db: Path) -> dict:
    """The home page's figures, computed here straight from the file."""
    (reports, removed, agencies, first, last, contradicting, last_crawl), = query(
        db,
        "select sum(status != 'removed'), sum(status = 'removed'), count(distinct agency), min(year), max(year), "
        "(select count(distinct report_id) from current_checks where ok = 0), "
        "(select max(ended_at) from crawl_runs where status = 'finished') from reports",
    )
    return {"reports": reports, "removed": removed, "agencies": agencies, "years": f"{first}–{last}",
            "contradicting": contradicting, "last_crawl": last_crawl}


def assert_home_shows(page: str, facts: dict) -> None:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.split('class="holdings"', 1)[1].split("</p>", 1)[0]))
    assert f"收录 {facts['reports']:,} 份年报" in text and f"{facts['reports']:,} reports" in text
    assert f"另有 {facts['removed']:,} 份已从门户删除" in text
    assert f"{facts['agencies']:,} agencies" in text and f"years {facts['years']}" in text
    assert f"{facts['contradicting']:,} 份报告的勾稽关系不成立" in page
    freshness = page.split('class="freshness"', 1)[1].split("</p>", 1)[0]
    assert (f"<time>{facts['last_crawl']}</time>" if facts["last_crawl"] else "no finished crawl run yet") in freshness


def test_home_page_links_where_a_journalist_starts(site_url: str, site_db: Path) -> None:
    import yaml

    status, _, body = get(f"{site_url}/")
    page = body.decode()
    assert status == 200
    form = page.split('<form action="/-/search"', 1)[1].split("</form>", 1)[0]
    assert 'name="q"' in form and 'method="get"' in form
    for href in ("/changes", "/charts", "/nianbao/reports", "/nianbao/contradictions_by_region"):
        assert f'href="{href}"' in page, href
    size = f"{site_db.stat().st_size / 1024 / 1024:.1f} MB"
    assert 'href="/nianbao.db"' in page and size in page  # Datasette's own download link and size
    queries = yaml.safe_load((Path(__file__).parents[1] / "metadata.yml").read_text())["databases"]["nianbao"]["queries"]
    for name, canned in queries.items():
        assert f'<a href="/nianbao/{name}">{canned["title"]}</a>' in html.unescape(page)
    assert_home_shows(page, holdings(site_db))
    assert '<a href="/nianbao">nianbao</a>' in page and "rows in" in page  # Datasette's listing, kept below
    for link in re.findall(r'href="(/(?:changes|charts|nianbao/[a-z_]+))"', page):
        assert get(site_url + link)[0] == 200, link


def test_home_page_counts_follow_the_database(site_db: Path, tmp_path: Path) -> None:
    import asyncio

    from nianbao.archive.publish import make_datasette

    copy = tmp_path / "nianbao.db"
    copy.write_bytes(site_db.read_bytes())
    with sqlite3.connect(copy) as conn:
        conn.execute("update reports set status = 'removed', removed_at = '2026-04-01T00:00:00Z' where id = 3")
        conn.execute("insert into crawl_runs (started_at, ended_at, status) values "
                     "('2026-04-01T00:00:00Z', '2026-04-01T00:05:00Z', 'finished'), "
                     "('2026-04-02T00:00:00Z', '2026-04-02T00:01:00Z', 'interrupted')")
    facts = holdings(copy)
    assert facts["removed"] == 2 and facts["last_crawl"] == "2026-04-01T00:05:00Z"
    response = asyncio.run(make_datasette(copy).client.get("/"))
    assert response.status_code == 200
    assert_home_shows(response.text, facts)


def report_page_html(db_path: Path, report_id: int) -> str:
    """The report page of an archive of the test's own, through Datasette's test client."""
    import asyncio

    from nianbao.archive.publish import make_datasette

    async def fetch():
        ds = make_datasette(db_path)
        await ds.invoke_startup()
        return await ds.client.get(f"/report/{report_id}")

    return asyncio.run(fetch()).text


def test_report_page_says_what_could_not_be_read(tmp_path: Path) -> None:
    """A report whose tables are pictures shows why it has no figures, instead of an empty page."""
    from archive_captures import exchange

    from nianbao.archive.capture import ReportCapture
    from nianbao.archive.db import open_archive
    from nianbao.archive.ingest import ingest_report

    page = ('<html><body><div class="TRS_Editor"><p>某县2022年政府信息公开工作年度报告</p>'
            '<p>三、收到和处理政府信息公开申请情况</p><p><img src="W2.png"></p></div></body></html>')
    path = tmp_path / "nianbao.db"
    db = open_archive(path)
    result = ingest_report(db, ReportCapture(portal_id="p", article=exchange("http://x.gov.cn/a.html", page.encode())))
    db.conn.close()

    html = report_page_html(path, result.report_id)
    assert "What could not be read" in html and "needs OCR" in html
    assert "the tables are probably images" in html


def test_report_page_lists_links_that_could_not_be_downloaded(tmp_path: Path) -> None:
    """An attachment whose latest fetch failed is evidence worth showing; one that came back is not."""
    from archive_captures import BASE, exchange, seed_capture

    from nianbao.archive.db import open_archive
    from nianbao.archive.ingest import ingest_report

    broken, healed = f"{BASE}/files/lost.pdf", f"{BASE}/files/late.pdf"
    path = tmp_path / "nianbao.db"
    db = open_archive(path)
    failing = [exchange(broken, status=404, error="HTTP 404"), exchange(healed, status=503, error="HTTP 503")]
    report_id = ingest_report(db, seed_capture(0, extra=failing)).report_id
    later = [exchange(broken, status=404, error="HTTP 404", at="2026-02-01T08:00:00Z"),
             exchange(healed, b"%PDF-1.4 not really", at="2026-02-01T08:00:00Z")]
    ingest_report(db, seed_capture(0, extra=later, at="2026-02-01T08:00:00Z"))
    db.conn.close()

    html = report_page_html(path, report_id)
    assert "could not be downloaded" in html
    assert broken in html and "HTTP 404" in html
    assert healed not in html.split("could not be downloaded")[1].split("</ul>")[0]
