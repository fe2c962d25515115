"""nianbao as operators install it: a wheel built from this checkout, installed into a fresh virtualenv
outside the checkout and run from another directory, builds the demo archive and serves the site."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import free_port, http_get

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh virtualenv with only the built wheel (and its dependencies) installed."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(root / "dist"), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = (root / "dist").glob("nianbao-*.whl")
    venv.create(root / "venv", with_pip=True)
    bin_dir = root / "venv" / "bin"
    subprocess.run([str(bin_dir / "pip"), "install", "-q", str(wheel)], check=True, capture_output=True, timeout=900)
    return bin_dir


def _run(bin_dir: Path, *args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "NIANBAO_REGISTRY")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([str(bin_dir / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def demo_db(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = _run(installed, "nianbao", "demo", "--no-serve", "--db", "demo.db", cwd=elsewhere)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return elsewhere / "demo.db"


def served(bin_dir: Path, cwd: Path, *command: str) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen([str(bin_dir / command[0]), *command[1:], "--port", str(port)], cwd=cwd,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                http_get(base + "/-/versions.json", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError(f"server did not start: {server.stdout.read1().decode()}") from None
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(10)


def test_the_wheel_is_one_import_name(installed: Path):
    site_packages = next((installed.parent / "lib").glob("python*/site-packages"))
    assert (site_packages / "nianbao" / "crawler" / "spiders").is_dir()
    for name in ("crawler", "archive", "parsers", "plugins", "templates", "tools"):
        assert not (site_packages / name).exists(), f"the wheel installs a top-level {name!r}"


def test_installed_demo_builds_the_archive(demo_db: Path):
    import sqlite3

    with sqlite3.connect(demo_db) as conn:
        reports = conn.execute("select count(*) from reports").fetchone()[0]
        without_figures = conn.execute(
            "select count(*) from reports r where not exists "
            "(select 1 from figures f where f.version_id = r.current_version_id)").fetchone()[0]
    assert reports >= 15 and without_figures == 0  # every report, the .doc one included, was parsed


def test_installed_serve_shows_the_site(installed: Path, demo_db: Path):
    for base in served(installed, demo_db.parent, "nianbao", "serve", "--db", str(demo_db)):
        hooks = {h for p in json.loads(http_get(base + "/-/plugins.json")[2]) if p["name"] == "nianbao"
                 for h in p["hooks"]}
        assert {"register_routes", "get_metadata", "render_cell", "asgi_wrapper", "extra_template_vars"} <= hooks
        status, _, page = http_get(base + "/report/1")
        assert status == 200 and 'class="report-title"' in page.decode()
        assert http_get(base + "/-/search?q=%E5%A4%8D%E8%AE%AE")[0] == 200
        assert http_get(base + "/changes")[0] == 200


def test_plain_datasette_gets_the_site_too(installed: Path, demo_db: Path):
    for base in served(installed, demo_db.parent, "datasette", str(demo_db), "-i", str(demo_db)):
        status, _, page = http_get(base + "/report/1")
        assert status == 200 and 'class="report-title"' in page.decode()
        home = http_get(base + "/")[2].decode()
        assert "nianbao" in home and "/-/search" in home
