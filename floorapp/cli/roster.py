"""The roster's edits on the command line (issue #24): `floor roster set|swap|callin`, with the
same rules, rights, audit and "already at work" question as the roster screen. `floor roster
generate` and `floor report roster` sit in cli/commands.py and cli/reports.py.

May import: services, formats, rules, the basics and the store's errors; the app only to start the
console; never screens or Textual.
"""

from __future__ import annotations

import argparse

from floorapp.formats import csvio
from floorapp.rules import roster as rules
from floorapp.errors import FloorError
from floorapp.i18n import _
from floorapp.services import Floor
from floorapp.services.leave import AlreadyAtWork


def add_parsers(roster_sub: argparse._SubParsersAction) -> None:
    codes = _("a shift code (D, C1, C2, A), R, or a leave type (personal, sick, annual, comp)")
    yes = _("answer yes when the change touches someone already at work that day")
    cell = roster_sub.add_parser("set", help=_("one person's code on a day (leave: the one "
                                               "leave record; a shift over leave cancels it)"))
    cell.add_argument("id", help=_("staff id"))
    cell.add_argument("date", metavar="YYYY-MM-DD", help=_("the day"))
    cell.add_argument("code", help=codes)
    cell.add_argument("--yes", action="store_true", help=yes)
    swap = roster_sub.add_parser("swap", help=_("two people exchange their codes on a day "
                                                "(调班), with the approver"))
    swap.add_argument("id", help=_("staff id"))
    swap.add_argument("other", help=_("the other staff id"))
    swap.add_argument("date", metavar="YYYY-MM-DD", help=_("the day"))
    swap.add_argument("--back", metavar="YYYY-MM-DD",
                      help=_("and swap back on this day (same month)"))
    swap.add_argument("--approver", required=True, help=_("who approved it"))
    swap.add_argument("--reason", default="", help=_("why"))
    swap.add_argument("--yes", action="store_true", help=yes)
    callin = roster_sub.add_parser("callin", help=_("call a resting person in (their R "
                                                    "becomes a shift), with the approver"))
    callin.add_argument("id", help=_("staff id"))
    callin.add_argument("date", metavar="YYYY-MM-DD", help=_("the day"))
    callin.add_argument("--code", help=_("the shift (default: the person's role's)"))
    callin.add_argument("--approver", required=True, help=_("who approved it (the centre "
                                                            "director)"))
    callin.add_argument("--reason", required=True, help=_("why"))
    callin.add_argument("--yes", action="store_true", help=yes)


def run(floor: Floor, args: argparse.Namespace) -> str:
    """Do the edit; the month's rule check after it, as the screen says it."""
    day = _day(args.date, "date")
    try:
        if args.roster_command == "set":
            violations = floor.roster.set_cell(args.id, day, args.code, confirmed=args.yes)
            done = _("{id} {day} → {code}").format(id=args.id, day=day.isoformat(),
                                                  code=args.code)
        elif args.roster_command == "swap":
            back = _day(args.back, "--back") if args.back else None
            violations = floor.roster.swap(args.id, args.other, day, args.approver,
                                           args.reason, back, confirmed=args.yes)
            done = _("swapped {a} ↔ {b} on {day}").format(a=args.id, b=args.other,
                                                         day=day.isoformat())
        else:
            code = args.code or rules.ROLE_CODES.get(floor.get_staff(args.id).role, ("D",))[0]
            floor.roster.call_in(args.id, day, code, args.approver, args.reason,
                                 confirmed=args.yes)
            violations = floor.roster.check(day.year, day.month)
            done = _("{id} called in on {day} ({code})").format(id=args.id,
                                                               day=day.isoformat(), code=code)
    except AlreadyAtWork as exc:
        raise FloorError(exc.question.rstrip("?？ ") + _(" — nothing changed; add --yes to "
                                                         "do it")) from None
    if not violations:
        return done + _("; every rule met")
    lines = [done + _("; {n} rule(s) not met:").format(n=len(violations))]
    lines.extend(f"  - {rules.shown(v)}" for v in violations)
    return "\n".join(lines)


def _day(text: str, what: str):  # noqa: ANN202 - dt.date
    try:
        return csvio.parse_date(text, what)
    except ValueError as exc:
        raise FloorError(str(exc)) from None
