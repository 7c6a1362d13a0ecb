"""A report of a finished period kept as its text (issue #30): `report month`, `report qa
--month` and `report day` of a past day are read from this user's cache while every file and
listing they were worked out from is unchanged, and nothing else they depend on moved.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

Never stale, by the same rule as the digests (store.db ``memo``): the store files by their
signatures, the month's listing of day files, and in the key everything outside the store a
report depends on — the program's own files, the language, the format, the day it is (a
finished period's figures do not follow the clock, but "finished" does), who asks and whether
they may see pay. A running period (today in it) is always worked out.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from floorapp import i18n
from floorapp.services.core import Floor
from floorapp.services.partitions import PAY, REF

MEMO_REPORTS = ("month", "qa", "day")
_PROGRAM_DIRS = (Path(__file__).resolve().parent.parent,
                 Path(__file__).resolve().parent.parent.parent / "store")
_program: str | None = None


def program_signature() -> str:
    """Changes whenever a file of the program (code, translations, built-in data) does."""
    global _program
    if _program is None:
        parts = [sys.version]
        for top in _PROGRAM_DIRS:
            for folder, dirs, names in os.walk(top):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for name in sorted(names):
                    try:
                        st = os.stat(os.path.join(folder, name))
                    except OSError:
                        continue
                    parts.append(f"{folder}/{name}:{st.st_mtime_ns}:{st.st_size}")
        import hashlib

        _program = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
    return _program


def period(floor: Floor, report: str, month: str | None, date: str | None) -> str | None:
    """The finished period a report covers ("YYYY-MM" or "YYYY-MM-DD"), None when it is
    not one the memo keeps (another report, no period given, or today in it)."""
    if report not in MEMO_REPORTS:
        return None
    try:
        if report == "day":
            if not date:
                return None
            last = dt.date.fromisoformat(date)
            shown = last.isoformat()
            if shown != date:
                return None  # only as the report reads it
        else:
            if not month or len(month) != 7:
                return None
            year, number = int(month[:4]), int(month[5:])
            last = dt.date(year, number, calendar.monthrange(year, number)[1])
            shown = f"{year:04d}-{number:02d}"
    except ValueError:
        return None  # the report itself says what is wrong with it
    return shown if last < floor.today() else None


def report_text(floor: Floor, report: str, shown: str | None, output_format: str,
                work_out: Callable[[], str]) -> str:
    """The report's text: from the memo when it holds for this period, else ``work_out()``
    (then kept for the next time)."""
    if shown is None:
        return work_out()
    pay = floor.pay_visible()
    slot = f"report|{report}|{shown}|{output_format}|{i18n.language()}|{pay}"
    return kept(floor, slot, work_out, str)


def kept(floor: Floor, slot: str, work_out: Callable[[], Any], kind: type,
         reads: tuple[str, ...] = ()) -> Any:
    """``work_out()`` of a finished period (JSON-able, of type ``kind``), from the memo while
    every file it read (and ``reads``, files it depends on through a reader's own cache) is
    as it was, for this program, day, login and what it may see; else worked out and kept.
    ``slot`` names what is kept, with everything of the question that is not in the store
    (the language, the format)."""
    store = floor.store
    access = floor.access
    key = [program_signature(), slot, floor.today().isoformat(), access.login,
           access.person.id if access.person else None,
           access.person.role if access.person else None, access.describe()]
    found = store.memo(slot, key)
    if isinstance(found, kind):
        return found
    with store.watching() as seen:
        store.signature(REF)  # the register, the policy and the rights, whoever reads them
        store.signature(PAY)
        for partition in reads:
            store.signature(partition)
        value = work_out()
    store.keep_memo(slot, key, seen, value)
    return value
