"""``nianbao --help``: every subcommand is listed with a one-line help that is not cut off."""

from __future__ import annotations

from click.testing import CliRunner

from nianbao.cli import main

SUBCOMMANDS = ("crawl", "parse", "reparse", "publish", "serve", "demo", "portals", "discover", "mirror", "worker",
               "cluster-crawl", "cluster-demo")


def test_help_lists_every_subcommand_on_one_whole_line() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = {line.split()[0]: line for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert set(listed) == set(SUBCOMMANDS)
    assert not [line for line in listed.values() if line.rstrip().endswith("...")]


def test_each_subcommand_has_its_own_help() -> None:
    for name in SUBCOMMANDS:
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert f" {name} [OPTIONS]" in result.output
