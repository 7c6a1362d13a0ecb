"""`floor import cdr --follow Master.csv`: the calls as Asterisk appends them (issue #27 C).

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

cdr_csv opens Master.csv, appends one row as each call record ends and closes it again. The
follower looks every ``POLL_SECONDS`` at what was appended since (whole lines only: Asterisk
may be mid-write) and applies it in one transaction:
- each row is kept in the partition of the day it starts (table ``pbx_rows``) under the digest
  of its bytes, so a row read twice (after a restart, a kill -9, from a rotated copy) is kept
  once;
- the days the new rows touch (their day, and the day before: a call's later rows may start
  after midnight) are counted again from all their kept rows, by the rules and into the entries
  of `floor import cdr`: the same file gives the same totals whether imported or followed.
The file's place is kept in memory only: a restarted follower reads the file from its start and
the rows it already kept change nothing. Rotation: a file renamed away is read to its end before
the new one is opened; a file truncated in place is read again from its start.
A bad row is logged with its file and line, kept once (table ``pbx_bad`` of today's partition:
the count the day shows) and skipped; it never stops the follow.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from floorapp.formats import cdr
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services.cdr import by_agent_day, write_counts

if TYPE_CHECKING:
    from floorapp.services.core import Floor

PBX_ROWS = "pbx_rows"
PBX_BAD = "pbx_bad"
PBX_FOLLOW = "pbx_follow"
POLL_SECONDS = 0.5  # the issue: a row is applied within 2 s of Asterisk writing it
MAX_READ = 1 << 20  # bytes read per look, so a long file is applied in steps, not all at once
# a PBX clock a little ahead of floor's is not a row from the future
CLOCK_ALLOWANCE = dt.timedelta(minutes=5)
# the columns floor uses (channel, times, billsec, disposition, campaign fields, the optional
# ids); the others are kept empty, which keeps a day of rows small
_KEPT = {cdr.ACCOUNTCODE, cdr.DCONTEXT, cdr.CHANNEL, cdr.DSTCHANNEL, cdr.START, cdr.END,
         cdr.BILLSEC, cdr.DISPOSITION}


@dataclass
class Applied:
    """What one look at the file did."""

    rows: int = 0  # new rows kept
    seen: int = 0  # rows read (new or already kept)
    bad: list[str] = field(default_factory=list)  # FILE:LINE: reason, of new bad rows
    written: int = 0  # entries changed
    conflicts: list[str] = field(default_factory=list)


class Tail:
    """The whole lines appended to a file since the last look, through rotation: (line number
    in its file, the line's bytes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: BinaryIO | None = None
        self.identity: tuple[int, int] | None = None
        self.pending = b""
        self.line = 0

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    def _open(self) -> bool:
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - held open across looks
        except FileNotFoundError:
            return False
        status = os.fstat(handle.fileno())
        self.handle, self.identity = handle, (status.st_dev, status.st_ino)
        self.pending, self.line = b"", 0
        return True

    def _drain(self) -> tuple[list[tuple[int, bytes]], bool]:
        """Complete lines up to MAX_READ bytes; and whether the end of the file was reached."""
        assert self.handle is not None
        data = self.handle.read(MAX_READ)
        buffer = self.pending + data
        cut = buffer.rfind(b"\n")
        if cut < 0:
            self.pending = buffer
            return [], len(data) < MAX_READ
        complete, self.pending = buffer[:cut], buffer[cut + 1:]
        out = []
        for raw in complete.split(b"\n"):
            self.line += 1
            out.append((self.line, raw))
        return out, len(data) < MAX_READ

    def read(self) -> tuple[list[tuple[int, bytes]], bool]:
        """New whole lines, and whether the file was read to its end."""
        if self.handle is None and not self._open():
            return [], True
        lines, at_end = self._drain()
        if not at_end:
            return lines, False
        try:
            status = os.stat(self.path)
        except FileNotFoundError:  # renamed away, not yet made again: keep reading the old one
            return lines, True
        assert self.handle is not None
        if (status.st_dev, status.st_ino) != self.identity:
            # rows Asterisk finished writing to the old file between the read above and now
            more, _end = self._drain()
            lines += more
            self.close()
            if self._open():
                more, at_end = self._drain()
                lines += more
        elif status.st_size < self.handle.tell():  # truncated in place (copytruncate)
            self.handle.seek(0)
            self.pending, self.line = b"", 0
            more, at_end = self._drain()
            lines += more
        return lines, at_end


def row_key(raw: bytes) -> str:
    """A row's identity: the digest of its bytes (the same row in any file is one row)."""
    return hashlib.sha256(raw).hexdigest()[:24]


class CdrFollower:
    def __init__(self, floor: Floor, path: str | Path,
                 log: Callable[[str], None] = lambda text: None) -> None:
        self.floor = floor
        self.path = Path(path)
        self.tail = Tail(self.path)
        self.log = log
        self.unapplied: list[tuple[int, bytes]] = []

    def look(self) -> tuple[Applied, bool]:
        """Read what was appended and apply it; whether the file was read to its end. Lines a
        failed transaction (a store problem) did not apply are tried again at the next look."""
        lines, at_end = self.tail.read()
        lines, self.unapplied = self.unapplied + lines, []
        try:
            return self.apply(lines), at_end
        except FloorError:
            self.unapplied = lines
            raise

    def follow(self, stop: Callable[[], bool], say: Callable[[str], None],
               pause: Callable[[float], object] = time.sleep) -> int:
        """Look until ``stop()``; each look that kept rows says so. A store problem is said
        and tried again; only a missing right ends the follow. Returns the rows kept."""
        self.floor.require("quota.record")
        kept = 0
        while not stop():
            try:
                applied, at_end = self.look()
            except FloorError as exc:
                say(_("{path}: not applied, tried again: {reason}").format(
                    path=self.path, reason=exc))
                pause(POLL_SECONDS)
                continue
            kept += applied.rows
            if applied.rows or applied.bad:
                say(applied_text(self.path, applied))
            if at_end:
                pause(POLL_SECONDS)
        self.tail.close()
        return kept

    def apply(self, lines: list[tuple[int, bytes]]) -> Applied:
        self.floor.require("quota.record")
        policy = self.floor.policy
        now = self.floor.now()
        latest = dt.datetime(now.year, now.month, now.day, now.hour, now.minute,
                             now.second) + CLOCK_ALLOWANCE
        result = Applied()
        good: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {}  # partition -> key -> item
        bad: dict[str, dict[str, Any]] = {}
        for line, raw in lines:
            raw = raw.rstrip(b"\r")
            if line == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            text = raw.decode("utf-8", errors="replace")
            if not text.strip():
                continue
            result.seen += 1
            try:
                fields = next(csv.reader([text]), [])
                row = cdr.parse_row(line, fields, policy.cdr_campaign_field)
                if row.start > latest:
                    raise ValueError(_("start {start} is in the future").format(
                        start=f"{row.start:%Y-%m-%d %H:%M:%S}"))
            except (ValueError, csv.Error) as exc:
                bad[row_key(raw)] = {"file": str(self.path), "line": line, "reason": str(exc)}
                continue
            kept = [f if i in _KEPT or i >= cdr.MIN_FIELDS else "" for i, f in enumerate(fields)]
            key = row_key(raw)
            good.setdefault(_partition(row.start.date()), {})[key] = (
                key, {"line": line, "fields": kept})
        with self.floor.transaction() as tx:
            touched: set[dt.date] = set()
            for partition, rows in good.items():
                known = {r["_key"] for r in tx.records(partition, PBX_ROWS)}
                new = [item for key, item in rows.items() if key not in known]
                if new:
                    tx.put_many(partition, PBX_ROWS, new, note=str(self.path))
                    day = dt.date.fromisoformat(partition.split("/")[1])
                    touched |= {day, day - dt.timedelta(days=1)}
                    result.rows += len(new)
            today = _partition(now.date())
            if bad:
                known = {r["_key"] for r in tx.records(today, PBX_BAD)}
                new_bad = [(key, data) for key, data in bad.items() if key not in known]
                if new_bad:
                    tx.put_many(today, PBX_BAD, new_bad, note=str(self.path))
                    result.bad = [f"{d['file']}:{d['line']}: {d['reason']}" for _k, d in new_bad]
            if touched:
                result.written, result.conflicts = self._count_days(tx, touched)
            if result.rows:
                tx.put(today, PBX_FOLLOW, "state", {
                    "file": str(self.path), "last_applied": now.isoformat(timespec="seconds")})
        for line in result.bad:
            self.log(line)
        return result

    def _count_days(self, tx: Any, days: set[dt.date]) -> tuple[int, list[str]]:
        """Count ``days`` again from the kept rows of them and the days around them (a call's
        rows may straddle midnight), and write them."""
        policy = self.floor.policy
        rows = []
        around = {day + dt.timedelta(days=offset) for day in days for offset in (-1, 0, 1)}
        for day in sorted(around):
            for record in tx.records(_partition(day), PBX_ROWS):
                rows.append(cdr.parse_row(int(record["line"]), list(record["fields"]),
                                          policy.cdr_campaign_field))
        people = {s.extension: s for s in self.floor.staff() if s.extension}
        campaigns = frozenset(self.floor.quota.campaigns()) if policy.cdr_campaign_field \
            else frozenset()
        counted = cdr.tally(rows, set(people), campaigns)
        by_day = {key: hours for key, hours in by_agent_day(counted, people).items()
                  if key[1] in days}
        return write_counts(tx, by_day)


def applied_text(path: Path, applied: Applied) -> str:
    out = [_("{path}: {rows} new record(s) of {seen} read; {written} hour(s) changed").format(
        path=path, rows=applied.rows, seen=applied.seen, written=applied.written)]
    if applied.bad:
        out.append(_("{n} bad record(s) skipped").format(n=len(applied.bad)))
    if applied.conflicts:
        out.append(_("{n} hour(s) left as they were: completed more than the calls "
                     "connected").format(n=len(applied.conflicts)))
        out.extend("  " + line for line in applied.conflicts)
    return "\n".join(out)


def bad_rows(floor: Floor, day: dt.date) -> int:
    """How many bad rows the follow skipped on ``day``."""
    return len(floor.store.records(_partition(day), PBX_BAD))


def last_applied(floor: Floor, day: dt.date) -> str | None:
    """When the follow last applied a row on ``day`` (ISO time), if it did."""
    state = floor.store.get(_partition(day), PBX_FOLLOW, "state")
    return state.get("last_applied") if state else None


def _partition(day: dt.date) -> str:
    return f"day/{day.isoformat()}"
