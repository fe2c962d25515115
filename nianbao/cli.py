"""``nianbao``: one command line over the crawler, the parsers and the archive.

Each subcommand lives next to the code it drives (``parsers/cli.py``,
``crawler/cli.py``, ``archive/cli.py``, ``nianbao/demo.py``); this module
only gathers them.
"""

from __future__ import annotations

import click

from nianbao import __version__
from nianbao.archive.cli import publish_command, reparse, serve
from nianbao.cluster.cli import cluster_crawl, cluster_demo, worker
from nianbao.crawler.cli import crawl, discover, mirror, portals
from nianbao.demo import demo
from nianbao.parsers.cli import parse


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nianbao")
def main() -> None:
    """Crawl, parse and publish Chinese government information-disclosure annual reports (政府信息公开工作年度报告)."""


for command in (crawl, parse, reparse, publish_command, serve, demo, portals, discover, mirror, worker, cluster_crawl,
                cluster_demo):
    main.add_command(command)


if __name__ == "__main__":
    main()
