"""The pay command group of `floor` (SPEC §10): `floor pay special|publish|score|coach`.
`floor report pay` and `floor import coaching` sit in cli/reports.py and cli/imports.py.

May import: services, formats, rules, the basics and the store's errors; the app only to start the
console; never screens or Textual.
"""

from __future__ import annotations

import argparse

from floorapp.formats import csvio
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services import Floor

COMMANDS = ("pay",)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("pay", help=_("the pay sheet's decisions: special circumstances, "
                                         "published, appraisal scores, coaching"))
    pay_sub = group.add_subparsers(dest="pay_command", metavar="ACTION", required=True)
    month_help = _("the month")
    special = pay_sub.add_parser("special", help=_("confirm special circumstances for an "
                                                   "agent's month (--off: refuse)"))
    special.add_argument("id", help=_("staff id"))
    special.add_argument("--month", required=True, metavar="YYYY-MM", help=month_help)
    special.add_argument("--off", action="store_true",
                         help=_("refuse (or withdraw) special circumstances"))
    publish = pay_sub.add_parser("publish", help=_("mark a month's pay results published"))
    publish.add_argument("--month", required=True, metavar="YYYY-MM", help=month_help)
    score = pay_sub.add_parser("score", help=_("an agent's appraisal base score (0–100)"))
    score.add_argument("id", help=_("staff id"))
    score.add_argument("score", help=_("the base score, e.g. 86"))
    score.add_argument("--month", required=True, metavar="YYYY-MM", help=month_help)
    coach = pay_sub.add_parser("coach", help=_("record coaching or praise: "
                                               "verbal, written, decision_day, great_job"))
    coach.add_argument("id", help=_("staff id"))
    coach.add_argument("kind", help=_("verbal, written, decision_day or great_job"))
    coach.add_argument("note", nargs="?", default="", help=_("what it was about"))
    coach.add_argument("--date", metavar="YYYY-MM-DD", help=_("the day (default today)"))


def run(floor: Floor, args: argparse.Namespace) -> tuple[str, int]:
    service = floor.pay
    if args.pay_command == "coach":
        try:
            day = csvio.parse_date(args.date) if args.date else floor.today()
        except ValueError as exc:
            raise FloorError(str(exc)) from None
        return service.record_coaching(args.id, day, args.kind, args.note), 0
    try:
        year, month = csvio.parse_month(args.month)
    except ValueError as exc:
        raise FloorError(str(exc)) from None
    if args.pay_command == "special":
        return service.decide_special(args.id, year, month, not args.off), 0
    if args.pay_command == "publish":
        return service.publish(year, month), 0
    return service.set_score(args.id, year, month, args.score), 0
