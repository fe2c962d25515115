#!/usr/bin/env python3
"""Schedule one Scrapyd job per portal of crawler/portals.yml (run it from cron or a systemd timer).

    python deploy/scrapyd/schedule_portals.py --db /srv/nianbao/data/nianbao.db [--url http://localhost:6800]
        [--portal ID ...] [-s NAME=VALUE ...]

Each job is ``scrapy crawl portal -a portal=<id>`` with ``NIANBAO_DB`` (and any ``-s`` setting);
each records its own crawl run, so a portal that is down fails its own job only.  The same as,
per portal:

    curl http://localhost:6800/schedule.json -d project=nianbao -d spider=portal -d portal=nxzw \\
         -d setting=NIANBAO_DB=/srv/nianbao/data/nianbao.db

Prints one ``<portal> <job id>`` line per job; exits 1 if Scrapyd refused any.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout without installing

from nianbao.crawler.registry import load_registry


def schedule(url: str, project: str, portal: str, settings: list[str]) -> str:
    """Schedule one job; return its id."""
    fields = [("project", project), ("spider", "portal"), ("portal", portal)]
    fields += [("setting", setting) for setting in settings]
    request = urllib.request.Request(f"{url.rstrip('/')}/schedule.json", data=urllib.parse.urlencode(fields).encode())
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
    if answer.get("status") != "ok":
        raise RuntimeError(answer.get("message", answer))
    return answer["jobid"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:6800", help="Scrapyd (default %(default)s)")
    parser.add_argument("--project", default="nianbao", help="Scrapyd project (scrapy.cfg [deploy])")
    parser.add_argument("--db", required=True, help="the archive database, as a path on the Scrapyd host")
    parser.add_argument("--portal", action="append", default=[], help="only this portal id (repeatable)")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting")
    args = parser.parse_args(argv)
    portals = args.portal or list(load_registry())
    failed = False
    for portal in portals:
        try:
            print(portal, schedule(args.url, args.project, portal, [f"NIANBAO_DB={args.db}", *args.set]), flush=True)
        except (OSError, RuntimeError) as e:
            print(f"{portal}: not scheduled: {e}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
