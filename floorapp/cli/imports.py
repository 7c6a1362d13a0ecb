"""`floor import KIND FILE` (SPEC §9, §11): one all-or-nothing importer per kind of file.

May import: services, formats, rules, the basics and the store's errors; the app only to start the console; never screens or Textual.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from floorapp.errors import FloorError
from floorapp.formats import import_files
from floorapp.i18n import _
from floorapp.services import Floor


def _import_staff(floor: Floor, path: Path) -> str:
    added, changed = floor.import_staff(path)
    return _("{path}: {added} staff added, {changed} changed").format(
        path=path, added=added, changed=changed)


def _import_calls(floor: Floor, path: Path) -> str:
    rows, days = floor.quota.import_calls(path)
    return _("{path}: {rows} call count rows imported over {days} day(s)").format(
        path=path, rows=rows, days=days)


# kind -> importer(floor, path) -> summary line. Every importer is all-or-nothing.
IMPORTERS: dict[str, Callable[[Floor, Path], str]] = {
    "staff": _import_staff,
    "checklist": lambda floor, path: floor.emergency.import_checklist(path),
    "calls": _import_calls,
    "attendance": lambda floor, path: floor.attendance.import_attendance(path),
    "leave": lambda floor, path: floor.attendance.import_leave(path),
    "template": lambda floor, path: floor.monitoring.import_template(path),
    "evaluations": lambda floor, path: floor.monitoring.import_evaluations(path),
    "coaching": lambda floor, path: floor.pay.import_coaching(path),
    "punches": lambda floor, path: _import_punches(floor, path),
    "cdr": lambda floor, path: _import_cdr(floor, path),
}


def _import_punches(floor: Floor, path: Path, skip_unknown: bool = False) -> str:
    from floorapp.services.punches import PunchService

    return PunchService(floor).import_punches(path, skip_unknown=skip_unknown)


def _import_cdr(floor: Floor, path: Path) -> str:
    from floorapp.services.cdr import CdrService

    return CdrService(floor).import_cdr(path)


def _follow_cdr(floor: Floor, path: Path) -> str:
    """``floor import cdr --follow``: until SIGTERM or Ctrl-C."""
    import signal

    from floorapp.services.cdr_follow import CdrFollower

    if not path.is_file():
        raise FloorError(_("{path}: no such file to follow").format(path=path))
    stopping: list[int] = []
    previous = {sig: signal.signal(sig, lambda number, _frame: stopping.append(number))
                for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        print(_("{path}: following (Ctrl-C to stop)").format(path=path), flush=True)
        kept = CdrFollower(floor, path, log=lambda text: print(text, file=sys.stderr,
                                                                flush=True)).follow(
            lambda: bool(stopping), lambda text: print(text, flush=True))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return _("{path}: stopped; {rows} new record(s) kept").format(path=path, rows=kept)


def run_import(floor: Floor, args: argparse.Namespace) -> str:
    """``floor import KIND FILE``: .xlsx sheets through ``--sheet``, punches ``--skip-unknown``,
    call records ``--follow``."""
    if getattr(args, "follow", False):
        if args.kind != "cdr":
            raise FloorError(_("--follow is for `floor import cdr`"))
        return _follow_cdr(floor, args.file)
    skip_unknown = getattr(args, "skip_unknown", False)
    if skip_unknown and args.kind != "punches":
        raise FloorError(_("--skip-unknown is for `floor import punches`"))
    with import_files.sheet(getattr(args, "sheet", None)):
        if args.kind == "punches":
            return _import_punches(floor, args.file, skip_unknown)
        return IMPORTERS[args.kind](floor, args.file)


