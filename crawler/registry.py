"""The portal registries loaded and checked into dataclasses.

``crawler/portals.yml`` is the production registry; ``crawler/mirror/portals.yml`` lists the sample
portals of the bundled mirror, which the demo and the tests crawl (so adding a real portal never
changes a test).  Both share the defaults of ``crawler/defaults.yml``.

An entry names its CMS family (a module of ``crawler/families/``) and may set any of that family's
fields (selectors, ids such as ``sid`` or ``column_id``), so adding a portal of a known family is a
change to the YAML file, not to code.  ``evidence`` says what the entry rests on and ``verified``
whether that evidence was a real artefact of the site.
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

from nianbao.crawler.families import family_class
from nianbao.crawler.families.base import Family

REGISTRY_PATH = files("nianbao.crawler") / "portals.yml"
SAMPLE_REGISTRY_PATH = files("nianbao.crawler.mirror") / "portals.yml"
DEFAULTS_PATH = files("nianbao.crawler") / "defaults.yml"
RegistryPath = Path | Traversable
LEVELS = ("province", "city", "county", "department")
PORTAL_KEYS = {"id", "name", "site", "region", "level", "family", "start_urls", "report_title", "skip_title",
               "attachment_extensions", "attachment_text", "meta_labels", "attachment_hosts", "evidence", "verified"}


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
    evidence: str = ""
    verified: bool = False
    attachment_hosts: tuple[str, ...] = field(default=())  # other hosts serving its files, e.g. a CDN

    def is_report_title(self, title: str) -> bool:
        title = re.sub(r"\s+", "", title)
        return bool(self.report_title.search(title)) and not (
            self.skip_title and self.skip_title.search(title)
        )


def load_registry(path: RegistryPath | str | None = None) -> dict[str, Portal]:
    """Read and check a registry; returns portals by id, in file order.

    Without ``path``: the file named by the environment variable ``NIANBAO_REGISTRY``, else the
    production registry.  A registry may add ``defaults`` of its own to those of defaults.yml."""
    path = path or os.environ.get("NIANBAO_REGISTRY") or REGISTRY_PATH
    shared = yaml.safe_load(DEFAULTS_PATH.read_text(encoding="utf-8"))
    data = yaml.safe_load((Path(path) if isinstance(path, str) else path).read_text(encoding="utf-8"))
    defaults = shared.get("defaults", {}) | data.get("defaults", {})
    portals: dict[str, Portal] = {}
    for entry in data.get("portals", []):
        portal = _portal({**defaults, **entry})
        if portal.id in portals:
            raise RegistryError(f"duplicate portal id {portal.id!r}")
        portals[portal.id] = portal
    return portals


def portal_from_entry(entry: dict[str, Any]) -> Portal:
    """One entry checked with the shared defaults (as ``nianbao discover`` proposes it)."""
    return _portal({**yaml.safe_load(DEFAULTS_PATH.read_text(encoding="utf-8")).get("defaults", {}), **entry})


def select_portals(ids: tuple[str, ...] | list[str] = (), path: RegistryPath | str | None = None) -> list[Portal]:
    """The portals named by id (all of them when none are named); unknown ids are an error."""
    registry = load_registry(path)
    unknown = [i for i in ids if i not in registry]
    if unknown:
        raise RegistryError(f"unknown portal id(s): {', '.join(unknown)}; known: {', '.join(registry)}")
    return [registry[i] for i in ids] if ids else list(registry.values())


def _family(where: str, name: str, settings: dict[str, Any]) -> Family:
    cls = family_class(name)
    if cls is None:
        raise RegistryError(f"{where}: unknown family {name!r}")
    unknown = set(settings) - {f.name for f in fields(cls)}
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} (family {name})")
    return cls(**settings)


def _portal(entry: dict[str, Any]) -> Portal:
    where = f"portal {entry.get('id', '?')}"
    missing = [k for k in ("id", "name", "site", "region", "level", "family", "start_urls") if not entry.get(k)]
    if missing:
        raise RegistryError(f"{where}: missing {', '.join(missing)}")
    if entry["level"] not in LEVELS:
        raise RegistryError(f"{where}: level must be one of {LEVELS}")
    family = _family(where, entry["family"], {k: v for k, v in entry.items() if k not in PORTAL_KEYS})
    region = Region(**_known_keys(Region, entry["region"], f"{where} region"))
    if not all(re.fullmatch(r"\d{6}", c) for c in (region.code, region.province_code)):
        raise RegistryError(f"{where}: region codes must be 6-digit 行政区划代码")
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
            evidence=str(entry.get("evidence") or ""),
            verified=bool(entry.get("verified", False)),
            attachment_hosts=tuple(h.lower() for h in entry.get("attachment_hosts", ())),
        )
    except (re.error, KeyError) as e:
        raise RegistryError(f"{where}: {e}") from e


def _known_keys(cls: type, spec: dict[str, Any], where: str) -> dict[str, Any]:
    unknown = set(spec) - {f.name for f in fields(cls)}
    if unknown:
        raise RegistryError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    return spec
