"""The wallboard's figures (SPEC §13, issue #28): today's floor for the TV, read-only.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

Every figure is one the day report already has: ``quota.live()`` gives the same ``FloorDay``
``floor report day`` is made of (and each seat's "behind"), ``quota.day_report(day, fd)`` its
JSON, ``floor.day.roll`` the attendance counts, the monitoring plan its QA slots. Nothing here
works out a second version of a figure; it only picks, sums and orders them for the wall.

Read-only by construction: the store is opened without ``Store.open`` (no directory made, no
journal finished, no migration) and marked read-only, so no transaction and no cache write can
happen; the floor shows no pay whoever runs it. ``Board`` keeps one computed answer per store
change (``Store.stamp``), so twenty TVs polling cost one computation per change, and the last
good figures with their time when the store cannot be read.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import orjson

from floorapp.clock import Clock
from floorapp.errors import FloorError, store_problem
from floorapp.i18n import _
from floorapp.services.core import Floor
from floorapp.services.partitions import REF
from floorapp.services.hourly import day_curves
from floorapp.text import terminal_safe
from floorapp.services.quota import FloorDay
from floorapp.services.quota_day import advice_pending, advice_text, started_text
from store import StoreError
from store.db import Store, resolve_root
from store.migrations import SCHEMA_VERSION

TOP = 10  # seats shown in each ranking (龙虎榜)
BEHIND_SHOWN = 12  # seats named under "behind" (the count says how many in all)
READ_ONLY = "the wallboard only reads"
PRESENT = ("on_time", "late", "early")


class WallFloor(Floor):
    """A floor that shows no pay, whoever runs the wallboard (issue #28)."""

    def pay_visible(self) -> bool:
        return False


def open_read_only(store_dir: str | Path | None) -> Store:
    """The store, marked read-only before anything reads it: nothing is created, migrated,
    finished or cached on disk."""
    store = Store(resolve_root(store_dir))
    store.read_only_reason = READ_ONLY
    return store


def check_readable(store: Store) -> None:
    """Raise FloorError when the directory is not a floor store this program can read."""
    try:
        meta = store.meta()
    except (StoreError, OSError) as exc:
        raise FloorError(_("cannot read the store: {reason}").format(
            reason=store_problem(exc) if isinstance(exc, StoreError) else exc)) from None
    if not meta:
        raise FloorError(_("{path}: no floor store here (no meta.json)").format(
            path=store.root))
    if meta.get("schema") != SCHEMA_VERSION:
        raise FloorError(_("{path}: store schema {found}, this floor reads {wanted}; run any "
                           "floor command once to bring it up to date").format(
            path=store.root, found=meta.get("schema"), wanted=SCHEMA_VERSION))


def _one(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def curve(floor: Floor, fd: FloorDay) -> tuple[list[dict[str, Any]], int]:
    """The day's hourly curve (completed per hour, running, pace to target) and the completed
    calls that were entered as day totals, with no hour to put them in. The hours, completed
    and pace are the console charts' and the day report's ``hourly`` (``services.hourly``, one
    source), summed as they go: the pace by the end of an hour is the hours' pace so far."""
    curves = day_curves(floor, fd.day, fd)
    points: list[dict[str, Any]] = []
    done, pace = 0, Decimal(0)
    for hour, completed, needed in zip(curves.hours, curves.floor.completed, curves.floor.pace):
        done += completed
        pace += needed
        points.append({"hour": hour, "completed": completed, "cumulative": done,
                       "pace": _one(pace)})
    unhoured = max(0, fd.totals.completed - sum(curves.floor.completed))
    return points, unhoured


def day_sheets(floor: Floor, day: dt.date) -> list:
    """The day report as workbook sheets with the hourly curve's sheet and chart (the xlsx
    day report and the Summary's Excel export)."""
    from floorapp.formats import report_charts

    fd = floor.quota.floor_day(day)
    hours, _unhoured = curve(floor, fd)
    return report_charts.day_sheets(floor.quota.day_report(day, fd), hours)


def figures(floor: Floor) -> dict[str, Any]:
    """Today's wall: JSON-able, no pay, nothing only managers see."""
    now = floor.now()
    day = now.date()
    policy = floor.policy
    fd, pace = floor.quota.live()
    report = floor.quota.day_report(day, fd).data
    staff = floor.staff_by_id()
    # typed text is data: a control or bidi character is shown as its escape, on the page
    # and in the JSON alike (as on the console, floorapp.text)
    names = {a.staff_id: terminal_safe(a.name) for a in fd.agents}
    seats = [a for a in fd.agents if a.working]
    target = sum(a.target for a in seats)
    teams: dict[str, dict[str, Any]] = {}
    for a in seats:
        person = staff.get(a.staff_id)
        team = teams.setdefault(person.team if person else "", {
            "team": terminal_safe(person.team) if person and person.team else "",
            "seats": 0, "completed": 0, "target": 0,
            "orders": 0})
        team["seats"] += 1
        team["completed"] += a.counts.completed
        team["orders"] += a.counts.orders
        team["target"] += a.target
    rows = report["agents"]

    def ranked(key: str) -> list[dict[str, Any]]:
        chosen = sorted((r for r in rows if r[key] > 0), key=lambda r: (-r[key], r["id"]))
        return [{"id": r["id"], "name": names.get(r["id"], r["id"]), key: r[key]}
                for r in chosen[:TOP]]

    by_id = {r["id"]: r for r in rows}
    behind_rows = sorted((by_id[a.staff_id] for a in fd.agents
                          if pace.get(a.staff_id, {}).get("behind")),
                         key=lambda r: (-r["shortfall"], r["id"]))
    targets = {a.staff_id: a.target for a in fd.agents}
    roll = floor.day.roll(day)
    statuses = [p.status for p in roll.people.values()]
    on_leave = sum(1 for p in roll.people.values()
                   if p.status == "leave" or (p.whole_day_leave and p.scheduled != "R"))
    plan = floor.monitoring.plan_rows(day)
    qa_by_agent = floor.monitoring.day_by_agent(day)
    hours, unhoured = curve(floor, fd)
    return {
        "date": day.isoformat(),
        "now": now.strftime("%H:%M"),
        "floor": {
            "seats": report["floor"]["seats"],
            "avg_dialed": report["floor"]["avg_dialed"],
            "advice": report["floor"]["advice"],
            "advice_text": (advice_text(policy, fd.advice) if fd.advice_known
                            else advice_pending(fd)),
            "final": report["floor"]["final"],
            "dialed": fd.totals.dialed, "connected": fd.totals.connected,
            "completed": fd.totals.completed, "orders": fd.totals.orders,
            "target": target,
            "under_target": len(fd.under_target),
        },
        "hours": hours,
        "unhoured": unhoured,
        "teams": sorted(teams.values(), key=lambda t: t["team"]),
        "top_completed": ranked("completed"),
        "top_orders": ranked("orders"),
        "behind": [{"id": r["id"], "name": names.get(r["id"], r["id"]),
                    "completed": r["completed"], "target": targets.get(r["id"], 0),
                    "shortfall": r["shortfall"]} for r in behind_rows[:BEHIND_SHOWN]],
        "behind_count": len(behind_rows),
        "attendance": {
            "in": sum(1 for s in statuses if s in PRESENT),
            "late": sum(1 for s in statuses if s == "late"),
            "absent": sum(1 for s in statuses if s == "absent"),
            "leave": on_leave,
            "not_in": sum(1 for s in statuses if s == "not_in"),
        },
        "qa": {
            "done": sum(1 for r in plan if r.status == "done"),
            "due": sum(1 for r in plan if r.status == "due"),
            "overdue": sum(1 for r in plan if r.status == "overdue"),
            "planned": len(plan),
            "evaluations": sum(n for n, _mean in qa_by_agent.values()),
        },
        "incidents": [{"id": i.get("id", ""), "kind": i.get("kind", ""),
                       "title": terminal_safe(i.get("title", "")),
                       "started": started_text(i.get("started", ""), day)}
                      for i in fd.incidents],
    }


class Board:
    """The wallboard's answer, worked out once per store change and kept with its time.

    ``answer()`` returns (version, JSON bytes); thread-safe: concurrent pollers wait for one
    computation and share it. Memory stays bounded: one answer and one floor, renewed each
    day (the store's own caches are bounded LRUs)."""

    def __init__(self, store_dir: str | Path | None, clock: Clock | None = None) -> None:
        self.store = open_read_only(store_dir)
        self._clock = clock
        self._floor: WallFloor | None = None
        self._floor_day: dt.date | None = None
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._answer: tuple[str, bytes] = ("", b"")
        self._last_good: dict[str, Any] | None = None
        self._last_good_at = ""
        self.computations = 0
        # in every version: a TV's ETag from before a restart never matches a new answer
        self._token = uuid.uuid4().hex[:8]

    def _floor_now(self) -> WallFloor:
        floor = self._floor
        if floor is None:
            floor = self._floor = WallFloor(self.store, self._clock)
        today = floor.today()
        if self._floor_day != today:  # a new day: a fresh floor, no service's state carried
            floor = self._floor = WallFloor(self.store, self._clock)
            self._floor_day = today
        return floor

    def _state(self) -> tuple:
        """What the answer depends on: every commit (the stamp), the reference file and the
        day file (a hand edit), and the minute (pace and "behind" move with the clock)."""
        store = self.store
        try:
            floor = self._floor_now()
            now = floor.now()
        except (FloorError, StoreError, OSError) as exc:
            return ("error", str(exc))
        return (store.stamp(), store.signature(REF),
                store.signature(f"day/{now.date().isoformat()}"), now.strftime("%Y-%m-%dT%H:%M"))

    def answer(self) -> tuple[str, bytes]:
        with self._lock:
            key = self._state()
            if key == self._key and self._answer[1]:
                return self._answer
            self.computations += 1
            body = self._compute()
            version = f"{self._token}-{self.computations}"
            self._key = key if body.get("ok") else None  # an error is tried again next poll
            payload = orjson.dumps(dict(body, version=version))
            self._answer = (version, payload)
            return self._answer

    def _compute(self) -> dict[str, Any]:
        try:
            check_readable(self.store)
            floor = self._floor_now()
            board = figures(floor)
            problems = [f"{where}: {reason}" for where, reason in
                        sorted(self.store.problems.items())]
            self.store.problems.clear()  # said while they last; read again next time
        except (FloorError, StoreError, OSError) as exc:
            reason = (store_problem(exc) if isinstance(exc, StoreError)
                      else getattr(exc, "strerror", None) or str(exc))
            return {"ok": False, "error": _("The store cannot be read: {reason}").format(
                reason=reason), "as_of": self._last_good_at, "board": self._last_good}
        self._last_good = board
        try:
            self._last_good_at = floor.now().strftime("%H:%M:%S")
        except (FloorError, StoreError, OSError):
            pass
        return {"ok": True, "error": "", "problems": problems, "as_of": self._last_good_at,
                "board": board}
