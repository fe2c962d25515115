"""Search benchmark: latency per kind of query, every result checked against ``instr``, against two anchors.

The archive is synthetic but made of real report material: paragraphs of
the seed reports, the real 洪泽区 PDFs and the mirror's sample reports
(some paragraphs in most reports, most in few, as boilerplate and
particulars are), with the tables of a real report (numbers varied), so
table cells are searched as on the site.

Queries are drawn from that real vocabulary (Chinese characters only) and
sorted into kinds by how many reports contain them (measured on a sample):
rare, medium and common terms of 1, 2, 3–4 and 5+ characters; two and three
terms mixing common and rare; quoted phrases with punctuation or spaces; a
traditional-character form (searched with its simplified one); absent
terms.  Every result set — the matching versions and the search page's
count and hits — is compared with an ``instr`` ground truth over
``search_documents`` in the same run; a mismatch stops the bench.

Anchors, timed in the same run: a plain FTS5 trigram ``MATCH`` for the same
terms (three characters or more only), and an ``instr`` scan over the same
documents materialized as a table (what a search without an index reads).
Last, Datasette's ``current_reports`` page with its metadata facets,
without and with a search.

    python -m bench.bench_search -n 2000            # a quick check
    nice python -m bench.bench_search -n 100000     # the target size (builds for a long while)
    python -m bench.bench_search --reuse            # query an archive built by an earlier run
    python -m bench.bench_search --reuse --pages-only   # the faceted table pages only
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import re
import sqlite3
import statistics
import tempfile
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path

import opencc

from nianbao.archive.db import open_archive
from nianbao.archive.publish import make_datasette
from nianbao.archive.search import match_sql, rebuild_search_index, search

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MIRROR_REPORTS = REPO / "tools" / "mirror" / "reports"
PLACES = ["银川", "中卫", "固原", "吴忠", "石嘴山", "兴庆", "金凤", "西夏", "永宁", "贺兰", "灵武", "沙坡头", "中宁", "海原", "原州", "西吉", "隆德", "泾源", "彭阳", "利通", "红寺堡", "盐池", "同心", "青铜峡", "大武口", "惠农", "平罗"]
OFFICES = ["人民政府办公室", "发展和改革委员会", "教育局", "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水务局", "农业农村局", "商务局", "文化旅游广电局", "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "林业和草原局", "信访局", "退役军人事务局"]
_DIGITS = re.compile(r"\d+")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
RARE, COMMON = 0.01, 0.4
PARTICULAR = 0.003  # the share of reports a particular paragraph is in  # share of reports: rare at most 1%, common at least 40%, medium in between
FACET_PAGES = ["current_reports", "current_reports?year=2020", "current_reports?_search=公开",
               "current_reports?_search=行政复议", "current_reports?_search=复议+社会公益组织"]


# --- real material and the synthetic archive ----------------------------------------------------------------


@dataclass
class Material:
    paragraphs: list[str]
    tables: list[list[dict]]  # per real report: its tables as the parser read them (title, rows)


@lru_cache(maxsize=1)
def real_material() -> Material:
    """Paragraphs and tables of the real reports: the seeds and the 洪泽区 PDFs (through the real parser),
    and the paragraphs of the mirror's sample reports."""
    from nianbao.parsers import parse_path

    paragraphs, tables = [], []
    for path in sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "samples").glob("*.pdf")):
        result = parse_path(path)
        tables.append([{"title": t.get("title"), "rows": t.get("rows", [])} for t in result.tables])
        for section in result.sections:
            paragraphs += [p.strip() for p in (section.get("text") or "").split("\n") if len(p.strip()) > 8]
    for path in sorted(MIRROR_REPORTS.glob("*.json")):
        for section in json.loads(path.read_text(encoding="utf-8"))["sections"]:
            paragraphs += [p for p in section["paragraphs"] if len(p) > 8]
    return Material(list(dict.fromkeys(paragraphs)), tables)


@dataclass
class SyntheticReport:
    agency: str
    year: int
    text: str
    tables: list[dict] = field(default_factory=list)


def _vary_digits(text: str, rng: random.Random) -> str:
    return _DIGITS.sub(lambda m: str(rng.randint(0, 10 ** len(m.group()) - 1)), text)


def particular(paragraphs: list[str]) -> list[bool]:
    """Per paragraph: whether it has a Chinese character that no other real paragraph has (a name, a place,
    a project: the particulars of one report, where boilerplate is shared by all)."""
    seen_in: dict[str, int] = {}
    for paragraph in paragraphs:
        for char in set("".join(_HAN.findall(paragraph))):
            seen_in[char] = seen_in.get(char, 0) + 1
    return [any(seen_in[c] == 1 for c in set("".join(_HAN.findall(p)))) for p in paragraphs]


def synthetic_reports(n: int, seed: int = 5) -> Iterator[SyntheticReport]:
    """n reports at a real report's length: shared paragraphs drawn with Zipf weights (a few in most reports),
    each particular paragraph in PARTICULAR of the reports, a real report's tables; numbers varied in half of
    the paragraphs and tables."""
    rng = random.Random(seed)
    material = real_material()
    shared = [p for p, own in zip(material.paragraphs, particular(material.paragraphs)) if not own]
    particulars = [p for p, own in zip(material.paragraphs, particular(material.paragraphs)) if own]
    rng.shuffle(shared)
    weights = [1 / (rank + 1) for rank in range(len(shared))]
    lengths = [len(p.read_text(encoding="utf-8")) for p in sorted((SHARED / "seeds").glob("*.txt"))]
    for _ in range(n):
        agency = rng.choice(PLACES) + rng.choice(["市", "县", "区"]) + rng.choice(OFFICES)
        year = rng.randint(2014, 2024)
        target = int(rng.choice(lengths) * rng.uniform(0.6, 1.2))
        parts = [f"{agency}{year}年政府信息公开工作年度报告"]
        parts += [p for p in particulars if rng.random() < PARTICULAR]
        size = sum(map(len, parts))
        while size < target:
            paragraph = rng.choices(shared, weights)[0]
            parts.append(_vary_digits(paragraph, rng) if rng.random() < 0.5 else paragraph)
            size += len(parts[-1])
        vary = rng.random() < 0.5
        tables = [
            {"title": t["title"], "rows": [[_vary_digits(c, rng) if vary else c for c in row] for row in t["rows"]]}
            for t in rng.choice(material.tables)
        ]
        yield SyntheticReport(agency, year, "\n\n".join(parts), tables)


def insert_reports(db, reports: Iterable[SyntheticReport], portal_id: str) -> None:
    """Reports with one version each (and its tables), straight into the real schema."""
    report_id = (db.execute("select max(id) from reports").fetchone()[0] or 0) + 1
    version_id = (db.execute("select max(id) from report_versions").fetchone()[0] or 0) + 1
    with db.conn:
        for n, report in enumerate(reports):
            title = report.text.split("\n", 1)[0][:80]
            db.execute(
                "insert into reports (id, portal_id, url, title, agency, year, status, current_version_id) "
                "values (?, ?, ?, ?, ?, ?, 'active', ?)",
                [report_id + n, portal_id, f"http://{portal_id}.invalid/{report_id + n}", title, report.agency,
                 report.year, version_id + n],
            )
            db.execute(
                "insert into report_versions (id, report_id, version_no, title, agency, year, text) "
                "values (?, ?, 1, ?, ?, ?, ?)",
                [version_id + n, report_id + n, title, report.agency, report.year, report.text],
            )
            db.conn.executemany(
                "insert into raw_tables (version_id, table_index, title, rows) values (?, ?, ?, ?)",
                [(version_id + n, i, t["title"], json.dumps(t["rows"], ensure_ascii=False))
                 for i, t in enumerate(report.tables)],
            )


def build_archive(path: Path, n: int, batch: int = 2000) -> None:
    """A real-schema archive with n synthetic reports, no search index yet."""
    db = open_archive(path)
    db["portals"].insert({"id": "bench", "name": "bench", "province": "宁夏"}, pk="id", replace=True)
    reports = synthetic_reports(n)
    for _ in range(0, n, batch):
        insert_reports(db, islice(reports, batch), "bench")
    db.conn.close()


def vary_facet_columns(conn: sqlite3.Connection) -> None:
    """A portal per place and varied templates and failing checks on reports, so facets have values to count.

    Only rows still without a template change, so an archive built by an earlier run gets them too.
    """
    levels = ["市", "县", "区"]
    with conn:
        conn.executemany(
            "insert or ignore into portals (id, name, province, city, level) values (?, ?, '宁夏回族自治区', ?, ?)",
            [(f"bench-{i}", place, place, levels[i % 3]) for i, place in enumerate(PLACES)],
        )
        conn.execute(
            f"""update reports set portal_id = 'bench-' || (id % {len(PLACES)}),
                template = case id % 3 when 0 then '2019' when 1 then '2021' else 'legacy' end,
                failed_checks = case when id % 7 = 0 then 1 + id % 3 else 0 end
            where template is null"""
        )


def build_and_index(out: Path, n: int) -> sqlite3.Connection:
    """Build the archive, index it, and print time and size."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    build_archive(out, n)
    conn = sqlite3.connect(out)
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.execute("vacuum")
    size_before = out.stat().st_size
    shown = conn.execute("select sum(length(cast(document as blob))) from search_documents").fetchone()[0]
    print(f"archive: {n:,} reports, {shown / 1e6:,.0f} MB of searchable words (text and tables), "
          f"built in {time.perf_counter() - started:.0f} s")
    build_s = timed(lambda: rebuild_search_index(conn)) / 1000
    conn.execute("vacuum")
    size_after = out.stat().st_size
    print(f"index build: {build_s:.1f} s ({n / build_s:,.0f} reports/s)")
    print(
        f"database: {size_before / 1e6:,.0f} MB -> {size_after / 1e6:,.0f} MB "
        f"(+{(size_after - size_before) / 1e6:,.0f} MB, x{size_after / size_before:.2f}; "
        f"index / searchable words = {(size_after - size_before) / shown:.2f})"
    )
    return conn


# --- queries from the real vocabulary ----------------------------------------------------------------------


LENGTHS = {"1": (1, 1), "2": (2, 2), "3-4": (3, 4), "5+": (5, 8)}


def vocabulary(rng: random.Random, per_length: int = 1500) -> dict[str, list[str]]:
    """Distinct runs of Chinese characters from the real material (text and table cells), per length class."""
    material = real_material()
    runs = [r for p in material.paragraphs for r in _HAN.findall(p)]
    runs += [r for tables in material.tables for t in tables for row in t["rows"] for c in row for r in _HAN.findall(c)]
    found: dict[str, list[str]] = {}
    for name, (low, high) in LENGTHS.items():
        terms = {run[i : i + k] for run in runs for k in range(low, high + 1) for i in range(len(run) - k + 1)}
        found[name] = rng.sample(sorted(terms), min(per_length, len(terms)))
    return found


def share_in(sample: list[str], term: str) -> float:
    return sum(term in doc for doc in sample) / len(sample)


def sample_queries(conn: sqlite3.Connection, per_kind: int, seed: int = 7) -> dict[str, list[str]]:
    """Queries per kind, sorted by the share of a random sample of 2,000 reports that contain them."""
    rng = random.Random(seed)
    ids = [r for (r,) in conn.execute("select id from report_versions")]
    sample = [d for (d,) in conn.execute(
        f"select document from search_documents where version_id in ({','.join(map(str, rng.sample(ids, min(2000, len(ids)))))})"
    )]
    kinds: dict[str, list[str]] = {}
    by_share: dict[str, list[str]] = {}
    for name, terms in vocabulary(rng).items():
        for term in terms:
            share = share_in(sample, term)
            rank = "rare" if 0 < share <= RARE else "common" if share >= COMMON else "medium" if share > RARE else None
            if rank:
                by_share.setdefault(f"{rank} {name}", []).append(term)
    for length in LENGTHS:
        for rank in ("rare", "medium", "common"):
            pool = by_share.get(f"{rank} {length}", [])
            kinds[f"{rank} {length} char"] = rng.sample(pool, min(per_kind, len(pool)))
    rare = by_share.get("rare 2", []) + by_share.get("rare 3-4", []) + by_share.get("rare 5+", [])
    common = by_share.get("common 1", []) + by_share.get("common 2", []) + by_share.get("common 3-4", [])
    medium = by_share.get("medium 2", []) + by_share.get("medium 3-4", [])
    kinds["2 terms common+rare"] = [f"{rng.choice(common)} {rng.choice(rare)}" for _ in range(per_kind)]
    kinds["3 terms common+medium+rare"] = [
        f"{rng.choice(common)} {rng.choice(medium)} {rng.choice(rare)}" for _ in range(per_kind)
    ]
    kinds["2 terms common+common"] = [f"{rng.choice(common)} {rng.choice(common)}" for _ in range(per_kind)]
    kinds["quoted phrase"] = [f'"{p}"' for p in phrases(sample, rng, per_kind)]
    to_traditional = opencc.OpenCC("s2t")
    traditional = [t for t in (to_traditional.convert(m) for m in medium) if t not in medium]
    kinds["traditional form"] = rng.sample(traditional, min(per_kind, len(traditional)))
    kinds["absent"] = absent_terms(sample, rng, per_kind, rare + medium)
    return kinds


def phrases(sample: list[str], rng: random.Random, count: int) -> list[str]:
    """Runs of 4-12 characters of the reports with punctuation or a space inside, as a reader quotes them."""
    found = []
    while len(found) < count:
        doc = rng.choice(sample)
        start = rng.randrange(max(1, len(doc) - 12))
        phrase = doc[start : start + rng.randint(4, 12)]
        if re.search(r"[\s（），、：。]", phrase[1:-1]) and _HAN.search(phrase) and not re.search(r'["\n]', phrase):
            found.append(phrase.strip())
    return found


def absent_terms(sample: list[str], rng: random.Random, count: int, words: list[str]) -> list[str]:
    """Two real words run together that no sampled report contains (the ground truth says if any report does)."""
    found: list[str] = []
    while len(found) < count:
        term = rng.choice(words) + rng.choice(words)
        if share_in(sample, term) == 0:
            found.append(term)
    return found


# --- ground truth, timing ----------------------------------------------------------------------------------


def ground_truth(conn: sqlite3.Connection, queries: Iterable[str]) -> dict[str, set[int]]:
    """For every query, the versions whose document contains every term (any form): one pass over the
    documents, testing each form by substring containment (Python's ``in``: what ``instr(…) > 0`` tests;
    the queries are Chinese and digits, where lower() changes nothing).  The instr scans timed as the anchor
    check their own results against it too."""
    from nianbao.archive.search import parse_query, term_forms

    groups = {q: term_forms(parse_query(q)) for q in queries}
    forms = sorted({f for gs in groups.values() for g in gs for f in g})
    contains: dict[str, set[int]] = {form: set() for form in forms}
    chars = {form: set(form) for form in forms}
    for version_id, document in conn.execute("select version_id, document from search_documents"):
        present = set(document)
        for form in forms:
            if chars[form] <= present and form in document:  # the set test only skips what cannot be there
                contains[form].add(version_id)
    return {
        query: set.intersection(*(set().union(*(contains[f] for f in g)) for g in gs)) for query, gs in groups.items()
    }


def load_or_compute_truth(conn: sqlite3.Connection, queries: list[str], path: Path | None) -> dict[str, set[int]]:
    """The ground truth, from ``path`` when an earlier run (``--truth-only``, e.g. while the index was being
    built) saved it for these very queries, else computed and saved there."""
    if path and path.exists():
        saved = json.loads(path.read_text(encoding="utf-8"))
        if sorted(saved) == sorted(queries):
            print(f"ground truth: {len(queries)} queries, read from {path}")
            return {q: _from_bitmap(h) for q, h in saved.items()}
    started = time.perf_counter()
    truth = ground_truth(conn, queries)
    n = conn.execute("select count(*) from report_versions").fetchone()[0]
    print(f"ground truth: {len(queries)} queries over {n:,} documents, {time.perf_counter() - started:.0f} s")
    if path:
        path.write_text(json.dumps({q: _to_bitmap(ids) for q, ids in truth.items()}), encoding="utf-8")
    return truth


def _to_bitmap(ids: set[int]) -> str:
    bits = bytearray((max(ids, default=0) >> 3) + 1)
    for i in ids:
        bits[i >> 3] |= 1 << (i & 7)
    return bits.hex()


def _from_bitmap(text: str) -> set[int]:
    return {(n << 3) + b for n, byte in enumerate(bytes.fromhex(text)) if byte for b in range(8) if byte >> b & 1}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def trigram_anchor(conn: sqlite3.Connection, query: str) -> float | None:
    """A plain FTS5 trigram MATCH for the query's terms; None when a term is too short for trigrams."""
    from nianbao.archive.search import parse_query

    terms = parse_query(query)
    if any(len(t) < 3 for t in terms):
        return None
    match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
    return timed(lambda: conn.execute("select rowid from search_trigram where search_trigram match ?", [match]).fetchall())


def instr_anchor(conn: sqlite3.Connection, query: str, expected: set[int]) -> float:
    """An instr scan of search_documents for the query's terms (what a search without an index costs),
    its result checked against the ground truth."""
    from nianbao.archive.search import parse_query, term_forms

    groups = term_forms(parse_query(query))
    where = " and ".join("(" + " or ".join(["instr(document, ?) > 0"] * len(g)) + ")" for g in groups)
    found: list[set[int]] = []
    sql = f"select version_id from search_documents where {where}"
    elapsed = timed(lambda: found.append({r[0] for r in conn.execute(sql, [f for g in groups for f in g])}))
    if found[0] != expected:
        raise SystemExit(f"WRONG ground truth for {query!r}: instr finds {len(found[0])}, expected {len(expected)}")
    return elapsed


@dataclass
class KindResult:
    ids: list[float] = field(default_factory=list)
    ids_cpu: list[float] = field(default_factory=list)  # CPU of this thread: blind to other processes' load
    page: list[float] = field(default_factory=list)
    page_cpu: list[float] = field(default_factory=list)  # CPU of this thread (SQLite runs in it): blind to load
    trigram: list[float] = field(default_factory=list)
    instr: list[float] = field(default_factory=list)
    hits: list[int] = field(default_factory=list)


def run_kind(conn: sqlite3.Connection, queries: list[str], truth: dict[str, set[int]], instr_runs: int) -> KindResult:
    """Time every query (matching set, then search page) and check both against the ground truth."""
    out = KindResult()
    for n, q in enumerate(queries):
        sql, params = match_sql(q)
        found: list[set[int]] = []
        cpu = time.thread_time()
        out.ids.append(timed(lambda: found.append({r[0] for r in conn.execute(sql, params)})))
        out.ids_cpu.append((time.thread_time() - cpu) * 1000)
        pages = []
        cpu = time.thread_time()
        out.page.append(timed(lambda: pages.append(search(conn, q))))
        out.page_cpu.append((time.thread_time() - cpu) * 1000)
        expected = truth[q]
        if found[0] != expected:
            raise SystemExit(f"WRONG matching set for {q!r}: {len(found[0])} found, {len(expected)} expected")
        page = pages[0]
        if page.total != len(expected) or not {h.version_id for h in page.hits} <= expected:
            raise SystemExit(f"WRONG search page for {q!r}: total {page.total}, expected {len(expected)}")
        out.hits.append(len(expected))
        anchor = trigram_anchor(conn, q)
        if anchor is not None:
            out.trigram.append(anchor)
        if n < instr_runs:
            out.instr.append(instr_anchor(conn, q, expected))
    return out


def facet_page_times(db_path: Path, repeats: int) -> dict[str, tuple[list[float], list[float]]]:
    """Milliseconds (wall, and CPU of the whole process: every worker thread) per FACET_PAGES page, served
    in-process by the site's own Datasette (settings, metadata): the first request (a search not computed
    yet on any connection), then ``repeats`` more."""
    async def run(link: Path) -> dict[str, tuple[list[float], list[float]]]:
        datasette = make_datasette(link)
        await datasette.invoke_startup()
        await datasette.client.get("/nianbao/portals")  # Datasette's own first-request work, not the pages'
        times: dict[str, tuple[list[float], list[float]]] = {}
        for page in FACET_PAGES:
            wall, cpu = times.setdefault(page, ([], []))
            for _ in range(1 + repeats):
                started, cpu_started = time.perf_counter(), time.process_time()
                response = await datasette.client.get(f"/nianbao/{page}")
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
                assert response.status_code == 200, (page, response.status_code)
            shown = await datasette.client.get(f"/nianbao/{page.replace('current_reports', 'current_reports.json', 1)}")
            check_facet_page(db_path, page, shown.json())
        return times

    with tempfile.TemporaryDirectory() as tmp:
        link = Path(tmp) / "nianbao.db"  # the name metadata.yml describes
        link.symlink_to(db_path.resolve())
        return asyncio.run(run(link))


def check_facet_page(db_path: Path, page: str, shown: dict) -> None:
    """The page's count and each facet's counts equal the same question asked of SQLite directly."""
    args = dict(urllib.parse.parse_qsl(page.partition("?")[2]))
    found = match_sql(args.pop("_search", ""))
    where = [f"{column} = :{column}" for column in args]  # year=2020
    if found:
        where.append(f"report_id in (select id from reports where current_version_id in ({found[0]}))")
    sql = "from current_reports where " + " and ".join(where or ["1"])
    params = args | (found[1] if found else {})
    with sqlite3.connect(db_path) as conn:
        expected = conn.execute(f"select count(*) {sql}", params).fetchone()[0]
        if shown["filtered_table_rows_count"] != expected:
            raise SystemExit(f"WRONG count on {page}: {shown['filtered_table_rows_count']}, expected {expected}")
        for name, facet in shown["facet_results"].items():
            counts = dict(conn.execute(f"select {name}, count(*) {sql} and {name} is not null group by 1", params))
            if {r["value"]: r["count"] for r in facet["results"]} != counts:
                raise SystemExit(f"WRONG facet {name} on {page}")


def conditions() -> str:
    load = os.getloadavg()
    return f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="number of reports (default 100,000)")
    parser.add_argument("--queries", type=int, default=60, help="queries per kind (p95 of 60 is the 4th-worst)")
    parser.add_argument("--instr", type=int, default=3, help="instr scans per kind (they are slow)")
    parser.add_argument("--instr-every", type=int, default=1, help="time instr scans for every k-th kind only")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "_out" / "search.db")
    parser.add_argument("--reuse", action="store_true", help="query an archive built and indexed by an earlier run")
    parser.add_argument("--pages", type=int, default=10, help="requests per table page timed")
    parser.add_argument("--truth", type=Path, help="save the ground truth here, or read it if saved for these queries")
    parser.add_argument("--truth-only", action="store_true", help="stop once the ground truth is saved")
    parser.add_argument("--pages-only", action="store_true", help="with --reuse: time the table pages only")
    args = parser.parse_args()
    if args.pages_only:
        print(f"start: {conditions()}")
        table_pages(args.out, args.pages)
        return
    print(f"start: {conditions()}")
    if args.reuse:
        if not args.truth_only:  # which only reads, so it can run while another process indexes
            open_archive(args.out).conn.close()  # today's schema and indexes on the earlier archive
        conn = sqlite3.connect(args.out)
        print(f"reusing {args.out}: {conn.execute('select count(*) from reports').fetchone()[0]:,} reports")
    else:
        conn = build_and_index(args.out, args.n)
    if not args.truth_only:
        vary_facet_columns(conn)
    n = conn.execute("select count(*) from reports").fetchone()[0]
    kinds = sample_queries(conn, args.queries)
    truth = load_or_compute_truth(conn, [q for qs in kinds.values() for q in qs], args.truth)
    if args.truth_only:
        return
    # The ground truth is millions of ints; left to the garbage collector, its full passes land inside
    # the timings (~1 s each at 100,000 reports), which a server holds no such thing to cause.
    gc.collect()
    gc.freeze()
    cpu, wall = time.process_time(), time.perf_counter()
    print(f"\n{'kind':<28} {'n':>3} {'hits med':>9} {'ids p50':>8} {'ids p95':>8} {'ids cpu p95':>12} {'page p50':>9}"
          f" {'page p95':>9} {'page cpu p95':>13} {'ids/trigram':>12} {'ids/instr':>10}")
    for k, (label, queries) in enumerate(kinds.items()):
        if not queries:
            print(f"{label:<28}   0  (no such term in this archive's vocabulary)")
            continue
        r = run_kind(conn, queries, truth, args.instr if k % args.instr_every == 0 else 0)
        trigram = f"{statistics.median(r.ids) / statistics.median(r.trigram):11.2f}x" if r.trigram else f"{'—':>12}"
        instr = f"{statistics.median(r.ids) / statistics.median(r.instr):9.4f}x" if r.instr else f"{'—':>10}"
        print(
            f"{label:<28} {len(queries):3} {statistics.median(r.hits):9,.0f} {percentile(r.ids, 50):8.1f} "
            f"{percentile(r.ids, 95):8.1f} {percentile(r.ids_cpu, 95):12.1f} {percentile(r.page, 50):9.1f} "
            f"{percentile(r.page, 95):9.1f} "
            f"{percentile(r.page_cpu, 95):13.1f} {trigram} {instr}"
        )
    print(f"\nms; every result equal to the instr ground truth. ids = the set of matching versions (what "
          f"?_search= filters on), wall and CPU; page = the search page (count, top 20, snippets), wall and CPU; hits med = median matching "
          f"reports of {n:,}; ratios of medians: the index against a plain trigram MATCH of the same terms (3+ "
          f"characters only) and against an instr scan of search_documents (the search without its index). "
          f"CPU {time.process_time() - cpu:.0f} s / wall {time.perf_counter() - wall:.0f} s; {conditions()}")
    conn.close()
    table_pages(args.out, args.pages)


def table_pages(db_path: Path, repeats: int) -> None:
    print(f"\n{'table page with facets':<44} {'first':>7} {'p50':>7} {'p95':>7} {'cpu first':>10} {'cpu p50':>8}")
    for page, (wall, cpu) in facet_page_times(db_path, repeats).items():
        print(f"{page:<44} {wall[0]:7.0f} {percentile(wall[1:], 50):7.0f} {percentile(wall[1:], 95):7.0f}"
              f" {cpu[0]:10.0f} {percentile(cpu[1:], 50):8.0f}")
    print(f"ms; Datasette's page with the facets metadata.yml sets, as a browser gets it, every count checked: the "
          f"first request, then p50/p95 of {repeats} more (a search is computed once per worker connection, "
          f"then reused); wall, and CPU of all the server's threads; {conditions()}")


if __name__ == "__main__":
    main()
