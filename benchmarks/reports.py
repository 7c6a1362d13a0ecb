"""Report time on the year store: the day report and the month report, via the CLI entry."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import time

from common import YEAR_STORE, year_store

from floorapp.cli.main import run


def timed(args: list[str]) -> tuple[float, int]:
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            code = run(["--store", str(YEAR_STORE), *args])
        except SystemExit as exc:  # a report this build does not have yet
            code = int(exc.code or 0)
    return time.perf_counter() - started, code


def main() -> None:
    floor = year_store()
    day = (floor.today() - dt.timedelta(days=1)).isoformat()
    month = (floor.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    for args in (["report", "staff", "--format", "json"],
                 ["report", "day", "--date", day, "--format", "json"],
                 ["report", "month", "--month", month, "--format", "json"],
                 ["report", "qa", "--month", month, "--format", "json"],
                 ["report", "roster", "--month", month, "--format", "json"]):
        seconds, code = timed(args)
        state = "ok" if code == 0 else f"exit {code}"
        print(f"{' '.join(args[:2]):16} {seconds:6.2f} s  ({state})")


if __name__ == "__main__":
    main()
