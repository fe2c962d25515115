"""Property: for any texts and any query over a small, collision-rich alphabet (Chinese, digits, Latin of
both cases, KELVIN SIGN, LONG S, full-width letters, spaces, quotes, emoji), the indexes find exactly the
texts that contain every term, ignoring ASCII case — the same set as SQLite's instr(lower(text), lower(term))."""

from __future__ import annotations

import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao.archive.search import ascii_lower, match_sql, parse_query, rebuild_search_index

ALPHABET = "疫情复议的公开1２0aAbBkKsS\u212a\u017fｂＢ é😀\"-"
texts = st.lists(st.text(alphabet=ALPHABET, max_size=30), min_size=1, max_size=12)
queries = st.text(alphabet=ALPHABET, min_size=1, max_size=8)


def archive(rows: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("create table report_versions (id integer primary key, text text)")
    conn.executemany("insert into report_versions (id, text) values (?, ?)", enumerate(rows, start=1))
    rebuild_search_index(conn)
    return conn


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, queries, st.booleans())
def test_index_finds_exactly_what_instr_finds(rows: list[str], query: str, case_sensitive: bool) -> None:
    terms = parse_query(query)
    planned = match_sql(query, case_sensitive=case_sensitive)
    if not terms:
        assert planned is None
        return
    conn = archive(rows)
    sql, params = planned
    fold = (lambda s: s) if case_sensitive else ascii_lower
    expected = {i for i, text in enumerate(rows, start=1) if all(fold(t) in fold(text) for t in terms)}
    assert {r[0] for r in conn.execute(sql, params)} == expected
    where = " and ".join(
        ["instr(text, ?) > 0" if case_sensitive else "instr(lower(text), lower(?)) > 0"] * len(terms)
    )
    assert {r[0] for r in conn.execute(f"select id from report_versions where {where}", terms)} == expected
