"""Which changes a page or feed shows: ``/changes`` and ``/changes.atom`` take the same parameters.

- ``kind``: new, edited, removed, restored (repeatable);
- ``portal``: the hosting portal's id;
- ``agency``: a body's id (any of its names' ids): its reports under every name;
- ``region``: a region code (640500) or name (中卫市, 江苏省): the bodies there, by the body's region;
- ``q``: words that must all appear in what the changed version shows (title, agency, text, table titles and
  cells): the site's search (``archive.search``), with its term and length limits (QueryError beyond them).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

from nianbao.archive.regions import by_code, region_of
from nianbao.archive.search import Indexed, match_query

KINDS = ("new", "edited", "removed", "restored")
_ID = re.compile(r"[0-9]{1,18}")


def _getlist(args: Mapping[str, Any], name: str) -> list[str]:
    """Every value of a repeated parameter (a Datasette request's args, or a plain dict)."""
    if hasattr(args, "getlist"):
        return list(args.getlist(name))
    value = args.get(name)
    return [] if value is None else list(value) if isinstance(value, list | tuple) else [value]


def region_prefix(value: str) -> str | None:
    """The code prefix a region parameter stands for (6405 for 中卫市 or 640500), None if it names no region."""
    value = value.strip()
    region = by_code().get(value.ljust(6, "0")) if value.isdigit() else region_of(value)
    return region.prefix if region else None


def change_filters(args: Mapping[str, Any], indexed: Indexed | bool = True) -> tuple[str, dict[str, Any]]:
    """SQL over ``changes c join reports r`` for the request's parameters, and its parameters.

    ``indexed``: whether the search indexes are current (``archive.search.index_is_current``); if not,
    ``q`` reads every document instead of missing what is not indexed yet.
    """
    kinds = [k for k in _getlist(args, "kind") if k in KINDS] or list(KINDS)
    params: dict[str, Any] = {f"k{i}": k for i, k in enumerate(kinds)}
    clauses = [f"c.kind in ({', '.join(':' + name for name in params)})"]
    if args.get("portal"):
        clauses.append("r.portal_id = :portal")
        params["portal"] = args["portal"]
    agency = args.get("agency") or ""
    if agency:
        clauses.append("r.agency_id in (select id from agencies where body_id = "
                       "(select body_id from agencies where id = :agency))")
        params["agency"] = int(agency) if _ID.fullmatch(agency) else -1  # not an id: matches nothing
    if args.get("region"):
        clauses.append("r.agency_id in (select a.id from agencies a join bodies b on b.id = a.body_id "
                       "where b.region_code like :region || '%')")
        params["region"] = region_prefix(args["region"]) or "-"  # a place that is no region matches nothing
    found = match_query(args.get("q") or "", indexed=indexed)
    if found is not None:
        clauses.append(f"coalesce(c.version_id, r.current_version_id) in ({found.sql})")
        params |= found.params
    return " and ".join(clauses), params


def feed_query(args: Mapping[str, Any]) -> str:
    """The parameters of this page again, for its feed link (``kind=edited&agency=8``)."""
    pairs = [("kind", k) for k in _getlist(args, "kind") if k in KINDS]
    pairs += [(name, args[name]) for name in ("portal", "agency", "region", "q") if args.get(name)]
    return urllib.parse.urlencode(pairs)
