"""A table page with ``?_search=`` computes the matching set once per worker connection: the count, the rows
and every facet read it from a temporary table, and what they show equals the ``instr`` ground truth."""

from __future__ import annotations

import sqlite3
import urllib.parse
from collections import Counter
from pathlib import Path

import pytest
from conftest import datasette_get
from test_site_search import ground_truth

from nianbao.archive.publish import SETTINGS, make_datasette
from nianbao.archive.search import match_sql
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
        assert len(statements) == 2 + len(FACETS)  # the count, the rows, each facet ...
        assert all(f"temp.{PREFIX}" in sql and "search_" not in sql for sql in statements)  # ... none searches


def test_connections_hold_the_recent_searches_only(site_db: Path) -> None:
    hits = HitSets(time_limit_ms=5000)
    conn = sqlite3.connect(f"file:{site_db}?immutable=1", uri=True)
    queries = ["复议", "疫情", "申请", "公开", "政府", "信息", "工作", "的"]
    tables = {}
    for query in queries:
        sql, params = match_sql(query)
        tables[query] = hits.table(sql, params)
        hits.sync(conn)
    held = {n for (n,) in conn.execute("select name from temp.sqlite_master where type = 'table'")}
    assert held == {tables[q] for q in queries[-KEEP:]}  # the oldest dropped
    for query in queries[-KEEP:]:
        found = {v for (v,) in conn.execute(f"select version_id from temp.{tables[query]}")}
        assert found == ground_truth(site_db, [query])
    again = hits.table(*match_sql(queries[0]))  # searched again: the same table, computed again
    hits.sync(conn)
    assert again == tables[queries[0]] and conn.execute(f"select count(*) from temp.{again}").fetchone()[0] == len(
        ground_truth(site_db, [queries[0]]))


def test_a_search_over_the_time_limit_leaves_no_table(site_db: Path) -> None:
    hits = HitSets(time_limit_ms=1)
    conn = sqlite3.connect(f"file:{site_db}?immutable=1", uri=True)
    slow = "select version_id from search_documents where instr(document, '不存在') > 0"  # reads every document
    hits.table(slow, {})
    try:
        hits.sync(conn)
        raised = False
    except sqlite3.OperationalError as exc:
        raised = "interrupted" in str(exc)
    assert raised and not conn.execute("select count(*) from temp.sqlite_master").fetchone()[0]
