"""Shared set-up for the benchmarks: an empty store and a year of a 300-seat floor."""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from floorapp.services import demo  # noqa: E402
from floorapp.services import Floor, open_floor  # noqa: E402

YEAR_STORE = Path(tempfile.gettempdir()) / "floor-bench-year"


def year_store(seats: int = 300, days: int = 365) -> Floor:
    """A store holding a year of a 300-seat floor, built once with `floor demo`."""
    if not (YEAR_STORE / "meta.json").exists() or not open_floor(YEAR_STORE).has_data():
        shutil.rmtree(YEAR_STORE, ignore_errors=True)
        started = time.perf_counter()
        print(demo.generate(open_floor(YEAR_STORE), seats=seats, days=days))
        print(f"built the year store in {time.perf_counter() - started:.1f} s")
    return open_floor(YEAR_STORE)


def empty_store(seats: int = 300) -> Floor:
    """Same staff, no history."""
    root = Path(tempfile.mkdtemp(prefix="floor-bench-empty-"))
    floor = open_floor(root)
    demo.generate(floor, seats=seats, days=0)
    return floor


def measure(action: Callable[[], object], repeat: int = 30) -> float:
    """Median seconds of ``action`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def store_size(root: Path) -> tuple[int, float]:
    files = [p for p in root.rglob("*.json") if "backups" not in p.parts]
    return len(files), sum(p.stat().st_size for p in files) / 1e6
