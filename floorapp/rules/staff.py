"""The staff registry: who works on the floor (SPEC §9 staff CSV).

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from types import EllipsisType
from typing import Any

from floorapp.i18n import _

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")
# An OS account name as useradd accepts it (POSIX portable, lower case first).
_LOGIN = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}\$?$")


@dataclass(frozen=True)
class Staff:
    id: str
    name: str
    role: str
    team: str
    hired: dt.date
    # Monthly base pay; kept in the pay file, not the register, and None for whoever may not
    # see pay (issue #19).
    base_pay: Decimal | None
    seat: str = ""
    left: dt.date | None = None  # the day they were retired from the register (leavers)
    clock_id: str = ""  # the user id on the time clock (考勤机); empty = the staff id
    extension: str = ""  # the phone extension (分机号) in the phone system's call records
    login: str = ""  # the OS account this person logs in as: it gives the login their role

    def to_record(self) -> dict[str, Any]:
        """The register's record: everything but pay (see ``pay_record``)."""
        record = {"id": self.id, "name": self.name, "role": self.role, "team": self.team,
                  "hired": self.hired.isoformat(), "seat": self.seat}
        # only when set, so records written before these fields existed stay as they are
        for name in ("clock_id", "extension", "login"):
            if getattr(self, name):
                record[name] = getattr(self, name)
        return record

    def pay_record(self) -> dict[str, Any]:
        """The pay file's record of this person."""
        return {"id": self.id, "base_pay": str(self.base_pay)}

    @property
    def clock_key(self) -> str:
        """The id the time clock writes for this person, as compared (see ``clock_key``)."""
        return clock_key(self.clock_id or self.id)

    @classmethod
    def from_record(cls, record: dict[str, Any], left: dt.date | None = None,
                    base_pay: Decimal | None | EllipsisType = ...) -> Staff:
        """The person of a register record; ``base_pay`` (from the pay file, or None where
        pay is not shown) instead of the record's own, which only records written before
        pay had its own file hold."""
        if base_pay is ...:
            pay = record.get("base_pay")
            base_pay = Decimal(pay) if pay is not None else None
        return cls(id=record["id"], name=record["name"], role=record["role"],
                   team=record.get("team", ""), hired=dt.date.fromisoformat(record["hired"]),
                   base_pay=base_pay,
                   seat=record.get("seat", ""), left=left, clock_id=record.get("clock_id", ""),
                   extension=record.get("extension", ""), login=record.get("login", ""))

    def on_register(self, day: dt.date) -> bool:
        """Hired by and not yet left on ``day``."""
        return self.hired <= day and (self.left is None or day < self.left)

    def tenure_years(self, on: dt.date) -> int:
        """Whole years of service on a date (the sick-leave tenure boundary is checked on it)."""
        years = on.year - self.hired.year
        if (on.month, on.day) < (self.hired.month, self.hired.day):
            years -= 1
        return max(0, years)

    def matches(self, text: str) -> bool:
        """True when ``text`` is part of the id or the name (quick pickers)."""
        text = text.strip().lower()
        return bool(text) and (text in self.id.lower() or text in self.name.lower())


def check_id(text: str) -> str | None:
    """Why ``text`` cannot be a staff id, or None."""
    if not _ID.match(text):
        return _("staff id {id!r} must be 1–20 letters, digits, '-', '_' or '.'").format(id=text)
    return None


def clock_key(text: str) -> str:
    """A clock user id as compared: ZKTeco pads ids with spaces, some exports with zeros."""
    text = text.strip()
    return (text.lstrip("0") or "0") if text.isdigit() else text.lower()


def check_device_id(text: str, column: str) -> str | None:
    """Why ``text`` cannot be a clock id or an extension, or None (empty is allowed)."""
    if text and not _ID.match(text):
        return _("{column} {value!r} must be 1–20 letters, digits, '-', '_' or '.'").format(
            column=column, value=text)
    return None


def device_conflicts(people: list[Staff]) -> list[str]:
    """Two people the time clock or the phone system could not tell apart."""
    problems = []
    for what, key in (("clock_id", lambda s: s.clock_key),
                      ("extension", lambda s: s.extension)):
        owners: dict[str, str] = {}
        for person in people:
            value = key(person)
            if not value:
                continue
            if value in owners:
                problems.append(_("{a} and {b} have the same {column} {value}").format(
                    a=owners[value], b=person.id, column=what, value=value))
            else:
                owners[value] = person.id
    return problems


def check_login(text: str) -> str | None:
    """Why ``text`` cannot be an OS login name, or None (empty = no login)."""
    if text and not _LOGIN.match(text):
        return _("login {login!r} is not an OS account name (lower-case letters, digits, "
                 "'_', '-', '.')").format(login=text)
    return None


def pick(staff: list[Staff], text: str) -> list[Staff]:
    """Staff matching typed text: an exact id first, then id prefixes, then any part of a name."""
    text = text.strip()
    if not text:
        return []
    exact = [s for s in staff if s.id.lower() == text.lower()]
    if exact:
        return exact
    prefix = [s for s in staff if s.id.lower().startswith(text.lower())]
    rest = [s for s in staff if s.matches(text) and s not in prefix]
    return prefix + rest
