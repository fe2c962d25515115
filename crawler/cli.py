"""``nianbao crawl``, ``nianbao portals``, ``nianbao discover`` and ``nianbao mirror``."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

import click
import yaml

from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH, Portal, RegistryError, load_registry, select_portals


def _settings_pairs(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}")
        pairs[name] = setting
    return pairs


@click.command()
@click.option("--db", "db_path", default="nianbao.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--portal", "portal_ids", multiple=True, help="Only these portal ids (repeatable); default all.")
@click.option("--registry", type=click.Path(exists=True, dir_okay=False), envvar="NIANBAO_REGISTRY",
              help="A portal registry file instead of the bundled crawler/portals.yml.")
@click.option("--proxy", help="HTTP proxy for every request, e.g. the mirror: http://127.0.0.1:8642")
@click.option("--revalidate", is_flag=True, help="Send no If-None-Match/If-Modified-Since and use no cached robots.txt or list page: fetch everything again.")
@click.option("--progress", is_flag=True, help="Print one line per archived report on stderr.")
@click.option("--capture-log", type=click.Path(dir_okay=False), help="Also write one JSON line per report capture.")
@click.option("-s", "--set", "overrides", multiple=True, callback=_settings_pairs, metavar="NAME=VALUE",
              help="A Scrapy setting, e.g. -s AUTOTHROTTLE_ENABLED=0 (repeatable).")
def crawl(
    db_path: str, portal_ids: tuple[str, ...], registry: str | None, proxy: str | None, revalidate: bool, progress: bool, capture_log: str | None,
    overrides: dict[str, str],
) -> None:
    """Crawl the portals of crawler/portals.yml into the archive.

    Exit status: 0 all portals crawled, 1 some portal failed (the others are archived), 2 nothing could be
    done (docs/operators.md).
    """
    from nianbao.crawler.outcome import run_exit_status, suspect_portals
    from nianbao.crawler.run import run_crawl

    try:
        select_portals(portal_ids, registry)
    except RegistryError as e:
        raise click.UsageError(str(e)) from e  # exit status 2: nothing could be done
    extra = {"NIANBAO_REVALIDATE": revalidate, "NIANBAO_CAPTURE_LOG": capture_log,
             "NIANBAO_PROGRESS": progress, "NIANBAO_REGISTRY": registry} | overrides
    stats = run_crawl(db_path, portal_ids, proxy, extra)
    not_due = stats.get("nianbao/reports_not_due", 0)
    click.echo(
        f"{stats.get('item_scraped_count', 0) - not_due} report captures, {not_due} known reports listed and not "
        f"due for a revisit, {stats.get('downloader/response_count', 0)} responses, "
        f"{stats.get('nianbao/skipped_articles', 0)} non-report articles skipped, "
        f"{stats.get('nianbao/paging_stopped', 0)} lists paged only as deep as something new -> {db_path}"
    )
    status, failures = run_exit_status(db_path, stats.get("nianbao/run_id"))
    for failure in failures:
        click.echo(f"failed: {failure}", err=True)
    for suspect in suspect_portals(db_path, stats.get("nianbao/run_id")):
        click.echo(f"suspect: {suspect}", err=True)
    raise SystemExit(status)


@click.command(short_help="The registry's portals; --health: their last outcome.")
@click.option("--registry", type=click.Path(exists=True, dir_okay=False), envvar="NIANBAO_REGISTRY",
              help="A portal registry file instead of the bundled crawler/portals.yml.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per entry (id, name, family, region code, evidence …).")
@click.option("--health", is_flag=True, help="Each crawled portal's last outcome (blocked, failed, suspect, ok), worst first.")
@click.option("--db", "db_path", default="nianbao.db", show_default=True, type=click.Path(dir_okay=False),
              help="The archive whose runs --health reads.")
def portals(registry: str | None, as_json: bool, health: bool, db_path: str) -> None:
    """List the portals of the registry (crawler/portals.yml), or with --health how their last crawl went."""
    if health:
        _health(db_path, as_json)
        return
    entries = load_registry(registry).values()
    if as_json:
        for p in entries:
            click.echo(json.dumps(portal_json(p), ensure_ascii=False))
        return
    rows = [("id", "name", "level", "region", "code", "family", "verified", "start URL")]
    for p in entries:
        region = " ".join(n for n in (p.region.province, p.region.city, p.region.county) if n)
        rows.append((p.id, p.name, p.level, region, p.region.code, p.family.name, "yes" if p.verified else "no",
                     p.start_urls[0]))
    _table(rows)


def portal_json(portal: Portal) -> dict[str, object]:
    return {"id": portal.id, "name": portal.name, "family": portal.family.name, "region_code": portal.region.code,
            "province": portal.region.province, "city": portal.region.city, "county": portal.region.county,
            "level": portal.level, "site": portal.site, "start_urls": list(portal.start_urls),
            "evidence": portal.evidence, "verified": portal.verified}


def _health(db_path: str, as_json: bool) -> None:
    from nianbao.crawler.health import latest_outcomes

    if not Path(db_path).exists():
        raise click.UsageError(f"no archive at {db_path}: crawl first, or give --db")
    outcomes = latest_outcomes(db_path)
    if as_json:
        for row in outcomes:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    rows = [("portal", "outcome", "run", "started", "report links", "why")]
    rows += [(str(r["portal_id"]), str(r["outcome"]), str(r["run_id"]), str(r["started_at"]),
              str(r["report_links"] if r["report_links"] is not None else ""), str(r["outcome_reason"] or ""))
             for r in outcomes]
    _table(rows)


def _table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [c + " " * (w - _width(c)) for c, w in zip(row, widths)]
        click.echo("  ".join([*cells, row[-1]]))


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


@click.command(short_help="Find a 年报 column and CMS family; print an entry.")
@click.argument("url", required=False)
@click.option("--page", "page_file", type=click.Path(exists=True, dir_okay=False),
              help="Read this saved page instead of fetching (offline; needs --url); prints JSON.")
@click.option("--url", "page_url", help="The URL the saved --page was fetched from.")
@click.option("--check", is_flag=True, help="Also fetch the proposed column as a crawl would and count its report links.")
@click.option("--proxy", help="HTTP proxy for the requests, e.g. the mirror: http://127.0.0.1:8642")
def discover(url: str | None, page_file: str | None, page_url: str | None, check: bool, proxy: str | None) -> None:
    """From a portal's home or 政府信息公开 page (URL) to a registry entry for crawler/portals.yml.

    Prints the family it recognised and why, the annual-report column(s) it found, and the entry as
    YAML; --check fetches the column's first list answer and says how many report links it has.
    With --page FILE --url URL it reads a saved page offline and prints JSON (family, report links,
    list pages, sub-columns, XHR list requests, entry).
    """
    from nianbao.crawler import discover as finder

    if page_file:
        if not page_url:
            raise click.UsageError("--page needs --url (the address the page was saved from)")
        found = finder.discover_page(Path(page_file).read_bytes(), page_url)
        click.echo(json.dumps(found.to_json(), ensure_ascii=False, indent=1))
        return
    if not url:
        raise click.UsageError("give a URL, or --page FILE --url URL")
    found = finder.discover_site(url, proxy)
    click.echo(f"family: {found.family}  ({'; '.join(f'{k}: {len(v)} signal(s)' for k, v in found.signals.items()) or 'no CMS signal'})")
    for column in found.columns:
        click.echo(f"annual-report column: {column.title}  {column.url}")
    click.echo(f"on {found.url}: {len(found.report_links)} report link(s), {len(found.list_pages)} further list page(s), "
               f"{len(found.sub_columns)} sub-column(s), {len(found.requests)} XHR list request(s)")
    entry = finder.registry_entry(found)
    click.echo("\n" + yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=200))
    if check:
        count, fetched = finder.check(entry, proxy)
        for line in fetched:
            click.echo(f"fetched: {line}")
        click.echo(f"check: {count} report link(s) in the column's first list answer")


@click.command(short_help="Serve the sample portal mirror on 127.0.0.1.")
@click.option("--port", default=8642, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@click.option("--snapshot", type=click.Choice(["1", "2"]), default="1", show_default=True,
              help="Which snapshot of the sample portals to serve (2: one report edited, one removed).")
def mirror(port: int, snapshot: str) -> None:
    """Serve the bundled sample portal mirror on 127.0.0.1 (as an HTTP proxy for the portal hosts)."""
    from nianbao.crawler.mirror.server import CONTROL_PREFIX, start_mirror

    server = start_mirror(port, int(snapshot))
    click.echo(f"Serving snapshot {snapshot} of the sample portals at {server.proxy_url}")
    click.echo(f"Crawl it:  nianbao crawl --registry {SAMPLE_REGISTRY_PATH} --proxy {server.proxy_url}")
    click.echo(f"Switch:    curl {server.proxy_url}{CONTROL_PREFIX}2      (Ctrl-C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
