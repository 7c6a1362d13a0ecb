"""Issue #18's figures on the year store, each beside its baseline measured in the same run.

    python benchmarks/speed.py [--runs 5]

Whole processes, median of --runs, the baseline and the command taken in turn so a noisy
machine slows both alike. The baseline of a report is reading and parsing its month's day
files with orjson in a fresh interpreter (start-up included); of `report day` it is
`floor --help`. Reports are measured warm (the store's digest cache, .cache/, as any earlier
report left it) and cold (.cache/ removed before each run: the first report after the past
days changed). Peak memory is the process's maximum resident set.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import YEAR_STORE, year_store

ROOT = Path(__file__).resolve().parent.parent
FLOOR = [sys.executable, str(ROOT / "floor.py"), "--store", str(YEAR_STORE)]
READ_FILES = ("import glob, sys, orjson\n"
              "for p in sorted(glob.glob(sys.argv[1])):\n"
              "    with open(p, 'rb') as f: orjson.loads(f.read())\n")


def run(argv: list[str]) -> tuple[float, float]:
    """(seconds, peak MiB) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(argv)}")
    return seconds, usage.ru_maxrss / 1024


def compare(label: str, command: list[str], baseline: list[str], runs: int,
            before: list[str] | None = None) -> None:
    ours, base, peak = [], [], []
    for _ in range(runs):
        base.append(run(baseline)[0])
        if before:
            shutil.rmtree(before[0], ignore_errors=True)
        seconds, mib = run(command)
        ours.append(seconds)
        peak.append(mib)
    a, b = statistics.median(ours), statistics.median(base)
    print(f"{label:34} {a:6.2f} s  {max(peak):5.0f} MiB   baseline {b:5.2f} s   "
          f"ratio {a / b:4.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    floor = year_store()
    today = floor.today()
    last = today.replace(day=1) - __import__("datetime").timedelta(days=1)
    month = f"{last:%Y-%m}"
    day = last.isoformat()
    files = str(YEAR_STORE / "days" / f"{last:%Y}" / f"{month}-*.json")
    read = [sys.executable, "-c", READ_FILES, files]
    cache = [str(YEAR_STORE / ".cache")]
    print(f"year store {YEAR_STORE}, month {month}, {runs} runs each")
    run(FLOOR + ["report", "month", "--month", month, "--format", "json"])  # warm the cache
    compare("report month --format json (warm)",
            FLOOR + ["report", "month", "--month", month, "--format", "json"], read, runs)
    compare("report month --format json (cold)",
            FLOOR + ["report", "month", "--month", month, "--format", "json"], read, runs,
            before=cache)
    run(FLOOR + ["report", "month", "--month", month, "--format", "json"])
    compare("report qa --month (warm)",
            FLOOR + ["report", "qa", "--month", month, "--format", "json"], read, runs)
    compare("report qa --month (cold)",
            FLOOR + ["report", "qa", "--month", month, "--format", "json"], read, runs,
            before=cache)
    compare("report day (vs floor --help)",
            FLOOR + ["report", "day", "--date", day, "--format", "json"],
            FLOOR + ["--help"], runs)
    run(FLOOR + ["report", "month", "--month", month, "--format", "json"])


if __name__ == "__main__":
    main()
