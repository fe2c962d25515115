"""Adding a real portal to the production registry never changes a test: tests crawl the sample registry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.crawler.registry import REGISTRY_PATH

NEW_PORTAL = """
  - id: wuzhong-isolation-check
    name: 吴忠市人民政府
    site: www.wuzhong.gov.cn
    region: {province: 宁夏回族自治区, province_code: '640000', city: 吴忠市, code: '640300'}
    level: city
    family: trs
    start_urls: ['http://www.wuzhong.gov.cn/xxgk/zfxxgknb/index.html']
"""


@pytest.mark.slow
def test_crawl_tests_pass_with_a_new_production_portal(tmp_path: Path):
    registry = tmp_path / "portals.yml"
    registry.write_text(REGISTRY_PATH.read_text(encoding="utf-8") + NEW_PORTAL, encoding="utf-8")
    tests = Path(__file__).parent
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not browser",
         str(tests / "test_crawler_crawl.py"), str(tests / "test_crawler_spider.py")],
        env=os.environ | {"NIANBAO_REGISTRY": str(registry)}, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
