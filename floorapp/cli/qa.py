"""The monitoring command groups of `floor` (SPEC §9): `floor sample-size` and `floor qa …`
(the day's plan, evaluations, feedback, disputes). The imports and `floor report qa` sit in
cli/imports.py and cli/reports.py.

May import: services, formats, rules, the basics and the store's errors; the app only to start the
console; never screens or Textual.
"""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal, InvalidOperation

from floorapp.formats import csvio, reports
from floorapp.rules import monitoring as rules
from floorapp.rules.monitoring import sampling
from floorapp.errors import FloorError
from floorapp.i18n import _, language
from floorapp.services import Floor
from floorapp.services.digests import effective
from floorapp.services.qa_feedback import dispute_status
from floorapp.services.qa_records import percent_of, two_places
from floorapp.services.qa_review import common_state_text

COMMANDS = ("sample-size", "qa")


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(_("{text} is not a number").format(
            text=repr(text))) from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(_("{text} is not a number").format(text=repr(text)))
    return value


def add_parsers(sub: argparse._SubParsersAction) -> None:
    size = sub.add_parser("sample-size", help=_("calls to QA for a population (COPC formula)"))
    size.add_argument("--population", type=int, required=True, metavar="N",
                      help=_("calls in the period"))
    size.add_argument("--confidence", type=_decimal, help=_("default from policy (0.95)"))
    size.add_argument("--margin", type=_decimal, help=_("default from policy (0.05)"))

    qa = sub.add_parser("qa", help=_("monitoring: the day's plan, evaluations, feedback, "
                                     "disputes"))
    qa_sub = qa.add_subparsers(dest="qa_command", metavar="ACTION", required=True)
    day_help = _("the day (default today)")
    format_help = _("output format (default table)")
    plan = qa_sub.add_parser("plan", help=_("the day's monitoring plan (made if missing)"))
    plan.add_argument("--date", metavar="YYYY-MM-DD", help=day_help)
    plan.add_argument("--replan", action="store_true", help=_("plan the rest of the day again"))
    plan.add_argument("--format", choices=reports.FORMATS, default="table", help=format_help)
    listing = qa_sub.add_parser("list", help=_("the day's evaluations with their keys"))
    listing.add_argument("--date", metavar="YYYY-MM-DD", help=day_help)
    listing.add_argument("--format", choices=reports.FORMATS, default="table", help=format_help)
    key_help = _("the evaluation's key (floor qa list)")
    feedback = qa_sub.add_parser("feedback", help=_("record feedback given on an evaluation"))
    feedback.add_argument("key", help=key_help)
    feedback.add_argument("--date", metavar="YYYY-MM-DD", help=day_help)
    feedback.add_argument("--note", default="", help=_("what was talked through"))
    dispute = qa_sub.add_parser("dispute", help=_("an agent disputes a score (on the day it was "
                                                  "fed back only)"))
    dispute.add_argument("key", help=key_help)
    dispute.add_argument("--reason", required=True, help=_("the agent's reason"))
    dispute.add_argument("--date", metavar="YYYY-MM-DD", help=day_help)
    review = qa_sub.add_parser("review", help=_("review a dispute: keep, or --marks to revise"))
    review.add_argument("key", help=key_help)
    review.add_argument("--marks", help=_("the revised marks (omit to keep the score)"))
    review.add_argument("--note", default="", help=_("the reviewer's note"))
    review.add_argument("--date", metavar="YYYY-MM-DD", help=day_help)
    escalate = qa_sub.add_parser("escalate", help=_("the agent takes a reviewed dispute to "
                                                    "their direct supervisor"))
    escalate.add_argument("key", help=key_help)
    escalate.add_argument("--reason", required=True, help=_("the agent's reason"))
    escalate.add_argument("--date", metavar="YYYY-MM-DD", help=day_help)
    decide = qa_sub.add_parser("decide", help=_("the direct supervisor sets the final score"))
    decide.add_argument("key", help=key_help)
    decide.add_argument("--by", required=True, metavar="ID", help=_("the supervisor's id"))
    decide.add_argument("--marks", help=_("the final marks (omit to confirm the reviewed score)"))
    decide.add_argument("--note", default="", help=_("the supervisor's note"))
    decide.add_argument("--date", metavar="YYYY-MM-DD", help=day_help)
    common = qa_sub.add_parser("common", help=_("the week's most frequent deductions (共性问题)"))
    common.add_argument("--date", metavar="YYYY-MM-DD", help=_("a day in the week (default "
                                                               "today)"))
    common.add_argument("--fed-back", action="store_true",
                        help=_("record that the week's common problems were fed back"))
    common.add_argument("--format", choices=reports.FORMATS, default="table", help=format_help)
    quarter = qa_sub.add_parser("quarter", help=_("the quarterly review of every monitor"))
    quarter.add_argument("--date", metavar="YYYY-MM-DD", help=_("a day in the quarter (default "
                                                                "today)"))
    quarter.add_argument("--format", choices=reports.FORMATS, default="table", help=format_help)
    recal = qa_sub.add_parser("recalibrate", help=_("record a stopped monitor's recalibration "
                                                    "(shared calls within the band)"))
    recal.add_argument("monitor", help=_("the monitor's id"))
    recal.add_argument("--note", default="", help=_("what was done"))
    recal.add_argument("--date", metavar="YYYY-MM-DD", help=argparse.SUPPRESS)
    remedy = qa_sub.add_parser("remedy", help=_("a level-2 compliance violation completed by a "
                                                "supplementary recording"))
    remedy.add_argument("key", help=key_help)
    remedy.add_argument("--code", required=True, help=_("the violation's item code"))
    remedy.add_argument("--note", default="", help=_("the supplementary recording"))
    remedy.add_argument("--date", metavar="YYYY-MM-DD", help=day_help)
    comp = qa_sub.add_parser("compliance", help=_("telesales compliance violations of a month"))
    comp.add_argument("--month", metavar="YYYY-MM", help=_("the month (default this month)"))
    comp.add_argument("--format", choices=reports.FORMATS, default="table", help=format_help)
    comp.add_argument("--date", help=argparse.SUPPRESS)
    samp = qa_sub.add_parser("sampling", help=_("sampling by scorecard rule: needed and done "
                                                "this period"))
    samp.add_argument("--date", metavar="YYYY-MM-DD", help=day_help)
    samp.add_argument("--format", choices=reports.FORMATS, default="table", help=format_help)


def _day(floor: Floor, text: str | None) -> dt.date:
    if not text:
        return floor.today()
    try:
        return csvio.parse_date(text)
    except ValueError as exc:
        raise FloorError(str(exc)) from None


def run(floor: Floor, args: argparse.Namespace) -> tuple[str, int]:
    service = floor.monitoring
    if args.command == "sample-size":
        return str(service.sample_size(args.population, args.confidence, args.margin)), 0
    day = _day(floor, args.date)
    if args.qa_command == "plan":
        if args.replan:
            service.make_plan(day, replan=True)
        else:
            service.ensure_plan(day)
        return reports.render(plan_report(floor, day), args.format), 0
    if args.qa_command == "list":
        return reports.render(list_report(floor, day), args.format), 0
    if args.qa_command == "feedback":
        service.give_feedback(day, args.key, args.note)
        return _("feedback recorded on {key}").format(key=args.key), 0
    if args.qa_command == "dispute":
        service.raise_dispute(day, args.key, args.reason)
        return _("dispute of {key} opened; review it today").format(key=args.key), 0
    if args.qa_command == "escalate":
        service.escalate_dispute(day, args.key, args.reason)
        return _("{key}: with the direct supervisor for the final score").format(key=args.key), 0
    if args.qa_command == "decide":
        data = service.decide_escalation(day, args.key, args.by, args.marks, args.note)
        return _("{key}: final score {final} (original {old}, reviewed {reviewed})").format(
            key=args.key, final=data["final"]["score"], old=data["score"],
            reviewed=(data.get("revised") or data)["score"]), 0
    if args.qa_command == "common":
        if args.fed_back:
            service.give_common_feedback(day)
        return reports.render(common_report(floor, day), args.format), 0
    if args.qa_command == "quarter":
        return reports.render(quarter_report(floor, day), args.format), 0
    if args.qa_command == "recalibrate":
        return service.record_recalibration(args.monitor, args.note), 0
    if args.qa_command == "remedy":
        service.remedy_violation(day, args.key, args.code, args.note)
        return _("{key}: {code} completed by a supplementary recording").format(
            key=args.key, code=args.code), 0
    if args.qa_command == "compliance":
        return reports.render(compliance_report(floor, args.month), args.format), 0
    if args.qa_command == "sampling":
        return reports.render(sampling_report(floor, day), args.format), 0
    data = service.review_dispute(day, args.key, args.marks, args.note)
    if data["revised"]:
        return _("{key}: score revised {old} → {new} (original kept)").format(
            key=args.key, old=data["score"], new=data["revised"]["score"]), 0
    return _("{key}: score kept at {score}").format(key=args.key, score=data["score"]), 0


def _mode(mode: str) -> str:
    """The mode in a table: its Chinese name in Chinese, the code (as always) in English."""
    return rules.mode_name(mode) if language() == "zh" else mode


def plan_report(floor: Floor, day: dt.date) -> reports.Report:
    plan = floor.monitoring.day_plan(day)
    rows = [[r.slot, r.monitor_id, r.staff_id, _mode(r.mode),
             rules.status_name(r.status)] for r in plan.rows]
    notes = [_("done {done} · due {due} · overdue {overdue}").format(
        done=plan.count("done"), due=plan.count("due"), overdue=plan.count("overdue"))]
    notes.extend(_("shortfall: {text}").format(text=rules.shortfall_text(s))
                 for s in plan.shortfalls)
    for monitor, stop in sorted(floor.monitoring.stops(day).items()):
        notes.append(_("{id} stopped (scores run {flag} on {card}): no slots until a "
                       "recalibration is recorded").format(
                           id=monitor, flag=rules.flag_name(stop.flag), card=stop.card))
    return reports.Report(
        title=_("QA plan {day}").format(day=rules.day_text(day)),
        data={"date": day.isoformat(), "assignments": [
            {"slot": r.slot, "monitor_id": r.monitor_id, "staff_id": r.staff_id,
             "mode": r.mode, "status": r.status} for r in plan.rows],
            "shortfalls": plan.shortfalls},
        tables=[reports.Table([_("slot"), _("monitor"), _("agent"), _("mode"), _("status")],
                              rows)],
        notes=notes)


def list_report(floor: Floor, day: dt.date) -> reports.Report:
    rows, data = [], []
    check = floor.monitoring.working_day_checker()
    today = floor.today()
    passed = floor.monitoring.verdict_checker()  # none where the card has no pass mark
    for r in floor.monitoring.evaluations(day):
        result = effective(r)
        verdict = passed(r)
        due = floor.monitoring.feedback_due(r, check)
        if r["feedback_at"]:
            feedback = _("given")
        elif today > due:
            feedback = _("OVERDUE (due {day})").format(day=rules.day_text(due))
        else:
            feedback = _("due {day}").format(day=rules.day_text(due))
        dispute = dispute_status((r.get("dispute") or {}).get("status", ""))
        rows.append([r["_key"], r["time"], r["monitor_id"], r["staff_id"],
                     _mode(r["mode"]),
                     r["template"], result["marks"] if r.get("revised") else r["marks"],
                     f"{result['score']}/{result['max']}",
                     rules.verdict(verdict),
                     feedback, dispute])
        data.append({"key": r["_key"], "time": r["time"], "monitor_id": r["monitor_id"],
                     "staff_id": r["staff_id"], "mode": r["mode"], "template": r["template"],
                     "marks": r["marks"], "score": r["score"],
                     "percent": two_places(percent_of(r)), "passed": verdict,
                     "revised": r.get("revised") and dict(r["revised"],
                                                          passed=passed(r, r["revised"])),
                     "dispute": r.get("dispute"),
                     "feedback_due": due.isoformat(), "feedback_at": r["feedback_at"]})
    return reports.Report(
        title=_("Evaluations {day}").format(day=rules.day_text(day)),
        data={"date": day.isoformat(), "evaluations": data},
        tables=[reports.Table([_("key"), _("time"), _("monitor"), _("agent"), _("mode"),
                               _("template"), _("marks"), _("score"), _("result"),
                               _("feedback"), _("dispute")], rows)])


def common_report(floor: Floor, day: dt.date) -> reports.Report:
    """The week's most frequent deductions across the floor, due to be fed back within the
    week (共性问题应在一周内反馈) [000 §7]."""
    service = floor.monitoring
    start, end, problems = service.common_problems(day)
    state, due, fed_back = service.common_due(day)
    rows, data = [], []
    for p in problems:
        item = service.problem_item(p.template, p.code)
        text = item.shown if item else ""
        rows.append([p.template, p.code, text, p.occurrences, len(p.agents),
                     " ".join(p.agents)])
        data.append({"template": p.template, "code": p.code, "text": text,
                     "occurrences": p.occurrences, "evaluations": p.evaluations,
                     "agents": list(p.agents)})
    return reports.Report(
        title=_("Common problems {start} – {end}").format(start=rules.day_text(start),
                                                          end=rules.day_text(end)),
        data={"from": start.isoformat(), "to": end.isoformat(), "due": end.isoformat(),
              "fed_back": fed_back, "problems": data},
        tables=[reports.Table([_("card"), _("code"), _("item"), _("times"), _("agents"),
                               _("who")], rows)],
        notes=[common_state_text(state, due, fed_back)])


def quarter_report(floor: Floor, day: dt.date) -> reports.Report:
    """Every monitor, item by item: against the others, across agents, against the quarter
    before (纵横比较) [000 §6]."""
    start, end, found = floor.monitoring.quarterly_review(day)

    def pct(value: Decimal | None) -> str:
        return two_places(value) or ""

    rows = [[r.monitor_id, r.template, r.code, pct(r.rate), pct(r.others_rate),
             pct(r.agent_spread), pct(r.previous_rate), " ".join(r.flags)] for r in found]
    return reports.Report(
        title=_("Quarterly monitor review {start} – {end}").format(
            start=rules.day_text(start), end=rules.day_text(end)),
        data={"from": start.isoformat(), "to": end.isoformat(), "rows": [
            {"monitor_id": r.monitor_id, "template": r.template, "code": r.code,
             "rate": pct(r.rate), "others_rate": pct(r.others_rate),
             "agent_spread": pct(r.agent_spread), "previous_rate": pct(r.previous_rate),
             "flags": list(r.flags)} for r in found]},
        tables=[reports.Table([_("monitor"), _("card"), _("code"), _("rate %"), _("others %"),
                               _("agents spread"), _("last quarter %"), _("flags")], rows)],
        notes=[_("A rate is the share of the monitor's evaluations on the card marking the "
                 "item; flagged beyond {band} points (policy qa_review_band_points).").format(
                     band=floor.policy.qa_review_band_points)])


def sampling_report(floor: Floor, day: dt.date) -> reports.Report:
    """Sampling by each scorecard's rule: per person the period, needed, done, left; the 400
    line's total (≥ 30, 10 % of its calls) and each person's average of repeated picks."""
    rows = []
    service = floor.monitoring
    found = service.sampling_status(day)
    for r in found:
        if r["rule"] == "telesales":
            need = _("{closed} closed + {unclosed} unclosed").format(
                closed=r["need_closed"], unclosed=r["need_unclosed"])
            done = _("{closed} closed + {unclosed} unclosed").format(
                closed=r["closed"], unclosed=r["unclosed"])
        else:
            need, done = str(r["need"]), str(r["done"])
        average = r.get("average") or ""
        if average and r.get("passed") is not None:
            average = f"{average} {rules.verdict(r['passed'])}"
        rows.append([r["id"], r["scorecard"], f"{r['from']} – {r['to']}", need, done,
                     r["left"], average])
    data: dict = {"date": day.isoformat(), "people": found}
    notes = []
    if any(r["rule"] == "hotline-400" for r in found):
        end = sampling.period_of("hotline-400", day, floor.policy)[1]
        pool = service.hotline_pool(day, end)
        data["hotline_400"] = {k: v for k, v in pool.items() if k not in ("need", "left")}
        if floor.policy.qa_400_rate_mode == "floor":
            text = _("400-hotline {start} – {end}: {total} calls to check ({people} people, "
                     "≥ {minimum} in all, {rate} % of {expected} calls expected from {calls} "
                     "so far); {done} done")
        else:  # the rate only printed on the form (policy qa_400_rate_mode, issue #25)
            text = _("400-hotline {start} – {end}: {total} calls to check ({people} people, "
                     "≥ {minimum} in all; the {rate} % rate only printed, {expected} calls "
                     "expected from {calls} so far); {done} done")
        notes.append(text.format(
            start=pool["from"], end=pool["to"], total=pool["total"],
            people=pool["people"], minimum=floor.policy.qa_400_min_total,
            rate=f"{(floor.policy.qa_400_rate * 100).normalize():f}",  # 10, not 1E+1
            expected=pool["expected_calls"], calls=pool["calls"], done=pool["done"]))
    copc = service.copc_pool(day, sampling.copc_period(day, floor.policy)[1])
    data["copc"] = copc
    if copc["total"]:
        notes.append(_("COPC (outbound, each project at {confidence} % confidence) {start} – "
                       "{end}: {total} calls to check of {expected} expected; {done} done, "
                       "{today} a day from today").format(
                           confidence=(floor.policy.sample_confidence * 100).normalize(),
                           start=copc["from"], end=copc["to"], total=copc["total"],
                           expected=sum(copc["expected_calls"].values()), done=copc["done"],
                           today=copc["today"]))
    notes.append(_("Telesales: 3 closed + 1 unclosed a cycle (trainee 3 + 2), unclosed in place "
                   "of missing closed, cycle 21st–20th; 400-hotline: ≥ 1 per person, ≥ 30 in "
                   "all, 10 %, repeated picks averaged [003]."))
    return reports.Report(
        title=_("Sampling by scorecard {day}").format(day=rules.day_text(day)),
        data=data,
        tables=[reports.Table([_("id"), _("card"), _("period"), _("needed"), _("done"),
                               _("left"), _("average %")], rows)],
        notes=notes)


def compliance_report(floor: Floor, month: str | None) -> reports.Report:
    """Each TSR's compliance violations of a month [003 合规部分]."""
    if month:
        try:
            year, number = (int(part) for part in month.split("-"))
            dt.date(year, number, 1)
        except ValueError:
            raise FloorError(_("month {text} is not YYYY-MM").format(text=repr(month))) from None
    else:
        today = floor.today()
        year, number = today.year, today.month
    found = floor.monitoring.compliance_month(year, number)
    rows = [[c.staff_id, c.level_1, c.level_2, c.level_2_open, c.level_2_counted_as_1]
            for c in found]
    return reports.Report(
        title=_("Compliance {month}").format(month=f"{year:04d}-{number:02d}"),
        data={"month": f"{year:04d}-{number:02d}", "staff": [
            {"id": c.staff_id, "level_1": c.level_1, "level_2": c.level_2,
             "level_2_open": c.level_2_open, "level_2_counted_as_1": c.level_2_counted_as_1}
            for c in found]},
        tables=[reports.Table([_("id"), _("level 1"), _("level 2"), _("level 2 open"),
                               _("level 2 → 1")], rows)],
        notes=[_("A level-2 violation must be completed by a supplementary recording within "
                 "the month, else it counts once as a level-1 [003 合规部分].")])
