"""The reports of a fixed demo floor, for tests/cli/test_report_outputs.py (issue #18: speed work
must not change any report's output).

    python tests/report_golden.py write   # only when a report's output changes on purpose

The demo floor is built at the suite's pinned moment with a pinned store clock, so every
figure, and every stamp a report could show, is the same on any machine on any date.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "data" / "reports"
NOW = "2026-11-20T15:00:00"
SEATS, DAYS = 40, 75
# (file name, CLI arguments after --store): month reports of a finished month (with the
# month before it for the interview list) and of the running one; QA, pay and day reports.
REPORTS = [
    ("month-2026-10.json", ["report", "month", "--month", "2026-10", "--format", "json"]),
    ("month-2026-11.json", ["report", "month", "--month", "2026-11", "--format", "json"]),
    ("month-2026-10.txt", ["report", "month", "--month", "2026-10"]),
    ("qa-2026-10.json", ["report", "qa", "--month", "2026-10", "--format", "json"]),
    ("qa-2026-11.json", ["report", "qa", "--month", "2026-11", "--format", "json"]),
    ("qa-2026-10.txt", ["report", "qa", "--month", "2026-10"]),
    ("pay-2026-10.json", ["report", "pay", "--month", "2026-10", "--format", "json"]),
    ("pay-2026-11.json", ["report", "pay", "--month", "2026-11", "--format", "json"]),
    ("day-2026-11-19.json", ["report", "day", "--date", "2026-11-19", "--format", "json"]),
    ("day-2026-11-20.json", ["report", "day", "--date", "2026-11-20", "--format", "json"]),
    ("day-2026-11-20.txt", ["report", "day", "--date", "2026-11-20"]),
]


def build(root: Path) -> None:
    """The demo floor at NOW, every store write stamped NOW too."""
    from floorapp.services import demo
    from floorapp.clock import fixed_clock
    from floorapp.services import Floor
    from store.db import Store

    store = Store(root, user="tester", clock=lambda: NOW + "+08:00").open()
    demo.generate(Floor(store, fixed_clock(NOW)), seats=SEATS, days=DAYS)


def outputs(root: Path) -> dict[str, str]:
    """Each report's text as the CLI prints it."""
    from floorapp.cli.main import run

    os.environ["FLOOR_NOW"] = NOW
    out = {}
    for name, args in REPORTS:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = run(["--store", str(root), "--lang", "en", *args])
        assert code == 0, (name, code)
        out[name] = buffer.getvalue()
    return out


def main() -> None:
    import tempfile

    sys.path.insert(0, str(HERE.parent))
    if sys.argv[1:] != ["write"]:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FLOOR_NOW"] = NOW
        build(Path(tmp) / "store")
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, text in outputs(Path(tmp) / "store").items():
            (GOLDEN / name).write_text(text, encoding="utf-8")
            print(f"{name}: {len(text)} characters")


if __name__ == "__main__":
    main()
