"""metadata.yml describes the archive under the name ``nianbao``; apply it under whatever name it is served."""

from __future__ import annotations

import copy

from datasette import hookimpl

from nianbao.archive.site import figure_labels

TEMPLATE_NAME = "nianbao"
# Tables and views with a column per figure key, or a ``key`` column: their keys are described in words
KEYED_TABLES = ("figures_wide",)


_DESCRIBED: dict[int, dict] = {}  # id of metadata.yml's entry as loaded -> it with the keys described


def _with_key_labels(template: dict) -> dict:
    """metadata.yml's database entry with every figure key of figures_wide described by its label and unit."""
    if id(template) in _DESCRIBED:
        return _DESCRIBED[id(template)]
    described = copy.deepcopy(template)
    for table in KEYED_TABLES:
        columns = described.setdefault("tables", {}).setdefault(table, {}).setdefault("columns", {})
        for key, (label, unit) in figure_labels().items():
            columns.setdefault(key, f"{label}（{unit}）" if unit else label)
    _DESCRIBED[id(template)] = described
    return described


@hookimpl
def get_metadata(datasette, key, database, table):
    # metadata.yml as loaded: 0.65 has no public accessor that does not call this hook again
    local = getattr(datasette, "_metadata_local", None) or {}
    template = (local.get("databases") or {}).get(TEMPLATE_NAME)
    if not template:
        return {}
    names = [
        name for name, db in datasette.databases.items()
        if name != "_internal" and not db.is_memory
    ]
    described = _with_key_labels(template)
    return {"databases": {name: described for name in names}}


# Every column is described in two languages; folded away, they no longer push the rows off the screen.
FOLD_COLUMN_DESCRIPTIONS = """
const descriptions = document.querySelector("dl.column-descriptions");
if (descriptions) {
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "列说明 Column descriptions";
  descriptions.before(details);
  details.append(summary, descriptions);
}
"""


@hookimpl
def extra_body_script(view_name):
    return FOLD_COLUMN_DESCRIPTIONS if view_name == "table" else None
