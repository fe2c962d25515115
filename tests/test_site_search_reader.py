"""Search finds what the reader sees: every table cell a report page prints is found by the table search box
for every report that prints it; traditional characters also find simplified ones, and the page says so;
the empty and no-hit pages guide; a hit opens the report at its first highlighted occurrence; a query of
thousands of terms is refused at once and never stalls other pages."""

from __future__ import annotations

import json
import random
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from test_site_search import ground_truth, search_ids

from nianbao.archive.db import open_archive
from nianbao.archive.search import MAX_TERMS, ascii_lower, match_sql, parse_query, sync_search_index, term_forms


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def search_page(site_url: str, query: str) -> tuple[int, str]:
    return fetch(f"{site_url}/-/search?" + urllib.parse.urlencode({"q": query}))


def printed_cells(db: Path) -> dict[str, set[int]]:
    """Every distinct table cell of the current versions -> the reports printing it."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            """select c.atom, r.id from reports r join raw_tables t on t.version_id = r.current_version_id,
               json_each(t.rows) cells_row, json_each(cells_row.value) c where c.atom != ''"""
        )
        cells: dict[str, set[int]] = {}
        for cell, report_id in rows:
            cells.setdefault(str(cell), set()).add(report_id)
    return cells


def test_every_table_cell_is_found_for_every_report_printing_it(site_url: str, site_db: Path) -> None:
    """Every cell with words in it, and a sample of the number cells, typed as printed (and quoted when it has
    spaces): the table search finds every report printing it, and exactly the reports that show its terms."""
    cells = printed_cells(site_db)
    worded = sorted(c for c in cells if re.search(r"[^\d\s.,%-]", c))
    numbers = random.Random(12).sample(sorted(set(cells) - set(worded)), 100)
    assert len(worded) > 100 and {"社会公益组织", "本年废止件数"} <= set(worded)
    with sqlite3.connect(site_db) as conn:
        documents = {r: ascii_lower(d) for r, d in conn.execute(
            "select r.id, d.document from reports r join search_documents d on d.version_id = r.current_version_id"
        )}
    missed = {}
    for cell in worded + numbers:
        for query in [cell, f'"{cell}"'] if " " in cell and '"' not in cell else [cell]:
            got = search_ids(site_url, "current_reports", query)
            groups = term_forms(parse_query(query))
            shows = {r for r, d in documents.items() if all(any(ascii_lower(f) in d for f in g) for g in groups)}
            if not cells[cell] <= got or got != shows:
                missed[query] = sorted(cells[cell] - got)
    assert not missed


def test_traditional_characters_also_search_simplified(site_url: str, site_db: Path) -> None:
    simplified = search_ids(site_url, "current_reports", "复议")
    assert simplified and search_ids(site_url, "current_reports", "復議") == simplified
    assert search_ids(site_url, "current_reports", "行政復議 疫情") == search_ids(site_url, "current_reports", "行政复议 疫情")
    _, page = search_page(site_url, "復議")
    assert "Also searched" in page and "“复议”" in page and f"{len(simplified):,} 份报告包含 “復議”" in page
    _, table = fetch(f"{site_url}/nianbao/current_reports?" + urllib.parse.urlencode({"_search": "復議"}))
    assert "also searched 复议" in table


def test_empty_and_no_hit_pages_guide_instead_of_counting_zero(site_url: str) -> None:
    _, empty = search_page(site_url, "")
    assert "0 份报告包含" not in empty and "0 reports" not in empty and 'href="?q=复议"' in empty
    _, none = search_page(site_url, "不存在的词语组合")
    assert "没有报告包含 “不存在的词语组合”" in none and "No report contains" in none and "0 reports" not in none


def test_one_report_is_singular(site_url: str, site_db: Path) -> None:
    assert len(ground_truth(site_db, ["ſtreet"], "reports")) == 1
    _, page = search_page(site_url, "ſtreet")
    assert "1 份报告包含" in page and "1 report contains" in page and "1 reports" not in page


def test_a_hit_links_to_the_first_highlighted_occurrence(site_url: str, site_db: Path) -> None:
    _, page = search_page(site_url, "社会公益组织")
    links = [part.split('"')[0].replace("&amp;", "&") for part in page.split('<a class="hit" href="')[1:]]
    assert links and all(link.endswith("#first-hit") for link in links)
    in_table = min(printed_cells(site_db)["社会公益组织"])  # a report printing it in a table, and in its text
    _, report = fetch(f"{site_url}/report/{in_table}?" + urllib.parse.urlencode({"q": "社会公益组织"}))
    assert report.count('id="first-hit"') == 1
    first = report.index('id="first-hit"')
    assert report.index("<mark") == first - len("<mark ")  # the first mark on the page carries the anchor
    assert report.rfind("<table", 0, first) > report.rfind("</table>", 0, first)  # inside a table cell
    assert '<mark id="first-hit">社会公益组织</mark>' in report and 'href="#first-hit"' in report


def test_thousands_of_terms_are_refused_at_once_and_other_pages_stay_fast(site_url: str) -> None:
    many = " ".join(str(n) for n in range(9000))
    timings: dict[str, float] = {}

    def timed(name: str, url: str) -> None:
        started = time.perf_counter()
        status, body = fetch(url)
        timings[name] = time.perf_counter() - started
        timings[name + " status"] = status
        if name == "search":
            assert f"最多 {MAX_TERMS} 个" in body and f"at most {MAX_TERMS}" in body

    threads = [
        threading.Thread(target=timed, args=("search", f"{site_url}/-/search?" + urllib.parse.urlencode({"q": many}))),
        threading.Thread(target=timed, args=("table", f"{site_url}/nianbao/current_reports?"
                                             + urllib.parse.urlencode({"_search": many}))),
        threading.Thread(target=timed, args=("report", f"{site_url}/report/1")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert timings["search status"] == timings["table status"] == 400 and timings["report status"] == 200
    assert timings["search"] < 5 and timings["table"] < 5 and timings["report"] < 2
    assert search_page(site_url, " ".join(str(n) for n in range(MAX_TERMS)))[0] == 200  # the limit itself is searched


def test_rewritten_tables_reindex_only_when_what_they_show_changes(site_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "tables.db"
    copy.write_bytes(site_db.read_bytes())
    db = open_archive(copy)
    version = db.execute("select min(version_id) from raw_tables").fetchone()[0]
    tables = db.execute("select * from raw_tables where version_id = ?", [version]).fetchall()
    db.execute("delete from raw_tables where version_id = ?", [version])  # rewritten as a reparse does
    db.conn.executemany(f"insert into raw_tables values ({', '.join('?' * len(tables[0]))})", tables)
    db.conn.commit()
    assert sync_search_index(db) == 0  # the same cells: checked, not rebuilt
    db.execute("update raw_tables set rows = ? where version_id = ? and table_index = 0",
               [json.dumps([["新写入的格子甲乙"]], ensure_ascii=False), version])
    db.conn.commit()
    assert sync_search_index(db) > 1  # rebuilt
    sql, params = match_sql("新写入的格子甲乙")
    assert {r[0] for r in db.execute(sql, params)} == {version}
