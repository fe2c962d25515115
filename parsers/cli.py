"""``nianbao parse``: parse local files without a crawl or a database.

``--json`` prints one JSON object per file (spec/parse-output.md); without
it, a summary a person can read: metadata, the three statistics tables
and the checks that fail.  Exit status 1 when a file could not be read at all.
"""

from __future__ import annotations

import json
import sys

import click

from parsers.api import parse_path
from parsers.model import ParseResult
from parsers.templates import TEMPLATES

_TABLES = (("表二 主动公开", "active."), ("表三 依申请", "requests."), ("表四 复议诉讼", "appeals."), ("统计表", "legacy."))


def unreadable(result: ParseResult) -> bool:
    """Nothing could be read from the file: no figures, no text, only errors."""
    return bool(result.errors) and not result.figures and not result.sections and result.template == "unknown"


def _requests_table(result: ParseResult) -> list[str]:
    """Table 3 as rows × the seven applicant columns."""
    rows = dict.fromkeys(k.split(".")[1] for k in result.figures if k.startswith("requests."))
    lines = ["    " + " " * 28 + " ".join(f"{c[:8]:>8}" for c in TEMPLATES.columns)]
    for row in rows:
        values = [result.figures.get(f"requests.{row}.{c}") for c in TEMPLATES.columns]
        lines.append(f"    {row:<28}" + " ".join(f"{'—' if v is None else v:>8}" for v in values))
    return lines


def summary(result: ParseResult) -> str:
    lines = [f"{result.path}: {result.format or '?'}",
             f"  title:     {result.title or '—'}",
             f"  agency:    {result.agency or '—'}    year covered: {result.year or '—'}    "
             f"published: {result.published or '—'}",
             f"  template:  {result.template}    figures: {len(result.figures)}    inferred: {len(result.inferred)}"]
    for name, prefix in _TABLES:
        keys = [k for k in result.figures if k.startswith(prefix)]
        if not keys:
            continue
        lines.append(f"  {name}:")
        if prefix == "requests.":
            lines.extend(_requests_table(result))
        else:
            lines.extend(f"    {k[len(prefix):]:<40} {'—' if result.figures[k] is None else result.figures[k]}"
                         for k in keys)
    failed = [c for c in result.checks if not c["ok"]]
    lines.append(f"  checks:    {len(result.checks)} evaluated, {len(failed)} failing")
    lines.extend(f"    FAIL {c['rule']}: {c['detail']}" for c in failed)
    lines.extend(f"  note: {n}" for n in result.notes)
    lines.extend(f"  error: {e}" for e in result.errors)
    return "\n".join(lines)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file (JSON Lines), as spec/parse-output.md.")
def parse(paths: tuple[str, ...], as_json: bool) -> None:
    """Parse report files (HTML, PDF, DOCX, DOC, text) into canonical figures and checks."""
    failed = False
    for path in paths:
        result = parse_path(path)
        failed = failed or unreadable(result)
        if as_json:
            sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        else:
            click.echo(summary(result))
    sys.exit(1 if failed else 0)
