"""Follow and cite, figures in words, questions journalists ask: feeds per body, region and search; the citation
block, raw files under their own names, a missing version as 404; labels wherever a key appears; canned
queries with hidden SQL.  Real archives (the history fixture and tests/site_archive.py) through Datasette."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import urllib.parse
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import datasette_get
from conftest import http_get as get
from test_history_site import archive_path  # noqa: F401 (the fixture: an edited, a removed, a restored report)

from nianbao.archive.db import open_archive
from nianbao.archive.publish import make_datasette, refresh_derived
from nianbao.archive.search import index_is_current
from nianbao.archive.site import figure_labels
from nianbao.parsers.templates import TEMPLATES
from nianbao.site.pages import content_disposition, original_file_name

ATOM = "{http://www.w3.org/2005/Atom}"


def query(db: Path, sql: str, params: list | tuple = ()) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def rows(site_url: str, path: str, **params: str) -> list[dict]:
    status, _, body = get(f"{site_url}{path}?" + urllib.parse.urlencode(params | {"_shape": "array"}))
    assert status == 200, body[:500]
    return json.loads(body)


@pytest.fixture(scope="module")
def history_site(archive_path: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: F811
    path = tmp_path_factory.mktemp("follow") / "nianbao.db"
    shutil.copy(archive_path, path)
    refresh_derived(open_archive(path))
    return path, make_datasette(path)


def feed_reports(ds, params: str) -> tuple[str, list[int]]:
    response = datasette_get(ds, f"/changes.atom?{params}")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    return feed.find(f"{ATOM}title").text, [int(re.search(r"/report/(\d+)/", link).group(1)) for link in links]


def test_feeds_per_body_region_and_search_honour_their_parameters(history_site) -> None:
    path, ds = history_site
    _, everything = feed_reports(ds, "")
    body_id, body, province = query(path, "select b.id, b.name, b.province from reports r join agencies a on "
                                          "a.id = r.agency_id join bodies b on b.id = a.body_id where r.id = 1")[0]
    title, for_body = feed_reports(ds, f"agency={body_id}")
    assert body in title and set(for_body) == {1} and for_body.count(1) == everything.count(1)
    region_reports = {r for (r,) in query(path, "select r.id from reports r join agencies a on a.id = r.agency_id "
                                                "join bodies b on b.id = a.body_id where b.province = ?", [province])}
    _, in_region = feed_reports(ds, "region=" + urllib.parse.quote(province))
    assert set(in_region) == region_reports & set(everything) and in_region
    assert feed_reports(ds, "region=" + urllib.parse.quote("不存在的地方"))[1] == []
    word = "申请12件"  # only in the edited version of report 1
    matching = {r for (r,) in query(path, "select report_id from report_versions where instr(text, ?)", [word])}
    title, searched = feed_reports(ds, "q=" + urllib.parse.quote(word))
    assert set(searched) == matching == {1} and word in title
    assert feed_reports(ds, "q=" + urllib.parse.quote(f"{word} 没有这样的词"))[1] == []  # every word is required
    page = datasette_get(ds, f"/changes?agency={body_id}&kind=edited").text
    assert f'href="/changes.atom?kind=edited&amp;agency={body_id}"' in page


def test_history_and_changes_pages_speak_both_languages_with_labels(history_site) -> None:
    _, ds = history_site
    page = datasette_get(ds, "/report/1/history").text
    assert '<label for="compare-a">' in page and '<select name="a" id="compare-a">' in page
    label = figure_labels()["requests.new.total"][0]
    assert f"{label} (requests.new.total): 10 → 12" in page  # the event's summary in words
    assert "事件 <span lang=\"en\">Events</span>" in page and "版本 <span lang=\"en\">Versions</span>" in page
    english = TEMPLATES.labels_en["requests.new.total"]
    assert f'<td>{label}<br><span class="en" lang="en">{english}</span></td>' in page  # the comparison's labels
    changes = datasette_get(ds, "/changes").text
    assert "最近变更" in changes and f"{label} (requests.new.total)" in changes


def test_report_page_cites_the_version_and_a_missing_version_is_404(site_url: str, site_db: Path) -> None:
    report_id, title, url, version_no, fetched, sha = query(
        site_db, "select r.id, r.title, r.url, v.version_no, v.fetched_at, v.document_sha256 from reports r "
                 "join report_versions v on v.id = r.current_version_id where v.version_no = 2")[0]
    page = get(f"{site_url}/report/{report_id}")[2].decode()
    start = page.index('<details class="citation"')
    block = page[start:page.index("</details>", start)]
    for value in (title, url, sha, fetched, f"{site_url}/report/{report_id}?version={version_no}"):
        assert value in block
    assert get(f"{site_url}/report/{report_id}?version=1")[0] == 200
    assert get(f"{site_url}/report/{report_id}?version=99")[0] == 404


def test_raw_files_download_under_their_original_name(site_url: str, site_db: Path) -> None:
    from site_archive import PDF_REPORT_ID

    sha, = query(site_db, "select v.document_sha256 from reports r join report_versions v on v.id = r.current_version_id "
                          "where r.id = ?", [PDF_REPORT_ID])[0]
    status, headers, _ = get(f"{site_url}/raw/{sha}")
    assert status == 200 and 'filename="hongze.pdf"' in headers["content-disposition"]
    assert original_file_name("http://x.gov.cn/a/%E6%B4%AA%E6%B3%BD%E5%B9%B4%E6%8A%A5.pdf", ".pdf") == "洪泽年报.pdf"
    assert original_file_name("http://x.gov.cn/download?id=3", ".pdf") == "download.pdf"
    header = content_disposition("洪泽年报.pdf")
    assert header == "attachment; filename=\"____.pdf\"; filename*=UTF-8''%E6%B4%AA%E6%B3%BD%E5%B9%B4%E6%8A%A5.pdf"


def test_report_page_links_questions_that_answer(site_url: str, site_db: Path) -> None:
    page = get(f"{site_url}/report/1")[2].decode()
    links = re.findall(r'<ul class="questions">(.*?)</ul>', page, re.S)[0]
    hrefs = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', links)]
    assert len(hrefs) == 5
    for href in hrefs:
        path, _, params = href.partition("?")
        assert rows(site_url, path + ".json", **dict(urllib.parse.parse_qsl(params, keep_blank_values=True))) is not None


def test_canned_queries_answer_in_words(site_url: str, site_db: Path) -> None:
    contradictions = rows(site_url, "/nianbao/contradictions_by_region.json", province="", city="")
    assert contradictions and all("Table 3" not in r["what_en"] for r in contradictions)
    parts = [r["what"] for r in contradictions if r["rule"].startswith(("requests.", "appeals."))]
    assert parts and all("三、收到和处理政府信息公开申请情况" in p or "四、政府信息公开行政复议、行政诉讼情况" in p for p in parts)
    page = get(f"{site_url}/nianbao/contradictions_by_region?province=&city=")[2].decode()
    assert "<textarea" not in page and "_show_sql=1" in page  # hide_sql: the SQL one click away
    appeals = rows(site_url, "/nianbao/appeals_most.json", year="", province="")
    expected = dict(query(site_db, "select body_id, total(value) from body_figures where series in ('reviews', 'suits') "
                                   "group by body_id"))
    assert {r["body_id"]: r["total"] for r in appeals} == expected
    for row in rows(site_url, "/nianbao/missing_reports.json", province=""):
        assert query(site_db, "select count(*) from reports r join agencies a on a.id = r.agency_id "
                              "where a.body_id = ? and r.year = ?", [row["body_id"], row["missing_year"]]) == [(0,)]
    ranking = rows(site_url, "/nianbao/region_ranking.json", series="", province="", city="")
    for year in {r["year"] for r in ranking}:
        covered = query(site_db, "select sum(reports), count(*) from body_figures where series = 'requests_received' "
                                 "and year = ? and value is not null", [year])[0]
        assert {(r["reports_that_year"], r["bodies_that_year"]) for r in ranking if r["year"] == year} == {covered}
    changes = rows(site_url, "/nianbao/biggest_changes_in_requests.json", province="")
    assert all(r["change"] == r["after"] - r["before"] and r["to_year"] == r["from_year"] + 1 for r in changes)


def test_figure_keys_are_shown_with_their_labels(site_url: str) -> None:
    label = figure_labels()["requests.new.total"][0]
    english = TEMPLATES.labels_en["requests.new.total"]
    assert english == "1. New requests received this year · total"
    facets = get(f"{site_url}/nianbao/figures?_facet_size=max")[2].decode()
    assert f'{label} <span lang="en">{english}</span> <code>requests.new.total</code>' in facets
    wide = json.loads(get(f"{site_url}/-/metadata.json")[2])["databases"]["nianbao"]["tables"]["figures_wide"]
    assert wide["columns"]["requests.new.total"] == f"{label}（件） · {english}"
    report = get(f"{site_url}/report/1")[2].decode()
    assert f'{label}<br><span class="en" lang="en">{english}</span>' in report
    charts = get(f"{site_url}/charts")[2].decode()
    assert charts.count("<optgroup") == 4 and "三、收到和处理政府信息公开申请情况" in charts


def test_feed_search_is_the_site_search(history_site, archive_path: Path) -> None:  # noqa: F811
    """``?q=`` finds what the site's search finds in the changed version: table cells, one character, a
    traditional form; over the search's limits it is a 400, never a partial search; same with or without
    the index."""
    path, ds = history_site
    changed = query(path, "select distinct c.report_id, d.document from changes c join reports r on r.id = c.report_id "
                          "join search_documents d on d.version_id = coalesce(c.version_id, r.current_version_id)")

    def expected(*words: str) -> set[int]:
        return {report for report, document in changed if all(w in document for w in words)}

    cell = query(path, """select c.atom from report_versions v join raw_tables t on t.version_id = v.id,
        json_each(t.rows) r, json_each(r.value) c where length(c.atom) > 3 and instr(v.text, c.atom) = 0
        and instr(v.title, c.atom) = 0 limit 1""")[0][0]  # a word printed in a table only
    with sqlite3.connect(archive_path) as conn:
        assert not index_is_current(conn)  # never synced: the search reads every document
    unindexed = make_datasette(archive_path)
    for words in ([cell], ["年"], ["复议", cell], ["申请12件"]):
        want = expected(*words)
        assert want, words
        for site in (ds, unindexed):
            assert set(feed_reports(site, "q=" + urllib.parse.quote(" ".join(words)))[1]) == want, words
    assert set(feed_reports(ds, "q=" + urllib.parse.quote("復議"))[1]) == expected("复议")
    too_many = urllib.parse.quote(" ".join(f"词{i}" for i in range(60)))
    for page in ("/changes.atom", "/changes"):
        response = datasette_get(ds, f"{page}?q={too_many}")
        assert response.status_code == 400 and "Too many terms" in response.text
