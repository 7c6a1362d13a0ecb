"""The database store beside the file store (issue #32): the same demo floor in a directory
and, copied with `floor store copy`, in PostgreSQL; each report as a fresh command (a new
floor, nothing in memory, best of 3 once its figures are kept: what a supervisor's
`floor report …` costs), the first screen's reads (a new floor each time, best of 3), and a
save. Target: reports and the start within 2× the file store's; saves ≤ 20 ms.

    python benchmarks/db_store.py [--seats 40] [--days 75] [--files DIR] [--store postgresql://…]
                                  [--site SITE]   # a site already copied from --files

Without ``--store`` a throwaway cluster is started (tests/pg.py) and stopped at the end; with
one, a database where ``floor db init`` ran and the login may write (a new site is used).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("FLOOR_NOW", "2026-11-20T15:00:00")

from floorapp.services import demo  # noqa: E402
from floorapp.cli.main import run  # noqa: E402
from floorapp.clock import fixed_clock  # noqa: E402
from floorapp.services import open_floor  # noqa: E402
from store import pg_admin  # noqa: E402

NOW = os.environ["FLOOR_NOW"]
counter = itertools.count()


def cli_seconds(args: list[str]) -> float:
    started = time.perf_counter()
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = run(args)
    if code != 0:
        raise SystemExit(f"{args}: exit {code}: {err.getvalue()[-500:]}")
    return time.perf_counter() - started


def first_screen(store: str, site: str | None) -> float:
    """What the console reads before its first screen: the register, the policy, today's
    shifts and the attendance of today."""
    started = time.perf_counter()
    floor = open_floor(store, clock=fixed_clock(NOW), site=site)
    today = floor.today()
    floor.staff()
    floor.day.shift_codes(today)
    floor.attendance.day_results(today)
    return time.perf_counter() - started


def save_ms(store: str, site: str | None) -> float:
    floor = open_floor(store, clock=fixed_clock(NOW), site=site)
    part = f"day/{floor.today().isoformat()}"
    times = []
    for _ in range(30):
        started = time.perf_counter()
        with floor.store.transaction() as tx:
            tx.put(part, "bench", f"k{next(counter)}", {"completed": 1})
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seats", type=int, default=40)
    parser.add_argument("--days", type=int, default=75)
    parser.add_argument("--store", help="a postgresql:// address (default: a throwaway cluster)")
    parser.add_argument("--files", type=Path,
                        help="an existing store directory at FLOOR_NOW (default: a new demo)")
    parser.add_argument("--site", help="a site of --store already copied from --files "
                                       "(default: copy into a new site)")
    args = parser.parse_args()
    cluster = None
    if args.store:
        address = args.store
    else:
        from tests.pg import start_cluster, stop_cluster

        cluster, home, prefix = start_cluster()
        pg_admin.init(cluster.address())
        address = cluster.address()
    try:
        if args.files:
            root = args.files
        else:
            root = Path(tempfile.mkdtemp(prefix="floor-bench-db-")) / "store"
            started = time.perf_counter()
            demo.generate(open_floor(root, clock=fixed_clock(NOW)), seats=args.seats,
                          days=args.days)
            print(f"demo floor of {args.seats} seats, {args.days} days: "
                  f"{time.perf_counter() - started:.1f} s")
        site = args.site or f"bench{os.getpid()}"
        if not args.site:
            print(f"store copy into the database: "
                  f"{cli_seconds(['store', 'copy', str(root), address, '--to-site', site]):.1f} s")
        today = dt.date.fromisoformat(NOW[:10])
        last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
        reports = [["report", "day", "--date", (today - dt.timedelta(days=1)).isoformat(),
                    "--format", "json"],
                   ["report", "month", "--month", last_month, "--format", "json"],
                   ["report", "qa", "--month", last_month, "--format", "json"],
                   ["report", "pay", "--month", last_month, "--format", "json"]]
        print(f"{'':24} {'files':>8} {'database':>9} {'ratio':>6}")
        for report in reports:  # the first run of each keeps its figures; the second is timed
            files_s = min(cli_seconds(["--store", str(root), *report]) for _ in range(3))
            db_s = min(cli_seconds(["--store", address, "--site", site, *report])
                       for _ in range(3))
            print(f"{' '.join(report[:2]):24} {files_s:7.2f}s {db_s:8.2f}s {db_s / files_s:6.1f}")
        files_s = min(first_screen(str(root), None) for _ in range(3))
        db_s = min(first_screen(address, site) for _ in range(3))
        print(f"{'first screen reads':24} {files_s:7.2f}s {db_s:8.2f}s {db_s / files_s:6.1f}")
        files_ms, db_ms = save_ms(str(root), None), save_ms(address, site)
        print(f"{'a save (median of 30)':24} {files_ms:6.1f}ms {db_ms:7.1f}ms "
              f"{db_ms / files_ms:6.1f}")
    finally:
        if cluster is not None:
            stop_cluster(home, cluster.bindir, prefix)


if __name__ == "__main__":
    main()
