"""App start-up on the year store, as a supervisor sees it: from starting `floor` in a
terminal (tmux, 80x24) to the first screen showing the register's rows, beside the same on a
store with the same staff and no history, and beside `floor --help` (the imports alone).

    python benchmarks/startup.py [--runs 5]
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

from common import YEAR_STORE, empty_store, year_store

ROOT = Path(__file__).resolve().parent.parent
SESSION = f"floor-bench-startup-{os.getpid()}"  # one per run: two people never share it


def first_screen(store: Path, marker: str = "A001", timeout: float = 30.0) -> float:
    """Seconds from starting the app in an 80x24 tmux pane to ``marker`` on the screen."""
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    command = f"{sys.executable} {ROOT / 'floor.py'} --store {store} --lang en"
    started = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", "80", "-y", "24",
                    command], check=True)
    try:
        while time.perf_counter() - started < timeout:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", SESSION],
                                    capture_output=True, text=True).stdout
            if marker in screen:
                return time.perf_counter() - started
            time.sleep(0.005)
        sys.exit(f"no {marker!r} on the screen after {timeout} s:\n{screen}")
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
    runs = parser.parse_args().runs
    year_store()
    empty = empty_store().store.root
    year, bare, help_ = [], [], []
    for _ in range(runs):
        help_.append(process([sys.executable, str(ROOT / "floor.py"), "--help"]))
        bare.append(first_screen(empty))
        year.append(first_screen(YEAR_STORE))
    y, e, h = (statistics.median(x) for x in (year, bare, help_))
    print(f"first screen with data, year store  {y:5.2f} s   (best {min(year):.2f})")
    print(f"first screen with data, no history  {e:5.2f} s   ratio {y / e:4.2f}")
    print(f"floor --help (imports)              {h:5.2f} s   ratio {y / h:4.2f}")
    shutil.rmtree(empty, ignore_errors=True)


if __name__ == "__main__":
    main()
