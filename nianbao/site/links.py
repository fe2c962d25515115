"""Table pages link to the readable pages: a report's title and ``report_id`` to /report/<id>, a version to
its report page (or its row), a file's SHA-256 to the file itself (/raw/<sha256>), a body (``body_id``,
``agency_id``) to its page /agency/<id>; a figure ``key`` is shown with its label as printed.

Only the HTML changes: the JSON and CSV keep the plain values.  A ``report_id`` that Datasette would link
to the ``reports`` row links to the report page instead (the page a journalist wants; the row's data is
on it); its label, the report's title, stays.
"""

from __future__ import annotations

import re
import urllib.parse

import markupsafe
from datasette import hookimpl
from datasette.utils import tilde_encode

from nianbao.archive.site import archive_database, english_labels, figure_labels

REPORT = "/report/{report_id}"
REPORT_VERSION = "/report/{report_id}?version={version_no}"
VERSION_ROW = "/{database}/report_versions/{value}"  # when the row cannot say which report page it is
RAW = "/raw/{value}"
AGENCY = "/agency/{value}"

# (table or "*" for any table or query, column) -> the page it links to; {value} is the cell, other
# names are columns of the same row.
LINKS: dict[tuple[str, str], str] = {
    ("*", "report_id"): REPORT,
    ("*", "body_id"): AGENCY,
    ("*", "agency_id"): AGENCY,  # a name's id leads to its body's page
    ("bodies", "id"): AGENCY,
    ("bodies", "name"): "/agency/{id}",
    ("*", "title"): REPORT,  # queries and views that carry the report's id
    ("reports", "title"): "/report/{id}",
    ("current_reports", "title"): REPORT,
    ("report_versions", "title"): REPORT_VERSION,
    ("current_reports", "version_id"): REPORT_VERSION,
    ("*", "version_id"): VERSION_ROW,
    ("*", "from_version_id"): VERSION_ROW,
    ("*", "current_version_id"): VERSION_ROW,
    ("*", "sha256"): RAW,
    ("*", "document_sha256"): RAW,
    ("*", "article_sha256"): RAW,
    ("*", "old_document_sha256"): RAW,
    ("*", "new_document_sha256"): RAW,
}

# What a value must look like to go into a link: a file's hash, or else a number (ids, version_no)
SHA256 = re.compile(r"[0-9a-f]{64}")
NUMBER = re.compile(r"\d+")


def _plain(value):
    """The value under an expanded foreign key ({"value": ..., "label": ...})."""
    return value["value"] if isinstance(value, dict) else value


def _valid(column: str, value) -> bool:
    pattern = SHA256 if column.endswith("sha256") else NUMBER
    return value is not None and pattern.fullmatch(str(value)) is not None


def link_path(template: str, column: str, value, row: dict, database: str) -> str | None:
    """The template filled in from the cell and its row, or None when a value it needs is missing or malformed."""
    names = [name for name in re.findall(r"{(\w+)}", template) if name != "database"]
    fields = {name: (column, _plain(value)) if name == "value" else (name, _plain(row.get(name))) for name in names}
    if not all(_valid(*field) for field in fields.values()):
        return None
    quoted = {name: urllib.parse.quote(str(v), safe="") for name, (_, v) in fields.items()}
    return template.format(database=tilde_encode(database), **quoted)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if column == "key" and isinstance(value, str) and value in figure_labels():  # a figure key, in words
        return markupsafe.Markup('{} <span lang="en">{}</span> <code>{}</code>').format(
            figure_labels()[value][0], english_labels().get(value, ""), value)
    template = LINKS.get((table, column)) or LINKS.get(("*", column))
    plain = _plain(value)
    if template is None or plain in (None, "") or database != archive_database(datasette).name:
        return None
    values = {key: row[key] for key in row.keys()}  # noqa: SIM118 (a Row iterates over its values)
    path = link_path(template, column, value, values, database)
    if path is None:
        return None
    link = markupsafe.Markup('<a href="{}">{}</a>')
    label = value.get("label") if isinstance(value, dict) else None
    if label in (None, "", plain):  # as Datasette shows a foreign key: its label, then the value
        return link.format(datasette.urls.path(path), plain)
    return link.format(datasette.urls.path(path), label) + markupsafe.Markup("&nbsp;<em>{}</em>").format(plain)
