"""Pages of a published archive carry an ETag and Cache-Control, answer a matching If-None-Match with a 304,
and change their ETag when a new snapshot is published (on a real ``nianbao serve``)."""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import http_get

from bench.served import served
from nianbao.archive.publish import publish

pytestmark = pytest.mark.slow
PAGES = ["/", "/report/1", "/report/1/history", "/-/search?q=%E5%A4%8D%E8%AE%AE", "/changes.atom",
         "/nianbao/current_reports"]


def conditional_get(url: str, etag: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"If-None-Match": etag})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as e:  # urllib reports a 304 as an error
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def test_pages_revalidate_with_304_until_a_new_snapshot_is_published(site_db: Path, tmp_path: Path) -> None:
    working = tmp_path / "working.db"
    working.write_bytes(site_db.read_bytes())
    site = publish(working, tmp_path / "site" / "nianbao.db")
    with served(site) as (base, _):
        etags = {}
        for path in PAGES:
            status, headers, _ = http_get(base + path)
            assert status == 200 and headers["cache-control"] == "public, max-age=60", path
            etags[path] = headers["etag"]
            status, headers, body = conditional_get(base + path, etags[path])
            assert (status, body, headers["etag"]) == (304, b"", etags[path]), path
        assert len(set(etags.values())) == 1  # one snapshot, one validator
        assert conditional_get(base + "/report/1", '"other", ' + etags["/report/1"])[0] == 304
        assert conditional_get(base + "/report/1", '"stale"')[0] == 200
        assert "etag" not in http_get(base + "/-/versions.json")[1]  # Datasette's own /-/ pages are left alone
        assert http_get(base + "/report/99999")[0] == 404 and "etag" not in http_get(base + "/report/99999")[1]

        with sqlite3.connect(working) as conn:
            conn.execute("update reports set title = '新标题' where id = 1")
        publish(working, site)
        status, headers, body = conditional_get(base + "/report/1", etags["/report/1"])
        assert status == 200 and headers["etag"] != etags["/report/1"] and "新标题" in body.decode()
