"""``nianbao parse``: parse local files without a crawl or a database."""

from __future__ import annotations

import json
import sys

import click

from parsers.api import parse_path


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file (JSON Lines), as spec/parse-output.md.")
def parse(paths: tuple[str, ...], as_json: bool) -> None:
    """Parse report files (HTML, PDF, DOCX, DOC, text) into canonical figures and checks."""
    failed = False
    for path in paths:
        result = parse_path(path)
        failed = failed or bool(result.errors and not result.figures and result.template == "unknown")
        if as_json:
            sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        else:
            click.echo(f"{path}: template {result.template}, year {result.year}, agency {result.agency}")
    sys.exit(1 if failed else 0)
