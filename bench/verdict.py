"""What every bench states: the machine's conditions, and at the end whether its output checked out."""

from __future__ import annotations

import os
import sys


def conditions() -> str:
    """Cores and load average now: figures from a loaded machine are read with this in mind."""
    return f"{len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.1f}"


def conclude(problems: list[str], verified: str) -> None:
    """Print the load average at the end, then exit non-zero with the problems, or say what was verified."""
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    if problems:
        sys.exit("VERIFICATION FAILED:\n" + "\n".join(problems))
    print(f"verified: {verified}")
