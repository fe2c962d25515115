"""The site's metadata.yml, applied to whatever name the archive is served under.

It comes from this hook, not from ``datasette -m``, so ``nianbao serve`` and a plain
``datasette archive.db`` show the same titles, descriptions, facets and canned queries.
Metadata given on the command line still wins (Datasette merges it over the hook's).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from datasette import hookimpl

from nianbao.archive.site import english_labels, figure_labels
from nianbao.site import load_metadata

TEMPLATE_NAME = "nianbao"  # metadata.yml describes the archive's tables under this database name
KEYED_TABLES = ("figures_wide",)  # a column per figure key: each described by its label as printed


@cache
def _shipped() -> dict[str, Any]:
    """metadata.yml, with every figure key column described by its label and unit."""
    shipped = load_metadata()
    template = (shipped.get("databases") or {}).get(TEMPLATE_NAME) or {}
    for table in KEYED_TABLES:
        columns = template.setdefault("tables", {}).setdefault(table, {}).setdefault("columns", {})
        for key, (label, unit) in figure_labels().items():
            columns.setdefault(key, (f"{label}（{unit}）" if unit else label) + f" · {english_labels().get(key, key)}")
    return shipped


@hookimpl
def get_metadata(datasette, key, database, table):
    shipped = _shipped()
    template = (shipped.get("databases") or {}).get(TEMPLATE_NAME) or {}
    names = [name for name, db in datasette.databases.items() if name != "_internal" and not db.is_memory]
    return {**shipped, "databases": {name: template for name in names}}


@hookimpl
def extra_js_urls(view_name, datasette):
    """Folds the two-language column descriptions of table pages away (a file, not an inline script: see security.py)."""
    if view_name != "table":
        return []
    return [{"url": datasette.urls.static_plugins("nianbao", "fold-column-descriptions.js"), "module": True}]
