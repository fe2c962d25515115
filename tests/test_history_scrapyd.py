"""The Scrapyd deployment for real: build deploy/scrapyd's egg with scrapyd-deploy, run Scrapyd on loopback
(nianbao installed in its environment, as docs/operators.md says), schedule one job per portal with
deploy/scrapyd/schedule_portals.py, and find the crawls in the archive."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import free_port

from nianbao.crawler.run import MIRROR_SETTINGS

requests = pytest.importorskip("requests")
pytest.importorskip("scrapyd")

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PORTALS = ("nxld", "yinchuan-cgj")




def build_egg(folder: Path) -> Path:
    """scrapyd-deploy --build-egg on a copy of deploy/scrapyd (building writes build/ and egg-info beside it)."""
    project = shutil.copytree(REPO / "deploy" / "scrapyd", folder / "deploy", ignore=shutil.ignore_patterns("__pycache__"))
    egg = folder / "nianbao.egg"
    subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=project, check=True,
                   capture_output=True, timeout=120)
    return egg


@pytest.fixture
def scrapyd(tmp_path):
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\nmax_proc = 2\n"
        "items_dir =\neggs_dir = eggs\ndbs_dir = dbs\nlogs_dir = logs\n"
    )
    server = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/daemonstatus.json", timeout=2)
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise AssertionError("scrapyd did not start") from None
            time.sleep(0.2)
    yield url, home
    server.terminate()
    server.wait(timeout=10)


@pytest.mark.slow
def test_one_scrapyd_job_per_portal(scrapyd, mirror, tmp_path):
    url, home = scrapyd
    with open(build_egg(tmp_path), "rb") as egg:
        added = requests.post(f"{url}/addversion.json", data={"project": "nianbao", "version": "1"},
                              files={"egg": egg}, timeout=30).json()
    assert added["status"] == "ok" and added["spiders"] == 1, added
    db_path = tmp_path / "archive.db"
    settings = [f"-s{k}={v}" for k, v in (MIRROR_SETTINGS | {"NIANBAO_PROXY": mirror.proxy_url}).items()]
    scheduled = subprocess.run(
        [sys.executable, str(REPO / "deploy" / "scrapyd" / "schedule_portals.py"), "--url", url, "--db", str(db_path),
         *(a for p in PORTALS for a in ("--portal", p)), *settings],
        capture_output=True, text=True, timeout=60,
    )
    assert scheduled.returncode == 0, scheduled.stderr
    assert [line.split()[0] for line in scheduled.stdout.splitlines()] == list(PORTALS)

    deadline = time.monotonic() + 180
    while True:
        jobs = requests.get(f"{url}/listjobs.json", params={"project": "nianbao"}, timeout=5).json()
        if len(jobs["finished"]) == len(PORTALS) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(jobs["finished"]) == len(PORTALS), jobs
    logs = "".join(p.read_text() for p in (home / "logs").rglob("*.log"))
    assert "ERROR" not in logs, logs[-3000:]
    db = sqlite3.connect(db_path)
    runs = db.execute("select p.portal_id, r.status, p.pages, p.reports_new, p.error from crawl_runs r "
                      "join crawl_run_portals p on p.run_id = r.id order by p.portal_id").fetchall()
    assert sorted(r[0] for r in runs) == sorted(PORTALS)  # one run per job, each its own portal
    assert all(status == "finished" and pages > 0 and new > 0 and error is None for _, status, pages, new, error in runs)
    assert len(list((db_path.parent / "warc").glob("*.warc.gz"))) == len(PORTALS)
