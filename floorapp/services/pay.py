"""Pay use-cases (薪资/绩效, SPEC §10): the month's bases for the attendance deductions, the
pay sheet, special circumstances confirmed or refused, the "published" mark, the coaching and
praise log, base scores, and the coaching CSV import.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.

Storage:
- partition ``pay`` (its own file, ``pay.json``, so a centre can give it its own group):
  table ``special``, key ``"YYYY-MM/<staff_id>"``: ``{"staff_id", "month", "decision":
  "confirmed"|"refused", "lost_minutes", "orders"}`` (a change of mind is a new version);
  table ``published``, key ``"YYYY-MM"``: ``{"month", "at"}``;
  table ``scores``, key ``"YYYY-MM/<staff_id>"``: ``{"staff_id", "month", "score"}`` (the
  appraisal base score the centre enters, [002] 评价得分).
- day partition ``day/YYYY-MM-DD``, table ``coaching``, key ``"<staff_id>/<n>"``:
  ``{"staff_id", "date", "kind", "note", "by"}`` (kind: verbal, written, decision_day,
  great_job). Writing one is recording a fact of that day, like a punch.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from floorapp.formats import csvio, reports
from floorapp.rules import pay
from floorapp.rules.attendance import month_text
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.money import money_text
from floorapp.rules.staff import Staff

if TYPE_CHECKING:
    from floorapp.services.core import Floor

PAY = "pay"
SPECIAL = "special"
PUBLISHED = "published"
SCORES = "scores"
COACHING = "coaching"
COACHING_COLUMNS = ["staff_id", "date", "kind", "note"]
OUTBOUND = ("agent",)


def _key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _day_part(day: dt.date) -> str:
    return f"day/{day.isoformat()}"


class PayService:
    def __init__(self, floor: Floor) -> None:
        self.floor = floor

    # ------------------------------------------------------------- reading
    def _decisions(self, year: int, month: int) -> dict[str, str]:
        if not self.floor.pay_visible():  # the pay file is not this login's to read (#19)
            return {}
        prefix = _key(year, month) + "/"
        return {r["staff_id"]: r["decision"]
                for r in self.floor.store.records(PAY, SPECIAL) if r["_key"].startswith(prefix)}

    def confirmed_special(self, year: int, month: int) -> set[str]:
        return {sid for sid, d in self._decisions(year, month).items() if d == "confirmed"}

    def _month_days(self, year: int, month: int) -> list[dt.date]:
        today = self.floor.today()
        last = calendar.monthrange(year, month)[1]
        return [d for d in (dt.date(year, month, n) for n in range(1, last + 1)) if d <= today]

    def lost_minutes(self, year: int, month: int) -> dict[str, int]:
        """Calling minutes each agent lost to outages in the month (up to today)."""
        service = getattr(self.floor, "emergency", None)
        if service is None or not hasattr(service, "lost_calling_minutes"):
            return {}
        out: dict[str, int] = {}
        for day in self._month_days(year, month):
            for sid, minutes in service.lost_calling_minutes(day).items():
                out[sid] = out.get(sid, 0) + int(minutes)
        return out

    def month_bases(self, year: int, month: int, people: list[Staff]) -> dict[str, Decimal]:
        """月底薪 of every outbound agent among ``people``: tier base + seniority raise (the
        attendance deductions of the month are computed on it); other roles keep base_pay."""
        agents = [s for s in people if s.role in OUTBOUND]
        if not agents:
            return {}
        policy = self.floor.policy
        orders = self.floor.quota.month_orders(year, month)
        confirmed = self.confirmed_special(year, month)
        first = dt.date(year, month, 1)
        return {s.id: pay.month_base(policy, s, orders.get(s.id, 0), s.id in confirmed, first)
                for s in agents}

    def coaching_log(self, year: int, month: int, staff_id: str | None = None
                     ) -> list[dict[str, Any]]:
        """Every coaching/praise record of the month (oldest first)."""
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        out = []
        for part in self.floor.store.day_partitions(first, last):
            for record in self.floor.store.records(part, COACHING):
                if staff_id is None or record["staff_id"] == staff_id:
                    out.append(record)
        return sorted(out, key=lambda r: (r["date"], r["_key"]))

    def coaching_counts(self, year: int, month: int) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for record in self.coaching_log(year, month):
            counts = out.setdefault(record["staff_id"], {})
            counts[record["kind"]] = counts.get(record["kind"], 0) + 1
        return out

    def base_scores(self, year: int, month: int) -> dict[str, Decimal]:
        prefix = _key(year, month) + "/"
        return {r["staff_id"]: Decimal(r["score"])
                for r in self.floor.store.records(PAY, SCORES) if r["_key"].startswith(prefix)}

    def published(self) -> dict[str, str]:
        """{"YYYY-MM": when it was marked published}."""
        return {r["month"]: r["at"] for r in self.floor.store.records(PAY, PUBLISHED)}

    def reminder(self) -> str | None:
        """The reminder line from the 1st until last month's results are published, or None."""
        policy = self.floor.policy
        today = self.floor.today()
        month = pay.publish_reminder(policy, today, self.published())
        if month is None:
            return None
        year, number = int(month[:4]), int(month[5:])
        if pay.publish_overdue(policy, today):
            return _("pay {month} not published: it was due by the {day}th "
                     "(P marks it published)").format(month=month_text(year, number),
                                                     day=policy.pay_publish_by_day)
        return _("pay {month} to publish by the {day}th (次月{day}日前公布; P marks it "
                 "published)").format(month=month_text(year, number),
                                      day=policy.pay_publish_by_day)

    def sheet(self, year: int, month: int) -> list[pay.PayLine]:
        """The month's pay sheet: every outbound agent scheduled (or on leave) in the month."""
        self.floor.require("pay.view")
        policy = self.floor.policy
        results = self.floor.attendance.month_results(year, month)
        orders = self.floor.quota.month_orders(year, month)
        lost = self.lost_minutes(year, month)
        decisions = self._decisions(year, month)
        coaching = self.coaching_counts(year, month)
        scores = self.base_scores(year, month)
        agents = [pay.AgentMonth(staff=s, orders=orders.get(s.id, 0),
                                 lost_minutes=lost.get(s.id, 0),
                                 decision=decisions.get(s.id, ""), attendance=r,
                                 coaching=coaching.get(s.id, {}), base_score=scores.get(s.id))
                  for s, r, _d in results if s.role in OUTBOUND]
        return pay.pay_sheet(policy, agents, dt.date(year, month, 1))

    def proposals(self, lines: list[pay.PayLine]) -> list[pay.PayLine]:
        return [ln for ln in lines if ln.special == "proposed"]

    # ------------------------------------------------------------- writing
    def decide_special(self, staff_id: str, year: int, month: int, confirm: bool) -> str:
        """The supervisor confirms (or refuses) special circumstances for an agent's month."""
        self.floor.require("pay.special")
        person = self._agent(staff_id)
        key = f"{_key(year, month)}/{person.id}"
        orders = self.floor.quota.month_orders(year, month).get(person.id, 0)
        lost = self.lost_minutes(year, month).get(person.id, 0)
        decision = "confirmed" if confirm else "refused"
        with self.floor.transaction() as tx:
            tx.put(PAY, SPECIAL, key, {"staff_id": person.id, "month": _key(year, month),
                                       "decision": decision, "lost_minutes": lost,
                                       "orders": orders})
        month_label = month_text(year, month)
        if confirm and orders >= self.floor.policy.guarantee_orders:
            return _("{id} {month}: special circumstances confirmed, but {orders} orders meet "
                     "the guarantee: the tier stays met").format(id=person.id, month=month_label,
                                                                 orders=orders)
        if confirm:
            return _("{id} {month}: special circumstances confirmed ({minutes} min lost)"
                     ).format(id=person.id, month=month_label, minutes=lost)
        return _("{id} {month}: special circumstances refused").format(id=person.id,
                                                                       month=month_label)

    def publish(self, year: int, month: int) -> str:
        self.floor.require("pay.publish")
        with self.floor.transaction() as tx:
            tx.put(PAY, PUBLISHED, _key(year, month), {"month": _key(year, month),
                                                       "at": self.floor.now().isoformat()})
        return _("pay {month} marked published").format(month=month_text(year, month))

    def set_score(self, staff_id: str, year: int, month: int, text: str) -> str:
        self.floor.require("coaching.record")
        person = self.floor.get_staff(staff_id)
        score = _parse_score(text)
        with self.floor.transaction() as tx:
            tx.put(PAY, SCORES, f"{_key(year, month)}/{person.id}",
                   {"staff_id": person.id, "month": _key(year, month), "score": str(score)})
        return _("{id} {month}: appraisal base score {score}").format(
            id=person.id, month=month_text(year, month), score=score)

    def record_coaching(self, staff_id: str, day: dt.date, kind_word: str, note: str = "") -> str:
        self.floor.require("coaching.record")
        person = self.floor.get_staff(staff_id)
        kind = pay.coaching_kind(kind_word)
        if kind is None:
            raise FloorError(_("{word!r} is not one of {kinds}").format(
                word=kind_word, kinds=_coaching_choices()))
        if not person.on_register(day):
            raise FloorError(_("{id} is not on the register on {day}").format(
                id=person.id, day=day.isoformat()))
        try:  # coaching is recorded after it happened (issue #31)
            csvio.check_not_after(day, self.floor.today())
        except ValueError as exc:
            raise FloorError(str(exc)) from None
        with self.floor.transaction() as tx:
            self._put_coaching(tx, person.id, day, kind, note.strip())
        return _("{id}: {kind} on {day} recorded").format(id=person.id,
                                                          kind=pay.coaching_name(kind),
                                                          day=day.isoformat())

    def _put_coaching(self, tx: Any, staff_id: str, day: dt.date, kind: str, note: str) -> None:
        part = _day_part(day)
        taken = {r["_key"] for r in tx.records(part, COACHING, include_retired=True)}
        n = 1
        while f"{staff_id}/{n}" in taken:
            n += 1
        tx.put(part, COACHING, f"{staff_id}/{n}", {"staff_id": staff_id, "date": day.isoformat(),
                                                  "kind": kind, "note": note})

    def import_coaching(self, path: str | Path) -> str:
        """`floor import coaching FILE.csv`: staff_id,date,kind,note; all-or-nothing."""
        self.floor.require("coaching.record")
        rows, errors = csvio.read_rows(path, COACHING_COLUMNS[:3], ["note"])
        known = {s.id: s for s in self.floor.staff(include_retired=True)}
        today = self.floor.today()
        items: list[tuple[str, dt.date, str, str]] = []
        for line, row in rows:
            try:
                staff_id = row["staff_id"].strip()
                person = known.get(staff_id)
                if person is None:
                    raise ValueError(_("unknown staff id {id!r}").format(id=staff_id))
                day = csvio.check_not_after(csvio.parse_date(row["date"].strip(), "date"),
                                            today)
                kind = pay.coaching_kind(row["kind"])
                if kind is None:
                    raise ValueError(_("kind {word!r} is not one of {kinds}").format(
                        word=row["kind"], kinds=_coaching_choices()))
                if not person.on_register(day):
                    raise ValueError(_("{id} is not on the register on {day}").format(
                        id=staff_id, day=day.isoformat()))
            except ValueError as exc:
                errors.add(line, str(exc))
                continue
            items.append((staff_id, day, kind, (row.get("note") or "").strip()))
        errors.check()
        with self.floor.transaction() as tx:
            for staff_id, day, kind, note in items:
                self._put_coaching(tx, staff_id, day, kind, note)
        return _("{path}: {rows} coaching/praise row(s) imported").format(path=path,
                                                                          rows=len(items))

    def _agent(self, staff_id: str) -> Staff:
        person = {s.id: s for s in self.floor.staff(include_retired=True)}.get(staff_id)
        if person is None:
            raise FloorError(_("unknown staff id {id!r}").format(id=staff_id))
        if person.role not in OUTBOUND:
            raise FloorError(_("{id} is not an outbound agent: pay tiers are for outbound "
                               "agents").format(id=staff_id))
        return person

    # ------------------------------------------------------------- report
    def report(self, year: int, month: int) -> reports.Report:
        """`floor report pay`: SPEC §10 JSON, a table for people, CSV with English headers."""
        policy = self.floor.policy
        lines = self.sheet(year, month)
        data = {"month": _key(year, month),
                "commission_per_order": money_text(policy.commission_per_order),
                "staff": [pay_json(ln) for ln in lines]}
        headers = [_("id"), _("name"), _("tier"), _("orders"), _("base"), _("seniority"),
                   _("bonus"), _("commission"), _("award"), _("subsidy"), _("late ¥"),
                   _("early ¥"), _("absent ¥"), _("pers. ¥"), _("sick ¥"), _("deductions"),
                   _("gross"), _("insured"), _("appraisal pts"), _("score"), _("grade"),
                   _("coefficient")]
        rows = [sheet_row(policy, ln) for ln in lines]
        notes = []
        warning = commission_warning(policy)
        if warning:
            notes.append(warning)
        proposed = self.proposals(lines)
        if proposed:
            notes.append(_("special circumstances to confirm: {ids} (floor pay special ID "
                           "--month {month} [--off])").format(
                ids=", ".join(ln.staff.id for ln in proposed), month=_key(year, month)))
        notes.append(_("tier: met (保底 {guarantee} orders met), not_met, special (特殊情况); "
                       "gross = base + seniority + bonus + commission + award + subsidy − "
                       "deductions; deductions on the month's base (tier + seniority)/{days} "
                       "a day; amounts rounded half-up once.").format(
            guarantee=policy.guarantee_orders, days=policy.pay_days_per_month))
        return reports.Report(
            title=_("Pay {month} (薪资)").format(month=month_text(year, month)),
            data=data, tables=[reports.Table(headers, rows, csv_headers=SHEET_COLUMNS)],
            notes=notes)


# The pay sheet's columns as payroll reads them (CSV header; JSON keys where they exist).
SHEET_COLUMNS = ["id", "name", "tier", "orders", "base", "seniority", "full_attendance_bonus",
                 "commission", "award", "subsidy", "late_deduction", "early_deduction",
                 "absent_deduction", "personal_leave_deduction", "sick_leave_deduction",
                 "deductions", "gross", "insured", "appraisal_points", "score", "grade",
                 "coefficient"]


def sheet_row(policy: Any, ln: pay.PayLine) -> list[Any]:
    """One agent's row of the sheet (table, CSV and xlsx alike): codes and plain numbers."""
    j = pay_json(ln)
    a = ln.attendance
    appraisal = ln.appraisal
    score = appraisal.score
    letter = coefficient = ""
    if score is not None:
        grade, factor = pay.grade(policy, score)
        letter, coefficient = grade, _num(factor)
    return [ln.staff.id, ln.staff.name, ln.tier, ln.orders, j["base"], j["seniority"],
            j["full_attendance_bonus"], j["commission"], j["award"], j["subsidy"],
            money_text(a.late_deduction), money_text(a.early_deduction),
            money_text(a.absent_deduction), money_text(a.personal_leave_deduction),
            money_text(a.sick_leave_deduction), j["deductions"], j["gross"],
            "yes" if ln.insured else "no", _num(appraisal.points),
            "" if score is None else _num(score), letter, coefficient]


def commission_warning(policy: Any) -> str | None:
    if policy.commission_per_order == 0:
        return _("warning: commission_per_order is not set (0): every commission is 0 "
                 "(floor policy set commission_per_order 2.5)")
    return None


def pay_json(ln: pay.PayLine) -> dict[str, Any]:
    """One staff entry of the SPEC §10 pay JSON: money as strings with two decimals."""
    return {"id": ln.staff.id, "tier": ln.tier, "orders": ln.orders,
            "base": money_text(ln.base), "seniority": money_text(ln.seniority),
            "full_attendance_bonus": money_text(ln.full_attendance_bonus),
            "commission": money_text(ln.commission), "award": money_text(ln.award),
            "subsidy": money_text(ln.subsidy), "deductions": money_text(ln.deductions),
            "gross": money_text(ln.gross), "insured": ln.insured}


def _num(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())


def _coaching_choices() -> str:
    return _("verbal (口头指导), written (书面指导), decision_day (决定日), great_job (Great job)")


def _parse_score(text: str) -> Decimal:
    try:
        score = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        score = Decimal("NaN")
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise FloorError(_("{text!r} is not a score 0–100").format(text=text))
    return score


def demo_step(ctx: Any) -> None:  # ctx: floorapp.services.demo.DemoContext (avoids an import cycle)
    """A commission rate, some coaching and praise, and one agent in each tier last month:
    the month's top seller meets the guarantee, an agent with an outage is confirmed special,
    the rest as their orders fall."""
    floor, rng = ctx.floor, ctx.rng
    policy = floor.set_policy_value("commission_per_order", "2.5")
    agents = ctx.by_role("agent")
    if not agents or not ctx.days:
        return
    kinds = ("verbal", "verbal", "written", "great_job", "great_job", "decision_day")
    notes = {"verbal": "opening too fast", "written": "script skipped twice",
             "decision_day": "repeated fraud-order warning", "great_job": "customer praised"}
    count = 0
    service = floor.pay
    for day in ctx.days:
        with floor.transaction() as tx:  # a day at a time: memory holds one day file
            for person in agents:
                if person.on_register(day) and rng.random() < 0.03:
                    kind = rng.choice(kinds)
                    service._put_coaching(tx, person.id, day, kind, notes[kind])
                    count += 1
    # One agent in each tier for the last full month of history: met by orders (the demo's
    # top sellers), special by an outage-hit agent confirmed here, not_met the rest.
    last = ctx.days[-1]
    year, month = (last.year, last.month)
    if last.month == floor.today().month and last.year == floor.today().year:
        previous = pay.add_months(last.replace(day=1), -1)
        if previous >= ctx.days[0].replace(day=1):
            year, month = previous.year, previous.month
    orders = floor.quota.month_orders(year, month)
    below = sorted((o, sid) for sid, o in orders.items() if o < policy.guarantee_orders)
    if below:
        special_id = below[-1][1]
        floor.pay.decide_special(special_id, year, month, True)
        ctx.summary.append(f"pay: {special_id} special circumstances confirmed for "
                           f"{_key(year, month)}")
    for person in agents[:6]:
        with floor.transaction() as tx:
            tx.put(PAY, SCORES, f"{_key(year, month)}/{person.id}",
                   {"staff_id": person.id, "month": _key(year, month),
                    "score": str(rng.choice((96, 88, 84, 78, 72, 65)))})
    ctx.summary.append(f"pay: commission 2.5 per order, {count} coaching/praise entries")
