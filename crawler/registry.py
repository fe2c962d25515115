"""The portal registries loaded and checked into dataclasses.

``crawler/portals.yml`` is the production registry; ``crawler/mirror/portals.yml`` lists the sample
portals of the bundled mirror, which the demo and the tests crawl (so adding a real portal never
changes a test).  Both share the defaults and families of ``crawler/families.yml``.

Everything the generic spider knows about a portal comes from here, so adding a portal of a
known CMS family is a change to the YAML file, not to code.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

REGISTRY_PATH = files("nianbao.crawler") / "portals.yml"
SAMPLE_REGISTRY_PATH = files("nianbao.crawler.mirror") / "portals.yml"
FAMILIES_PATH = files("nianbao.crawler") / "families.yml"
RegistryPath = Path | Traversable
LEVELS = ("province", "city", "county", "department")
PAGINATION_KINDS = ("createPageHTML", "next_link", "none")


class RegistryError(ValueError):
    """portals.yml is malformed; the message names the entry and the key."""


@dataclass(frozen=True)
class Region:
    province: str
    province_code: str
    code: str  # 6-digit 行政区划代码 of the portal's own area
    city: str | None = None
    county: str | None = None


@dataclass(frozen=True)
class Family:
    """How one CMS lays out lists and articles (CSS selectors unless said otherwise)."""

    name: str
    list_links: str  # the article links of a list page
    pagination: str  # one of PAGINATION_KINDS
    body: str  # the article body (attachments are looked for inside it)
    meta: str  # the metadata block: 索引号 / 发布机构 / 发文日期 / 文号 ...
    breadcrumb: str
    next_link: str | None = None  # XPath to the next page's href, for pagination "next_link"
    description: str = ""


@dataclass(frozen=True)
class Portal:
    id: str
    name: str
    site: str
    region: Region
    level: str
    family: Family
    start_urls: tuple[str, ...]
    report_title: re.Pattern[str]
    skip_title: re.Pattern[str] | None
    attachment_extensions: tuple[str, ...]
    attachment_text: re.Pattern[str]
    meta_labels: tuple[str, ...] = field(default=())
    attachment_hosts: tuple[str, ...] = field(default=())  # other hosts serving its files, e.g. a CDN

    def is_report_title(self, title: str) -> bool:
        title = re.sub(r"\s+", "", title)
        return bool(self.report_title.search(title)) and not (
            self.skip_title and self.skip_title.search(title)
        )


def load_registry(path: RegistryPath | str | None = None) -> dict[str, Portal]:
    """Read and check a registry; returns portals by id, in file order.

    Without ``path``: the file named by the environment variable ``NIANBAO_REGISTRY``, else the
    production registry.
    A registry may add ``defaults`` and ``families`` of its own to those of families.yml."""
    path = path or os.environ.get("NIANBAO_REGISTRY") or REGISTRY_PATH
    shared = yaml.safe_load(FAMILIES_PATH.read_text(encoding="utf-8"))
    data = yaml.safe_load((Path(path) if isinstance(path, str) else path).read_text(encoding="utf-8"))
    defaults = shared.get("defaults", {}) | data.get("defaults", {})
    family_specs = shared.get("families", {}) | data.get("families", {})
    families = {name: _family(name, spec) for name, spec in family_specs.items()}
    portals: dict[str, Portal] = {}
    for entry in data.get("portals", []):
        portal = _portal({**defaults, **entry}, families)
        if portal.id in portals:
            raise RegistryError(f"duplicate portal id {portal.id!r}")
        portals[portal.id] = portal
    return portals


def select_portals(ids: tuple[str, ...] | list[str] = (), path: RegistryPath | str | None = None) -> list[Portal]:
    """The portals named by id (all of them when none are named); unknown ids are an error."""
    registry = load_registry(path)
    unknown = [i for i in ids if i not in registry]
    if unknown:
        raise RegistryError(f"unknown portal id(s): {', '.join(unknown)}; known: {', '.join(registry)}")
    return [registry[i] for i in ids] if ids else list(registry.values())


def _family(name: str, spec: dict[str, Any]) -> Family:
    family = Family(name=name, **_known_keys(Family, spec, f"family {name}"))
    if family.pagination not in PAGINATION_KINDS:
        raise RegistryError(f"family {name}: pagination must be one of {PAGINATION_KINDS}")
    if family.pagination == "next_link" and not family.next_link:
        raise RegistryError(f"family {name}: pagination next_link needs a next_link XPath")
    return family


def _portal(entry: dict[str, Any], families: dict[str, Family]) -> Portal:
    where = f"portal {entry.get('id', '?')}"
    missing = [k for k in ("id", "name", "site", "region", "level", "family", "start_urls") if not entry.get(k)]
    if missing:
        raise RegistryError(f"{where}: missing {', '.join(missing)}")
    _known_keys(Portal, {k: v for k, v in entry.items() if k not in _field_names(Family)}, where)
    if entry["family"] not in families:
        raise RegistryError(f"{where}: unknown family {entry['family']!r}")
    if entry["level"] not in LEVELS:
        raise RegistryError(f"{where}: level must be one of {LEVELS}")
    region = Region(**_known_keys(Region, entry["region"], f"{where} region"))
    if not all(re.fullmatch(r"\d{6}", c) for c in (region.code, region.province_code)):
        raise RegistryError(f"{where}: region codes must be 6-digit 行政区划代码")
    family_overrides = {k: entry[k] for k in _field_names(Family) if k in entry and k != "name"}
    family = families[entry["family"]]
    if family_overrides:
        family = _family(family.name, {**_family_dict(family), **family_overrides})
    try:
        return Portal(
            id=entry["id"],
            name=entry["name"],
            site=entry["site"],
            region=region,
            level=entry["level"],
            family=family,
            start_urls=tuple(entry["start_urls"]),
            report_title=re.compile(entry["report_title"]),
            skip_title=re.compile(entry["skip_title"]) if entry.get("skip_title") else None,
            attachment_extensions=tuple(e.lower() for e in entry["attachment_extensions"]),
            attachment_text=re.compile(entry["attachment_text"], re.IGNORECASE),
            meta_labels=tuple(entry.get("meta_labels", ())),
            attachment_hosts=tuple(h.lower() for h in entry.get("attachment_hosts", ())),
        )
    except (re.error, KeyError) as e:
        raise RegistryError(f"{where}: {e}") from e


def _field_names(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


def _family_dict(family: Family) -> dict[str, Any]:
    return {f.name: getattr(family, f.name) for f in fields(Family) if f.name != "name"}


def _known_keys(cls: type, spec: dict[str, Any], where: str) -> dict[str, Any]:
    unknown = set(spec) - _field_names(cls)
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    return spec
