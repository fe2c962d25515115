"""The catalogue of pre-2019 统计表 forms (``templates.yml: legacy.forms``), loaded and checked.

Each form is named by a header cell it prints (统计指标 for the national form,
指标名称 for Fujian's) and lists the row labels it prints that the national
form does not; the national rows (``legacy.rows``) are every form's fallback.
An entry with a key this module does not know is refused, so a misspelt key
in the YAML is an error, not a form that silently reads nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nianbao.parsers.templates import TEMPLATES, TemplateError

_FORM_KEYS = {"name", "title", "header_match", "columns", "rows"}
_ROW_KEYS = {"key", "match", "within", "money"}


def _rows(entries: list[dict[str, Any]], where: str) -> tuple[dict[str, Any], ...]:
    rows = []
    for entry in entries:
        unknown = set(entry) - _ROW_KEYS
        if unknown or "key" not in entry or not entry.get("match"):
            raise TemplateError(f"{where}: row {entry!r} needs key and match, and knows only {sorted(_ROW_KEYS)}")
        if f"legacy.{entry['key']}" not in TEMPLATES.all_keys:
            raise TemplateError(f"{where}: legacy.{entry['key']} is not a key of figures.csv")
        rows.append({**entry, "patterns": [re.compile(p) for p in entry["match"]]})
    return tuple(rows)


@dataclass(frozen=True, eq=False)  # compared by identity: a form is cached by it
class LegacyForm:
    name: str
    title: str
    header_match: tuple[str, ...]
    columns: str  # the header as printed, for people
    rows: tuple[dict[str, Any], ...]  # entries with compiled ``patterns``, checked before the national rows


@dataclass(frozen=True)
class Catalogue:
    forms: tuple[LegacyForm, ...]
    national_rows: tuple[dict[str, Any], ...]

    def named_by(self, header_label: str) -> LegacyForm | None:
        """The form a (normalised) header row names, if any."""
        return next((f for f in self.forms if any(word in header_label for word in f.header_match)), None)


def load_catalogue(spec: dict[str, Any]) -> Catalogue:
    forms = []
    for form in spec["forms"]:
        where = f"templates.yml legacy.forms {form.get('name', '?')}"
        unknown = set(form) - _FORM_KEYS
        missing = _FORM_KEYS - set(form)
        if unknown or missing:
            raise TemplateError(f"{where}: unknown keys {sorted(unknown)}, missing {sorted(missing)}")
        forms.append(LegacyForm(name=form["name"], title=form["title"], header_match=tuple(form["header_match"]),
                                columns=form["columns"], rows=_rows(form["rows"], where)))
    return Catalogue(forms=tuple(forms), national_rows=_rows(spec["rows"], "templates.yml legacy.rows"))


FORMS = load_catalogue(TEMPLATES.data["legacy"])
