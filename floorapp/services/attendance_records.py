"""The attendance records as stored in the day partitions, and a stored punch read back.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.

Storage (day partition ``day/YYYY-MM-DD``):
- table ``punches``, key ``"<staff_id>/<period>"``: ``{"staff_id", "date", "period", "in",
  "out", "reason"}`` (``in``/``out`` ``"HH:MM"`` or ``""``). A correction is a new version.
- table ``leave``, key ``"<staff_id>"``: ``{"staff_id", "date", "type", "days"}`` (days
  ``"0.5"``/``"1"``). Cancelling a leave retires it.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from floorapp.rules.attendance import Punch

PUNCHES = "punches"
LEAVE = "leave"


def _part(day: dt.date) -> str:
    return f"day/{day.isoformat()}"


def _time_text(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else ""


@functools.lru_cache(maxsize=4096)
def _clock_time(text: str) -> dt.time | None:
    """A stored punch time (a month report reads ~35,000 of a few hundred distinct ones)."""
    return dt.time.fromisoformat(text) if text else None


def _punch(record: dict[str, Any]) -> Punch:
    return Punch(int(record["period"]), _clock_time(record.get("in", "")),
                 _clock_time(record.get("out", "")), record.get("reason", ""))
