"""What every bench states: the machine's conditions, and at the end whether its output checked out."""

from __future__ import annotations

import os
import sys


def conditions() -> str:
    """Cores and load average now: figures from a loaded machine are read with this in mind."""
    return f"{len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.1f}"


def machine_cpu() -> float:
    """CPU seconds the machine has been busy since boot, all cores (/proc/stat: user, nice, system, irq,
    softirq, and steal: time the host gave to another machine, not ours to use)."""
    with open("/proc/stat", encoding="ascii") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, stat.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def conclude(problems: list[str], verified: str) -> None:
    """Print the load average at the end, then exit non-zero with the problems, or say what was verified."""
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    if problems:
        sys.exit("VERIFICATION FAILED:\n" + "\n".join(problems))
    print(f"verified: {verified}")
