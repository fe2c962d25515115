"""SQL functions for the canned queries, so their answers read as words rather than codes:

- ``nianbao_label(key)``: a figure key's Chinese label as the template prints it (``TEMPLATES.labels``);
- ``nianbao_explain_zh(rule, detail)`` / ``nianbao_explain_en(rule, detail)``: a failing check in plain words.

The label is also ``key_label`` in every template (the ``key`` facet shows it).
"""

from __future__ import annotations

from datasette import hookimpl

from nianbao.archive.site import explain_check, figure_labels


def label(key: str | None) -> str | None:
    return None if key is None else figure_labels().get(key, (key, ""))[0]


def known_label(key: object) -> str:
    """The label of a canonical key, '' for anything else."""
    return figure_labels().get(key, ("", ""))[0] if isinstance(key, str) else ""


@hookimpl
def extra_template_vars():
    return {"key_label": known_label}


@hookimpl
def prepare_connection(conn):
    conn.create_function("nianbao_label", 1, label, deterministic=True)
    conn.create_function("nianbao_explain_zh", 2, lambda rule, detail: explain_check(rule, detail)[0], deterministic=True)
    conn.create_function("nianbao_explain_en", 2, lambda rule, detail: explain_check(rule, detail)[1], deterministic=True)
