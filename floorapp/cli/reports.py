"""`floor report KIND` (SPEC §9): the report kinds' parsers, each report built from its
service and rendered as a table, JSON, CSV or an Excel workbook (to a file, sealed when it
holds pay).

May import: services, formats, rules, the basics and the store's errors; the app only to start the console; never screens or Textual.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from floorapp.errors import FloorError
from floorapp.formats import csvio, reports
from floorapp.i18n import _
from floorapp.services import Floor
from store import StoreError
from store import atomic as store_atomic
from store import files as store_files


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=reports.FORMATS, default="table",
                        help=_("output format (default: table)"))
    parser.add_argument("--output", type=Path, metavar="FILE",
                        help=_("write to FILE instead of printing (xlsx: required)"))


def add_report_parsers(report_sub: argparse._SubParsersAction) -> None:
    """Report kinds added by the feature modules (day, month, qa, roster)."""
    day = report_sub.add_parser("day",
                                help=_("end-of-day summary: quota, attendance, monitoring"))
    day.add_argument("--date", help=_("YYYY-MM-DD (default: today)"))
    add_format(day)
    month = report_sub.add_parser("month",
                                  help=_("attendance deductions and points of a month"))
    month.add_argument("--month", required=True, metavar="YYYY-MM", help=_("the month"))
    add_format(month)
    qa = report_sub.add_parser("qa", help=_("QA month: agents' means, monitors' calibration"))
    qa.add_argument("--month", required=True, metavar="YYYY-MM", help=_("the month"))
    add_format(qa)
    roster = report_sub.add_parser("roster",
                                   help=_("a month's roster with every rule not met"))
    roster.add_argument("--month", required=True, metavar="YYYY-MM", help=_("the month"))
    add_format(roster)
    pay = report_sub.add_parser("pay", help=_("the month's pay sheet: tier, seniority, "
                                              "commission, award, subsidy, deductions, gross"))
    pay.add_argument("--month", required=True, metavar="YYYY-MM", help=_("the month"))
    add_format(pay)


PAY_REPORTS = ("pay", "staff", "month")  # with pay visible: base pay or what follows from it


def run_report(floor: Floor, args: argparse.Namespace) -> str:
    """The report as text, or, with ``--output``, written to a file (xlsx: a workbook)."""
    output = getattr(args, "output", None)
    if output is None and args.format in ("table", "json", "csv"):
        from floorapp.services import report_memo

        # a finished period's text is kept while nothing it came from changed (issue #30)
        shown = report_memo.period(floor, args.report, getattr(args, "month", None),
                                   getattr(args, "date", None))
        return report_memo.report_text(floor, args.report, shown, args.format,
                                       lambda: reports.render(build_report(floor, args),
                                                              args.format))
    # a file that holds pay is the pay group's only (0660 in it, else 0600), whatever the umask
    holds_pay = args.report in PAY_REPORTS and floor.pay_visible()
    if args.format == "xlsx" and output is not None:
        from floorapp.formats import xlsx

        path = xlsx.write_workbook(output, _workbook_sheets(floor, args))
        if holds_pay:
            try:
                store_atomic.seal_pay_export(path, store_files.pay_gid())
            except OSError as exc:
                raise FloorError(_("cannot write {path}: {reason}").format(
                    path=output, reason=exc.strerror)) from None
        return _("written: {path}").format(path=path) + "\n"
    text = reports.render(build_report(floor, args), args.format)
    if output is None:
        return text
    try:
        if holds_pay:
            store_atomic.write_private_export(output, text.encode("utf-8"), store_files.pay_gid())
        else:
            output.write_text(text, encoding="utf-8")
    except (OSError, StoreError) as exc:
        raise FloorError(_("cannot write {path}: {reason}").format(
            path=output, reason=getattr(exc, "strerror", None) or exc)) from None
    return _("written: {path}").format(path=output) + "\n"


def _workbook_sheets(floor: Floor, args: argparse.Namespace) -> list:
    """The report's sheets; the day and month reports with their native charts (issue #28).
    The day is worked out once, for its report and its hours alike."""
    from floorapp.formats import report_charts, xlsx

    if args.report == "day":
        from floorapp.services.board import day_sheets

        return day_sheets(floor, _report_day(floor, args))
    report = build_report(floor, args)
    if args.report == "month":
        return report_charts.month_sheets(report)
    return xlsx.report_sheets(report)


def _report_day(floor: Floor, args: argparse.Namespace) -> dt.date:
    """``report day``'s day: ``--date`` or today."""
    from floorapp.formats.csvio import parse_date

    try:
        return parse_date(args.date) if args.date else floor.today()
    except ValueError as exc:
        raise FloorError(str(exc)) from None


def build_report(floor: Floor, args: argparse.Namespace) -> reports.Report:
    if args.report == "staff":
        return reports.staff_report(floor)
    if args.report == "day":
        return floor.quota.day_report(_report_day(floor, args))
    if args.report == "month":
        from floorapp.formats.csvio import parse_month

        year, month = parse_month(args.month)
        return floor.attendance.month_report(year, month)
    if args.report == "qa":
        year, month = csvio.parse_month(args.month)
        return floor.monitoring.qa_report(year, month)
    if args.report == "roster":
        from floorapp.rules.roster import parse_month

        return floor.roster.report(*parse_month(args.month))
    if args.report == "pay":
        from floorapp.services.pay import commission_warning

        year, month = csvio.parse_month(args.month)
        warning = commission_warning(floor.policy)
        if warning and args.format != "table":  # the table carries it in its notes
            print("floor: " + warning, file=sys.stderr)
        return floor.pay.report(year, month)
    raise FloorError(_("unknown report {name!r}").format(name=args.report))


