"""Issue #18's and #30's figures, each beside its baseline measured in the same run.

    python benchmarks/speed.py [--runs 5] [--demo]

Whole processes, median of --runs, the baseline and the command taken in turn so a noisy
machine slows both alike. The baseline of a report is reading and parsing its month's day
files with orjson in a fresh interpreter (start-up included); of `report day` it is
`floor --help`. Reports are measured warm (the store's cache, .cache/, as any earlier report
left it) and cold (.cache/ removed before each run: the first report after the past days
changed). Peak memory is the process's maximum resident set.

Two stores: a year of a 300-seat floor (`floor demo --seats 300 --days 365`) and 60 days of a
1,000-seat one (`--seats 1000 --days 60`), built once under the temp dir. With --demo the
1,000-seat demo is run again into a new directory for its time and peak memory (about a
minute and a half on a quiet machine).

The program's bytecode is compiled first (`compileall`), as installing the package does: a
checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module from source
in every process, command and baseline alike.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import YEAR_STORE

ROOT = Path(__file__).resolve().parent.parent
BIG_STORE = Path(tempfile.gettempdir()) / "floor-bench-1000"
READ_FILES = ("import glob, sys, orjson\n"
              "for p in sorted(glob.glob(sys.argv[1])):\n"
              "    with open(p, 'rb') as f: orjson.loads(f.read())\n")
DEMO_PEAK_MIB = 400  # issue #30: a 1,000-seat demo in bounded memory


PROGRAM = ROOT  # --program: another checkout of floor (an older version, for a "before")


def floor(store: Path) -> list[str]:
    return [sys.executable, str(PROGRAM / "floor.py"), "--store", str(store)]


def run(argv: list[str]) -> tuple[float, float]:
    """(seconds, peak MiB) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(argv)}")
    return seconds, usage.ru_maxrss / 1024


def compare(label: str, command: list[str], baseline: list[str], runs: int, target: float | None,
            before: list[Path] | None = None) -> None:
    ours, base, peak = [], [], []
    for _ in range(runs):
        base.append(run(baseline)[0])
        for path in before or ():
            shutil.rmtree(path, ignore_errors=True)
        seconds, mib = run(command)
        ours.append(seconds)
        peak.append(mib)
    a, b = statistics.median(ours), statistics.median(base)
    ratios = sorted(o / s for o, s in zip(ours, base))
    verdict = "" if target is None else \
        f"target ≤ {target:g}: {'met' if a / b <= target else 'NOT MET'}"
    print(f"{label:40} {a:6.2f} s {max(peak):5.0f} MiB   baseline {b:5.2f} s   "
          f"ratio {a / b:4.1f} (runs {ratios[0]:.1f}–{ratios[-1]:.1f})   {verdict}", flush=True)


def big_store(seats: int = 1000, days: int = 60) -> Path:
    """60 days of a 1,000-seat floor, built once (its demo's figures printed then)."""
    if not (BIG_STORE / "meta.json").exists() or not (BIG_STORE / "ref.json").exists():
        shutil.rmtree(BIG_STORE, ignore_errors=True)
        demo(BIG_STORE, seats, days)
    return BIG_STORE


def demo(store: Path, seats: int = 1000, days: int = 60) -> None:
    seconds, mib = run(floor(store) + ["demo", "--seats", str(seats), "--days", str(days)])
    verdict = "met" if mib <= DEMO_PEAK_MIB else "NOT MET"
    print(f"{f'floor demo --seats {seats} --days {days}':40} {seconds:6.1f} s {mib:5.0f} MiB"
          f"   target ≤ {DEMO_PEAK_MIB} MiB peak: {verdict}", flush=True)


def month_rows(store: Path, runs: int, cold: bool) -> None:
    """The month, QA and day reports of the last finished month."""
    today = dt.date.fromisoformat(json.loads(subprocess.run(
        floor(store) + ["report", "day", "--format", "json"], capture_output=True, text=True,
        check=True).stdout)["date"])
    last = today.replace(day=1) - dt.timedelta(days=1)
    month, day = f"{last:%Y-%m}", last.isoformat()
    files = str(store / "days" / f"{last:%Y}" / f"{month}-*.json")
    read = [sys.executable, "-c", READ_FILES, files]
    cache = [store / ".cache"]
    monthly = ["report", "month", "--month", month, "--format", "json"]
    qa = ["report", "qa", "--month", month, "--format", "json"]
    daily = ["report", "day", "--date", day, "--format", "json"]
    print(f"store {store}, month {month}, {runs} runs each", flush=True)
    for args in (monthly, qa, daily):
        run(floor(store) + args)  # warm the cache as an earlier report leaves it
    compare("report month --format json (warm)", floor(store) + monthly, read, runs, 4)
    compare("report qa --month (warm)", floor(store) + qa, read, runs, 2.5)
    compare("report day, a past day (vs floor --help)", floor(store) + daily,
            floor(store) + ["--help"], runs, 1.3)
    if cold:
        compare("report month --format json (cold)", floor(store) + monthly, read, runs, None,
                before=cache)
        compare("report qa --month (cold)", floor(store) + qa, read, runs, None, before=cache)
    for args in (monthly, qa, daily):
        run(floor(store) + args)  # leave the cache warm


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--demo", action="store_true",
                        help="run the 1,000-seat demo again for its time and memory")
    parser.add_argument("--only", choices=("300", "1000"), help="one store's rows only")
    parser.add_argument("--program", type=Path, default=ROOT,
                        help="the checkout of floor to measure (default: this one)")
    options = parser.parse_args()
    global PROGRAM
    PROGRAM = options.program.resolve()
    print(f"program {PROGRAM}", flush=True)
    for folder in ("floorapp", "store", "screens"):
        compileall.compile_dir(PROGRAM / folder, quiet=1)
    if options.only != "1000":
        # built in a process of its own: a child's peak memory (ru_maxrss) starts from its
        # parent's at fork and survives exec, so a parent that had built the store in itself
        # would show its own 390 MiB as every command's peak
        subprocess.run([sys.executable, "-c", "from common import year_store; year_store()"],
                       cwd=Path(__file__).resolve().parent, check=True)
        month_rows(YEAR_STORE, options.runs, cold=True)
    if options.only != "300":
        if options.demo:
            fresh = Path(tempfile.mkdtemp(prefix="floor-bench-demo-"))
            try:
                demo(fresh / "store")
            finally:
                shutil.rmtree(fresh, ignore_errors=True)
        month_rows(big_store(), options.runs, cold=False)


if __name__ == "__main__":
    main()
