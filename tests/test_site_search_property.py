"""Property: for any reports (title, text and table cells) and any query over a small, collision-rich
alphabet (Chinese in both scripts, digits, Latin of both cases, KELVIN SIGN, LONG S, full-width letters,
spaces, quotes, emoji), the indexes find exactly the reports that show every term, ignoring ASCII case —
the same set as SQLite's instr(lower(document), lower(term)) over search_documents; a traditional term
also finds its simplified form."""

from __future__ import annotations

import json
import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao.archive.schema import SEARCH_DOCUMENTS
from nianbao.archive.search import ascii_lower, match_sql, parse_query, rebuild_search_index, term_forms

ALPHABET = "疫情复議议的公开1２0aAbBkKsS\u212a\u017fｂＢ é😀\"-\n#\x1f\u200b\u3000"
strings = st.text(alphabet=ALPHABET, max_size=30)
reports = st.lists(
    st.tuples(strings, strings, st.lists(st.lists(strings, max_size=4), max_size=3)), min_size=1, max_size=10
)
queries = st.text(alphabet=ALPHABET, min_size=1, max_size=8)


def archive(rows: list[tuple[str, str, list[list[str]]]]) -> sqlite3.Connection:
    """A minimal archive: versions with a title and text, each with one table of the given cells."""
    conn = sqlite3.connect(":memory:")
    conn.execute("create table report_versions (id integer primary key, title text, agency text, text text)")
    conn.execute("create table raw_tables (version_id integer, table_index integer, title text, rows text)")
    conn.execute(f"create view search_documents as {SEARCH_DOCUMENTS}")
    for i, (title, text, cells) in enumerate(rows, start=1):
        conn.execute("insert into report_versions (id, title, text) values (?, ?, ?)", (i, title, text))
        conn.execute("insert into raw_tables values (?, 0, '', ?)", (i, json.dumps(cells, ensure_ascii=False)))
    rebuild_search_index(conn)
    return conn


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports, queries, st.booleans())
def test_index_finds_exactly_what_instr_finds(rows, query: str, case_sensitive: bool) -> None:
    terms = parse_query(query)
    planned = match_sql(query, case_sensitive=case_sensitive)
    if not terms:
        assert planned is None
        return
    conn = archive(rows)
    documents = dict(conn.execute("select version_id, document from search_documents"))
    for i, (title, text, cells) in enumerate(rows, start=1):  # the document shows everything the page does
        assert all(piece in documents[i] for piece in [title, text, *(c for row in cells for c in row)])
    sql, params = planned
    fold = (lambda s: s) if case_sensitive else ascii_lower
    forms = term_forms(terms)
    expected = {
        i for i, document in documents.items() if all(any(fold(f) in fold(document) for f in g) for g in forms)
    }
    assert {r[0] for r in conn.execute(sql, params)} == expected
    contains = "instr(document, ?) > 0" if case_sensitive else "instr(lower(document), lower(?)) > 0"
    where = " and ".join("(" + " or ".join([contains] * len(g)) + ")" for g in forms)
    flat = [f for g in forms for f in g]
    assert {r[0] for r in conn.execute(f"select version_id from search_documents where {where}", flat)} == expected


near_terms = st.text(alphabet="政府信息公开 ", min_size=5, max_size=9).filter(lambda t: t.strip() == t and t)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_terms, st.data())
def test_a_long_term_among_pieces_of_itself_is_found_exactly(term: str, data) -> None:
    """Over texts made of pieces of the term itself (its trigrams near each other in every order and
    overlap: the texts a lookup by trigrams could mistake), a term of 5+ characters finds exactly the texts
    containing it."""
    pieces = st.lists(st.integers(0, len(term) - 1).flatmap(
        lambda start: st.integers(start + 1, len(term)).map(lambda end: term[start:end])), min_size=1, max_size=6)
    texts = data.draw(st.lists(pieces.map("".join), min_size=1, max_size=8))
    conn = archive([("", text, []) for text in texts])
    sql, params = match_sql(f'"{term}"')
    assert {r[0] for r in conn.execute(sql, params)} == {i for i, text in enumerate(texts, start=1) if term in text}
