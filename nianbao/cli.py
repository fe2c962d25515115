"""``nianbao``: one command line over the crawler, the parsers and the archive.

Each subcommand lives next to the code it drives (``parsers/cli.py``,
``crawler/cli.py``, ``archive/cli.py``, ``nianbao/demo.py``); this module
only names them.  A subcommand's module is imported when that command runs,
so ``nianbao parse`` or ``nianbao reparse`` does not first load Scrapy,
Datasette and uvicorn (about 2 s).
"""

from __future__ import annotations

import importlib

import click

from nianbao import __version__

COMMANDS = {
    "crawl": "nianbao.crawler.cli:crawl",
    "parse": "nianbao.parsers.cli:parse",
    "reparse": "nianbao.archive.cli:reparse",
    "publish": "nianbao.archive.cli:publish_command",
    "serve": "nianbao.archive.cli:serve",
    "demo": "nianbao.demo:demo",
    "portals": "nianbao.crawler.cli:portals",
    "discover": "nianbao.crawler.cli:discover",
    "mirror": "nianbao.crawler.cli:mirror",
    "worker": "nianbao.cluster.cli:worker",
    "cluster-crawl": "nianbao.cluster.cli:cluster_crawl",
    "cluster-demo": "nianbao.cluster.cli:cluster_demo",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported by name when needed (click's documented lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name].split(":")
        command: click.Command = getattr(importlib.import_module(module), name)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nianbao")
def main() -> None:
    """Crawl, parse and publish Chinese government information-disclosure annual reports (政府信息公开工作年度报告)."""


if __name__ == "__main__":
    main()
