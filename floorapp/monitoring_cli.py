"""The monitoring command groups of `floor` (SPEC §9): `floor sample-size` and `floor qa …`
(the day's plan, evaluations, feedback, disputes). The imports and `floor report qa` sit in
cli.py's IMPORTERS and reports."""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal, InvalidOperation

from floorapp import csvio, reports
from floorapp.errors import FloorError
from floorapp.services import Floor
from floorapp.services.monitoring import effective, percent_of, two_places

COMMANDS = ("sample-size", "qa")


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number")
    return value


def add_parsers(sub: argparse._SubParsersAction) -> None:
    size = sub.add_parser("sample-size", help="calls to QA for a population (COPC formula)")
    size.add_argument("--population", type=int, required=True, metavar="N",
                      help="calls in the period")
    size.add_argument("--confidence", type=_decimal, help="default from policy (0.95)")
    size.add_argument("--margin", type=_decimal, help="default from policy (0.05)")

    qa = sub.add_parser("qa", help="monitoring: the day's plan, evaluations, feedback, disputes")
    qa_sub = qa.add_subparsers(dest="qa_command", metavar="ACTION", required=True)
    plan = qa_sub.add_parser("plan", help="the day's monitoring plan (made if missing)")
    plan.add_argument("--date", metavar="YYYY-MM-DD")
    plan.add_argument("--replan", action="store_true", help="plan the rest of the day again")
    plan.add_argument("--format", choices=reports.FORMATS, default="table")
    listing = qa_sub.add_parser("list", help="the day's evaluations with their keys")
    listing.add_argument("--date", metavar="YYYY-MM-DD")
    listing.add_argument("--format", choices=reports.FORMATS, default="table")
    feedback = qa_sub.add_parser("feedback", help="record feedback given on an evaluation")
    feedback.add_argument("key")
    feedback.add_argument("--date", metavar="YYYY-MM-DD")
    feedback.add_argument("--note", default="")
    dispute = qa_sub.add_parser("dispute", help="an agent disputes a score (report day only)")
    dispute.add_argument("key")
    dispute.add_argument("--reason", required=True)
    dispute.add_argument("--date", metavar="YYYY-MM-DD")
    review = qa_sub.add_parser("review", help="review a dispute: keep, or --marks to revise")
    review.add_argument("key")
    review.add_argument("--marks", help="the revised marks (omit to keep the score)")
    review.add_argument("--note", default="")
    review.add_argument("--date", metavar="YYYY-MM-DD")


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
        return f"feedback recorded on {args.key}", 0
    if args.qa_command == "dispute":
        service.raise_dispute(day, args.key, args.reason)
        return f"dispute of {args.key} opened; review it today", 0
    data = service.review_dispute(day, args.key, args.marks, args.note)
    if data["revised"]:
        return (f"{args.key}: score revised {data['score']} → {data['revised']['score']} "
                "(original kept)"), 0
    return f"{args.key}: score kept at {data['score']}", 0


def plan_report(floor: Floor, day: dt.date) -> reports.Report:
    plan = floor.monitoring.day_plan(day)
    rows = [[r.slot, r.monitor_id, r.staff_id, r.mode, r.status] for r in plan.rows]
    notes = [f"done {plan.count('done')} · due {plan.count('due')} · "
             f"overdue {plan.count('overdue')}"]
    notes.extend(f"shortfall: {s}" for s in plan.shortfalls)
    return reports.Report(
        title=f"QA plan {day}",
        data={"date": day.isoformat(), "assignments": [
            {"slot": r.slot, "monitor_id": r.monitor_id, "staff_id": r.staff_id,
             "mode": r.mode, "status": r.status} for r in plan.rows],
            "shortfalls": plan.shortfalls},
        tables=[reports.Table(["slot", "monitor", "agent", "mode", "status"], rows)],
        notes=notes)


def list_report(floor: Floor, day: dt.date) -> reports.Report:
    rows, data = [], []
    check = floor.monitoring.working_day_checker()
    today = floor.today()
    for r in floor.monitoring.evaluations(day):
        result = effective(r)
        due = floor.monitoring.feedback_due(r, check)
        if r["feedback_at"]:
            feedback = "given"
        else:
            feedback = f"OVERDUE (due {due})" if today > due else f"due {due}"
        dispute = (r.get("dispute") or {}).get("status", "")
        rows.append([r["_key"], r["time"], r["monitor_id"], r["staff_id"], r["mode"],
                     r["template"], result["marks"] if r.get("revised") else r["marks"],
                     f"{result['score']}/{result['max']}",
                     "PASS" if result["passed"] else "FAIL",
                     feedback, dispute])
        data.append({"key": r["_key"], "time": r["time"], "monitor_id": r["monitor_id"],
                     "staff_id": r["staff_id"], "mode": r["mode"], "template": r["template"],
                     "marks": r["marks"], "score": r["score"],
                     "percent": two_places(percent_of(r)), "passed": result["passed"],
                     "revised": r.get("revised"), "dispute": r.get("dispute"),
                     "feedback_due": due.isoformat(), "feedback_at": r["feedback_at"]})
    return reports.Report(
        title=f"Evaluations {day}",
        data={"date": day.isoformat(), "evaluations": data},
        tables=[reports.Table(["key", "time", "monitor", "agent", "mode", "template",
                               "marks", "score", "result", "feedback", "dispute"], rows)])
