"""A roster month's words and calendar (排班, SPEC §7): the codes (shifts, rest, leave), each
role's codes, sentences kept in English and shown translated (``Msg``), the month's days and
Mon–Sun weeks, and the numbers the rules take from the policy (agents on the phones, a
manager's rests, rest owed after leave) — shared by ``generate`` and ``check``.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from floorapp.errors import FloorError
from floorapp.i18n import N_, _
from floorapp.policy import Policy

REST = "R"
LEAVE_TYPES = ("personal", "sick", "annual", "comp")
# One character (CJK, two columns) for a leave type in the month grid.
LEAVE_SHORT = {"personal": "事", "sick": "病", "annual": "年", "comp": "调"}
ROLE_CODES: dict[str, tuple[str, ...]] = {
    "agent": ("D",),
    "complaint": ("C1", "C2"),
    "monitor": ("D",),
    "lead": ("D",),
    "manager": ("A",),
}
MONTHLY_REST_ROLES = ("agent", "complaint", "monitor", "lead")
ONE_ON_DUTY_ROLES = ("monitor", "lead")
# policy.agents_on_phones = 0 means this share of the agents (its documented meaning).
DEFAULT_PHONE_SHARE = Fraction(4, 5)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# Role words in violation texts (shown translated).
ROLE_WORDS = {"agent": N_("agent"), "complaint": N_("complaint"), "monitor": N_("monitor"),
              "lead": N_("lead"), "manager": N_("manager")}

Month = dict[str, dict[str, str]]


class Person(Protocol):
    id: str
    role: str


class Msg(str):
    """A sentence kept in English (what the store and JSON get: ``str(msg)``) that can be shown
    in the interface language: ``msg.shown()`` (its ``{placeholders}`` may be ``Msg`` too)."""

    msgid: str
    args: dict[str, object]

    def __new__(cls, msgid: str, **args: object) -> Msg:
        self = super().__new__(cls, msgid.format(**args) if args else msgid)
        self.msgid = msgid
        self.args = args
        return self

    def shown(self) -> str:
        return _(self.msgid).format(**{k: shown(v) for k, v in self.args.items()})

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (str, (str(self),))

    def __copy__(self) -> Msg:
        return self

    def __deepcopy__(self, memo: dict) -> Msg:
        return self


def shown(text: object) -> str:
    """A violation (or any ``Msg``) in the interface language; other values as they are."""
    return text.shown() if isinstance(text, Msg) else str(text)


def role_word(role: str) -> Msg:
    return Msg(ROLE_WORDS.get(role, role))


@dataclass(frozen=True)
class Member:
    """The least a rule needs to know about a staff member."""

    id: str
    role: str


# ------------------------------------------------------------------ calendar
def parse_month(text: str) -> tuple[int, int]:
    """'2026-12' → (2026, 12); anything else is refused with what was expected."""
    match = _MONTH.match(text.strip()) if isinstance(text, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise FloorError(_("month {text!r} is not YYYY-MM (e.g. 2026-12)").format(text=text))
    return int(match.group(1)), int(match.group(2))


def month_days(year: int, month: int) -> list[dt.date]:
    length = calendar.monthrange(year, month)[1]
    return [dt.date(year, month, d) for d in range(1, length + 1)]


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def is_weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


def week_segments(days: Sequence[dt.date]) -> list[list[int]]:
    """Indexes of ``days`` grouped by Mon–Sun week (the first and last may be cut)."""
    segments: list[list[int]] = []
    for index, day in enumerate(days):
        if not segments or day.weekday() == 0:
            segments.append([])
        segments[-1].append(index)
    return segments


def manager_rests_needed(policy: Policy, days_in_week: int) -> int:
    """Rest days a manager needs in a (possibly cut) week: the weekly number pro rata, half up."""
    share = Fraction(policy.manager_rest_days_per_week * days_in_week, 7)
    return int(share + Fraction(1, 2))


def required_agents(policy: Policy, agents: int, seats: int | None = None) -> int:
    """Agents needed on D each day: ``seats`` if given, else the policy's number (0 = 80 %)."""
    if seats is not None:
        return seats
    if policy.agents_on_phones:
        return policy.agents_on_phones
    return int(agents * DEFAULT_PHONE_SHARE)


def allowed_codes(policy: Policy) -> tuple[str, ...]:
    return (*policy.shifts.keys(), REST, *LEAVE_TYPES)


def is_work(code: str, policy: Policy) -> bool:
    return code in policy.shifts


def short_code(code: str) -> str:
    """How a code is shown in the grid (leave types as one character)."""
    return LEAVE_SHORT.get(code, code)


def meeting_time(policy: Policy, day: dt.date) -> str:
    """The pre-shift meeting (班前会) time of a day."""
    return policy.meeting_times[day.weekday()]


def trailing_run(codes_by_day: dict[str, str], policy: Policy) -> int:
    """Working days in a row at the end of a (previous) month's row."""
    run = 0
    for key in sorted(codes_by_day, reverse=True):
        if not is_work(codes_by_day[key], policy):
            break
        run += 1
    return run


def rests_owed(policy: Policy, role: str, leave_days: int, days: int) -> int:
    """Rest days (R) owed when leave counts against rest (假期抵当月公休 [004]): agents and the
    other monthly roles max(0, ``rest_days_per_month`` − leave days in the month); a manager,
    in a week of ``days`` days, that week's rests less its leave days."""
    if role == "manager":
        return max(0, manager_rests_needed(policy, days) - leave_days)
    return max(0, policy.rest_days_per_month - leave_days)
