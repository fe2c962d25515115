"""metadata.yml describes the archive under the name ``nianbao``; apply it under whatever name it is served."""

from __future__ import annotations

from datasette import hookimpl

TEMPLATE_NAME = "nianbao"


@hookimpl
def get_metadata(datasette, key, database, table):
    # metadata.yml as loaded: 0.65 has no public accessor that does not call this hook again
    local = getattr(datasette, "_metadata_local", None) or {}
    template = (local.get("databases") or {}).get(TEMPLATE_NAME)
    if not template:
        return {}
    names = [
        name for name, db in datasette.databases.items()
        if name not in ("_internal", TEMPLATE_NAME) and not db.is_memory
    ]
    return {"databases": {name: template for name in names}}


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
