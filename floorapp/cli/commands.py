"""The feature command groups of `floor` (SPEC §9): their parsers and their dispatch —
`incident`, `campaign` and `roster generate` here; `qa`/`sample-size` (cli/qa.py), `pay`
(cli/pay.py) and the roster's edits (cli/roster.py) beside it.

May import: services, formats, rules, the basics and the store's errors; the app only to start the console; never screens or Textual.
"""

from __future__ import annotations

import argparse

from floorapp.cli import EXIT_OK
from floorapp.cli.reports import add_format
from floorapp.formats import reports
from floorapp.i18n import _
from floorapp.services import Floor


def add_command_parsers(sub: argparse._SubParsersAction) -> None:
    """Further command groups added by the feature modules (roster, incident, sample-size)."""
    incident = sub.add_parser("incident", help=_("the emergency incident log (SPEC 8)"))
    incident_sub = incident.add_subparsers(dest="incident_command", metavar="ACTION",
                                           required=True)
    add_format(incident_sub.add_parser("list", help=_("every incident, newest first")))
    show = incident_sub.add_parser("show", help=_("one incident's steps, notes and timeline"))
    show.add_argument("id", help=_("incident id, e.g. 20261120-1"))
    add_format(show)
    campaign = sub.add_parser("campaign",
                              help=_("outbound campaigns and their type coefficient"))
    campaign_sub = campaign.add_subparsers(dest="campaign_command", metavar="ACTION",
                                           required=True)
    campaign_sub.add_parser("list", help=_("every campaign with its coefficient"))
    set_campaign = campaign_sub.add_parser(
        "set", help=_("add or change: campaign set 5G 5G升级 1.2"))
    set_campaign.add_argument("id", help=_("campaign id"))
    set_campaign.add_argument("name", help=_("campaign name"))
    set_campaign.add_argument("coefficient", help=_("type coefficient, e.g. 1.2"))
    from floorapp.cli import qa as monitoring_cli

    monitoring_cli.add_parsers(sub)
    from floorapp.cli import pay as pay_cli

    pay_cli.add_parsers(sub)
    roster = sub.add_parser("roster", help=_("shift rosters (排班)"))
    roster_sub = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True)
    gen = roster_sub.add_parser("generate", help=_("make a month's roster meeting the rules"))
    gen.add_argument("--month", required=True, metavar="YYYY-MM", help=_("the month"))
    gen.add_argument("--seats", type=int, metavar="N",
                     help=_("agents needed on D each day (default: policy agents_on_phones)"))
    gen.add_argument("--replace", action="store_true",
                     help=_("replace a month that already has a roster "
                            "(old cells kept in history)"))
    from floorapp.cli import roster as roster_cli

    roster_cli.add_parsers(roster_sub)


def run_command(floor: Floor, args: argparse.Namespace) -> tuple[str, int] | None:
    """Feature command groups; None when ``args.command`` is not one of theirs."""
    if args.command == "incident":
        if args.incident_command == "list":
            return reports.render(floor.emergency.log_report(), args.format), EXIT_OK
        return reports.render(floor.emergency.incident_report(args.id), args.format), EXIT_OK
    if args.command == "campaign":
        from floorapp.services import campaigns

        if args.campaign_command == "set":
            c = floor.quota.save_campaign(args.id, args.name, args.coefficient)
            return campaigns.campaign_saved_text(c), EXIT_OK
        return campaigns.campaign_list_text(floor.quota.campaigns(),
                                            floor.policy.campaign_default_coefficient), EXIT_OK
    from floorapp.cli import qa as monitoring_cli

    if args.command in monitoring_cli.COMMANDS:
        return monitoring_cli.run(floor, args)
    from floorapp.cli import pay as pay_cli

    if args.command in pay_cli.COMMANDS:
        return pay_cli.run(floor, args)
    if args.command == "roster" and args.roster_command != "generate":
        from floorapp.cli import roster as roster_cli

        return roster_cli.run(floor, args), EXIT_OK
    if args.command == "roster":
        from floorapp.rules.roster import parse_month

        done = floor.roster.generate(*parse_month(args.month), seats=args.seats,
                                     replace=args.replace)
        return done.summary(), EXIT_OK
    return None


