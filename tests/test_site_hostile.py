"""Hostile requests and hostile data on the site's own routes: malformed ids and numbers give 400/404,
never 500; a report URL that is not http(s) is never a live link; control characters kept in an older
archive's text do not break the Atom feed, and the HTML extractor no longer keeps them."""

from __future__ import annotations

import asyncio
import inspect
import re
import sqlite3
import urllib.parse
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from datasette.plugins import pm

from nianbao.archive.publish import make_datasette
from nianbao.archive.versions import extracted_text
from nianbao.parsers import parse_bytes

NUMBERS = ["99999999999999999999999", str(2**63), "9" * 300, "0", "0000000000000000000000001"]
HASHES = ["0" * 64, "f" * 64]
VALUES = [
    *NUMBERS[:2], "-1", "²", "١٢", "１２", "1e3", "", " 1", "1 ", "\x00", "\x0b", "' or 1=1 --",
    "<script>alert(1)</script>", "9" * 5000, "%", "javascript:alert(1)",
]
GOOD = {"id": "1", "report_id": "1", "page": "1", "database": "nianbao"}  # a report with two versions; other groups take the hostile values only


def site_routes(ds) -> list[tuple[str, list[str]]]:
    """Every route nianbao's plugins register, with the query arguments its module reads."""
    routes = []
    for registered in pm.hook.register_routes(datasette=ds):
        for pattern, view in registered or []:
            module = inspect.getmodule(view)
            if module is None or not module.__name__.startswith("nianbao."):
                continue
            source = inspect.getsource(module)
            args = sorted(set(re.findall(r"""args\.(?:get|getlist)\(["'](\w+)["']""", source)))
            routes.append((pattern, args))
    return routes


def fill(pattern: str, values: dict[str, str]) -> str:
    """The path a route pattern matches with its named groups set to ``values`` (URL-quoted)."""
    def group(match: re.Match) -> str:
        return urllib.parse.quote(values[match[1]], safe="")

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", group, pattern.strip("^$"))
    return path.replace("\\.", ".")


@pytest.fixture(scope="module")
def statuses(site_db: Path):
    """``statuses(paths)``: the HTTP status of each path through a real Datasette over the site archive."""
    ds = make_datasette(site_db)

    async def fetch(paths: list[str]) -> dict[str, int]:
        await ds.invoke_startup()
        return {path: (await ds.client.get(path)).status_code for path in paths}

    yield lambda paths: asyncio.run(fetch(paths)), ds
    ds.databases["nianbao"].close()


def test_hostile_ids_and_numbers_on_every_route_are_400_or_404(statuses) -> None:
    fetch, ds = statuses
    routes = site_routes(ds)
    assert {"^/report/(?P<id>[0-9]+)$", r"^/changes\.atom$", "^/-/search$"} <= {p for p, _ in routes}
    paths = []
    for pattern, args in routes:
        groups = re.findall(r"\(\?P<(\w+)>", pattern)
        for name in groups:  # each path part hostile, the others good
            for value in HASHES if "sha" in name else NUMBERS:
                paths.append(fill(pattern, {**GOOD, "sha256": HASHES[0], name: value}))
        base = fill(pattern, {**GOOD, "sha256": HASHES[0]})
        paths += [f"{base}?{urllib.parse.urlencode({arg: value})}" for arg in args for value in VALUES]
    answered = fetch(paths)
    assert len(answered) > 300
    server_errors = {path: status for path, status in answered.items() if status >= 500}
    assert not server_errors, f"{len(server_errors)} of {len(answered)} answered 5xx, e.g. {list(server_errors)[:5]}"
    assert set(answered.values()) <= {200, 400, 404}
    # and the meaning: no such report, no such version, no such page
    for path in ("/report/99999999999999999999999", "/report/1?version=99999999999999999999999",
                 "/report/1/history?a=%C2%B2", "/report/9223372036854775808/history"):
        assert answered.get(path, fetch([path])[path]) == 404, path
    assert fetch(["/-/search?q=x&page=%C2%B2", "/-/search?q=x&page=0"]) == {
        "/-/search?q=x&page=%C2%B2": 400, "/-/search?q=x&page=0": 400}
    assert fetch(["/report/1?version=1", "/report/1?version=", "/-/search?q=x&page=1"]) == {
        "/report/1?version=1": 200, "/report/1?version=": 200, "/-/search?q=x&page=1": 200}


@pytest.fixture
def tampered(site_db: Path, tmp_path: Path):
    """``tampered((sql, params), ...)``: a copy of the site archive changed by the statements, and a client for it."""
    def make(*statements: tuple[str, list]):
        copy = tmp_path / "nianbao.db"
        copy.write_bytes(site_db.read_bytes())
        with sqlite3.connect(copy) as conn:
            for sql, params in statements:
                conn.execute(sql, params)
        ds = make_datasette(copy)

        def get(path: str):
            async def inner():
                await ds.invoke_startup()
                return await ds.client.get(path)
            return asyncio.run(inner())

        return get

    return make


@pytest.mark.parametrize("url", ["javascript:alert(document.domain)", " JavaScript:alert(1)",
                                 "\x01javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                 "file:///etc/passwd", "vbscript:msgbox(1)", "http:no-host"])
def test_a_report_url_that_is_not_http_is_shown_not_linked(tampered, url: str) -> None:
    get = tampered(("update reports set url = ? where id = 1", [url]))
    for path in ("/report/1/history", "/report/1"):
        response = get(path)
        assert response.status_code == 200
        hrefs = re.findall(r'href="([^"]*)"', response.text)
        assert not [h for h in hrefs if not h.startswith(("/", "http://", "https://", "#", "?"))], (path, hrefs)


def test_an_http_report_url_stays_a_live_link(tampered) -> None:
    get = tampered(("update reports set url = 'https://www.example.gov.cn/art/1.html' where id = 1", []))
    for path in ("/report/1/history", "/report/1"):
        assert 'href="https://www.example.gov.cn/art/1.html"' in get(path).text


CONTROLS = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\x7f"


def test_atom_feed_stays_well_formed_with_control_characters_in_the_archive(tampered) -> None:
    """An archive written before extraction dropped control characters still holds them."""
    dirty = "标题\x01\x0b" + CONTROLS
    get = tampered(
        ("update reports set title = ?", [dirty]),
        ("insert into changes (report_id, kind, at, summary, text_diff) values (1, 'edited', '2026-05-01T00:00:00Z', ?, ?)",
         [f"summary {dirty}", "-旧\x02\n+新\x1f"]),
    )
    response = get("/changes.atom")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # raises on a character XML 1.0 cannot hold
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    assert entries
    title = entries[0].findtext(f"{atom}title")
    assert "标题␁␋" in title  # shown as control pictures, not silently dropped
    assert "␂" in entries[0].findtext(f"{atom}content")


def test_html_extraction_drops_control_characters() -> None:
    page = ("<html><head><title>年报\x01</title></head><body><h1>2023年政府信息公开工作年度报告\x08</h1>"
            "<p>结\x01果\x0b维\x1b持 3 件\x7f；" + CONTROLS + "</p>"
            "<table><tr><td>本年新收\x02政府信息公开申请数量</td><td>1\x03</td></tr></table></body></html>")
    result = parse_bytes(page.encode("utf-8"), path="report.html")
    text = extracted_text(result)
    cells = [cell for table in result.tables for row in table["rows"] for cell in row]
    assert "结果" in text and "本年新收政府信息公开申请数量" in cells
    dirty = [t for t in (text, result.title or "", *cells) if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", t)]
    assert not dirty
