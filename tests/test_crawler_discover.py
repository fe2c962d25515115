"""``nianbao discover``: offline on saved real pages and on the mirror's pages, online through the mirror."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from nianbao.crawler.cli import discover
from nianbao.crawler.mirror.server import SITE_DIR, load_snapshot
from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH, load_registry, portal_from_entry

FIXTURES = Path(__file__).parent / "fixtures" / "portals"
SAMPLES = load_registry(SAMPLE_REGISTRY_PATH)


def offline(page: Path, url: str) -> dict:
    result = CliRunner().invoke(discover, ["--page", str(page), "--url", url])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_saved_real_trs_list_page():
    url = "http://www.yzq.gov.cn/zwgk/zwdt/zwyw/index.html"
    found = offline(FIXTURES / "trs" / "yzq_zwyw_index_list_createPageHTML.github-38978784925.extracted.html", url)
    assert found["family"] == "trs"
    assert any("createPageHTML" in s for s in found["signals"]["trs"])
    assert len(found["list_pages"]) == 119 and found["list_pages"][0] == url.replace("index.html", "index_1.html")
    assert found["report_links"] == []  # 政务要闻, not reports
    assert found["entry"]["family"] == "trs" and found["entry"]["start_urls"] == [url]


@pytest.mark.parametrize("portal_id", sorted(SAMPLES))
def test_each_sample_column_page_is_recognised_as_its_family(portal_id, tmp_path):
    portal = SAMPLES[portal_id]
    resource = load_snapshot(SITE_DIR, 1).resource(portal.start_urls[0])
    page = tmp_path / "page.html"
    page.write_bytes(resource.body)
    found = offline(page, portal.start_urls[0])
    assert found["family"] == portal.family.name
    assert found["report_links"] or found["list_pages"] or found["requests"] or found["sub_columns"], found
    portal_from_entry({**found["entry"], "region": {"province": "P", "province_code": "640000", "code": "640100"}})


def test_online_from_the_home_page_with_check(mirror):
    """From a home page: the 年报 column link, the family judged from the column page, an entry, and a
    check that follows the family's XHR answers (jpaas JSON) to the report links."""
    done = subprocess.run([sys.executable, "-m", "nianbao.cli", "discover", "http://zrzyj.yinchuan.gov.cn/", "--check",
                           "--proxy", mirror.proxy_url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert out.startswith("family: hanweb-jpaas")
    assert "annual-report column: 银川市自然资源局政府信息公开年报  http://zrzyj.yinchuan.gov.cn/ZFXXGKNB/index.html" in out
    entry = yaml.safe_load(out.split("\n\n", 1)[1].split("fetched:", 1)[0])[0]
    assert entry["family"] == "hanweb-jpaas" and entry["start_urls"] == ["http://zrzyj.yinchuan.gov.cn/ZFXXGKNB/index.html"]
    assert "/api-gateway/jpaas-publish-server/front/page/build/unit?" in out
    assert "check: 1 report link(s)" in out


@pytest.mark.parametrize(("home", "family", "reports"), [
    ("http://www.nxzw.gov.cn/", "trs", 2), ("http://www.hongze.gov.cn/", "hanweb-jcms", 2),
    ("http://gkmlpt.nianbao.example/", "gkmlpt", 1), ("http://generic.nianbao.example/", "generic", 1),
])
def test_online_check_per_family(mirror, home, family, reports):
    from nianbao.crawler.discover import check, discover_site, registry_entry

    found = discover_site(home, mirror.proxy_url)
    assert found.family == family
    count, fetched = check(registry_entry(found), mirror.proxy_url)
    assert count == reports, fetched


def test_a_home_page_without_a_report_link_leads_through_its_disclosure_page(mirror):
    from nianbao.crawler.discover import discover_page, discover_site

    home = load_snapshot(SITE_DIR, 1).resource("http://www.nxld.gov.cn/")
    first = discover_page(home.body, "http://www.nxld.gov.cn/")
    assert first.columns == [] and first.disclosure_pages == ["http://www.nxld.gov.cn/zfxxgk/index.html"]
    found = discover_site("http://www.nxld.gov.cn/", mirror.proxy_url)
    assert [c.url for c in found.columns] == ["http://www.nxld.gov.cn/xxgk/zfxxgkml/zfxxgknb/list.html"]
    assert found.family == "trs" and found.url == found.columns[0].url
