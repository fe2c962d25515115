"""Search benchmark: index build time, size overhead, query latency per query length, against a LIKE scan.

Builds a synthetic archive (real schema through ``open_archive``) whose
reports are recombined paragraphs of the seed reports in ../shared/seeds,
with agency names and numbers varied so rare terms exist, at the seeds'
lengths.  Then indexes it and times queries sampled from the texts.

Last, it times Datasette's table page of ``current_reports`` with the
facets metadata.yml gives it (region, year, template, status, failing checks).

    python -m bench.bench_search             # 100,000 reports (several minutes)
    python -m bench.bench_search -n 2000     # a quick check
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from nianbao.archive.db import open_archive
from nianbao.archive.publish import make_datasette
from nianbao.archive.search import match_sql, rebuild_search_index, search

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
PLACES = ["银川", "中卫", "固原", "吴忠", "石嘴山", "兴庆", "金凤", "西夏", "永宁", "贺兰", "灵武", "沙坡头", "中宁", "海原", "原州", "西吉", "隆德", "泾源", "彭阳", "利通", "红寺堡", "盐池", "同心", "青铜峡", "大武口", "惠农", "平罗"]
OFFICES = ["人民政府办公室", "发展和改革委员会", "教育局", "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水务局", "农业农村局", "商务局", "文化旅游广电局", "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "林业和草原局", "信访局", "退役军人事务局"]
_DIGITS = re.compile(r"\d+")
FACET_PAGES = ["current_reports", "current_reports?year=2020", "current_reports?_search=公开"]


def seed_paragraphs() -> list[str]:
    paragraphs = []
    for path in sorted(SEEDS.glob("*.txt")):
        paragraphs += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return paragraphs


def seed_lengths() -> list[int]:
    return [len(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]


def synthetic_reports(n: int, seed: int = 5) -> Iterator[tuple[str, int, str]]:
    """(agency, year, text) for n reports, each at a seed report's length, numbers varied."""
    rng = random.Random(seed)
    paragraphs, lengths = seed_paragraphs(), seed_lengths()
    for _ in range(n):
        agency = rng.choice(PLACES) + rng.choice(["市", "县", "区"]) + rng.choice(OFFICES)
        year = rng.randint(2014, 2024)
        target = int(rng.choice(lengths) * rng.uniform(0.6, 1.2))
        parts = [f"{agency}{year}年政府信息公开工作年度报告"]
        size = len(parts[0])
        while size < target:
            paragraph = rng.choice(paragraphs)
            if rng.random() < 0.5:
                paragraph = _DIGITS.sub(lambda m: str(rng.randint(0, 10 ** len(m.group()) - 1)), paragraph)
            parts.append(paragraph)
            size += len(paragraph)
        yield agency, year, "\n\n".join(parts)


def insert_reports(db, rows: Iterable[tuple[str, int, str]], portal_id: str) -> None:
    """(agency, year, text) rows as reports with one version each, straight into the real schema."""
    report_id = (db.execute("select max(id) from reports").fetchone()[0] or 0) + 1
    version_id = (db.execute("select max(id) from report_versions").fetchone()[0] or 0) + 1
    with db.conn:
        for n, (agency, year, text) in enumerate(rows):
            title = text.split("\n", 1)[0][:80]
            db.execute(
                "insert into reports (id, portal_id, url, title, agency, year, status, current_version_id) "
                "values (?, ?, ?, ?, ?, ?, 'active', ?)",
                [report_id + n, portal_id, f"http://{portal_id}.invalid/{report_id + n}", title, agency, year,
                 version_id + n],
            )
            db.execute(
                "insert into report_versions (id, report_id, version_no, title, agency, year, text) "
                "values (?, ?, 1, ?, ?, ?, ?)",
                [version_id + n, report_id + n, title, agency, year, text],
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


def facet_page_times(db_path: Path, repeats: int) -> dict[str, list[float]]:
    """Milliseconds per FACET_PAGES page, served in-process by the site's own Datasette (settings, metadata)."""
    async def run(link: Path) -> dict[str, list[float]]:
        datasette = make_datasette(link)
        await datasette.invoke_startup()
        times: dict[str, list[float]] = {}
        for page in FACET_PAGES:
            await datasette.client.get(f"/nianbao/{page}")  # warm the cache
            for _ in range(repeats):
                started = time.perf_counter()
                response = await datasette.client.get(f"/nianbao/{page}")
                times.setdefault(page, []).append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (page, response.status_code)
        return times

    with tempfile.TemporaryDirectory() as tmp:
        link = Path(tmp) / "nianbao.db"  # the name metadata.yml describes
        link.symlink_to(db_path.resolve())
        return asyncio.run(run(link))


def sample_queries(conn: sqlite3.Connection, per_length: int, seed: int = 7) -> dict[str, list[str]]:
    """Substrings of random reports, per length, plus two-term queries and a few absent strings."""
    rng = random.Random(seed)
    max_id = conn.execute("select max(id) from report_versions").fetchone()[0]
    texts = [
        conn.execute("select text from report_versions where id = ?", [rng.randint(1, max_id)]).fetchone()[0]
        for _ in range(per_length)
    ]
    def pick(text: str, length: int) -> str:
        for _ in range(50):
            start = rng.randrange(0, max(1, len(text) - length))
            term = text[start : start + length]
            if len(term) == length and not any(c.isspace() or c == '"' for c in term):
                return term
        return text[:length]
    queries = {f"{k} chars": [pick(t, k) for t in texts] for k in (1, 2, 3, 4, 8)}
    queries["2 terms (2+4)"] = [f"{pick(t, 2)} {pick(t, 4)}" for t in texts]
    queries["absent"] = [f"不存在词{i}" for i in range(per_length)]
    return queries


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


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
    text_bytes = conn.execute("select sum(length(cast(text as blob))) from report_versions").fetchone()[0]
    print(f"archive: {n:,} reports, {text_bytes / 1e6:,.0f} MB of text, built in {time.perf_counter() - started:.0f} s")
    build_s = timed(lambda: rebuild_search_index(conn)) / 1000
    conn.execute("vacuum")
    size_after = out.stat().st_size
    print(f"index build: {build_s:.1f} s ({n / build_s:,.0f} reports/s)")
    print(
        f"database: {size_before / 1e6:,.0f} MB -> {size_after / 1e6:,.0f} MB "
        f"(+{(size_after - size_before) / 1e6:,.0f} MB, x{size_after / size_before:.2f}; "
        f"index / text = {(size_after - size_before) / text_bytes:.2f})"
    )
    return conn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="number of reports (default 100,000)")
    parser.add_argument("--queries", type=int, default=30, help="queries per length")
    parser.add_argument("--like", type=int, default=5, help="LIKE scans per length (they are slow)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "_out" / "search.db")
    parser.add_argument("--reuse", action="store_true", help="query an archive built and indexed by an earlier run")
    parser.add_argument("--pages", type=int, default=10, help="requests per table page timed")
    args = parser.parse_args()
    if args.reuse:
        open_archive(args.out).conn.close()  # today's schema and indexes on the earlier archive
        conn = sqlite3.connect(args.out)
        print(f"reusing {args.out}: {conn.execute('select count(*) from reports').fetchone()[0]:,} reports")
    else:
        conn = build_and_index(args.out, args.n)
    vary_facet_columns(conn)
    print()
    print(f"{'query':<14} {'ids p50':>8} {'ids p95':>8} {'page p50':>9} {'page p95':>9} {'LIKE p50':>9} {'hits med':>9}")
    for label, queries in sample_queries(conn, args.queries).items():
        id_times, page_times, counts = [], [], []
        for q in queries:
            sql, params = match_sql(q)
            id_times.append(timed(lambda: counts.append(len(conn.execute(sql, params).fetchall()))))
            page_times.append(timed(lambda: search(conn, q)))
        like_times = [
            timed(lambda: conn.execute(
                "select count(*) from report_versions where " + " and ".join(["text like ?"] * len(q.split())),
                [f"%{t}%" for t in q.split()],
            ).fetchone())
            for q in queries[: args.like]
        ]
        print(
            f"{label:<14} {percentile(id_times, 50):8.1f} {percentile(id_times, 95):8.1f} "
            f"{percentile(page_times, 50):9.1f} {percentile(page_times, 95):9.1f} "
            f"{statistics.median(like_times):9.1f} {statistics.median(counts):9,.0f}"
        )
    print("\nms; ids = the set of matching versions (what ?_search= filters on); page = search page: count, "
          "ranked top 20, snippets; LIKE = a plain scan for the same terms")
    conn.close()
    print(f"\n{'table page with facets':<40} {'p50':>7} {'p95':>7}")
    for page, times in facet_page_times(args.out, args.pages).items():
        print(f"{page:<40} {percentile(times, 50):7.0f} {percentile(times, 95):7.0f}")
    print("ms; Datasette's page with the facets metadata.yml sets, as a browser gets it")


if __name__ == "__main__":
    main()
