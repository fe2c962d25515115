"""metadata.yml describes the archive under the name ``nianbao``; apply it to an archive served under any file name."""

from __future__ import annotations

from datasette import hookimpl

TEMPLATE_NAME = "nianbao"


@hookimpl
def get_metadata(datasette, key, database, table):
    local = getattr(datasette, "_metadata_local", None) or {}  # metadata.yml as loaded; no public accessor in 0.65
    template = (local.get("databases") or {}).get(TEMPLATE_NAME)
    if not template:
        return {}
    names = [name for name, db in datasette.databases.items() if name not in ("_internal", TEMPLATE_NAME) and not db.is_memory]
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
