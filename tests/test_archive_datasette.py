"""The archive published through a real Datasette: pages, JSON API, the database download."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from archive_captures import BASE, exchange, seed_capture
from conftest import datasette_get, free_port

from nianbao.archive.db import open_archive
from nianbao.archive.ingest import ingest_report
from nianbao.archive.publish import make_datasette


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("publish") / "nianbao.db"
    db = open_archive(path)
    ingest_report(db, seed_capture(0, extra=[exchange(f"{BASE}/a.doc", b"not a doc")]))
    ingest_report(db, seed_capture(1))
    db.close()
    return path




def test_table_page_and_json_api(archive_path):
    ds = make_datasette(archive_path)
    assert datasette_get(ds, "/nianbao/reports").status_code == 200
    data = datasette_get(ds, "/nianbao/reports.json?_shape=objects&_sort=id").json()  # the site sorts by year by default
    assert [r["id"] for r in data["rows"]] == [1, 2]
    assert data["rows"][0]["url"] == f"{BASE}/art_0.html"
    view = datasette_get(ds, "/nianbao/current_reports.json?_shape=array").json()
    assert len(view) == 2 and {r["version_no"] for r in view} == {1}
    for table in ("documents", "fetches", "report_versions", "figures", "checks", "crawl_runs"):
        assert datasette_get(ds, f"/nianbao/{table}").status_code == 200, table


def test_raw_document_downloads_as_blob(archive_path):
    ds = make_datasette(archive_path)
    sha = datasette_get(ds, "/nianbao/documents.json?_shape=array&_col=size&size=9").json()[0]["sha256"]
    response = datasette_get(ds, f"/nianbao/documents/{sha}.blob?_blob_column=content")
    assert response.status_code == 200 and response.content == b"not a doc"




def test_serve_command_serves_pages_and_the_database_file(archive_path):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "nianbao.cli", "serve", "--db", str(archive_path), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                page = urllib.request.urlopen(f"{base}/nianbao/reports", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError(f"server did not start: {server.stdout.read1().decode()}") from None
                time.sleep(0.2)
        assert page.status == 200 and "art_0.html" in page.read().decode()
        download = urllib.request.urlopen(f"{base}/nianbao.db", timeout=10).read()
        assert download == archive_path.read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=10)
