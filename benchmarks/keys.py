"""The app at 300 and at 1,000 seats, as a supervisor sees it in a terminal (tmux, 80x24):
the time from starting `floor` to the register's rows on the first screen, and from a key to
its effect on the screen — on Attendance `[` (the day before) and on Quota `b` (behind only,
after `4` opened the section) and `b` again (every seat back) — each median of --runs, the two stores side by side, with
`floor --help` (the imports alone) taken in the same run as the machine's own pace.

    python benchmarks/keys.py [--runs 5]

Uses the stores of benchmarks/speed.py (built on first use): a year of a 300-seat floor and
60 days of a 1,000-seat one. A key's time runs from `tmux send-keys` to the first capture of
the pane that differs from the one before the key (polled every 5 ms). The clock is pinned
(``FLOOR_NOW``) to 15:00 on each store's last day, mid-shift with the day's counts in: at the
wall clock's hour the figures would hang on when the stores were built (an empty new day at
night in Shanghai shows nobody behind, and `b` then costs nothing at either size).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import YEAR_STORE, year_store
from speed import big_store

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT  # --program: another checkout of floor (an older version, for a "before")
SESSION = f"floor-bench-keys-{os.getpid()}"  # two people running it never share a session


def pane() -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", SESSION],
                          capture_output=True, text=True).stdout


def wait_for(test, timeout: float = 30.0) -> float:  # noqa: ANN001 - screen text -> bool
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if test(pane()):
            return time.perf_counter() - started
        time.sleep(0.005)
    sys.exit(f"the screen did not change as expected in {timeout} s:\n{pane()}")


def settled(quiet: float = 0.5) -> str:
    """The pane once it has not changed for ``quiet`` seconds."""
    last, since = pane(), time.perf_counter()
    while time.perf_counter() - since < quiet:
        time.sleep(0.02)
        now = pane()
        if now != last:
            last, since = now, time.perf_counter()
    return last


def key_effect(key: str) -> float:
    before = settled()
    started = time.perf_counter()
    subprocess.run(["tmux", "send-keys", "-t", SESSION, key], check=True)
    wait_for(lambda screen: screen != before)
    return time.perf_counter() - started


def mid_shift(store: Path) -> str:
    """15:00 on the store's last day (its newest day file)."""
    last = max(path.stem for path in (store / "days").glob("*/*.json"))
    return f"{last}T15:00:00"


def session(store: Path) -> tuple[float, float, float, float]:
    """(start to the register, Attendance `[`, Quota `b`, Quota `b` again) in seconds."""
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    command = (f"env FLOOR_NOW={mid_shift(store)} {sys.executable} {PROGRAM / 'floor.py'} "
               f"--store {store} --lang en")
    started = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", "80", "-y", "24",
                    command], check=True)
    try:
        wait_for(lambda screen: "A001" in screen)
        start = time.perf_counter() - started
        time.sleep(2.5)  # past the day's first backup, which starts 2 s after the first screen
        attendance = key_effect("[")
        subprocess.run(["tmux", "send-keys", "-t", SESSION, "4"], check=True)
        wait_for(lambda screen: "done/target" in screen and "A001" in screen)
        quota = key_effect("b")
        every_seat = key_effect("b")
        return start, attendance, quota, every_seat
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)


def process(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    if not shutil.which("tmux"):
        sys.exit("needs tmux (Debian package tmux)")
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--program", type=Path, default=ROOT,
                        help="the checkout of floor to measure (default: this one)")
    options = parser.parse_args()
    runs = options.runs
    global PROGRAM
    PROGRAM = options.program.resolve()
    print(f"program {PROGRAM}")
    for folder in ("floorapp", "store", "screens"):
        compileall.compile_dir(PROGRAM / folder, quiet=1)
    year_store()
    stores = {"300 seats": YEAR_STORE, "1,000 seats": big_store()}
    figures: dict[str, list[tuple[float, ...]]] = {name: [] for name in stores}
    help_ = []
    for _ in range(runs):
        help_.append(process([sys.executable, str(PROGRAM / "floor.py"), "--help"]))
        for name, store in stores.items():
            figures[name].append(session(store))
    print(f"floor --help (the machine's pace): {statistics.median(help_):.2f} s, "
          f"median of {runs}")
    medians = {name: [statistics.median(run[i] for run in rows) for i in range(4)]
               for name, rows in figures.items()}
    small, big = medians["300 seats"], medians["1,000 seats"]
    for i, what in enumerate(("start to the register", "Attendance: [ (day before)",
                              "Quota: b (behind only)", "Quota: b again (every seat)")):
        print(f"{what:30} 300 seats {small[i]:5.2f} s   1,000 seats {big[i]:5.2f} s   "
              f"ratio {big[i] / small[i]:4.2f} (target: no slower, ≤ 1 within the noise)")


if __name__ == "__main__":
    main()
