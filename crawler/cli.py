"""``nianbao crawl``, ``nianbao portals`` and ``nianbao mirror``."""

from __future__ import annotations

import time

import click

from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH, RegistryError, load_registry, select_portals


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
@click.option("--revalidate", is_flag=True, help="Send no If-None-Match/If-Modified-Since: fetch everything again.")
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
    from nianbao.crawler.outcome import run_exit_status
    from nianbao.crawler.run import run_crawl

    try:
        select_portals(portal_ids, registry)
    except RegistryError as e:
        raise click.UsageError(str(e)) from e  # exit status 2: nothing could be done
    extra = {"NIANBAO_REVALIDATE": revalidate, "NIANBAO_CAPTURE_LOG": capture_log,
             "NIANBAO_PROGRESS": progress, "NIANBAO_REGISTRY": registry} | overrides
    stats = run_crawl(db_path, portal_ids, proxy, extra)
    click.echo(
        f"{stats.get('item_scraped_count', 0)} report captures, {stats.get('downloader/response_count', 0)} responses, "
        f"{stats.get('nianbao/skipped_articles', 0)} non-report articles skipped -> {db_path}"
    )
    status, failures = run_exit_status(db_path, stats.get("nianbao/run_id"))
    for failure in failures:
        click.echo(f"failed: {failure}", err=True)
    raise SystemExit(status)


@click.command()
@click.option("--registry", type=click.Path(exists=True, dir_okay=False), envvar="NIANBAO_REGISTRY",
              help="A portal registry file instead of the bundled crawler/portals.yml.")
def portals(registry: str | None) -> None:
    """List the portals of the registry (crawler/portals.yml)."""
    rows = [("id", "name", "level", "region", "code", "family", "start URL")]
    for p in load_registry(registry).values():
        region = " ".join(n for n in (p.region.province, p.region.city, p.region.county) if n)
        rows.append((p.id, p.name, p.level, region, p.region.code, p.family.name, p.start_urls[0]))
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [c + " " * (w - _width(c)) for c, w in zip(row, widths)]
        click.echo("  ".join([*cells, row[-1]]))


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


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
