"""The monitoring command groups of `floor` (SPEC §9): `floor sample-size` and `floor qa …`
(the day's plan, evaluations, feedback, disputes). The imports and `floor report qa` sit in
cli.py's IMPORTERS and reports."""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal, InvalidOperation

from floorapp import csvio, reports
from floorapp import monitoring as rules
from floorapp.errors import FloorError
from floorapp.i18n import _, language
from floorapp.services import Floor
from floorapp.services.monitoring import dispute_status, effective, percent_of, two_places

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
    dispute = qa_sub.add_parser("dispute", help=_("an agent disputes a score (report day only)"))
    dispute.add_argument("key", help=key_help)
    dispute.add_argument("--reason", required=True, help=_("the agent's reason"))
    dispute.add_argument("--date", metavar="YYYY-MM-DD", help=day_help)
    review = qa_sub.add_parser("review", help=_("review a dispute: keep, or --marks to revise"))
    review.add_argument("key", help=key_help)
    review.add_argument("--marks", help=_("the revised marks (omit to keep the score)"))
    review.add_argument("--note", default="", help=_("the reviewer's note"))
    review.add_argument("--date", metavar="YYYY-MM-DD", help=day_help)


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
    for r in floor.monitoring.evaluations(day):
        result = effective(r)
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
                     rules.verdict(result["passed"]),
                     feedback, dispute])
        data.append({"key": r["_key"], "time": r["time"], "monitor_id": r["monitor_id"],
                     "staff_id": r["staff_id"], "mode": r["mode"], "template": r["template"],
                     "marks": r["marks"], "score": r["score"],
                     "percent": two_places(percent_of(r)), "passed": result["passed"],
                     "revised": r.get("revised"), "dispute": r.get("dispute"),
                     "feedback_due": due.isoformat(), "feedback_at": r["feedback_at"]})
    return reports.Report(
        title=_("Evaluations {day}").format(day=rules.day_text(day)),
        data={"date": day.isoformat(), "evaluations": data},
        tables=[reports.Table([_("key"), _("time"), _("monitor"), _("agent"), _("mode"),
                               _("template"), _("marks"), _("score"), _("result"),
                               _("feedback"), _("dispute")], rows)])
