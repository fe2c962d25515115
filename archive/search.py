"""Full-text search that finds any string, as Ctrl-F would.

SQLite's trigram tokenizer finds nothing for one- and two-character queries
(疫情, 复议), and Datasette's default search silently drops such a term.  So
the archive keeps two FTS5 indexes over ``report_versions.text``, both
made of SQLite's built-in tokenizers so a stock ``sqlite3`` can query them:

- ``search_trigram`` (tokenizer ``trigram``): terms of three characters or
  more, as a phrase of trigrams, which is an exact substring match.
- ``search_grams`` (tokenizer ``unicode61`` over a document of the text's
  distinct characters and character pairs, ``detail=none``): terms of one
  or two characters, also exact.

A query is split on spaces into terms (quoted phrases stay whole); every term
is required.  Matching ignores the case of ASCII letters, like a browser's
find; the ground truth is ``instr(lower(text), lower(term)) > 0``.  The few
cases where FTS5 case folding differs from that (non-ASCII letters in the
term, the two characters KELVIN SIGN and LONG S that fold to ASCII, spaces
inside a short term) are settled with ``instr`` on the candidates only.

Both indexes are contentless (they store no copy of the text) and are kept
in step with ``report_versions`` by :func:`sync_search_index`: new versions
are added; when a version's text changes or a version is deleted (triggers
record it in ``search_stale``) the indexes are rebuilt.
"""

from __future__ import annotations

import html
import multiprocessing
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

SOURCE = "report_versions"
TRIGRAM = "search_trigram"
GRAMS = "search_grams"
INDEXED = "search_indexed"
STALE = "search_stale"
# Characters FTS5 folds to an ASCII letter although lower() does not touch them.
FOLDS_TO_ASCII = "\u212a\u017f"  # KELVIN SIGN -> k, LONG S -> s
RANK_BELOW = 10_000  # BM25 scores every version a term occurs in: 150-300 ms for a term in all 100,000
FOLD_MARKER = "#fold"  # a token in search_grams for versions whose text has one of them
GRAM_CATEGORIES = "L* M* N* P* S*"  # token characters of search_grams: everything but spaces and controls

SCHEMA = [
    f"create virtual table if not exists {TRIGRAM} using fts5(text, tokenize='trigram', content='')",
    f"""create virtual table if not exists {GRAMS} using fts5(grams,
        tokenize="unicode61 remove_diacritics 0 categories '{GRAM_CATEGORIES}'",
        detail=none, content='')""",
    # bulk-load faster (measured: -40% build time); the index is merged by 'optimize' after a rebuild
    f"insert into {TRIGRAM}({TRIGRAM}, rank) values ('crisismerge', 64)",
    f"insert into {TRIGRAM}({TRIGRAM}, rank) values ('automerge', 16)",
    f"create table if not exists {INDEXED} (version_id integer primary key)",
    f"create table if not exists {STALE} (version_id integer primary key)",
    f"""create trigger if not exists search_stale_on_update after update of text on {SOURCE}
        when old.text is not new.text
        begin insert or ignore into {STALE} values (old.id); end""",
    f"""create trigger if not exists search_stale_on_delete after delete on {SOURCE}
        begin insert or ignore into {STALE} values (old.id); end""",
]


def _connection(db: Any) -> sqlite3.Connection:
    """Accept a sqlite_utils.Database or a sqlite3.Connection."""
    return getattr(db, "conn", db)


# --- building the index ----------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def indexable(char: str) -> bool:
    """Whether ``search_grams``' tokenizer keeps this character inside a token.

    Judged with the Unicode 3.2 tables Python ships, older than SQLite's
    6.1 tables, so a character newer than SQLite's tables is never assumed
    indexable (such terms fall back to checking the text).
    """
    return unicodedata.ucd_3_2_0.category(char)[0] in "LMNPS"


def gram_document(text: str) -> str:
    """The text's distinct characters and character pairs, space-separated, for ``search_grams``."""
    grams = set(text)
    grams.update(text[i : i + 2] for i in range(len(text) - 1))
    unindexable = {c for c in set(text) if not indexable(c)}
    kept = [g for g in grams if not (g[0] in unindexable or g[-1] in unindexable)]
    if any(c in text for c in FOLDS_TO_ASCII):
        kept.append(FOLD_MARKER)
    return " ".join(kept)


def ensure_search_schema(db: Any) -> None:
    conn = _connection(db)
    for statement in SCHEMA:
        conn.execute(statement)


def _index_rows(conn: sqlite3.Connection, rows: list[tuple[int, str | None]]) -> int:
    """Index rows; with many, the gram documents are made in a second process while SQLite inserts."""
    texts = [text or "" for _, text in rows]
    with ExitStack() as stack:
        if len(rows) > 200:
            # spawn, not fork: callers (a crawl, a server) may run threads
            pool = stack.enter_context(multiprocessing.get_context("spawn").Pool(1))
            grams = pool.imap(gram_document, texts, chunksize=32)
        else:
            grams = map(gram_document, texts)
        for (version_id, _), text, gram_doc in zip(rows, texts, grams):
            conn.execute(f"insert into {TRIGRAM}(rowid, text) values (?, ?)", (version_id, text))
            conn.execute(f"insert into {GRAMS}(rowid, grams) values (?, ?)", (version_id, gram_doc))
            conn.execute(f"insert into {INDEXED}(version_id) values (?)", (version_id,))
    return len(rows)


def rebuild_search_index(db: Any) -> int:
    """Drop everything in the indexes and index every version again; returns the number indexed."""
    conn = _connection(db)
    ensure_search_schema(conn)
    with conn:
        for table in (TRIGRAM, GRAMS):
            conn.execute(f"insert into {table}({table}) values ('delete-all')")
        conn.execute(f"delete from {INDEXED}")
        conn.execute(f"delete from {STALE}")
        count = 0
        for batch in _batches(conn.execute(f"select id, text from {SOURCE} order by id")):
            count += _index_rows(conn, batch)
        conn.execute(f"insert into {TRIGRAM}({TRIGRAM}) values ('optimize')")
        conn.execute(f"insert into {GRAMS}({GRAMS}) values ('optimize')")
    return count


def sync_search_index(db: Any) -> int:
    """Bring the indexes up to date after ingest or reparse; returns the number of versions indexed."""
    conn = _connection(db)
    ensure_search_schema(conn)
    if conn.execute(f"select 1 from {STALE} limit 1").fetchone():
        return rebuild_search_index(conn)
    new = conn.execute(
        f"select id, text from {SOURCE} where id not in (select version_id from {INDEXED}) order by id"
    )
    count = 0
    with conn:
        for batch in _batches(new):
            count += _index_rows(conn, batch)
    return count


def _batches(cursor: sqlite3.Cursor, size: int = 5000) -> Iterator[list[tuple[int, str | None]]]:
    while batch := cursor.fetchmany(size):
        yield batch


# --- parsing and planning a query --------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』"}
_TERM = re.compile(
    "|".join(f"{re.escape(o)}(.*?)(?:{re.escape(c)}|$)" for o, c in _QUOTES.items()) + r"|([^\s\"“「『]+)",
    re.S,
)


def parse_query(query: str) -> list[str]:
    """Split a query into required terms: words between spaces, or phrases in quotes (ASCII or Chinese)."""
    terms = []
    for match in _TERM.finditer(query or ""):
        term = next((g for g in match.groups() if g is not None), "")
        if term and term not in terms:
            terms.append(term)
    return terms


def ascii_lower(text: str) -> str:
    """SQLite's lower() without ICU: only A-Z change."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _has_cased(term: str, ascii_only: bool) -> bool:
    return any((c.isascii() == ascii_only) and (c.lower() != c or c.upper() != c) for c in term)


@dataclass(frozen=True)
class Plan:
    """How a query runs: index lookups, then ``instr`` only where the index cannot be exact."""

    terms: tuple[str, ...]
    long_match: str | None  # FTS5 query for search_trigram
    short_match: str | None  # FTS5 query for search_grams
    verify: tuple[int, ...]  # terms checked with instr on every candidate
    fold_check: tuple[int, ...]  # terms checked with instr on candidates whose text has FOLDS_TO_ASCII
    case_sensitive: bool

    def params(self) -> dict[str, str]:
        params = {f"search_t{i}": self.needle(i) for i in set(self.verify) | set(self.fold_check)}
        if self.long_match:
            params["search_long"] = self.long_match
        if self.short_match:
            params["search_short"] = self.short_match
        return params

    def needle(self, i: int) -> str:
        return self.terms[i] if self.case_sensitive else ascii_lower(self.terms[i])

    def contains(self, i: int, text_column: str) -> str:
        haystack = text_column if self.case_sensitive else f"lower({text_column})"
        return f"instr({haystack}, :search_t{i}) > 0"

    def ids_sql(self, current_only: bool = False) -> str | None:
        """A SELECT of the matching report_versions ids (parameters from params()).

        ``current_only``: only the versions that are their report's current one.
        """
        sources = []
        if self.long_match:
            sources.append(f"select rowid from {TRIGRAM} where {TRIGRAM} match :search_long")
        if self.short_match:
            sources.append(f"select rowid from {GRAMS} where {GRAMS} match :search_short")
        if current_only:
            sources.append("select current_version_id from reports")  # in order, by its index
        # Every source returns ids in order, so an ordered compound is a merge of the scans instead
        # of a temporary b-tree of each (100,000 reports, two common terms: p50 35 -> 15 ms).
        found = " intersect ".join(sources) + (" order by 1" if len(sources) > 1 else "")
        if not (self.verify or self.fold_check):
            return found or None
        conditions = [self.contains(i, "v.text") for i in self.verify]
        if self.fold_check:
            folded = " and ".join(self.contains(i, "v.text") for i in self.fold_check)
            marker = _fts_phrase(FOLD_MARKER).replace("'", "''")
            conditions.append(
                f"(v.id not in (select rowid from {GRAMS} where {GRAMS} match '{marker}') or ({folded}))"
            )
        where = [f"v.id in ({found})"] if sources else []
        return f"select v.id from {SOURCE} v where " + " and ".join(where + conditions)


def plan_query(terms: Iterable[str], case_sensitive: bool = False, indexed: bool = True) -> Plan:
    """Choose per term: trigram or gram index, and whether instr must confirm it.

    Without an index (``indexed=False``, a database never synced) every term
    is confirmed by scanning the text: slow, never wrong.
    """
    terms = tuple(terms)
    if not indexed:
        return Plan(terms, None, None, tuple(range(len(terms))), (), case_sensitive)
    long_terms, short_terms, verify, fold_check = [], [], [], []
    for i, term in enumerate(terms):
        if len(term) >= 3:
            long_terms.append(term)
            exact = True
        elif all(indexable(c) for c in term):
            short_terms.append(term)
            exact = True
        else:  # a short term with a space or control character: look up its other characters, then check
            short_terms.extend(c for c in term if indexable(c))
            exact = False
        if not exact or _has_cased(term, ascii_only=False) or (case_sensitive and _has_cased(term, True)):
            verify.append(i)
        elif set(ascii_lower(term)) & {"k", "s"}:
            fold_check.append(i)
    return Plan(
        terms,
        " ".join(map(_fts_phrase, long_terms)) or None,
        " ".join(map(_fts_phrase, dict.fromkeys(short_terms))) or None,
        tuple(verify),
        tuple(fold_check),
        case_sensitive,
    )


def index_is_current(db: Any) -> bool:
    """Whether the indexes hold exactly the current texts of every version.

    Versions added since the last sync, or texts changed, make it false; the
    search then checks every text itself (slow, never wrong) instead of
    missing what the index does not have yet.
    """
    conn = _connection(db)
    tables = {n for (n,) in conn.execute("select name from sqlite_master where name in (?, ?, ?, ?)",
                                          (TRIGRAM, GRAMS, INDEXED, STALE))}
    if len(tables) < 4:
        return False
    indexed, versions, stale = conn.execute(
        f"select (select count(*) from {INDEXED}), (select count(*) from {SOURCE}), "
        f"exists (select 1 from {STALE})"
    ).fetchone()
    return indexed == versions and not stale


def match_sql(
    query: str, case_sensitive: bool = False, indexed: bool = True
) -> tuple[str, dict[str, str]] | None:
    """SQL selecting the ids of report_versions whose text has every term of ``query``; None if it has none."""
    terms = parse_query(query)
    if not terms:
        return None
    plan = plan_query(terms, case_sensitive, indexed)
    return plan.ids_sql(), plan.params()


# --- running a query for the search page -------------------------------------------------------------


@dataclass
class Hit:
    version_id: int
    report_id: int
    title: str | None
    agency: str | None
    year: int | None
    status: str | None
    snippet: str  # HTML, escaped, terms in <mark>


@dataclass
class SearchPage:
    terms: list[str]
    total: int
    hits: list[Hit]


def search(
    db: Any,
    query: str,
    *,
    case_sensitive: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Current versions of reports containing every term, best first, with highlighted snippets.

    Ranking: BM25 over the terms of three or more characters (more and
    denser occurrences first) when they occur in fewer than RANK_BELOW
    versions; otherwise, or with only shorter terms, the newest year first.
    One statement finds the hits once, counts them and picks the page: only
    the page's reports are read, and an index on reports (year,
    current_version_id) lets the walk in year order stop after the page.
    """
    conn = _connection(db)
    terms = parse_query(query)
    if not terms:
        return SearchPage([], 0, [])
    plan = plan_query(terms, case_sensitive, index_is_current(conn))
    params: dict[str, Any] = plan.params() | {"limit": limit, "offset": offset}
    ids = plan.ids_sql(current_only=True)
    assert ids is not None  # every plan has a source or a condition
    if plan.long_match and _few_long_matches(conn, params):
        # a cross join keeps the index's scan outermost, so FTS5 sorts by rank itself
        source = f"""(select rowid as id, rank from {TRIGRAM} where {TRIGRAM} match :search_long) ranked
            cross join reports r on r.current_version_id = ranked.id
            where +ranked.id in hits order by ranked.rank"""
    else:  # a unary + keeps SQLite on the year index, which it walks until the page is full
        source = "reports r where +r.current_version_id in hits order by r.year desc, r.current_version_id desc"
    rows = conn.execute(
        f"""with hits(id) as materialized ({ids})
        select r.current_version_id, r.id, r.title, r.agency, r.year, r.status, (select count(*) from hits)
        from {source} limit :limit offset :offset""",
        params,
    ).fetchall()
    if rows:
        total = rows[0][-1]
    else:  # nothing found, or past the last page
        total = conn.execute(f"select count(*) from ({ids})", params).fetchone()[0] if offset else 0
    texts = dict(
        conn.execute(
            f"select id, text from {SOURCE} where id in ({','.join('?' * len(rows))})", [r[0] for r in rows]
        ).fetchall()
    )
    hits = [Hit(*row[:-1], snippet=snippet(texts.get(row[0]) or "", terms, case_sensitive)) for row in rows]
    return SearchPage(terms, total, hits)


def _few_long_matches(conn: sqlite3.Connection, params: dict[str, Any]) -> bool:
    """Whether the long terms occur in fewer than RANK_BELOW versions (reads at most that many)."""
    probe = f"select 1 from {TRIGRAM} where {TRIGRAM} match :search_long limit {RANK_BELOW}"
    return conn.execute(f"select count(*) from ({probe})", params).fetchone()[0] < RANK_BELOW


def snippet(text: str, terms: list[str], case_sensitive: bool = False, width: int = 40) -> str:
    """Escaped HTML around the first occurrence of each term, every occurrence wrapped in <mark>."""
    flags = 0 if case_sensitive else re.IGNORECASE | re.ASCII  # ASCII letters only, as SQLite's lower()
    spans = []
    for term in terms:
        found = re.search(re.escape(term), text, flags)
        if found:
            spans.append((max(0, found.start() - width), min(len(text), found.end() + width)))
    windows: list[list[int]] = []
    for start, end in sorted(spans):
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    marker = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), flags)
    pieces = [_mark(text[start:end], marker) for start, end in windows[:3]]
    prefix = "…" if windows and windows[0][0] > 0 else ""
    suffix = "…" if windows and windows[-1][1] < len(text) else ""
    return prefix + " … ".join(pieces) + suffix


def highlight(text: str, terms: list[str], case_sensitive: bool = False) -> str:
    """The whole text as escaped HTML, every occurrence of the terms in <mark> (for a report page)."""
    if not terms:
        return html.escape(text)
    flags = 0 if case_sensitive else re.IGNORECASE | re.ASCII
    marker = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), flags)
    return _mark(text, marker, collapse=False)


def _mark(window: str, marker: re.Pattern, collapse: bool = True) -> str:
    """Escape the window, wrapping what ``marker`` matches in <mark>; optionally collapse whitespace."""
    def plain(part: str) -> str:
        return _WHITESPACE.sub(" ", html.escape(part)) if collapse else html.escape(part)

    out, last = [], 0
    for found in marker.finditer(window):
        out.append(plain(window[last : found.start()]))
        out.append(f"<mark>{html.escape(found.group())}</mark>")
        last = found.end()
    out.append(plain(window[last:]))
    return "".join(out)
