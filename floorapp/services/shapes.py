"""The shape of each table's records (issue #31): checked by the store whenever it reads a
file (store.shapes), so one wrong field is a named damaged record, never an internal error.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

A check returns (field, why) for the first field that the program could not use, else None.
The checks accept every record this program writes (and older ones: fields added later are
optional); they refuse what would make a reader fail or count wrong: a staff id that is a
number, ``hired`` 2026-02-30, base pay ``"abc"`` or null, dialed ``"abc"``, a punch at 25:99,
a null score, incident steps that are not a list, a roster cell without a code.

Registered on every store a Floor opens (next to the digests), and handed to ``floor doctor``,
which reads like the app does.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from floorapp.i18n import _
from floorapp.roles import ROLES
from store import Store
from store.shapes import Shapes

# a field's value → why it cannot be used (a text with {value}), or None
Field = Callable[[Any], "str | None"]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_MISSING = object()


def text(value: Any) -> str | None:
    return None if isinstance(value, str) else _("{value} is not text")


def name(value: Any) -> str | None:
    """An id or a name: text that is not empty."""
    if not isinstance(value, str):
        return _("{value} is not text")
    return None if value.strip() else _("is empty")


def date(value: Any) -> str | None:
    if isinstance(value, str) and _real_date(value):
        return None
    return _("{value} is not a date (YYYY-MM-DD)")


@functools.lru_cache(maxsize=4096)
def _real_date(value: str) -> bool:
    """(A day file holds one date thousands of times: each is looked at once.)"""
    try:
        return bool(_DATE.match(value)) and bool(dt.date.fromisoformat(value))
    except ValueError:
        return False


def month(value: Any) -> str | None:
    if isinstance(value, str) and _MONTH.match(value) and 1 <= int(value[5:]) <= 12:
        return None
    return _("{value} is not a month (YYYY-MM)")


def time(value: Any) -> str | None:
    if isinstance(value, str) and _real_time(value):
        return None
    return _("{value} is not a time of day (HH:MM)")


@functools.lru_cache(maxsize=4096)
def _real_time(value: str) -> bool:
    try:
        return bool(_TIME.match(value)) and dt.time.fromisoformat(value) is not None
    except ValueError:
        return False


def time_or_empty(value: Any) -> str | None:
    return None if value in (None, "") else time(value)


def whole(value: Any) -> str | None:
    return None if type(value) is int else _("{value} is not a whole number")


def whole_or_none(value: Any) -> str | None:
    return None if value is None else whole(value)


def hour(value: Any) -> str | None:
    if value is None or (type(value) is int and 0 <= value <= 23):
        return None
    return _("{value} is not an hour 0–23")


def number(value: Any) -> str | None:
    """A decimal as stored: text like ``"1200"`` or ``"0.5"`` (or a whole number)."""
    if isinstance(value, str) or type(value) is int:
        try:
            if Decimal(value).is_finite():
                return None
        except InvalidOperation:
            pass
    return _("{value} is not a number")


def number_or_none(value: Any) -> str | None:
    return None if value is None else number(value)


def flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else _("{value} is not true or false")


def flag_or_none(value: Any) -> str | None:
    return None if value is None or isinstance(value, bool) else _(
        "{value} is not true, false or null")


def date_or_none(value: Any) -> str | None:
    return None if value is None else date(value)


def text_or_none(value: Any) -> str | None:
    return None if value is None else text(value)


def a_list(value: Any) -> str | None:
    return None if isinstance(value, list) else _("{value} is not a list")


def object_or_none(value: Any) -> str | None:
    return None if value is None or isinstance(value, dict) else _(
        "{value} is not an object")


def one_of(*choices: str) -> Field:
    def check(value: Any) -> str | None:
        return None if value in choices else _("{value} is not one of {choices}").replace(
            "{choices}", ", ".join(choices))
    return check


def list_of(*required: tuple[str, Field]) -> Field:
    """A list of objects, each with these fields."""
    def check(value: Any) -> str | None:
        if not isinstance(value, list):
            return _("{value} is not a list")
        for n, item in enumerate(value, 1):
            if not isinstance(item, dict):
                return _("item {n} is not an object").format(n=n)
            for field, field_check in required:
                why = field_check(item[field]) if field in item else _("is missing")
                if why:
                    return _("item {n}, {field}: {why}").format(
                        n=n, field=field, why=why.replace("{value}", _shown(item[field])))
        return None
    return check


def result_or_none(value: Any) -> str | None:
    """A revised or final score: null, or an object with score, max and passed."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return _("{value} is not an object")
    for field, check in (("score", number), ("max", number), ("passed", flag_or_none)):
        why = check(value[field]) if field in value else _("is missing")
        if why:
            return f"{field}: " + why.replace("{value}", _shown(value[field]))
    return None


def _shown(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:37] + "…"


def record(required: dict[str, Field], optional: dict[str, Field] | None = None,
           secret: bool = False) -> Callable[[dict[str, Any]], tuple[str, str] | None]:
    """The check of a table: every ``required`` field present and right, every ``optional``
    one right when present. ``secret``: the value is never repeated in the message (pay)."""
    optional = optional or {}

    needed = tuple(required.items())
    maybe = tuple(optional.items())

    def check(data: dict[str, Any]) -> tuple[str, str] | None:
        for field, field_check in needed:
            value = data.get(field, _MISSING)
            if value is _MISSING:
                return field, _("is missing")
            why = field_check(value)
            if why:
                return field, _fill(why, value, secret)
        for field, field_check in maybe:
            value = data.get(field, _MISSING)
            if value is not _MISSING:
                why = field_check(value)
                if why:
                    return field, _fill(why, value, secret)
        return None

    return check


def _fill(why: str, value: Any, secret: bool) -> str:
    return why.replace("{value}", _("the value") if secret else _shown(value))


def _parsed_by(parse: Callable[[dict[str, Any]], Any], field: str
               ) -> Callable[[dict[str, Any]], tuple[str, str] | None]:
    """The check of a table whose reader validates whole records (templates, checklists)."""
    def check(data: dict[str, Any]) -> tuple[str, str] | None:
        try:
            parse(data)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return field, str(exc) or type(exc).__name__
        return None
    return check


def _template(data: dict[str, Any]) -> Any:
    from floorapp.rules import monitoring

    return monitoring.template_from_dict(data)


def _checklist(data: dict[str, Any]) -> Any:
    from floorapp.rules import checklists

    return checklists.Checklist.from_record(data)


COUNTS = {"dialed": whole, "connected": whole, "completed": whole, "orders": whole,
          "talk_minutes": whole_or_none}

SHAPES: Shapes = {
    # reference data
    ("ref", "staff"): record(
        {"id": name, "name": name, "role": one_of(*ROLES), "hired": date},
        {"team": text_or_none, "seat": text_or_none, "clock_id": text_or_none,
         "extension": text_or_none, "login": text_or_none,
         "base_pay": number_or_none, "left": date}),
    ("ref", "campaigns"): record({"id": name, "name": text, "coefficient": number}),
    ("ref", "templates"): _parsed_by(_template, "sections"),
    ("ref", "checklists"): _parsed_by(_checklist, "steps"),
    ("ref", "incident_index"): record({"id": name, "day": date, "status": text}),
    ("ref", "qa_recalibrations"): record({"monitor_id": name, "date": date}),
    ("ref", "qa_common_feedback"): record({"at": text}, {"note": text_or_none}),
    # pay
    ("pay", "base_pay"): record({"id": name, "base_pay": number}, secret=True),
    ("pay", "special"): record({"staff_id": name, "month": month, "decision": text},
                               {"lost_minutes": whole, "orders": whole}, secret=True),
    ("pay", "scores"): record({"staff_id": name, "month": month, "score": number},
                              secret=True),
    ("pay", "published"): record({"month": month}),
    # a floor-day
    ("day", "calls"): record({"staff_id": name, "date": date},
                             {"hour": hour, "campaign": text_or_none, **COUNTS}),
    ("day", "punches"): record({"staff_id": name, "date": date, "period": whole},
                               {"in": time_or_empty, "out": time_or_empty,
                                "reason": text_or_none}),
    ("day", "leave"): record({"staff_id": name, "date": date, "type": text, "days": number}),
    ("day", "clock"): record({"staff_id": name, "time": time}),
    ("day", "qa_evaluations"): record(
        {"date": date, "time": time, "monitor_id": name, "staff_id": name, "template": name,
         "score": number, "max": number, "passed": flag_or_none},
        {"mode": text, "marks": text, "critical": a_list, "call": text_or_none,
         "feedback_at": text_or_none, "dispute": object_or_none, "revised": result_or_none,
         "final": result_or_none}),
    ("day", "qa_plan"): record({"slot": time, "monitor_id": name, "staff_id": name,
                                "mode": text}),
    ("day", "qa_plan_info"): record({"round": whole},
                                    {"seed": whole, "made_at": text, "from": time,
                                     "shortfalls": a_list}),
    ("day", "incidents"): record(
        {"id": name, "kind": text, "status": text, "started": text,
         "steps": list_of(("code", name), ("state", text))},
        {"title": text, "checklist": text}),
    ("day", "coaching"): record({"staff_id": name, "date": date, "kind": text},
                                {"note": text_or_none}),
    ("day", "handovers"): record({"date": date, "time": time, "from_id": name, "to_id": name},
                                 {"notes": text, "open_items": a_list}),
    # a roster month
    ("roster", "cells"): record({"staff_id": name, "date": date, "code": name}),
    ("roster", "meta"): record({}, {"seats": whole_or_none, "generated": text}),
    ("roster", "swaps"): record({"date": date, "staff": a_list},
                                {"back_date": date_or_none, "approver": text, "reason": text,
                                 "changes": a_list, "violations": a_list, "at": text}),
    ("roster", "callins"): record({"date": date, "staff_id": name, "code": name},
                                  {"approver": text, "reason": text, "violations": a_list,
                                   "at": text}),
}


def register(store: Store) -> None:
    for (kind, table), check in SHAPES.items():
        store.add_shape(kind, table, check)
