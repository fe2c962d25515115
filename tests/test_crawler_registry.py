"""The portal registries (crawler/portals.yml, the mirror's sample registry) and their checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.crawler.cli import crawl as crawl_command
from nianbao.crawler.cli import portals as portals_command
from nianbao.crawler.families import family_names
from nianbao.crawler.registry import REGISTRY_PATH, SAMPLE_REGISTRY_PATH, RegistryError, load_registry, select_portals


def test_sample_registry_has_the_four_portals_with_region_codes():
    registry = load_registry(SAMPLE_REGISTRY_PATH)
    codes = {pid: (p.region.code, p.region.province_code) for pid, p in registry.items()}
    assert codes["nxzw"] == ("640500", "640000")
    assert codes["yinchuan"] == ("640100", "640000")
    assert codes["yinchuan-cgj"] == ("640100", "640000")
    assert codes["nxld"] == ("640423", "640000")
    assert codes["gongyi"] == ("410181", "410000")
    assert registry["yinchuan-cgj"].level == "department"
    assert {p.family.name for p in registry.values()} == set(family_names())  # a sample portal per family


@pytest.mark.parametrize(
    ("title", "is_report"),
    [
        ("中卫市人民政府办公室2021年政府信息公开工作年度报告", True),
        ("隆德县 2020 年政府信息公开工作年度报告", True),
        ("银川市市政管理局2019年度政府信息公开年报", True),
        ("政府信息公开工作年度报告", False),  # no year
        ("《巩义市人民政府2020年政府信息公开工作年度报告》解读", False),
        ("中卫市人民政府关于做好2021年政务公开工作的通知", False),
        ("2021年度部门决算报告", False),
    ],
)
def test_report_titles(title, is_report):
    assert load_registry(SAMPLE_REGISTRY_PATH)["nxzw"].is_report_title(title) is is_report


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "portals.yml"
    path.write_text(SAMPLE_REGISTRY_PATH.read_text(encoding="utf-8") + text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  - {id: x, name: X, site: x.gov.cn, level: city, family: nope, start_urls: [http://x.gov.cn/],"
         " region: {province: P, province_code: '110000', code: '110100'}}", "unknown family"),
        ("  - {id: x, name: X, site: x.gov.cn, level: city, family: trs, start_urls: [http://x.gov.cn/],"
         " region: {province: P, province_code: '110000', code: '1101'}}", "6-digit"),
        ("  - {id: x, name: X, site: x.gov.cn, level: town, family: trs, start_urls: [http://x.gov.cn/],"
         " region: {province: P, province_code: '110000', code: '110100'}}", "level"),
        ("  - {id: x, name: X, site: x.gov.cn, level: city, family: trs,"
         " region: {province: P, province_code: '110000', code: '110100'}}", "missing start_urls"),
        ("  - {id: nxzw, name: X, site: x.gov.cn, level: city, family: trs, start_urls: [http://x.gov.cn/],"
         " region: {province: P, province_code: '110000', code: '110100'}}", "duplicate"),
        ("  - {id: x, name: X, site: x.gov.cn, level: city, family: trs, start_urls: [http://x.gov.cn/],"
         " region: {province: P, province_code: '110000', code: '110100', town: T}}", "unknown key"),
        ("  - {id: x, name: X, site: x.gov.cn, level: city, family: trs, start_urls: [http://x.gov.cn/], sid: '2',"
         " region: {province: P, province_code: '110000', code: '110100'}}", r"unknown key\(s\) sid \(family trs\)"),
        ("  - {id: x, name: X, site: x.gov.cn, level: city, family: trs, start_urls: [http://x.gov.cn/],"
         " attachment_host: [cdn.x.cn], region: {province: P, province_code: '110000', code: '110100'}}",
         "portal x: unknown key.s. attachment_host"),
    ],
)
def test_bad_entries_are_named(tmp_path, entry, message):
    with pytest.raises(RegistryError, match=message):
        load_registry(_write(tmp_path, entry + "\n"))


def test_a_portal_of_a_known_family_is_config_only(tmp_path):
    path = _write(tmp_path, "  - {id: wuzhong, name: 吴忠市人民政府, site: www.wuzhong.gov.cn, level: city,"
                            " family: trs, body: 'div.article', start_urls: [http://www.wuzhong.gov.cn/zwgk/nb/],"
                            " region: {province: 宁夏回族自治区, province_code: '640000', code: '640300'}}\n")
    portal = load_registry(path)["wuzhong"]
    assert portal.family.name == "trs"
    assert portal.family.body == "div.article"  # an entry may set a family field
    assert load_registry(path)["nxzw"].family.body != "div.article"


def test_select_portals():
    assert [p.id for p in select_portals(["gongyi", "nxzw"], SAMPLE_REGISTRY_PATH)] == ["gongyi", "nxzw"]
    assert len(select_portals(path=SAMPLE_REGISTRY_PATH)) == len(load_registry(SAMPLE_REGISTRY_PATH))
    with pytest.raises(RegistryError, match="unknown portal id"):
        select_portals(["nowhere"], SAMPLE_REGISTRY_PATH)


def test_production_registry_loads():
    assert load_registry(REGISTRY_PATH)


def test_portals_command_lists_the_registry():
    result = CliRunner().invoke(portals_command, env={"NIANBAO_REGISTRY": ""})
    assert result.exit_code == 0, result.output
    for portal in load_registry(REGISTRY_PATH).values():
        assert portal.id in result.output and portal.region.code in result.output


def test_crawl_command_refuses_unknown_portals(tmp_path):
    result = CliRunner().invoke(crawl_command, ["--db", str(tmp_path / "a.db"), "--portal", "nowhere"])
    assert result.exit_code != 0 and "unknown portal id(s): nowhere" in result.output
    assert not (tmp_path / "a.db").exists()


def test_production_registry_covers_the_families_with_evidence():
    registry = load_registry(REGISTRY_PATH)
    families = {p.family.name for p in registry.values()}
    assert len(registry) >= 20 and len(families) >= 6 and families == set(family_names())
    assert all(p.evidence for p in registry.values())
    assert {p.verified for p in registry.values()} == {True, False}  # both kinds, said plainly
    cgj = registry["yinchuan-cgj"]
    assert cgj.start_urls == ("http://www.yinchuan.gov.cn/xxgk/bmxxgkml/ycsszglj_38951/xxgknb_38953/index.html",)
    assert registry["nxld"].family.name == "trs" and "div.xxgk_wrap ul > li" in registry["nxld"].family.rows


def test_portals_json_prints_one_object_per_entry():
    result = CliRunner().invoke(portals_command, ["--json"], env={"NIANBAO_REGISTRY": ""})
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["id"] for r in rows] == list(load_registry(REGISTRY_PATH))
    assert all({"id", "name", "family", "region_code", "evidence", "verified"} <= set(r) for r in rows)
    assert next(r for r in rows if r["id"] == "nxld")["region_code"] == "640423"


def test_attachment_hosts_are_read(tmp_path):
    entry = ("  - {id: x, name: X, site: x.gov.cn, level: city, family: trs, start_urls: [http://x.gov.cn/],"
             " attachment_hosts: [CDN.x.cn], region: {province: P, province_code: '110000', code: '110100'}}\n")
    assert load_registry(_write(tmp_path, entry))["x"].attachment_hosts == ("cdn.x.cn",)
