"""SQL functions for the canned queries, so their answers read as words rather than codes:

- ``nianbao_label(key)`` / ``nianbao_label_en(key)``: a figure key's label as the template prints it
  (``TEMPLATES.labels``) and in English (``TEMPLATES.labels_en``);
- ``nianbao_explain_zh(rule, detail)`` / ``nianbao_explain_en(rule, detail)``: a failing check in plain words.

The labels are also ``key_label`` and ``key_label_en`` in every template (the ``key`` facet shows them).
"""

from __future__ import annotations

from datasette import hookimpl

from nianbao.archive.site import english_labels, explain_check, figure_labels


def label(key: str | None) -> str | None:
    return None if key is None else figure_labels().get(key, (key, ""))[0]


def known_label(key: object) -> str:
    """The label of a canonical key, '' for anything else."""
    return figure_labels().get(key, ("", ""))[0] if isinstance(key, str) else ""


def known_label_en(key: object) -> str:
    return english_labels().get(key, "") if isinstance(key, str) else ""


@hookimpl
def extra_template_vars():
    return {"key_label": known_label, "key_label_en": known_label_en}


@hookimpl
def prepare_connection(conn):
    conn.create_function("nianbao_label", 1, label, deterministic=True)
    conn.create_function("nianbao_label_en", 1, lambda key: english_labels().get(key, key), deterministic=True)
    conn.create_function("nianbao_explain_zh", 2, lambda rule, detail: explain_check(rule, detail)[0], deterministic=True)
    conn.create_function("nianbao_explain_en", 2, lambda rule, detail: explain_check(rule, detail)[1], deterministic=True)
