"""A table page with ``?_search=`` computes the matching set once per worker connection: the count, the rows
and every facet read it from a temporary table, and what they show equals the ``instr`` ground truth."""

from __future__ import annotations

import os
import shutil
import sqlite3
import urllib.parse
from collections import Counter
from pathlib import Path

import pytest
from conftest import datasette_get
from test_site_search import ground_truth

from nianbao.archive.publish import SETTINGS, make_datasette
from nianbao.archive.search import match_sql, sync_search_index
from nianbao.site.hits import KEEP, PREFIX, HitSets

FACETS = ["province", "city", "level", "year", "template", "status", "failed_checks"]


def test_count_rows_and_facets_read_the_matching_set_once(site_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SETTINGS, "trace_debug", True)  # ?_trace=1 lists every statement a page runs
    ds = make_datasette(site_db)
    for query in ["复议", "疫情 政府信息公开", "的", "不存在的词语组合"]:
        reports = ground_truth(site_db, query.split(), "reports")
        with sqlite3.connect(site_db) as conn:
            rows = conn.execute(
                f"select {', '.join(FACETS)} from current_reports where report_id in ({','.join(map(str, reports)) or 'null'})"
            ).fetchall()
        page = datasette_get(ds, "/nianbao/current_reports.json?" + urllib.parse.urlencode(
            {"_search": query, "_size": "max", "_col": "report_id", "_trace": "1", "_facet_size": "max"}))
        data = page.json()
        assert data["filtered_table_rows_count"] == len(reports)
        assert {row[0] for row in data["rows"]} == reports
        for i, facet in enumerate(FACETS):
            counts = Counter(row[i] for row in rows if row[i] is not None)
            assert {r["value"]: r["count"] for r in data["facet_results"][facet]["results"]} == counts, facet
        statements = [t["sql"] for t in data["_trace"]["traces"] if "current_reports" in (t.get("sql") or "")]
        assert len(statements) == 2 + 1 + 1  # the count, the rows, 1 for the 3 region facets, 1 for the other 4 ...
        assert all(f"temp.{PREFIX}" in sql and "search_" not in sql for sql in statements)  # ... none searches


def test_connections_hold_the_recent_searches_only(site_db: Path) -> None:
    """Each connection keeps the KEEP most recent searches, as the versions found or, when they are most
    of the versions, as the versions not found; a search again is the same table."""
    hits = HitSets(time_limit_ms=5000)
    conn = sqlite3.connect(f"file:{site_db}?immutable=1", uri=True)
    versions = {v for (v,) in conn.execute("select id from report_versions")}
    queries = ["公开", "政府", "复议", "信息", "疫情", "工作", "申请", "的"]
    clauses = {q: hits.filter(conn, *match_sql(q), "id", len(versions)) for q in queries}
    held = {n for (n,) in conn.execute("select name from temp.sqlite_master where type = 'table'")}
    tables = {q: PREFIX + clause.split(PREFIX)[1].split(")")[0] for q, clause in clauses.items()}
    assert held == {tables[q] for q in queries[-KEEP:]}  # the oldest dropped
    kinds = set()
    for query in queries[-KEEP:]:
        expected = ground_truth(site_db, [query])
        stored = {v for (v,) in conn.execute(f"select version_id from temp.{tables[query]}")}
        complement = " not in " in clauses[query]
        kinds.add(complement)
        assert stored == (versions - expected if complement else expected), query
        assert complement == (len(expected) * 2 > len(versions))
        found = {v for (v,) in conn.execute(f"select id from report_versions where {clauses[query]}")}
        assert found == expected
    assert kinds == {True, False}  # both kinds exercised
    assert hits.filter(conn, *match_sql(queries[0]), "id", len(versions)) == clauses[queries[0]]  # computed again


def test_a_search_over_the_time_limit_leaves_no_table(site_db: Path) -> None:
    hits = HitSets(time_limit_ms=1)
    conn = sqlite3.connect(f"file:{site_db}?immutable=1", uri=True)
    slow = "select version_id from search_documents where instr(document, '不存在') > 0"  # reads every document
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        hits.filter(conn, slow, {}, "id", 1000)
    assert not conn.execute("select count(*) from temp.sqlite_master").fetchone()[0]


def test_other_connections_copy_the_result_instead_of_searching_again(site_db: Path) -> None:
    hits = HitSets(time_limit_ms=5000)
    first, second = (sqlite3.connect(f"file:{site_db}?immutable=1", uri=True) for _ in range(2))
    clause = hits.filter(first, *match_sql("复议 申请"), "id", 1000)
    ran: list[str] = []
    second.set_trace_callback(ran.append)
    hits.sync(second)
    table = PREFIX + clause.split(PREFIX)[1].split(")")[0]
    assert ran and not any("search_" in sql for sql in ran)  # no index read, no document read
    assert [r for r in second.execute(f"select * from temp.{table}")] == [r for r in first.execute(f"select * from temp.{table}")]
    expected = ground_truth(site_db, ["复议", "申请"])
    assert {v for (v,) in second.execute(f"select id from report_versions where {clause}")} == expected


def test_a_publish_is_searched_anew(site_db: Path, tmp_path: Path) -> None:
    """After the served file is replaced (as ``nianbao publish`` does), a search repeated reads the new file:
    nothing of the old file's matching sets is reused."""
    served = tmp_path / "nianbao.db"
    shutil.copy(site_db, served)
    ds = make_datasette(served)
    page = "/nianbao/current_reports.json?" + urllib.parse.urlencode({"_search": "复议", "_size": "max"})
    before = datasette_get(ds, page).json()["filtered_table_rows_count"]
    edited = tmp_path / "edited.db"
    shutil.copy(site_db, edited)
    with sqlite3.connect(edited) as conn:
        version = conn.execute("select current_version_id from reports where current_version_id in "
                               "(select version_id from search_documents where instr(document, '复议'))").fetchone()[0]
        conn.execute("update report_versions set title = '', agency = '', text = '' where id = ?", [version])
        conn.execute("delete from raw_tables where version_id = ?", [version])
        sync_search_index(conn)
    os.replace(edited, served)
    assert datasette_get(ds, page).json()["filtered_table_rows_count"] == before - 1 == len(
        ground_truth(served, ["复议"], "reports"))
