"""``nianbao parse``: parse local files without a crawl or a database.

``--json`` prints one JSON object per file (spec/parse-output.md); without
it, a summary a person can read: metadata, the three statistics tables
and the checks that fail.  Exit status 1 when a file could not be read at all.
``--workers N`` parses in N worker processes (:mod:`nianbao.parsers.pool`:
memory and time caps, a file that crashes a parser costs only that file),
the output in the order of the files.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import click

from nianbao.parsers.model import ParseResult
from nianbao.parsers.ocr import LOW_CONFIDENCE

_TABLES = (("表二 主动公开", "active."), ("表三 依申请", "requests."), ("表四 复议诉讼", "appeals."), ("统计表", "legacy."))
_INFERRED_MARK = "*"
_LABEL_WIDTH = 26
_CELL_WIDTH = 12


def unreadable(result: ParseResult) -> bool:
    """Nothing could be read from the file: no figures, no text, only errors."""
    return bool(result.errors) and not result.figures and not result.sections and result.template == "unknown"


def _display_width(text: str) -> int:
    """Terminal columns: a CJK character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _right(text: str, width: int = _CELL_WIDTH) -> str:
    """Right-aligned, leaving the last column for the inferred mark."""
    text = text if text.endswith(_INFERRED_MARK) else text + " "
    return " " * max(1, width + 1 - _display_width(text)) + text


@cache
def _money_keys() -> set[str]:
    """The keys printed with 万元 (templates load on first use: with --workers this process imports no parser)."""
    from nianbao.parsers.templates import TEMPLATES

    return {row["key"] for row in TEMPLATES.figures if row["unit"] == "万元"}


def _value(result: ParseResult, key: str) -> str:
    """A figure as printed in the summary: — for null, 万元 for money, * when inferred."""
    value = result.figures.get(key)
    text = "—" if value is None else f"{value} 万元" if key in _money_keys() else str(value)
    return text + (_INFERRED_MARK if key in result.inferred else "")


def _grid(result: ParseResult, prefix: str, columns: list[str], headers: list[str]) -> list[str]:
    """One line per row key (``<prefix><row>.<col>``) with the columns side by side."""
    rows = dict.fromkeys(k[len(prefix):].split(".")[0] for k in result.figures if k.startswith(prefix))
    lines = ["    " + " " * _LABEL_WIDTH + "".join(_right(h) for h in headers)]
    for row in rows:
        lines.append(f"    {row:<{_LABEL_WIDTH}}" + "".join(_right(_value(result, f"{prefix}{row}.{c}")) for c in columns))
    return lines


def _active_rows(result: ParseResult) -> list[str]:
    """Table 2: one line per row (规章, 行政许可, …) with its columns named, as they differ between rows."""
    rows: dict[str, list[str]] = {}
    for key in result.figures:
        if key.startswith("active."):
            _, row, col = key.split(".")
            rows.setdefault(row, []).append(f"{col} {_value(result, key)}")
    return [f"    {row:<{_LABEL_WIDTH}}" + "   ".join(cells) for row, cells in rows.items()]


def _table(result: ParseResult, prefix: str) -> list[str]:
    if prefix == "active.":
        return _active_rows(result)
    from nianbao.parsers.templates import TEMPLATES

    if prefix == "requests.":
        headers = [label.split()[-1] for label in TEMPLATES.column_labels]
        return _grid(result, prefix, TEMPLATES.columns, headers)
    if prefix == "appeals.":
        outcomes = [o["key"] for o in TEMPLATES.entries("appeals", "outcomes")]
        return _grid(result, prefix, outcomes, outcomes)
    return [f"    {k[len(prefix):]:<40} {_value(result, k)}" for k in result.figures if k.startswith(prefix)]


def _parsed(paths: tuple[str, ...], workers: int) -> Iterator[ParseResult]:
    """Each file's result in the order given: parsed here, or in a pool of ``workers`` processes."""
    if not workers:
        from nianbao.parsers.api import parse_path

        yield from map(parse_path, paths)
        return
    from nianbao.parsers.pool import ParsePool, parse_documents  # the parsers load in the workers only

    with ParsePool(workers) as pool:
        yield from parse_documents(pool, ((Path(path).read_bytes(), path) for path in paths))


def summary(result: ParseResult) -> str:
    lines = [f"{result.path}: {result.format or '?'}",
             f"  title:     {result.title or '—'}",
             f"  agency:    {result.agency or '—'}    year covered: {result.year or '—'}    "
             f"published: {result.published or '—'}",
             f"  template:  {result.template}    figures: {len(result.figures)}    "
             f"inferred ({_INFERRED_MARK}, not printed but computed): {len(result.inferred)}"]
    if result.needs_ocr:
        lines.append("  needs OCR: pages or pictures without text were not read (see the errors)")
    if result.ocr:
        low = sum(1 for p in result.provenance.values()
                  if p.get("confidence") is not None and p["confidence"] < LOW_CONFIDENCE)
        lines.append(f"  read by OCR from pictures: check the {low} figure(s) of confidence under {LOW_CONFIDENCE:g}")
    if not result.needs_ocr and not result.figures:
        lines.append(f"  no statistics table was read ({len(result.tables)} tables kept raw)")
    for name, prefix in _TABLES:
        if any(k.startswith(prefix) for k in result.figures):
            lines.append(f"  {name}:")
            lines.extend(_table(result, prefix))
    failed = [c for c in result.checks if not c["ok"]]
    lines.append(f"  checks:    {len(result.checks)} evaluated, {len(failed)} failing")
    lines.extend(f"    FAIL {c['rule']}: {c['detail']}" for c in failed)
    lines.extend(f"  note: {n}" for n in result.notes)
    lines.extend(f"  error: {e}" for e in result.errors)
    return "\n".join(lines)


@click.command(short_help="Parse local report files; --json for JSON Lines.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file (JSON Lines), as spec/parse-output.md.")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default=True,
              help="Parse in this many worker processes, each file under a memory and time cap; 0 parses in this process.")
def parse(paths: tuple[str, ...], as_json: bool, workers: int) -> None:
    """Parse report files (HTML, PDF, DOCX, DOC, text) into canonical figures and checks."""
    failed = False
    for result in _parsed(paths, workers):
        failed = failed or unreadable(result)
        if as_json:
            sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        else:
            click.echo(summary(result))
    sys.exit(1 if failed else 0)
