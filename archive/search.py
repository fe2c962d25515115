"""Full-text search that finds any string, as Ctrl-F would on a report's page.

What is searched is what a report page shows as the report's words: the
view ``search_documents`` (archive/schema.py) gives each version's title,
agency, full text, table titles and every table cell as one document.

SQLite's trigram tokenizer finds nothing for one- and two-character queries
(疫情, 复议), and Datasette's default search silently drops such a term.  So
the archive keeps two FTS5 indexes over those documents, both made of
SQLite's built-in tokenizers so a stock ``sqlite3`` can query them:

- ``search_trigram`` (tokenizer ``trigram``): terms of three characters or
  more, as a phrase of trigrams, which is an exact substring match.
- ``search_grams`` (tokenizer ``unicode61`` over a document of the text's
  distinct characters and character pairs, ``detail=none``): terms of one
  or two characters, also exact.
- ``search_fivegrams`` (tokenizer ``unicode61`` over a document of the
  text's 5-character runs, one token per position): terms of five
  characters or more, as a phrase of 5-grams.  A trigram phrase decodes the
  positions of every trigram of the term, and in these reports the trigrams
  of 政府信息公开 occur dozens of times in nearly every one: a long common
  term cost 100-170 ms at 100,000 reports.  Its 5-grams are fewer and occur
  less often, and a term of five characters is a single token (no positions).

A query is split on spaces into terms (quoted phrases stay whole); every term
is required.  A term in traditional characters (復議) also finds its
simplified form (复议, by OpenCC's t2s), as reports are printed in simplified
characters.  Matching ignores the case of ASCII letters, like a browser's
find; the ground truth is ``instr(lower(document), lower(term)) > 0``.  The
few cases where FTS5 case folding differs from that (non-ASCII letters in
the term, the two characters KELVIN SIGN and LONG S that fold to ASCII,
spaces inside a short term) are settled with ``instr`` on the candidates only.

Both indexes are contentless (they store no copy of the text) and are kept
in step by :func:`sync_search_index`: new versions are added; when what a
version shows may have changed (its text, title or tables rewritten, or the
version deleted; triggers record it in ``search_stale``) its document is
compared with the hash indexed, and the indexes are rebuilt if it differs.
"""

from __future__ import annotations

import hashlib
import html
import multiprocessing
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from enum import IntEnum
from functools import lru_cache
from typing import Any

import opencc

from nianbao.archive.schema import SEARCH_DOCUMENTS

SOURCE = "report_versions"
DOCUMENTS = "search_documents"
TRIGRAM = "search_trigram"
GRAMS = "search_grams"
FIVEGRAMS = "search_fivegrams"
FIVEGRAMS_TODO = "search_fivegrams_todo"  # versions indexed before search_fivegrams existed, not in it yet
FIVE = 5
FIVEGRAM_SEPARATOR = "\x1f"  # not a token character of search_fivegrams: separates its tokens
FIVEGRAM_ELSEWHERE = "#"  # the token of a position whose 5-gram has a character search_fivegrams cannot hold
INDEXED = "search_indexed"
STALE = "search_stale"
# Characters FTS5 folds to an ASCII letter although lower() does not touch them.
FOLDS_TO_ASCII = "\u212a\u017f"  # KELVIN SIGN -> k, LONG S -> s
RANK_BELOW = 10_000  # BM25 scores every version a term occurs in: 150-300 ms for a term in all 100,000
FOLD_MARKER = "#fold"  # a token in search_grams for versions whose text has one of them
GRAM_CATEGORIES = "L* M* N* P* S*"  # token characters of search_grams: everything but spaces and controls
FIVEGRAM_CATEGORIES = GRAM_CATEGORIES + " Z*"  # and spaces: a 5-gram may hold one ("17 年度政府")
MAX_TERMS = 50  # more is no longer a search but a load on the server (issue: 9,000 terms froze it)
MAX_QUERY_CHARS = 2000

_ONLY_INDEXED = f"exists (select 1 from {INDEXED} where version_id = {{id}})"
SCHEMA = [
    f"create virtual table if not exists {TRIGRAM} using fts5(text, tokenize='trigram', content='')",
    f"""create virtual table if not exists {GRAMS} using fts5(grams,
        tokenize="unicode61 remove_diacritics 0 categories '{GRAM_CATEGORIES}'",
        detail=none, content='')""",
    f"""create virtual table if not exists {FIVEGRAMS} using fts5(fivegrams,
        tokenize="unicode61 remove_diacritics 0 categories '{FIVEGRAM_CATEGORIES}'", content='')""",
    f"create table if not exists {FIVEGRAMS_TODO} (version_id integer primary key)",
    # bulk-load faster (measured: -40% build time); the index is merged by 'optimize' after a rebuild
    f"insert into {TRIGRAM}({TRIGRAM}, rank) values ('crisismerge', 64)",
    f"insert into {TRIGRAM}({TRIGRAM}, rank) values ('automerge', 16)",
    f"insert into {FIVEGRAMS}({FIVEGRAMS}, rank) values ('crisismerge', 64)",
    f"insert into {FIVEGRAMS}({FIVEGRAMS}, rank) values ('automerge', 16)",
    f"create table if not exists {INDEXED} (version_id integer primary key, document_hash text)",
    f"create table if not exists {STALE} (version_id integer primary key)",
    # what a page shows may have changed: the version's own columns, or its tables (a reparse rewrites them)
    "drop trigger if exists search_stale_on_update",
    f"""create trigger search_stale_on_update after update of text, title, agency on report_versions
        when (old.text is not new.text or old.title is not new.title or old.agency is not new.agency)
          and {_ONLY_INDEXED.format(id="old.id")}
        begin insert or ignore into {STALE} values (old.id); end""",
    f"""create trigger if not exists search_stale_on_delete after delete on report_versions
        begin insert or ignore into {STALE} values (old.id); end""",
    *(
        f"""create trigger if not exists search_stale_on_table_{event} after {event} on raw_tables
            when {_ONLY_INDEXED.format(id=f"{row}.version_id")}
            begin insert or ignore into {STALE} values ({row}.version_id); end"""
        for event, row in (("insert", "new"), ("update", "old"), ("delete", "old"))
    ),
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


@lru_cache(maxsize=65536)
def in_fivegram_token(char: str) -> bool:
    """Whether a 5-gram of search_fivegrams may hold this character: the Unicode 3.2 tables and Python's own
    (newer) tables both put it in a token class (L, M, N, P, S, Z), so SQLite's tables, between the two, do
    too; never the separator nor a lone surrogate."""
    return (char != FIVEGRAM_SEPARATOR and not "\ud800" <= char <= "\udfff"
            and unicodedata.ucd_3_2_0.category(char)[0] in "LMNPSZ" and unicodedata.category(char)[0] in "LMNPSZ")


def fivegram_document(text: str) -> str:
    """The text's 5-character runs, one per position, for ``search_fivegrams``: a run with a character the
    index cannot hold (a line break) is FIVEGRAM_ELSEWHERE, so every 5-gram keeps its position."""
    grams = [text[i : i + FIVE] for i in range(len(text) - FIVE + 1)]
    elsewhere = [c for c in set(text) if not in_fivegram_token(c)]
    for found in re.finditer("[" + "".join(map(re.escape, elsewhere)) + "]", text) if elsewhere else ():
        for i in range(max(0, found.start() - FIVE + 1), min(found.start() + 1, len(grams))):
            grams[i] = FIVEGRAM_ELSEWHERE
    return FIVEGRAM_SEPARATOR.join(grams)


def in_fivegrams(form: str) -> bool:
    """Whether search_fivegrams finds this form: five characters or more, each one it holds."""
    return len(form) >= FIVE and all(in_fivegram_token(c) for c in form)


def gram_documents(text: str) -> tuple[str, str]:
    """The documents of ``search_grams`` and ``search_fivegrams`` for one text."""
    return gram_document(text), fivegram_document(text)


def ensure_search_schema(db: Any) -> None:
    conn = _connection(db)
    conn.execute(f"create view if not exists {DOCUMENTS} as {SEARCH_DOCUMENTS}")
    old_index = conn.execute(f"select 1 from sqlite_master where name = '{INDEXED}'").fetchone()
    had_fivegrams = conn.execute(f"select 1 from sqlite_master where name = '{FIVEGRAMS}'").fetchone()
    for statement in SCHEMA:
        conn.execute(statement)
    if old_index and not had_fivegrams:  # indexed before search_fivegrams: the next sync adds the versions to it
        with conn:
            conn.execute(f"insert or ignore into {FIVEGRAMS_TODO} select version_id from {INDEXED}")
    if old_index and not conn.execute(
        f"select 1 from pragma_table_info('{INDEXED}') where name = 'document_hash'"
    ).fetchone():  # indexed by a nianbao that searched the text only: index again
        conn.execute(f"alter table {INDEXED} add column document_hash text")
        conn.execute(f"insert or ignore into {STALE} select version_id from {INDEXED}")


def document_hash(document: str) -> str:
    return hashlib.blake2b(document.encode(), digest_size=16).hexdigest()


def _index_rows(conn: sqlite3.Connection, rows: list[tuple[int, str | None]], fivegrams_only: bool = False) -> int:
    """Index (version id, document) rows; with many, the gram documents are made in a second process.

    ``fivegrams_only``: versions already in the other indexes (see FIVEGRAMS_TODO).
    """
    texts = [text or "" for _, text in rows]
    with ExitStack() as stack:
        if len(rows) > 200:
            # spawn, not fork: callers (a crawl, a server) may run threads
            pool = stack.enter_context(multiprocessing.get_context("spawn").Pool(1))
            grams: Iterable[tuple[str, str]] = pool.imap(gram_documents, texts, chunksize=32)
        else:
            grams = map(gram_documents, texts)
        for (version_id, _), text, (gram_doc, fivegram_doc) in zip(rows, texts, grams):
            conn.execute(f"insert into {FIVEGRAMS}(rowid, fivegrams) values (?, ?)", (version_id, fivegram_doc))
            if fivegrams_only:
                continue
            conn.execute(f"insert into {TRIGRAM}(rowid, text) values (?, ?)", (version_id, text))
            conn.execute(f"insert into {GRAMS}(rowid, grams) values (?, ?)", (version_id, gram_doc))
            conn.execute(f"insert into {INDEXED} values (?, ?)", (version_id, document_hash(text)))
    return len(rows)


def rebuild_search_index(db: Any) -> int:
    """Drop everything in the indexes and index every version again; returns the number indexed."""
    conn = _connection(db)
    ensure_search_schema(conn)
    with conn:
        for table in (TRIGRAM, GRAMS, FIVEGRAMS):
            conn.execute(f"insert into {table}({table}) values ('delete-all')")
        for table in (INDEXED, STALE, FIVEGRAMS_TODO):
            conn.execute(f"delete from {table}")
        count = 0
        for batch in _batches(conn.execute(f"select version_id, document from {DOCUMENTS} order by version_id")):
            count += _index_rows(conn, batch)
        for table in (TRIGRAM, GRAMS, FIVEGRAMS):
            conn.execute(f"insert into {table}({table}) values ('optimize')")
    return count


def sync_search_index(db: Any) -> int:
    """Bring the indexes up to date after ingest or reparse; returns the number of versions indexed."""
    conn = _connection(db)
    ensure_search_schema(conn)
    if conn.execute(f"select 1 from {STALE} limit 1").fetchone():
        if _stale_documents_changed(conn):
            return rebuild_search_index(conn)
        with conn:
            conn.execute(f"delete from {STALE}")
    _index_fivegrams_todo(conn)
    new = conn.execute(
        f"select version_id, document from {DOCUMENTS} "
        f"where version_id not in (select version_id from {INDEXED}) order by version_id"
    )
    count = 0
    with conn:
        for batch in _batches(new):
            count += _index_rows(conn, batch)
    return count


def _index_fivegrams_todo(conn: sqlite3.Connection) -> None:
    """Add to search_fivegrams the versions indexed before it existed, in one transaction (until it
    commits, readers see FIVEGRAMS_TODO full and search without it)."""
    if not conn.execute(f"select 1 from {FIVEGRAMS_TODO} limit 1").fetchone():
        return
    todo = conn.execute(
        f"select version_id, document from {DOCUMENTS} "
        f"where version_id in (select version_id from {FIVEGRAMS_TODO}) order by version_id"
    )
    with conn:
        for batch in _batches(todo):
            _index_rows(conn, batch, fivegrams_only=True)
        conn.execute(f"delete from {FIVEGRAMS_TODO}")
        conn.execute(f"insert into {FIVEGRAMS}({FIVEGRAMS}) values ('optimize')")


def _stale_documents_changed(conn: sqlite3.Connection) -> bool:
    """Whether a version marked stale shows something else than what was indexed (or is gone)."""
    rows = conn.execute(
        f"""select i.document_hash, d.document from {STALE} s join {INDEXED} i using (version_id)
            left join {DOCUMENTS} d using (version_id)"""
    )
    return any(document is None or indexed != document_hash(document) for indexed, document in rows)


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


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    """The converter, built on first use: its dictionaries take 30 ms to load, which indexing never needs."""
    return opencc.OpenCC("t2s")


class QueryError(ValueError):
    """A query the search refuses, with a message for the reader (Chinese, then English)."""


def parse_query(query: str) -> list[str]:
    """Split a query into required terms: words between spaces, or phrases in quotes (ASCII or Chinese).

    Linear in the query's length; more than MAX_TERMS distinct terms, or a
    query longer than MAX_QUERY_CHARS, is refused with QueryError rather
    than searched in part.
    """
    terms: dict[str, None] = {}  # ordered and de-duplicated in one pass
    for match in _TERM.finditer(query or ""):
        term = next((g for g in match.groups() if g is not None), "")
        if term:
            terms[term] = None
            if len(terms) > MAX_TERMS:
                raise QueryError(
                    f"查询词太多，最多 {MAX_TERMS} 个；请减少词数，或用引号把整句作为一个词。"
                    f" — Too many terms: at most {MAX_TERMS}; use fewer, or quote a whole phrase as one term."
                )
    if len(query or "") > MAX_QUERY_CHARS:
        raise QueryError(
            f"查询太长（{len(query):,} 个字符），最多 {MAX_QUERY_CHARS:,} 个。"
            f" — The query is too long ({len(query):,} characters); at most {MAX_QUERY_CHARS:,}."
        )
    return list(terms)


def simplified(term: str) -> str:
    """The term in simplified characters (OpenCC t2s); the term itself when it has no traditional ones."""
    return _t2s().convert(term)


def term_forms(terms: Iterable[str]) -> list[tuple[str, ...]]:
    """Per term, every form searched: the term as typed, then its simplified form when that differs."""
    return [tuple(dict.fromkeys((term, simplified(term)))) for term in terms]


def ascii_lower(text: str) -> str:
    """SQLite's lower() without ICU: only A-Z change.

    Through UTF-8 bytes, whose lower() changes only A-Z (every byte of a multi-byte character is above
    0x7F): ~50 times faster than str.translate on a report's Chinese text (~0.3 ms each, 20 per page).
    """
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _has_cased(term: str, ascii_only: bool) -> bool:
    return any((c.isascii() == ascii_only) and (c.lower() != c or c.upper() != c) for c in term)


@dataclass(frozen=True)
class Plan:
    """How a query runs: index lookups, then ``instr`` only where the index cannot be exact.

    Each term is a group of forms (see term_forms); a version matches a group
    when it contains any of its forms, and the query when it matches every group.
    """

    groups: tuple[tuple[str, ...], ...]
    long_match: str | None  # FTS5 query for search_trigram
    short_match: str | None  # FTS5 query for search_grams
    five_match: str | None  # FTS5 query for search_fivegrams
    verify: tuple[int, ...]  # groups checked with instr on every candidate
    fold_check: tuple[int, ...]  # groups checked with instr on candidates whose text has FOLDS_TO_ASCII
    case_sensitive: bool

    def params(self) -> dict[str, str]:
        params = {
            f"search_t{i}_{j}": self.needle(form)
            for i in set(self.verify) | set(self.fold_check)
            for j, form in enumerate(self.groups[i])
        }
        for name, match in self.matches().items():
            params[f"search_{name}"] = match
        return params

    def matches(self) -> dict[str, str]:
        """The FTS5 queries to run, by name: long (search_trigram), short (search_grams), five (search_fivegrams)."""
        found = {"long": self.long_match, "short": self.short_match, "five": self.five_match}
        return {name: match for name, match in found.items() if match}

    def needle(self, form: str) -> str:
        return form if self.case_sensitive else ascii_lower(form)

    def contains(self, i: int, text_column: str) -> str:
        haystack = text_column if self.case_sensitive else f"lower({text_column})"
        forms = [f"instr({haystack}, :search_t{i}_{j}) > 0" for j in range(len(self.groups[i]))]
        return forms[0] if len(forms) == 1 else "(" + " or ".join(forms) + ")"

    def ids_sql(self, current_only: bool = False) -> str:
        """A SELECT of the matching report_versions ids (parameters from params()).

        ``current_only``: only the versions that are their report's current one.
        """
        sources = [f"select rowid from {INDEX_OF[name]} where {INDEX_OF[name]} match :search_{name}"
                   for name in self.matches()]
        if current_only:
            sources.append("select current_version_id from reports")  # in order, by its index
        # Every source returns ids in order, so an ordered compound is a merge of the scans instead
        # of a temporary b-tree of each (100,000 reports, two common terms: p50 35 -> 15 ms).
        found = " intersect ".join(sources) + (" order by 1" if len(sources) > 1 else "")
        if not (self.verify or self.fold_check):
            return found or f"select id from {SOURCE}"
        conditions = [self.contains(i, "d.document") for i in self.verify]
        if self.fold_check:
            folded = " and ".join(self.contains(i, "d.document") for i in self.fold_check)
            marker = _fts_phrase(FOLD_MARKER).replace("'", "''")
            conditions.append(
                f"(d.version_id not in (select rowid from {GRAMS} where {GRAMS} match '{marker}') or ({folded}))"
            )
        where = [f"d.version_id in ({found})"] if sources else []
        return f"select d.version_id from {DOCUMENTS} d where " + " and ".join(where + conditions)


INDEX_OF = {"long": TRIGRAM, "short": GRAMS, "five": FIVEGRAMS}


def _form_lookup(form: str, five: bool = True) -> tuple[str, str | None, bool]:
    """Which index finds a form ("five", "long" or "short"), its FTS5 query (None: none can), and whether
    exact.  ``five``: whether search_fivegrams may (else a long form goes to search_trigram)."""
    if five and in_fivegrams(form):
        return "five", " + ".join(_fts_phrase(form[i : i + FIVE]) for i in range(len(form) - FIVE + 1)), True
    if len(form) >= 3:
        return "long", _fts_phrase(form), True
    if all(indexable(c) for c in form):
        return "short", _fts_phrase(form), True
    # a short form with a space or control character: look up its other characters, then check
    chars = [_fts_phrase(c) for c in dict.fromkeys(form) if indexable(c)]
    return "short", " AND ".join(chars) or None, False


def plan_query(groups: Iterable[Iterable[str]], case_sensitive: bool = False, indexed: Indexed | bool = True) -> Plan:
    """Choose per term: 5-gram, trigram or gram index, and whether instr must confirm it.

    Without an index (``indexed=False``, a database never synced) every term
    is confirmed by scanning the documents: slow, never wrong.  ``indexed``
    is what index_is_current says (True: every index).
    """
    planned = tuple(tuple(forms) for forms in groups)
    if not indexed:
        return Plan(planned, None, None, None, tuple(range(len(planned))), (), case_sensitive)
    five = indexed == Indexed.ALL
    lookups: dict[str, list[str]] = {"long": [], "short": [], "five": []}
    verify, fold_check = [], []
    for i, forms in enumerate(planned):
        found = [_form_lookup(form, five) for form in forms]
        kinds = {kind for kind, _, _ in found}
        if kinds == {"five", "long"}:  # forms of a term are looked up in one index: here the trigrams
            found = [_form_lookup(form, five=False) for form in forms]
            kinds = {"long"}
        queries = [query for _, query, _ in found if query is not None]
        usable = len(kinds) == 1 and len(queries) == len(found)
        if usable:  # any of the forms: (a) OR (b)
            lookups[kinds.pop()].append(queries[0] if len(queries) == 1 else "(" + " OR ".join(f"({q})" for q in queries) + ")")
        exact = usable and all(e for _, _, e in found)
        if not exact or any(
            _has_cased(f, ascii_only=False) or (case_sensitive and _has_cased(f, True)) for f in forms
        ):
            verify.append(i)
        elif any(set(ascii_lower(f)) & {"k", "s"} for f in forms):
            fold_check.append(i)
    return Plan(
        planned,
        " AND ".join(lookups["long"]) or None,
        " AND ".join(dict.fromkeys(lookups["short"])) or None,
        " AND ".join(lookups["five"]) or None,
        tuple(verify),
        tuple(fold_check),
        case_sensitive,
    )


class Indexed(IntEnum):
    """Which indexes hold exactly what every version shows now (see index_is_current); true if any do."""

    NONE = 0  # False: versions added or changed since the last sync
    ALL = 1  # True
    ALL_BUT_FIVEGRAMS = 2  # search_fivegrams is new to this archive and not filled yet


def index_is_current(db: Any) -> Indexed:
    """Whether the indexes hold exactly what every version shows now.

    Versions added since the last sync, or changed, make it false; the search
    then checks every document itself (slow, never wrong) instead of missing
    what the index does not have yet.  An archive indexed before search_fivegrams
    existed, until a sync fills it, is ALL_BUT_FIVEGRAMS: its long terms are
    looked up by trigrams, as then.
    """
    conn = _connection(db)
    names = (TRIGRAM, GRAMS, INDEXED, STALE, DOCUMENTS)
    found = conn.execute(f"select count(*) from sqlite_master where name in ({','.join('?' * len(names))})", names)
    if found.fetchone()[0] < len(names) or not conn.execute(
        f"select 1 from pragma_table_info('{INDEXED}') where name = 'document_hash'"
    ).fetchone():
        return Indexed.NONE
    indexed, versions, stale = conn.execute(
        f"select (select count(*) from {INDEXED}), (select count(*) from {SOURCE}), exists (select 1 from {STALE})"
    ).fetchone()
    if indexed != versions or stale:
        return Indexed.NONE
    fivegrams = conn.execute(f"select count(*) from sqlite_master where name in ('{FIVEGRAMS}', '{FIVEGRAMS_TODO}')")
    if fivegrams.fetchone()[0] < 2 or conn.execute(f"select 1 from {FIVEGRAMS_TODO} limit 1").fetchone():
        return Indexed.ALL_BUT_FIVEGRAMS
    return Indexed.ALL


@dataclass(frozen=True)
class Match:
    """A parsed query ready to run: the SQL selecting matching version ids and what it searched."""

    sql: str
    params: dict[str, str]
    groups: list[tuple[str, ...]]

    @property
    def also_searched(self) -> list[str]:
        """The simplified forms searched besides what was typed."""
        return [form for forms in self.groups for form in forms[1:]]


def match_query(query: str, case_sensitive: bool = False, indexed: Indexed | bool = True) -> Match | None:
    """The versions whose document has every term of ``query`` (any form); None if it has no terms."""
    terms = parse_query(query)
    if not terms:
        return None
    plan = plan_query(term_forms(terms), case_sensitive, indexed)
    return Match(plan.ids_sql(), plan.params(), list(plan.groups))


def match_sql(
    query: str, case_sensitive: bool = False, indexed: Indexed | bool = True
) -> tuple[str, dict[str, str]] | None:
    """SQL selecting the ids of report_versions whose document has every term of ``query``; None if none."""
    found = match_query(query, case_sensitive, indexed)
    return None if found is None else (found.sql, found.params)


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
    also_searched: list[str] = field(default_factory=list)  # simplified forms of traditional terms


def search(
    db: Any,
    query: str,
    *,
    case_sensitive: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Current versions of reports containing every term, best first, with highlighted snippets.

    Ranking: BM25 over the terms of three or four characters (more and
    denser occurrences first), or with none, over those of five or more,
    when they occur in fewer than RANK_BELOW versions; otherwise, or with
    only shorter terms, the newest year first.
    One statement finds the hits once, counts them and picks the page: only
    the page's reports are read, and an index on reports (year,
    current_version_id) lets the walk in year order stop after the page.
    Raises QueryError for a query it refuses (see parse_query).
    """
    conn = _connection(db)
    terms = parse_query(query)
    if not terms:
        return SearchPage([], 0, [])
    plan = plan_query(term_forms(terms), case_sensitive, index_is_current(conn))
    params: dict[str, Any] = plan.params() | {"limit": limit, "offset": offset}
    ids = plan.ids_sql(current_only=True)
    ranked_by = next((name for name in ("long", "five") if name in plan.matches()), None)
    if ranked_by and _few_matches(conn, ranked_by, params):
        # a cross join keeps the index's scan outermost, so FTS5 sorts by rank itself
        index = INDEX_OF[ranked_by]
        source = f"""(select rowid as id, rank from {index} where {index} match :search_{ranked_by}) ranked
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
    forms = [form for group in plan.groups for form in group]
    documents = _snippet_sources(conn, [r[0] for r in rows], forms, case_sensitive)
    hits = [
        Hit(vid, rid, title, agency, year, status, snippet(documents.get(vid) or "", forms, case_sensitive))
        for vid, rid, title, agency, year, status, _ in rows
    ]
    return SearchPage(terms, total, hits, [form for group in plan.groups for form in group[1:]])


def _snippet_sources(conn: sqlite3.Connection, ids: list[int], forms: list[str], case_sensitive: bool) -> dict:
    """Per version, where its snippet comes from: title, agency and text when they show every form found,
    else the whole document (assembling the tables' cells costs more than reading the text)."""
    marks = [f if case_sensitive else ascii_lower(f) for f in forms]
    sources = {}
    for version_id, title, agency, text in conn.execute(
        f"select id, title, agency, text from {SOURCE} where id in ({','.join('?' * len(ids))})", ids
    ):
        head = "\n".join((title or "", agency or "", text or ""))
        folded = head if case_sensitive else ascii_lower(head)
        sources[version_id] = head if all(m in folded for m in marks) else None
    missing = [i for i, head in sources.items() if head is None]
    sources.update(conn.execute(
        f"select version_id, document from {DOCUMENTS} where version_id in ({','.join('?' * len(missing))})", missing
    ).fetchall())
    return sources


def _few_matches(conn: sqlite3.Connection, name: str, params: dict[str, Any]) -> bool:
    """Whether an index's terms (``name`` as in Plan.matches) occur in fewer than RANK_BELOW versions
    (reads at most that many)."""
    index = INDEX_OF[name]
    probe = f"select 1 from {index} where {index} match :search_{name} limit {RANK_BELOW}"
    return conn.execute(f"select count(*) from ({probe})", params).fetchone()[0] < RANK_BELOW


def _marker(terms: list[str], case_sensitive: bool) -> re.Pattern:
    flags = 0 if case_sensitive else re.IGNORECASE | re.ASCII  # ASCII letters only, as SQLite's lower()
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), flags)


def snippet(text: str, terms: list[str], case_sensitive: bool = False, width: int = 40) -> str:
    """Escaped HTML around the first occurrence of each term, every occurrence wrapped in <mark>."""
    flags = 0 if case_sensitive else re.IGNORECASE | re.ASCII
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
    marker = _marker(terms, case_sensitive)
    pieces = [_mark(text[start:end], marker) for start, end in windows[:3]]
    prefix = "…" if windows and windows[0][0] > 0 else ""
    suffix = "…" if windows and windows[-1][1] < len(text) else ""
    return prefix + " … ".join(pieces) + suffix


class Highlighter:
    """Marks the terms in the pieces of a page, called in page order; the first mark gets ``id="first-hit"``,
    so a link ending in ``#first-hit`` opens the page where the reader's words first occur."""

    FIRST = "first-hit"

    def __init__(self, terms: list[str], case_sensitive: bool = False) -> None:
        self.marker = _marker(terms, case_sensitive) if terms else None
        self.found = False

    def __call__(self, text: str | None) -> str:
        """The text as escaped HTML with the terms in <mark>."""
        if self.marker is None:
            return html.escape(text or "")
        marked = _mark(text or "", self.marker, collapse=False, first_id=None if self.found else self.FIRST)
        self.found = self.found or "<mark" in marked
        return marked


def highlight(text: str, terms: list[str], case_sensitive: bool = False) -> str:
    """The whole text as escaped HTML, every occurrence of the terms in <mark>."""
    return Highlighter(terms, case_sensitive)(text)


def _mark(window: str, marker: re.Pattern, collapse: bool = True, first_id: str | None = None) -> str:
    """Escape the window, wrapping what ``marker`` matches in <mark> (the first with ``first_id``);
    optionally collapse whitespace."""
    def plain(part: str) -> str:
        return _WHITESPACE.sub(" ", html.escape(part)) if collapse else html.escape(part)

    out, last = [], 0
    for found in marker.finditer(window):
        out.append(plain(window[last : found.start()]))
        attribute = f' id="{first_id}"' if first_id else ""
        out.append(f"<mark{attribute}>{html.escape(found.group())}</mark>")
        last, first_id = found.end(), None
    out.append(plain(window[last:]))
    return "".join(out)
