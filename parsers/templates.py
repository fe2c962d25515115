"""The template knowledge (``parsers/spec/templates.yml``) and the canonical keys (``figures.csv``), loaded once."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
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


def _compile(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each entry gets ``patterns``: its ``match`` list compiled."""
    return [{**entry, "patterns": [re.compile(p) for p in entry["match"]]} for entry in entries]


@dataclass(frozen=True)
class Templates:
    data: dict[str, Any]
    figures: list[dict[str, str]]  # rows of figures.csv
    columns: list[str]  # applicant column keys of columns.csv, in order
    column_labels: list[str]  # their printed names (columns.csv label_zh), same order

    @property
    def typos(self) -> dict[str, str]:
        return self.data["typos"]

    def entries(self, section: str, part: str) -> list[dict[str, Any]]:
        """A list of label entries (e.g. ``("requests", "rows")``) with their patterns compiled."""
        return self._compiled[(section, part)]

    @cached_property
    def _compiled(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        return {(section, part): _compile(self.data[section][part]) for section, part in _ENTRY_LISTS}

    def _expanded(self, row: dict[str, str]) -> dict[str, str]:
        """One figures.csv row's keys with ``{col}``/``{outcome}`` expanded, each with its printed label."""
        key, label = row["key"], row["label_zh"]
        if "{col}" in key:
            return {key.replace("{col}", c): f"{label} · {name}" for c, name in zip(self.columns, self.column_labels)}
        if "{outcome}" in key:
            outcomes = self.data["appeals"]["outcomes"]
            return {key.replace("{outcome}", o["key"]): f"{label} · {o['match'][0]}" for o in outcomes}
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
    def all_keys(self) -> set[str]:
        return {k for keys in self.keys_by_template.values() for k in keys}


def _load() -> Templates:
    data = yaml.safe_load((SPEC_DIR / "templates.yml").read_text(encoding="utf-8"))
    figures = list(csv.DictReader((SPEC_DIR / "figures.csv").read_text(encoding="utf-8").splitlines()))
    column_rows = list(csv.DictReader((SPEC_DIR / "columns.csv").read_text(encoding="utf-8").splitlines()))
    return Templates(data=data, figures=figures, columns=[row["col"] for row in column_rows],
                     column_labels=[row["label_zh"] for row in column_rows])


TEMPLATES = _load()
