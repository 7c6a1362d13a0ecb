"""Quota use-cases (外呼量, SPEC §5 and the day part of §9): record and import call counts,
campaigns, the day's progress and report, the month's ranking, guarantee and interview list.

Store layout: day partitions ``day/YYYY-MM-DD`` table ``calls``, key ``<staff>/<slot>/<campaign>``
(slot ``day`` for a daily total, ``hHH`` for an hourly increment), data ``{staff_id, date, hour,
campaign, dialed, connected, completed, orders, talk_minutes}``; a correction is a new version of
the same key. Reference table ``campaigns``: ``{id, name, coefficient}``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from floorapp.formats import csvio
from floorapp.services import digests, hourly
from floorapp.rules import quota as rules
from floorapp.errors import FloorError
from floorapp.i18n import N_, _, fmt_date, fmt_money, language
from floorapp.money import money_text
from floorapp.rules.quota import CallEntry, Counts
from floorapp.formats.reports import Report, Table
from floorapp.rules.schedule import calling_periods
from floorapp.rules.staff import check_id

if TYPE_CHECKING:
    from floorapp.policy import Policy
    from floorapp.services.core import Floor
    from floorapp.rules.staff import Staff

CALLS = "calls"
CAMPAIGNS = "campaigns"
REF = "ref"
CALL_COLUMNS = ["staff_id", "date", "dialed", "connected", "completed", "orders"]
CALL_OPTIONAL = ["hour", "campaign", "talk_minutes"]
ATTENDANCE = ("on_time", "late", "early", "absent", "leave", "rest")
LEAVE_CODES = ("personal", "sick", "annual", "comp", "leave")


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    coefficient: Decimal


@dataclass
class AgentDay:
    """One agent's day as the quota screen, the summary and the day report show it."""

    staff_id: str
    name: str
    seat: str
    shift: str
    attendance: str  # one of ATTENDANCE (the pay status of the day, SPEC §9)
    attendance_text: str  # "late 12 min"
    counts: Counts
    weighted: Decimal
    target: int
    lost_minutes: int
    rushing: bool
    qa_done: int = 0
    qa_mean: Decimal | None = None
    campaigns: list[str] = field(default_factory=list)
    # As the floor sees it now: ``not_in`` before the first in punch; someone late enough to be
    # an absence by the pay rule but at their seat is ``late``, not "absent" (SPEC §4 rev.).
    presence: str = ""
    # The day's counts are final (their shift has ended, or the day is past): only then is the
    # day judged (zero-score, dialed under its band, talk time; rules.counts_final).
    final: bool = True

    @property
    def shortfall(self) -> int:
        return rules.shortfall(self.target, self.counts.completed)

    # On the floor-day's roll (``floor.day``): scheduled, on the register, not on leave, in or
    # not in yet. The one answer the seats, "behind", the Summary and the advice count over.
    on_roll: bool = False

    @property
    def working(self) -> bool:
        """Working that day by the floor-day's roll, or with calls counted (a seat that rang
        without a punch still worked)."""
        return self.on_roll or self.counts.dialed > 0


@dataclass
class FloorDay:
    day: dt.date
    agents: list[AgentDay]
    seats: int
    totals: Counts
    avg_dialed: Decimal
    advice: str
    incidents: list[dict]
    avg_completed: Decimal = Decimal(0)
    # The floor's day is over (the last shift has ended): the staffing advice is a verdict on
    # the day only then; before, ``ends_at`` says when it will be.
    final: bool = True
    ends_at: dt.time | None = None

    @property
    def advice_known(self) -> bool:
        """The advice may be given now: the day is over, or the seats already dial more than
        the band allows (a count so far that can only grow)."""
        return self.final or self.advice == "add_seats"

    @property
    def under_target(self) -> list[AgentDay]:
        """The working seats short of their target: counted over the same seats as ``seats``."""
        return [a for a in self.agents if a.working and a.shortfall]


@dataclass(frozen=True)
class Undo:
    """What ``undo`` needs to take an entry back: the key and the data before it."""

    partition: str
    key: str
    after: dict
    before: dict | None
    label: str


class QuotaService:
    def __init__(self, floor: Floor) -> None:
        self.floor = floor
        self._last: list[Undo] = []
        # (year, month) → (what the figures were worked out from, the figures): the month
        # report, the pay sheet and the interview list ask for the same months
        self._months: dict[tuple[int, int], tuple[object, tuple]] = {}

    # ------------------------------------------------------------ campaigns
    def campaigns(self) -> dict[str, Campaign]:
        out = {}
        for record in self.floor.store.records(REF, CAMPAIGNS):
            out[record["id"]] = Campaign(record["id"], record["name"],
                                         Decimal(record["coefficient"]))
        return out

    def coefficients(self) -> dict[str, Decimal]:
        return {c.id: c.coefficient for c in self.campaigns().values()}

    def save_campaign(self, campaign_id: str, name: str, coefficient: str | Decimal) -> Campaign:
        """Add or change a campaign (外呼类型) and its type coefficient."""
        self.floor.require("quota.record")
        problem = check_id(campaign_id)
        if problem:
            raise FloorError(problem.replace("staff id", "campaign id")
                             .replace("员工编号", "项目编号"))
        try:
            value = Decimal(str(coefficient))
        except InvalidOperation:
            raise FloorError(_("coefficient {value!r} is not a number").format(
                value=coefficient)) from None
        if not value.is_finite() or value <= 0:
            raise FloorError(_("coefficient {value} must be more than 0").format(value=coefficient))
        if value > rules.MAX_COEFFICIENT or not re.fullmatch(r"\d+(\.\d+)?", str(coefficient)):
            raise FloorError(_("coefficient {value} must be a plain number up to {most} "
                               "(e.g. 1.2)").format(value=coefficient, most=rules.MAX_COEFFICIENT))
        campaign = Campaign(campaign_id, name or campaign_id, value)
        with self.floor.transaction() as tx:
            tx.put(REF, CAMPAIGNS, campaign_id,
                   {"id": campaign_id, "name": campaign.name, "coefficient": str(value)})
        return campaign

    # ----------------------------------------------------------- call counts
    def entries(self, day: dt.date) -> list[CallEntry]:
        return [_entry(r) for r in self.floor.store.records(_partition(day), CALLS)]

    def record_counts(self, staff_id: str, counts: Counts, *, day: dt.date | None = None,
                      hour: int | None = None, campaign: str | None = None,
                      add: bool = True, raise_to_completed: bool = False,
                      daily_total: bool = False, note: str = "") -> Undo:
        """Record counts for an agent: added to the hour's increment (or to the daily total
        when the day has one), or set (``add=False``). ``raise_to_completed``: a completed call
        was dialed and connected, so those rise to at least ``completed`` (the ``+5`` entry).
        Without an hour, today's entries go to the current hour; ``daily_total`` (or another
        day without an hour) records the day's total. Returns what ``undo`` needs."""
        self.floor.require("quota.record")
        person = self.floor.get_staff(staff_id)
        now = self.floor.now()
        day = day or now.date()
        if daily_total:
            hour = None
        elif hour is None and day == now.date():
            hour = now.hour
        if hour is not None and not 0 <= hour <= 23:
            raise FloorError(_("hour {hour} is not 0–23").format(hour=hour))
        partition = _partition(day)
        with self.floor.transaction() as tx:
            current = [_entry(r) for r in tx.records(partition, CALLS)
                       if r["staff_id"] == staff_id]
            if campaign is None:
                # The campaign the agent is on: the one of their latest entry today.
                latest = max(current, key=lambda e: -1 if e.hour is None else e.hour,
                             default=None)
                campaign = latest.campaign if latest else rules.DEFAULT_CAMPAIGN
            if campaign and campaign not in {r["id"] for r in tx.records(REF, CAMPAIGNS)}:
                raise FloorError(_("unknown campaign {campaign!r}").format(campaign=campaign))
            if add and any(e.hour is None and e.campaign == campaign for e in current):
                hour = None  # the day has a total for this campaign: keep it the truth
            key = rules.entry_key(staff_id, hour, campaign)
            before_record = tx.get(partition, CALLS, key)
            before = Counts.from_dict(before_record) if before_record else Counts()
            new = before + counts if add else counts
            from_pbx = bool(before_record) and before_record.get("source") == "pbx"
            if from_pbx and (new.dialed, new.connected) != (before.dialed, before.connected):
                if not note:
                    raise FloorError(_(
                        "{id}: dialed and connected of {slot} come from the phone system "
                        "({dialed}/{connected}); type completed and orders, or correct them "
                        "with a reason").format(
                            id=person.id, slot=_("day total") if hour is None
                            else f"{hour:02d}:00", dialed=before.dialed,
                            connected=before.connected))
            elif raise_to_completed:
                connected = max(new.connected, new.completed)
                new = Counts(max(new.dialed, connected), connected, new.completed, new.orders,
                             new.talk_minutes)
            problems = rules.count_problems(new)
            if problems:
                raise FloorError(f"{person.id}: " + "; ".join(problems))
            data = {"staff_id": staff_id, "date": day.isoformat(), "hour": hour,
                    "campaign": campaign, **new.to_dict()}
            if from_pbx:
                data["source"] = "pbx"  # a correction with a reason keeps the PBX's entry
            if note:
                data["correction"] = note  # why counts were taken back (this version only)
            tx.put(partition, CALLS, key, data)
        before_data = None
        if before_record:
            before_data = {k: v for k, v in before_record.items() if not k.startswith("_")}
        slot = _("day total") if hour is None else f"{hour:02d}:00"
        undo = Undo(partition, key, data, before_data, f"{person.id} {slot}")
        self._last.append(undo)
        return undo

    def add_completed(self, staff_id: str, completed: int, reason: str = "") -> Undo:
        """The ``+5`` entry: 5 more completed calls this hour (dialed and connected rise with
        them when below). ``-5`` with a reason is a correction: 5 completed calls taken back
        from this hour (dialed and connected stay), e.g. when another supervisor entered them
        too; the reason is kept on the record's new version."""
        self.floor.require("quota.record")
        if completed < 0:
            if not reason.strip():
                raise FloorError(_("a correction needs a reason, e.g. A001 -5 typed twice"))
            return self.record_counts(staff_id, Counts(completed=completed),
                                      note=reason.strip())
        if completed == 0:
            raise FloorError(_("add at least one completed call"))
        return self.record_counts(staff_id, Counts(completed=completed), raise_to_completed=True)

    def undo_last(self) -> str:
        """Take back the last entry made through this service; says what was undone."""
        self.floor.require("quota.record")
        if not self._last:
            raise FloorError(_("nothing to undo"))
        undo = self._last[-1]
        with self.floor.transaction() as tx:
            current = tx.get(undo.partition, CALLS, undo.key)
            now_data = None if current is None else \
                {k: v for k, v in current.items() if not k.startswith("_")}
            if now_data != undo.after:
                self._last.pop()
                by = current["_by"] if current else _("someone")
                raise FloorError(_("{what} was changed since by {by}; not undone: correct "
                                   "it with {id} -N reason (or a full line)").format(
                    what=undo.label, by=by, id=undo.label.split()[0]))
            if undo.before is None:
                tx.retire(undo.partition, CALLS, undo.key, "undo")
            else:
                tx.put(undo.partition, CALLS, undo.key, undo.before)
        self._last.pop()
        return _("undone: {what}").format(what=undo.label)

    # ----------------------------------------------------------------- import
    def parse_calls_csv(self, path: str | Path) -> list[tuple[int, dict]]:
        return self._read_calls_csv(path)[0]

    def _read_calls_csv(self, path: str | Path) -> tuple[list[tuple[int, dict]], str]:
        """The rows of a calls file with their lines, and the file's name for messages."""
        rows, errors = csvio.read_rows(path, CALL_COLUMNS, CALL_OPTIONAL)
        staff = self.floor.staff_by_id()
        campaigns = self.coefficients()
        today = self.floor.today()
        seen: dict[tuple[str, str], int] = {}
        out = []
        for line, row in rows:
            try:
                if row["staff_id"] not in staff:
                    raise ValueError(_("unknown staff id {id!r}").format(id=row["staff_id"]))
                day = csvio.parse_date(row["date"])
                if day > today:
                    raise ValueError(_("date {day} is in the future").format(day=day))
                counts = [csvio.parse_count(row[c], c)
                          for c in ("dialed", "connected", "completed", "orders")]
                talk_text = row.get("talk_minutes", "")
                talk = csvio.parse_count(talk_text, "talk_minutes") if talk_text else None
                hour = _parse_hour(row.get("hour", ""))
                campaign = row.get("campaign", "")
                if campaign and campaign not in campaigns:
                    raise ValueError(_("unknown campaign {campaign!r}").format(campaign=campaign))
                value = Counts(*counts, talk_minutes=talk)
                problems = rules.count_problems(value)
                if problems:
                    raise ValueError("; ".join(problems))
            except ValueError as exc:
                errors.add(line, str(exc))
                continue
            key = rules.entry_key(row["staff_id"], hour, campaign)
            where = (day.isoformat(), key)
            if where in seen:
                errors.add(line, _("the same agent, date, hour and campaign as line {line}").format(
                    line=seen[where]))
                continue
            seen[where] = line
            out.append((line, {"staff_id": row["staff_id"], "date": day.isoformat(),
                               "hour": hour, "campaign": campaign, **value.to_dict()}))
        errors.check()
        return out, errors.name

    def import_calls(self, path: str | Path) -> tuple[int, int]:
        """Import call counts, all-or-nothing. Returns (rows, days)."""
        self.floor.require("quota.record")
        rows, name = self._read_calls_csv(path)
        by_day: dict[str, list[tuple[int, str, dict]]] = {}
        for line, data in rows:
            key = rules.entry_key(data["staff_id"], data["hour"], data["campaign"])
            by_day.setdefault(data["date"], []).append((line, key, data))
        errors = csvio.Errors(name)
        with self.floor.transaction() as tx:
            checked = {day: _against_the_pbx(tx.records(f"day/{day}", CALLS), items, errors)
                       for day, items in sorted(by_day.items())}
            errors.check()
            for day, items in checked.items():
                tx.put_many(f"day/{day}", CALLS, items, note=f"import calls {Path(path).name}")
        return len(rows), len(by_day)

    # --------------------------------------------------------------- the day
    def counts_source(self, day: dt.date) -> tuple[str, str | None]:
        """Where the day's dialed and connected come from: ``("live", "10:42:05")`` while
        ``floor import cdr --follow`` applies calls (the last one's time), ``("pbx", None)``
        when an imported Master.csv gave them, ``("typed", None)`` otherwise."""
        from floorapp.services import cdr_follow

        last = cdr_follow.last_applied(self.floor, day)
        if last:
            return "live", last[11:19] if "T" in last else last
        if any(r.get("source") == "pbx"
               for r in self.floor.store.shared_records(_partition(day), CALLS)):
            return "pbx", None
        return "typed", None

    def floor_day(self, day: dt.date) -> FloorDay:
        """Every agent's counts, target and attendance for a day, and the floor's totals."""
        policy = self.floor.policy
        staff = self.floor.staff_by_id()
        shifts = self.floor.shifts_on(day)
        statuses, texts = self._attendance(day, shifts)
        roll = self.floor.day.roll(day)
        presence = self._presence(day)
        qa = self._monitoring(day)
        lost = self._lost_minutes(day)
        leave_days = self._leave_days(day)
        coefficients = self.coefficients()
        # the day's calls as the day file's digests sum them (the entries that count)
        sums = _day_sums(self.floor.store, _partition(day))
        hourly = self.floor.store.digest(_partition(day), digests.HOURLY)
        ids = sorted({s.id for s in staff.values() if s.role == "agent"} | set(sums))
        now = self.floor.now()
        ends = {sid: rules.day_end(policy.periods(shifts.get(sid, "R"), day)) for sid in ids}
        floor_end = self._floor_end(day, ends.values())
        agents = []
        for staff_id in ids:
            person: Staff | None = staff.get(staff_id)
            campaigns = sums.get(staff_id, {})
            shift = shifts.get(staff_id, "R")
            status = statuses.get(staff_id) or _status_from_shift(shift)
            if status == "rest" and not campaigns:
                continue
            scheduled = rules.calling_minutes(calling_periods(policy, shift, day))
            lost_minutes = lost.get(staff_id, 0)
            if status == "rest":
                target = 0
            elif staff_id in leave_days:
                target = rules.leave_target(policy, scheduled, lost_minutes,
                                            leave_days[staff_id])
            elif status == "leave":  # on leave by the roster, no leave record
                target = 0
            else:
                target = rules.adjusted_target(policy, scheduled, lost_minutes)
                if status == "absent":
                    worked = roll.is_working(staff_id) or any(
                        c.dialed for c in campaigns.values())
                    target = rules.absent_day_target(policy, target, worked)
            done, mean = qa.get(staff_id, (0, None))
            agents.append(AgentDay(
                staff_id=staff_id, name=person.name if person else staff_id,
                seat=person.seat if person else "", shift=shift, attendance=status,
                attendance_text=texts.get(staff_id) or _(STATUS_TEXT.get(status, status)),
                counts=sum(campaigns.values(), Counts()),
                weighted=rules.weighted_from_sums(policy, campaigns, coefficients),
                target=target, lost_minutes=lost_minutes,
                rushing=rules.is_rushing(policy, {int(h): n for h, n in
                                                  hourly.get(staff_id, {}).items()}),
                qa_done=done, qa_mean=mean,
                campaigns=sorted(campaigns),
                presence=presence.get(staff_id, ""),
                on_roll=roll.is_working(staff_id),
                final=rules.counts_final(
                    day, floor_end if ends[staff_id] is None else ends[staff_id], now),
            ))
        working = [a for a in agents if a.working]
        totals = sum((a.counts for a in agents), Counts())
        avg = rules.average_per_seat(sum(a.counts.dialed for a in working), len(working))
        avg_completed = rules.average_per_seat(sum(a.counts.completed for a in working),
                                               len(working))
        # nothing dialed yet on the working seats (before the first punch, before the first
        # call): nothing to advise on
        dialing = any(a.counts.dialed for a in working)
        advice = rules.staffing_advice(policy, avg, avg_completed) if dialing else "ok"
        return FloorDay(day, agents, len(working), totals, avg, advice, self._incidents(),
                        avg_completed, final=rules.counts_final(day, floor_end, now),
                        ends_at=floor_end)

    def _floor_end(self, day: dt.date, ends) -> dt.time | None:  # noqa: ANN001 - times
        """When the floor's day ends: its last shift's end, else the default shift's."""
        policy = self.floor.policy
        last = max((end for end in ends if end is not None), default=None)
        if last is None:
            last = rules.day_end(policy.periods(policy.default_shift(day), day))
        return last

    def day_report(self, day: dt.date, fd: FloorDay | None = None) -> Report:
        """SPEC §9 end of day: the JSON contract and a table to read out at the meeting
        (of ``fd`` when the caller has the day already, as the wallboard has)."""
        policy = self.floor.policy
        fd = fd if fd is not None else self.floor_day(day)
        data = {
            "date": day.isoformat(),
            "agents": [{"id": a.staff_id, "dialed": a.counts.dialed,
                        "connected": a.counts.connected, "completed": a.counts.completed,
                        "orders": a.counts.orders, "shortfall": a.shortfall,
                        "points": rules.shortfall_points(policy, a.target, a.counts.completed),
                        "attendance": a.attendance} for a in fd.agents],
            "floor": {"seats": fd.seats,
                      "avg_dialed": float(fd.avg_dialed.quantize(Decimal("0.1"),
                                                                 rounding=ROUND_HALF_UP)),
                      "advice": fd.advice,
                      # false while a shift is still on: the figures are the day so far
                      "final": fd.final},
            # completed per calling hour against the pace to target (issue #28: the charts
            # and the wallboard draw this curve)
            "hourly": hourly.day_curves(self.floor, day, fd).to_json(),
        }
        headers = [_(h) for h in DAY_HEADERS]
        rows = []
        legend = dict(self.flag_legend())
        for a in fd.agents:
            rows.append([a.staff_id, a.name, a.shift, a.attendance_text, a.counts.dialed,
                         a.counts.connected, a.counts.completed, a.counts.orders, a.target,
                         a.shortfall, rules.shortfall_points(policy, a.target, a.counts.completed),
                         _num(a.weighted), _qa_text(a), " ".join(self.flags(a, legend))])
        floor_rows = [[_("seats"), fd.seats], [_("dialed"), fd.totals.dialed],
                      [_("avg dialed per seat"), _num(fd.avg_dialed)],
                      [_("avg completed per seat"), _num(fd.avg_completed)],
                      [_("connected"), fd.totals.connected], [_("completed"), fd.totals.completed],
                      [_("orders"), fd.totals.orders],
                      [_("under target"), len(fd.under_target)],
                      [_("advice"), advice_text(policy, fd.advice) if fd.advice_known
                       else advice_pending(fd)]]
        incident_rows = [[i.get("id", ""), i.get("kind", ""), i.get("title", ""),
                          started_text(i.get("started", ""), day)] for i in fd.incidents]
        notes = []
        short = fd.under_target
        if short:
            head = _("Under target: {agents}") if fd.final else _(
                "Short of target so far: {agents}")
            notes.append(head.format(agents=_(", ").join(
                f"{a.staff_id} {a.name} −{a.shortfall}" for a in short)))
        rushing = [a.staff_id for a in fd.agents if a.rushing]
        if rushing:
            notes.append(_("Rushing (last hour > {factor}× the hourly mean): {agents}").format(
                factor=_num(policy.rushing_factor), agents=_(", ").join(rushing)))
        return Report(
            title=_("End of day {iso} ({day})").format(
                iso=day.isoformat(), day=fmt_date(day) if language() == "zh" else f"{day:%a}"),
            data=data,
            tables=[Table(headers, rows, _("Agents")),
                    Table([_("floor"), _("value")], floor_rows, _("Floor")),
                    Table([_("id"), _("kind"), _("title"), _("started")], incident_rows,
                          _("Open incidents"))],
            notes=notes,
        )

    def flags(self, agent: AgentDay, legend: dict[str, str] | None = None) -> list[str]:
        """The agent's flags in words ("dial<70", "zero-score" …)."""
        return [text for _code, text in self.flag_items(agent, legend)]

    def flag_items(self, agent: AgentDay, legend: dict[str, str] | None = None
                   ) -> list[tuple[str, str]]:
        """The agent's flags as (code, words); the codes are those of ``flag_legend`` (pass
        it in, as a dict, when asking for many agents)."""
        policy = self.floor.policy
        legend = legend if legend is not None else dict(self.flag_legend())
        out = []
        if agent.rushing:
            out.append(("rushing", legend["rushing"]))
        band = rules.dialed_band(policy, agent.counts.dialed)
        # under the band, zero-score and short talk time judge a whole day: not before its end
        if agent.final and agent.working and agent.counts.dialed and band == "below":
            out.append(("dial_low", legend["dial_low"]))
        if band == "above":  # a count so far that can only grow
            out.append(("dial_high", legend["dial_high"]))
        if agent.final and agent.working and rules.is_zero_score_day(policy, agent.weighted):
            out.append(("zero_score", legend["zero_score"]))
        if agent.final and rules.talk_time_ok(policy, agent.counts.talk_minutes) is False:
            out.append(("talk_short", legend["talk_short"]))
        if agent.lost_minutes:
            out.append(("outage", _("outage {minutes}m").format(minutes=agent.lost_minutes)))
        return out

    def flag_legend(self) -> list[tuple[str, str]]:
        """Every flag a day can carry, (code, words) with the policy's current numbers."""
        policy = self.floor.policy
        hours = _num(Decimal(policy.talk_minutes_min) / 60)
        return [("rushing", _("rushing")),
                ("dial_low", _("dial<{n}").format(n=policy.band_dialed_min)),
                ("dial_high", _("dial>{n}").format(n=policy.band_dialed_max)),
                ("zero_score", _("zero-score")),
                ("talk_short", _("talk<{hours}h").format(hours=hours)),
                ("outage", _("outage"))]

    def export_day_csv(self, day: dt.date, directory: Path | None = None) -> Path:
        """Write the day's agent table as CSV; returns the path."""
        from floorapp.formats.reports import render

        directory = directory or Path.home() / "floor-exports"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"floor-day-{day.isoformat()}.csv"
            # the CSV header stays English (machine-read); the rows are as shown
            report = self.day_report(day)
            report.tables[0] = Table(list(DAY_HEADERS), report.tables[0].rows)
            path.write_text(render(report, "csv"), encoding="utf-8")
        except OSError as exc:
            raise FloorError(_("cannot write the export to {directory}: {reason}").format(
                directory=directory, reason=exc.strerror)) from None
        return path

    def export_day_xlsx(self, day: dt.date, directory: Path | None = None) -> Path:
        """Write the day's report as an Excel workbook, one sheet per table; returns the path."""
        from floorapp.formats import xlsx

        directory = directory or Path.home() / "floor-exports"
        path = directory / f"floor-day-{day.isoformat()}.xlsx"
        from floorapp.services.board import day_sheets

        return xlsx.write_workbook(path, day_sheets(self.floor, day))  # with its charts

    # ------------------------------------------------------------ live floor
    def live(self) -> tuple[FloorDay, dict[str, dict]]:
        """Today's floor now, with each agent's pace: {id: {minutes_left, total_minutes,
        pace, behind, expected}} for the quota screen."""
        now = self.floor.now()
        policy = self.floor.policy
        fd = self.floor_day(now.date())
        clock = now.time().replace(tzinfo=None)
        pace = {}
        for a in fd.agents:
            periods = calling_periods(policy, a.shift, now.date())
            total = rules.calling_minutes(periods)
            left = rules.remaining_minutes(periods, clock)
            pace[a.staff_id] = {
                "total_minutes": total, "minutes_left": left,
                "pace": rules.pace_needed(a.target, a.counts.completed, left),
                "behind": a.working and a.target > 0 and rules.is_behind(
                    a.target, a.counts.completed, total, left),
            }
        return fd, pace

    # ----------------------------------------------------------------- month
    def month_extension(self, year: int, month: int) -> tuple[dict, list[Table]]:
        """The quota part of the month report: ranking with points, guarantee tier,
        interview list (called by ``reports.extend_month_report``)."""
        policy = self.floor.policy
        names = {s.id: s.name for s in self.floor.staff()}
        daily, orders, special = self._month_figures(year, month)
        daily = self._final_days(daily)
        scores = {sid: rules.ranking_score(policy, days.values()) for sid, days in daily.items()}
        ranking = rules.ranking(policy, scores)
        zero_days = {sid: rules.zero_score_days(policy, days.values())
                     for sid, days in daily.items()}
        months = []
        y, m = year, month
        for _n in range(max(0, policy.interview_months - 1)):
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
            months.insert(0, self._orders_of_month(y, m))
        months.append(orders)
        # 话务员薪资制度 [004]: the interview is for outbound agents (成单量)
        agents = {s.id for s in self.floor.staff(include_retired=True) if s.role == "agent"}
        months = [{sid: n for sid, n in month_orders.items() if sid in agents}
                  for month_orders in months]
        interview = rules.interview_list(policy, months)
        pay = getattr(self.floor, "pay", None)
        if pay is not None:  # special circumstances are the supervisor's, confirmed (SPEC §10)
            special = pay.confirmed_special(year, month)
        tiers = {sid: rules.guarantee_tier(policy, orders.get(sid, 0), sid in special)
                 for sid in sorted(daily)}
        data = {
            "quota_ranking": [{"id": r.staff_id, "rank": r.rank,
                               "weighted_completed": _num(r.score), "points": r.points,
                               "zero_score_days": zero_days.get(r.staff_id, 0)} for r in ranking],
            "guarantee": [{"id": sid, "orders": orders.get(sid, 0), "tier": t.tier,
                           "base": money_text(t.base_pay), "subsidy": money_text(t.subsidy)}
                          for sid, t in tiers.items()],
            "interview_list": interview,
        }
        tables = [
            Table([_("rank"), _("id"), _("name"), _("weighted"), _("points"),
                   _("zero-score days")],
                  [[r.rank, r.staff_id, names.get(r.staff_id, ""), _num(r.score), r.points,
                    zero_days.get(r.staff_id, 0)] for r in ranking],
                  _("Quota ranking (外呼量排名)")),
            Table([_("id"), _("name"), _("orders"), _("tier"), _("base"), _("subsidy")],
                  [[sid, names.get(sid, ""), orders.get(sid, 0), _(TIER_TEXT.get(t.tier, t.tier)),
                    fmt_money(t.base_pay), fmt_money(t.subsidy)] for sid, t in tiers.items()],
                  _("Order guarantee (保底量 {orders})").format(orders=policy.guarantee_orders)),
            Table([_("id"), _("name"), _("orders this month")],
                  [[sid, names.get(sid, ""), orders.get(sid, 0)] for sid in interview],
                  _("Interview list (约谈: fewest orders {months} months running)").format(
                      months=policy.interview_months)),
        ]
        return data, tables

    def _final_days(self, daily: dict[str, dict[str, Decimal]]
                    ) -> dict[str, dict[str, Decimal]]:
        """The month's days that may be judged: today counts in the ranking (and as a
        zero-score day) once the agent's shift has ended, not on its calls so far; a day to
        come (counts typed ahead) not yet. A copy: the kept month figures stay as they are."""
        today = self.floor.today()
        key = today.isoformat()
        if not any(day >= key for days in daily.values() for day in days):
            return daily
        policy = self.floor.policy
        now = self.floor.now()
        shifts = self.floor.shifts_on(today)
        ends = {sid: rules.day_end(policy.periods(shifts.get(sid, "R"), today))
                for sid in daily}
        floor_end = self._floor_end(today, ends.values())
        out = {}
        for sid, days in daily.items():
            end = floor_end if ends[sid] is None else ends[sid]
            today_final = rules.counts_final(today, end, now)
            out[sid] = {day: w for day, w in days.items()
                        if day < key or (day == key and today_final)}
        return out

    def counts_between(self, start: dt.date, end: dt.date, by_campaign: bool = False
                       ) -> dict:
        """Each agent's counts over the days from ``start`` to ``end`` (the calls and orders a
        sampling rule counts: 400 calls, telesales closed recordings, COPC calls per project),
        keyed by staff id, or by (staff id, campaign) with ``by_campaign``."""
        out: dict = {}
        store = self.floor.store
        for partition in store.day_partitions(start, end):
            for sid, campaigns in _day_sums(store, partition).items():
                if not by_campaign:
                    day = Counts()
                    for counts in campaigns.values():
                        day = day + counts
                    out[sid] = out.get(sid, Counts()) + day
                    continue
                for campaign, counts in campaigns.items():
                    key = (sid, campaign)
                    out[key] = out.get(key, Counts()) + counts
        return out

    def month_orders(self, year: int, month: int) -> dict[str, int]:
        """Orders (成单) per agent in a month (the pay tier's guarantee)."""
        return dict(self._orders_of_month(year, month))

    def _orders_of_month(self, year: int, month: int) -> dict[str, int]:
        """Orders per agent, from the month figures when they are worked out already, else
        from the day digests alone (an earlier month for the interview list needs no more)."""
        kept = self._months.get((year, month))
        if kept is not None and kept[0] == self._month_state(year, month)[1]:
            return kept[1][1]
        store = self.floor.store
        orders: dict[str, int] = {}
        for partition in self._month_state(year, month)[0]:
            for sid, campaigns in store.digest(partition, digests.CAMPAIGN_SUMS).items():
                orders[sid] = orders.get(sid, 0) + sum(c[3] for c in campaigns.values())
        return orders

    def _month_state(self, year: int, month: int) -> tuple[list[str], tuple]:
        """The month's day partitions and what its figures are worked out from."""
        store = self.floor.store
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        partitions = store.day_partitions(first, last)
        return partitions, (store.stamp(), store.signature(REF),
                            tuple(store.signature(p) for p in partitions))

    def _month_figures(self, year: int, month: int
                       ) -> tuple[dict[str, dict[str, Decimal]], dict[str, int], set[str]]:
        """(weighted per agent per day, orders per agent, agents with outage minutes).

        Kept while nothing in the store changed (its change stamp, the reference file and
        the month's day files), so asking for the same month again is free. Never change
        what this returns."""
        partitions, state = self._month_state(year, month)
        kept = self._months.get((year, month))
        if kept is not None and kept[0] == state:
            return kept[1]
        figures = self._work_out_month(partitions)
        self._months[(year, month)] = (state, figures)
        return figures

    def _work_out_month(self, partitions: list[str]
                        ) -> tuple[dict[str, dict[str, Decimal]], dict[str, int], set[str]]:
        policy = self.floor.policy
        coefficients = self.coefficients()
        daily: dict[str, dict[str, Decimal]] = {}
        orders: dict[str, int] = {}
        special: set[str] = set()
        store = self.floor.store
        for partition in partitions:
            day = dt.date.fromisoformat(partition.split("/")[1])
            for sid, campaigns in _day_sums(store, partition).items():
                daily.setdefault(sid, {})[day.isoformat()] = rules.weighted_from_sums(
                    policy, campaigns, coefficients)
                orders[sid] = orders.get(sid, 0) + sum(n.orders for n in campaigns.values())
            special |= {sid for sid, n in self._lost_minutes(day).items() if n > 0}
        return daily, orders, special

    # ------------------------------------------- the other features, when present
    def _attendance(self, day: dt.date, shifts: dict[str, str]
                    ) -> tuple[dict[str, str], dict[str, str]]:
        service = getattr(self.floor, "attendance", None)
        statuses: dict[str, str] = {}
        texts: dict[str, str] = {}
        if service is not None and hasattr(service, "day_statuses"):
            statuses = {k: v for k, v in service.day_statuses(day).items() if v in ATTENDANCE}
            if hasattr(service, "day_status_text"):
                texts = dict(service.day_status_text(day))
        return statuses, texts

    def _presence(self, day: dt.date) -> dict[str, str]:
        service = getattr(self.floor, "attendance", None)
        if service is not None and hasattr(service, "floor_statuses"):
            return dict(service.floor_statuses(day))
        return {}

    def _monitoring(self, day: dt.date) -> dict[str, tuple[int, Decimal | None]]:
        service = getattr(self.floor, "monitoring", None)
        if service is not None and hasattr(service, "day_by_agent"):
            return dict(service.day_by_agent(day))
        return {}

    def _leave_days(self, day: dt.date) -> dict[str, Decimal]:
        service = getattr(self.floor, "attendance", None)
        if service is not None and hasattr(service, "leave_on"):
            return {k: Decimal(v.days) for k, v in service.leave_on(day).items()}
        return {}

    def _lost_minutes(self, day: dt.date) -> dict[str, int]:
        service = getattr(self.floor, "emergency", None)
        if service is not None and hasattr(service, "lost_calling_minutes"):
            return {k: int(v) for k, v in service.lost_calling_minutes(day).items()}
        return {}

    def _incidents(self) -> list[dict]:
        service = getattr(self.floor, "emergency", None)
        if service is not None and hasattr(service, "open_incidents"):
            from floorapp.rules.emergency import incident_title

            # the title in the interface language, for the summary and the day report
            return [dict(row, title=incident_title(row)) for row in service.open_incidents()]
        return []


ADVICE_TEXT = {"add_seats": N_("add seats (avg dialed per seat above {dialed})"),
               "raise_volume": N_("raise call volume (avg completed per seat below {completed})"),
               "ok": N_("ok (dialed at most {dialed}, completed at least {completed} per seat)")}


def advice_text(policy: Policy, advice: str) -> str:
    """The staffing advice for people, with the policy's thresholds [004 第三条]."""
    return _(ADVICE_TEXT[advice]).format(dialed=policy.advice_add_seats_above,
                                         completed=policy.advice_raise_volume_completed_below)


def advice_pending(fd: FloorDay) -> str:
    """What the advice says while the floor's day is on: when it will be given."""
    if fd.ends_at is None:
        return _("after the day's shifts")
    return _("after {time}, when the day's shifts end").format(time=f"{fd.ends_at:%H:%M}")
# The day report's agent table; the CSV export keeps these English headers.
DAY_HEADERS = (N_("id"), N_("name"), N_("shift"), N_("attendance"), N_("dial"), N_("conn"),
               N_("done"), N_("ord"), N_("tgt"), N_("short"), N_("pts"), N_("wtd"), N_("QA"),
               N_("flags"))
# An attendance status shown to people when the attendance feature gives no text.
STATUS_TEXT = {"on_time": N_("on time"), "late": N_("late"), "early": N_("early"),
               "absent": N_("absent"), "leave": N_("leave"), "rest": N_("rest")}
TIER_TEXT = {"guarantee": N_("guarantee"), "special": N_("special"), "base": N_("base")}


def campaign_saved_text(campaign: Campaign) -> str:
    """What ``floor campaign set`` prints."""
    return _("campaign {id} {name}: coefficient {coefficient}").format(
        id=campaign.id, name=campaign.name, coefficient=campaign.coefficient)


def campaign_list_text(campaigns: dict[str, Campaign], default_coefficient: Decimal) -> str:
    """What ``floor campaign list`` prints."""
    rows = [f"{c.id}\t{c.name}\t{c.coefficient}"
            for c in sorted(campaigns.values(), key=lambda c: c.id)]
    return "\n".join(rows) or _("no campaigns (calls without one count × {coefficient})").format(
        coefficient=default_coefficient)


def started_text(started: object, day: dt.date) -> str:
    """When an incident started, short: ``14:10`` on the day, else ``11-19 14:10``."""
    text = str(started or "")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{moment:%H:%M}" if moment.date() == day else f"{moment:%m-%d %H:%M}"


def _day_sums(store, partition: str) -> dict[str, dict[str, Counts]]:  # noqa: ANN001
    """A day's call digest (digests.CAMPAIGN_SUMS) as Counts."""
    return {sid: {c: Counts(*values) for c, values in campaigns.items()}
            for sid, campaigns in store.digest(partition, digests.CAMPAIGN_SUMS).items()}


def _partition(day: dt.date) -> str:
    return f"day/{day.isoformat()}"


def _entry(record: dict) -> CallEntry:
    return CallEntry(record["staff_id"], dt.date.fromisoformat(record["date"]),
                     record.get("hour"), record.get("campaign", ""), Counts.from_dict(record))


def _status_from_shift(shift: str) -> str:
    """Without the attendance feature: rest on a rest day, leave on a roster leave cell,
    else on time."""
    if shift == "R":
        return "rest"
    if shift in LEAVE_CODES:
        return "leave"
    return "on_time"


def _parse_hour(text: str) -> int | None:
    if not text:
        return None
    if not re.match(r"^\d{1,2}$", text) or int(text) > 23:
        raise ValueError(_("hour {text!r} is not an hour of the day (0–23)").format(text=text))
    return int(text)


def _num(value: Decimal) -> str:
    """A figure for people: whole numbers plain, else one decimal."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _qa_text(agent: AgentDay) -> str:
    if not agent.qa_done:
        return ""
    mean = "" if agent.qa_mean is None else f" {_num(agent.qa_mean)}%"
    return f"{agent.qa_done}{mean}"


# ----------------------------------------------------------------------- demo
DEMO_CAMPAIGNS = [("BB", "宽带续约 broadband renewal", "1.0"), ("5G", "5G升级 5G upgrade", "1.2"),
                  ("SV", "满意度回访 survey", "0.8")]


DEMO_HOURLY_DAYS = 62  # hourly increments for about two months; older days as daily totals


def demo_calls(ctx) -> None:  # noqa: ANN001 - demo.DemoContext (avoids an import cycle)
    """Call counts for every agent on the days they worked (hourly for the last two months
    and today up to now, daily totals before):
    campaigns with coefficients, some agents under 60, a few rushing days, orders around
    the 400-a-month guarantee line."""
    floor, rng = ctx.floor, ctx.rng
    policy = floor.policy
    agents = ctx.by_role("agent")
    profile = {}
    for person in agents:
        skill = min(1.35, max(0.7, rng.gauss(1.0, 0.12)))
        profile[person.id] = (skill, min(0.45, max(0.12, rng.gauss(0.31, 0.07))),
                              rng.choice(("BB", "BB", "5G", "SV")))
    with floor.transaction() as tx:
        tx.put_many(REF, CAMPAIGNS, [(cid, {"id": cid, "name": name, "coefficient": coef})
                                     for cid, name, coef in DEMO_CAMPAIGNS], note="demo floor")
    now = floor.now()
    months = ctx.months()
    today_hours = [h for h in range(24) if h < now.hour]
    rows = 0
    rushing = 0

    random = rng.random  # hundreds of thousands of draws: the plain call is the quick one

    def counts_for(completed: int, order_rate: float) -> dict:
        connected = completed + round(completed * (0.1 + 0.2 * random()))
        dialed = connected + round(connected * (0.15 + 0.2 * random()))
        orders = min(completed, round(completed * order_rate * (0.8 + 0.4 * random())))
        return {"dialed": dialed, "connected": connected, "completed": completed,
                "orders": orders, "talk_minutes": round(completed * 3.3 + 6 * random())}

    def day_items(day: dt.date, shifts: dict[str, str], hour_limit: list[int] | None,
                  hourly: bool, tx):  # noqa: ANN001 - the month's transaction
        nonlocal rushing
        items = []
        iso = day.isoformat()
        # Who clocked in (the attendance demo ran first): the absent make no calls.
        present = {r["staff_id"] for r in tx.records(_partition(day), "punches")
                   if r.get("in")}
        hours_of: dict[str, list[int]] = {}
        for person in agents:
            if person.hired > day:
                continue
            code = shifts.get(person.id, "R")
            if code not in hours_of:
                hours_of[code] = rules.calling_hours(policy.periods(code, day))
            hours = hours_of[code]
            if hour_limit is not None:
                hours = [h for h in hours if h in hour_limit]
            if not hours:  # rest day
                continue
            if present and person.id not in present or not present and random() < 0.03:
                continue  # absent or on leave
            skill, order_rate, main = profile[person.id]
            campaign = main if rng.random() < 0.8 else rng.choice(DEMO_CAMPAIGNS)[0]
            day_completed = 62 * skill * rng.gauss(1.0, 0.08) * len(hours) / 8
            if not hourly:  # older history: the day's total, as a dialer export gives it
                data = {"staff_id": person.id, "date": iso, "hour": None, "campaign": campaign,
                        **counts_for(round(day_completed), order_rate)}
                items.append((rules.entry_key(person.id, None, campaign), data))
                continue
            weights = [0.8 + 0.4 * random() for _h in hours]
            if rng.random() < 0.03 and len(hours) > 2:
                weights[-1] *= 3.5  # a rushed last hour (赶量)
                rushing += 1
            scale = day_completed / sum(weights)
            for hour, weight in zip(hours, weights):
                data = {"staff_id": person.id, "date": iso, "hour": hour, "campaign": campaign,
                        **counts_for(max(0, round(weight * scale)), order_rate)}
                items.append((rules.entry_key(person.id, hour, campaign), data))
        return items

    for month in months:
        for day in month:
            with floor.transaction() as tx:  # a day at a time: memory holds one day file
                hourly = (now.date() - day).days <= DEMO_HOURLY_DAYS
                items = day_items(day, floor.shifts_on(day), None, hourly, tx)
                rows += tx.put_many(_partition(day), CALLS, items, note="demo floor")
    if today_hours and ctx.days is not None:
        today = now.date()
        with floor.transaction() as tx:
            items = day_items(today, floor.shifts_on(today), today_hours, True, tx)
            rows += tx.put_many(_partition(today), CALLS, items, note="demo floor")
    ctx.summary.append(_("quota: {rows} call counts for {agents} agents, {campaigns} campaigns, "
                         "{rushed} rushed days").format(
        rows=rows, agents=len(agents), campaigns=len(DEMO_CAMPAIGNS), rushed=rushing))


def _against_the_pbx(stored: list[dict], items: list[tuple[int, str, dict]],
                     errors: csvio.Errors) -> list[tuple[str, dict]]:
    """An imported calls file may add completed and orders to the hours the phone system
    recorded, never change their dialed and connected, nor hide them under a day total (issue
    #27: the PBX's figures are the truth, a hand correction needs a reason). Rows that keep
    the PBX's figures stay marked as the PBX's; the others are named with their line."""
    pbx = {r["_key"]: r for r in stored if r.get("source") == "pbx"}
    pbx_hours = {(r["staff_id"], r.get("campaign", "")) for r in pbx.values()
                 if r.get("hour") is not None}
    out = []
    for line, key, data in items:
        before = pbx.get(key)
        if data["hour"] is None and (data["staff_id"], data["campaign"]) in pbx_hours:
            errors.add(line, _(
                "{id} {day}: the phone system recorded this seat's hours; a day total would "
                "hide them: import hourly rows instead").format(id=data["staff_id"],
                                                              day=data["date"]))
            continue
        if before is not None:
            if (data["dialed"], data["connected"]) != (before["dialed"], before["connected"]):
                errors.add(line, _(
                    "{id}: dialed and connected of {slot} come from the phone system "
                    "({dialed}/{connected}); type completed and orders, or correct them "
                    "with a reason").format(
                        id=data["staff_id"], slot=_("day total") if data["hour"] is None
                        else f"{data['hour']:02d}:00", dialed=before["dialed"],
                        connected=before["connected"]))
                continue
            data = dict(data, source="pbx")
            if data["talk_minutes"] is None:
                data["talk_minutes"] = before.get("talk_minutes")
        out.append((key, data))
    return out
