"""The template knowledge (``parsers/spec/templates.yml``) and the canonical keys (``figures.csv``), loaded once.

The YAML is checked on load (:func:`check_shape`): a section, key or entry key the parsers do not read
(a misspelt ``mtach``) is a :class:`TemplateError` naming where, not a label that silently matches nothing.
The legacy forms' catalogue is loaded into typed objects by ``parsers.legacy_forms``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import files
from typing import Any

import yaml

SPEC_DIR = files("nianbao.parsers") / "spec"
TEMPLATE_NAMES = ("2019", "2021", "legacy")
_ENTRY_LISTS = (("active", "rows"), ("active", "columns"), ("requests", "rows"), ("requests", "columns"),
                 ("appeals", "outcomes"), ("appeals", "group_headings"), ("legacy", "rows"))


class TemplateError(ValueError):
    """templates.yml is malformed; the message names the entry and the key."""


# The shape of templates.yml: every section's keys, and the keys each kind of label entry may carry.
_SECTIONS: dict[str, set[str] | None] = {
    "typos": None, "count_units": None, "notices": None, "page_labels": None, "not_chapters": None,
    "active": {"rows", "columns", "signed_words", "money_columns", "template_columns"},
    "requests": {"columns", "header_match", "caption_match", "rows", "template_rows"},
    "appeals": {"header_match", "header_with", "caption_match", "groups", "group_headings", "outcomes"},
    "legacy": {"header_match", "year_header", "value_headers", "not_value_headers", "header_cells", "combined",
               "forms", "rows"},
    "legacy_sums": None, "narrative": None,
}
_ENTRY_KEYS = {
    ("active", "rows"): {"key", "match"}, ("active", "columns"): {"key", "labels", "match"},
    ("requests", "rows"): {"key", "match", "outcome", "part_of"}, ("requests", "columns"): {"key", "match"},
    ("appeals", "outcomes"): {"key", "match"}, ("appeals", "group_headings"): {"key", "match"},
    ("legacy", "rows"): {"key", "match", "within", "money"},
}
_NARRATIVE_KEYS = {"patterns", "whole", "part", "agrees_with"}
_SUM_KEYS = {"total", "parts"}


def check_shape(data: dict[str, Any]) -> None:
    """Refuse a templates.yml with a section, key or entry key this code does not read (a misspelling)."""
    _known("templates.yml", data, set(_SECTIONS), required=True)
    for section, keys in _SECTIONS.items():
        if keys is not None:
            _known(f"templates.yml {section}", data[section], keys, required=True)
    for (section, part), keys in _ENTRY_KEYS.items():
        for entry in data[section][part]:
            _known(f"templates.yml {section}.{part} {entry.get('key', '?')}", entry, keys)
            if "key" not in entry or not entry.get("match"):
                raise TemplateError(f"templates.yml {section}.{part}: {entry!r} needs a key and a match list")
    for name, rule in data["narrative"].items():
        _known(f"templates.yml narrative {name}", rule, _NARRATIVE_KEYS, required=True)
    for name, relation in data["legacy_sums"].items():
        _known(f"templates.yml legacy_sums {name}", relation, _SUM_KEYS, required=True)


def _known(where: str, mapping: dict[str, Any], keys: set[str], required: bool = False) -> None:
    unknown = set(mapping) - keys
    missing = keys - set(mapping) if required else set()
    if unknown or missing:
        raise TemplateError(f"{where}: unknown keys {sorted(unknown)}, missing {sorted(missing)}")


def _compile(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each entry gets ``patterns``: its ``match`` list compiled."""
    return [{**entry, "patterns": [re.compile(p) for p in entry["match"]]} for entry in entries]


@dataclass(frozen=True)
class Templates:
    data: dict[str, Any]
    figures: list[dict[str, str]]  # rows of figures.csv
    columns: list[str]  # applicant column keys of columns.csv, in order
    column_labels: list[str]  # their printed names (columns.csv label_zh), same order
    english: dict[str, str] = field(default_factory=dict)  # labels_en.csv: a figures.csv key, or a {col}=/{outcome}= part

    @property
    def typos(self) -> dict[str, str]:
        return self.data["typos"]

    def entries(self, section: str, part: str) -> list[dict[str, Any]]:
        """A list of label entries (e.g. ``("requests", "rows")``) with their patterns compiled."""
        return self._compiled[(section, part)]

    @cached_property
    def _compiled(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        return {(section, part): _compile(self.data[section][part]) for section, part in _ENTRY_LISTS}

    def _expanded(self, row: dict[str, str], english: bool = False) -> dict[str, str]:
        """One figures.csv row's keys with ``{col}``/``{outcome}`` expanded, each with its printed label (or
        its English one)."""
        key = row["key"]
        label = self.english.get(key, key) if english else row["label_zh"]
        if "{col}" in key:
            names = [self.english.get(f"{{col}}={c}", c) for c in self.columns] if english else self.column_labels
            return {key.replace("{col}", c): f"{label} · {name}" for c, name in zip(self.columns, names)}
        if "{outcome}" in key:
            outcomes = self.data["appeals"]["outcomes"]
            return {key.replace("{outcome}", o["key"]):
                    f"{label} · {self.english.get('{outcome}=' + o['key'], o['key']) if english else o['match'][0]}"
                    for o in outcomes}
        return {key: label}

    @cached_property
    def keys_by_template(self) -> dict[str, list[str]]:
        """Every canonical key with ``{col}``/``{outcome}`` expanded, per template, in figures.csv order."""
        keys: dict[str, list[str]] = {name: [] for name in TEMPLATE_NAMES}
        for row in self.figures:
            names = ("2019", "2021") if row["template"] == "both" else (row["template"],)
            for name in names:
                keys[name].extend(k for k in self._expanded(row) if k not in keys[name])
        return keys

    @cached_property
    def labels(self) -> dict[str, tuple[str, str]]:
        """Every expanded key -> (Chinese label as printed, unit), in figures.csv order: what every page shows."""
        labels: dict[str, tuple[str, str]] = {}
        for row in self.figures:
            for key, label in self._expanded(row).items():
                labels.setdefault(key, (label, row["unit"]))
        return labels

    @cached_property
    def labels_en(self) -> dict[str, str]:
        """Every expanded key -> its English label (``spec/labels_en.csv``), in figures.csv order."""
        labels: dict[str, str] = {}
        for row in self.figures:
            for key, label in self._expanded(row, english=True).items():
                labels.setdefault(key, label)
        return labels

    @cached_property
    def all_keys(self) -> set[str]:
        return {k for keys in self.keys_by_template.values() for k in keys}


def _load() -> Templates:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's loader: ~25 ms less in every process
    data = yaml.load((SPEC_DIR / "templates.yml").read_text(encoding="utf-8"), Loader=loader)
    check_shape(data)
    figures = list(csv.DictReader((SPEC_DIR / "figures.csv").read_text(encoding="utf-8").splitlines()))
    column_rows = list(csv.DictReader((SPEC_DIR / "columns.csv").read_text(encoding="utf-8").splitlines()))
    english = {row["key"]: row["label_en"] for row in
               csv.DictReader((SPEC_DIR / "labels_en.csv").read_text(encoding="utf-8").splitlines())}
    return Templates(data=data, figures=figures, columns=[row["col"] for row in column_rows],
                     column_labels=[row["label_zh"] for row in column_rows], english=english)


TEMPLATES = _load()
