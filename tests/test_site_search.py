"""The search finds exactly what Ctrl-F finds: results over HTTP equal `instr` ground truth, for terms of
every length (Chinese, digits, Latin), several terms together, phrases, and case edge cases."""

from __future__ import annotations

import json
import random
import sqlite3
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from nianbao.archive.search import (
    fivegram_document,
    gram_document,
    in_fivegrams,
    parse_query,
    search,
    snippet,
    term_forms,
)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def ground_truth(db: Path, terms: list[str], table: str = "report_versions") -> set[int]:
    """Ids whose document (what the report page shows) contains every term, or for a traditional term its
    simplified form, by SQLite's own instr (ASCII letters matched without case)."""
    groups = term_forms(terms)
    where = " and ".join("(" + " or ".join(["instr(lower(d.document), lower(?)) > 0"] * len(g)) + ")" for g in groups)
    sql = {
        "report_versions": f"select d.version_id from search_documents d where {where}",
        "reports": f"select r.id from reports r join search_documents d on d.version_id = r.current_version_id "
        f"where {where}",
    }[table if table != "current_reports" else "reports"]
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute(sql, [f for g in groups for f in g])}


def sampled_terms(db: Path) -> list[list[str]]:
    """Substrings of the archive's own documents (text and tables) of 1, 2, 3, 4 and 6 characters, alone and
    combined."""
    rng = random.Random(20260523)
    with sqlite3.connect(db) as conn:
        texts = [t for (t,) in conn.execute("select document from search_documents where length(document) > 50")]
    def pick(length: int) -> str:
        while True:
            text = rng.choice(texts)
            start = rng.randrange(len(text) - length)
            term = text[start : start + length]
            if not any(c.isspace() or c in '"“「『' for c in term):
                return term
    singles = [[pick(n)] for n in (1, 2, 3, 4, 6) for _ in range(8)]
    combos = [[pick(a), pick(b)] for a, b in [(1, 3), (2, 2), (2, 4), (1, 1), (2, 6)] for _ in range(3)]
    return singles + combos + [[pick(2), pick(3), pick(1)]]


HANDPICKED = [
    ["疫情"], ["复议"], ["诉讼"], ["疫情", "复议"], ["的"], ["1"], ["2020"], ["〔2021〕"], ["（一）"],
    ["pdf"], ["PDF"], ["Pdf"], ["5k"], ["street"], ["ſtreet"], ["Émile"], ["émile"], ["ａｂｃ"], ["ＡＢＣ"],
    ["😀"], ["AND"], ["OR"], ["NOT"], ["a*"], ["(一)"], ["-1"], ["col:val"], ["不存在的词语组合"], ["Z"],
    ["结 果 维 持"], ["政府信息公开", "申请"], ["信息", "公开", "工作"],
    ["復議"], ["行政復議", "疫情"], ["社会公益组织"], ["本年废止件数"], ["結 果 維 持"],
]


def as_query(terms: list[str]) -> str:
    return " ".join(f'"{t}"' if any(c.isspace() for c in t) else t for t in terms)


def search_ids(site_url: str, table: str, query: str) -> set[int]:
    column = {"report_versions": "id", "reports": "id", "current_reports": "report_id"}[table]
    url = f"{site_url}/nianbao/{table}.json?" + urllib.parse.urlencode(
        {"_search": query, "_shape": "array", "_col": column, "_size": "max"}
    )
    return {row[column] for row in json.loads(fetch(url))}


def test_query_set_covers_every_length(site_db: Path) -> None:
    lengths = {len(t) for terms in sampled_terms(site_db) + HANDPICKED for t in terms}
    assert {1, 2, 3, 4}.issubset(lengths) and max(lengths) >= 6


@pytest.mark.parametrize("table", ["report_versions", "reports", "current_reports"])
def test_table_search_equals_instr_ground_truth(site_url: str, site_db: Path, table: str) -> None:
    mismatches = []
    nonempty = 0
    for terms in sampled_terms(site_db) + HANDPICKED:
        expected = ground_truth(site_db, terms, table)
        got = search_ids(site_url, table, as_query(terms))
        nonempty += bool(expected)
        if got != expected:
            mismatches.append((terms, sorted(expected - got)[:5], sorted(got - expected)[:5]))
    assert not mismatches
    assert nonempty > 40  # the query set really finds things


def test_chinese_and_digit_terms_match_literal_instr(site_db: Path) -> None:
    """Without Latin letters, ignoring ASCII case changes nothing: the ground truth is literally instr(text, term)."""
    with sqlite3.connect(site_db) as conn:
        for term in ["疫情", "复", "〔2021〕", "2020", "ＡＢＣ"]:
            literal = {r[0] for r in conn.execute("select version_id from search_documents where instr(document, ?) > 0", [term])}
            assert literal == ground_truth(site_db, [term])


def test_short_term_is_not_dropped_from_multi_term_query(site_url: str, site_db: Path) -> None:
    """Datasette's default FTS search would drop 疫情 here and return every report with 政府信息公开."""
    both = search_ids(site_url, "report_versions", "疫情 政府信息公开")
    long_only = search_ids(site_url, "report_versions", "政府信息公开")
    assert both == ground_truth(site_db, ["疫情", "政府信息公开"])
    assert both < long_only


def test_match_case_option_on_search_page(site_url: str) -> None:
    page = fetch(f"{site_url}/-/search?" + urllib.parse.urlencode({"q": "PDF", "case": "1"}))
    assert "<mark>PDF</mark>" in page and "<mark>pdf</mark>" not in page


def test_search_page_counts_ranks_and_highlights(site_url: str, site_db: Path) -> None:
    expected = ground_truth(site_db, ["疫情", "复议"], "reports")
    page = fetch(f"{site_url}/-/search?" + urllib.parse.urlencode({"q": "疫情 复议"}))
    assert f"{len(expected):,} 份报告包含" in page
    assert page.count('class="hit"') == min(20, len(expected))
    assert "<mark>疫情</mark>" in page and "<mark>复议</mark>" in page
    linked = {int(part.split("?")[0]) for part in page.split('href="/report/')[1:]}
    assert linked <= expected


def test_search_page_pages_through_all_results(site_url: str, site_db: Path) -> None:
    expected = ground_truth(site_db, ["的"], "reports")
    seen: set[int] = set()
    for page_no in range(1, len(expected) // 20 + 2):
        page = fetch(f"{site_url}/-/search?" + urllib.parse.urlencode({"q": "的", "page": page_no}))
        seen |= {int(part.split("?")[0]) for part in page.split('<a class="hit" href="/report/')[1:]}
    assert seen == expected


def test_parse_query_terms_and_phrases() -> None:
    assert parse_query('疫情  复议') == ["疫情", "复议"]
    assert parse_query('"结 果 维 持" 2020') == ["结 果 维 持", "2020"]
    assert parse_query("“行政 复议”　诉讼") == ["行政 复议", "诉讼"]  # Chinese quotes, ideographic space
    assert parse_query('"unclosed phrase') == ["unclosed phrase"]
    assert parse_query("   ") == []


def test_snippet_escapes_html_and_marks_every_term() -> None:
    html = snippet("前文<script>疫情</script>防控，复议3件", ["疫情", "复议"])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>疫情</mark>" in html and "<mark>复议</mark>" in html


def test_gram_document_skips_spaces_and_marks_folding_characters() -> None:
    grams = set(gram_document("疫情 防\u212a").split())
    assert {"疫", "疫情", "防", "防\u212a", "#fold"} <= grams
    assert not any(" " in g for g in grams) and "情 " not in grams


def test_fivegram_document_keeps_every_position() -> None:
    """One token per position, so a phrase of 5-grams is a substring; a run over a line break (or another
    character the index cannot hold) is a placeholder no term's 5-gram equals."""
    sqlite = sqlite3.connect(":memory:")
    sqlite.execute("""create virtual table f using fts5(g, content='',
        tokenize="unicode61 remove_diacritics 0 categories 'L* M* N* P* S* Z*'")""")
    sqlite.execute("create virtual table v using fts5vocab(f, instance)")
    text = "政府信息\n公开 17 年度\u200b报告"
    sqlite.execute("insert into f(rowid, g) values (1, ?)", [fivegram_document(text)])
    tokens = [t for t, _, _, _ in sqlite.execute("select term, doc, col, offset from v order by offset")]
    assert len(tokens) == len(text) - 4  # SQLite's tokenizer sees the tokens made, no more, no fewer
    assert tokens[:5] == ["#"] * 5 and tokens[5] == "公开 17" and tokens[-1] == "#"
    assert in_fivegrams("公开 17 年") and not in_fivegrams("信息\n公开") and not in_fivegrams("公开")
    assert fivegram_document("公开") == ""


@pytest.mark.parametrize("term, index, match", [
    ("信息公开", "search_trigram", '"信息公开"'),  # 3-4 characters: by trigrams
    ("政府信息公开", "search_fivegrams", '"政府信息公" + "府信息公开"'),  # 5+: by 5-grams
])
def test_search_page_ranks_long_terms_by_bm25(site_db: Path, term: str, index: str, match: str) -> None:
    """Hits in the order of FTS5's own BM25 over the current versions, page after page."""
    with sqlite3.connect(site_db) as conn:
        expected = [r for (r,) in conn.execute(
            f"""select r.id from {index} join reports r on r.current_version_id = {index}.rowid
               where {index} match ? order by rank""", [match])]
        pages = [search(conn, term, limit=20, offset=o) for o in range(0, len(expected) + 20, 20)]
    assert len(expected) > 40 and all(page.total == len(expected) for page in pages)
    assert [hit.report_id for page in pages for hit in page.hits] == expected


def test_search_page_lists_short_terms_newest_year_first(site_db: Path) -> None:
    with sqlite3.connect(site_db) as conn:
        found = search(conn, "疫情 复议", limit=1000)
        years = {r: y for r, y in conn.execute("select id, coalesce(year, -1) from reports")}
    order = [hit.report_id for hit in found.hits]
    assert len(order) == found.total == len(ground_truth(site_db, ["疫情", "复议"], "reports")) > 1
    assert [years[r] for r in order] == sorted((years[r] for r in order), reverse=True)
