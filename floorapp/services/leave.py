"""The one leave record (SPEC §4/§7 rev. 12-2026b) and the "already at work" question.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

Leave is one record per person and day, whoever enters it: Attendance ``l``, the roster's
``l`` and leave codes, ``floor roster set``, ``floor import leave``. It lives in the day file
(partition ``day/YYYY-MM-DD``, table ``leave``, key the staff id, data ``{"staff_id", "date",
"type", "days"}``); cancelling retires it. The roster grid shows it over the scheduled code,
generation and the rule check count it against rest days, the month report and the pay sheet
charge it, and the floor-day (``floorapp.services.day``) leaves the seat out: every section
reads ``Floor.leave_on``, none keeps its own.

A change that touches someone who already punched in that day (a swap, a call-in, leave, a
roster edit) is not saved silently: the service raises ``AlreadyAtWork`` saying what their day
becomes, and the screen (a yes/no question) or the CLI (``--yes``) answers it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from floorapp.rules.attendance import day_text, leave_name
from floorapp.errors import FloorError
from floorapp.i18n import _

if TYPE_CHECKING:
    from floorapp.services.core import Floor

LEAVE = "leave"


class AlreadyAtWork(FloorError):
    """The change touches someone already punched in that day: asked, not done."""

    def __init__(self, question: str) -> None:
        self.question = question
        super().__init__(question)


def partition(day: dt.date) -> str:
    return f"day/{day.isoformat()}"


def put(tx: Any, staff_id: str, day: dt.date, leave_type: str, days: Decimal) -> None:
    """Store (or change) a person's leave on a day: a new version of the one record."""
    tx.put(partition(day), LEAVE, staff_id, {"staff_id": staff_id, "date": day.isoformat(),
                                             "type": leave_type,
                                             "days": str(Decimal(days).normalize())})


def cancel(tx: Any, staff_id: str, day: dt.date, where: str) -> bool:
    """Retire a person's leave on a day (kept in the history); False when there was none."""
    if tx.get(partition(day), LEAVE, staff_id) is None:
        return False
    tx.retire(partition(day), LEAVE, staff_id, f"cancelled {where}")
    return True


def leave_text(leave_type: str, days: Decimal) -> str:
    """'personal leave (1 day)' / 事假 (1 天)."""
    return _("{leave} ({days} day)").format(leave=leave_name(leave_type),
                                            days=Decimal(days).normalize())


def first_in(floor: Floor, staff_id: str, day: dt.date) -> str | None:
    """The person's first in punch that day ("07:55"), or None when they have not come in."""
    record = floor.store.shared_records(partition(day), "punches")
    times = sorted(r["in"] for r in record if r["staff_id"] == staff_id and r.get("in"))
    return times[0] if times else None


def ask_if_at_work(floor: Floor, staff_id: str, day: dt.date, becomes: str,
                   confirmed: bool) -> None:
    """Raise AlreadyAtWork unless ``confirmed`` when the person punched in that day."""
    if confirmed:
        return
    came_in = first_in(floor, staff_id, day)
    if came_in is None:
        return
    raise AlreadyAtWork(_(
        "{id} is already at work on {day} (in {time}): their day becomes {becomes}; "
        "their punches stay on record. Go ahead?").format(
            id=staff_id, day=day_text(day), time=came_in, becomes=becomes))
