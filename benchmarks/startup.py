"""App start-up on the year store: from constructing FloorApp to the first screen shown."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from common import YEAR_STORE, year_store

from floorapp.app import FloorApp


async def first_screen(floor) -> float:  # noqa: ANN001
    started = time.perf_counter()
    app = FloorApp(floor, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        return time.perf_counter() - started


def main() -> None:
    floor = year_store()
    times = [asyncio.run(first_screen(floor)) for _ in range(5)]
    print(f"FloorApp to first screen (headless, 80x24): best {min(times):.2f} s, "
          f"worst {max(times):.2f} s")
    root = Path(__file__).resolve().parent.parent
    started = time.perf_counter()
    subprocess.run([sys.executable, str(root / "floor.py"), "--store", str(YEAR_STORE),
                    "--help"], check=True, capture_output=True)
    print(f"`floor --help` process (imports): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
