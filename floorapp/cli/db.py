"""``floor db init|grant|migrate`` and ``floor store copy`` (issue #32): the database store's
administration, and copies between a store directory and a database (either way).

May import: services, formats, rules, the basics and the store's errors; the app only to start the
console; never screens or Textual.
"""

from __future__ import annotations

import argparse

from floorapp.i18n import _


def add_parsers(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help=_("set up a database store: schema, roles, grants"))
    db_sub = db.add_subparsers(dest="db", metavar="ACTION", required=True)
    db_sub.add_parser("init", help=_("create the schema, the group roles and their grants "
                                     "(again: brings them up to date)"))
    db_sub.add_parser("migrate", help=_("bring the database's schema and every site's data "
                                        "up to date"))
    grant = db_sub.add_parser("grant", help=_("give a login a floor role"))
    grant.add_argument("login", help=_("the database role (on the floor host: the OS login)"))
    grant.add_argument("role", choices=("monitor", "lead", "manager", "pay"),
                       help=_("the floor role"))

    store = sub.add_parser("store", help=_("copy a whole store"))
    store_sub = store.add_subparsers(dest="store_action", metavar="ACTION", required=True)
    copy = store_sub.add_parser("copy", help=_("copy a store into an empty one (a directory "
                                               "into a database or back)"))
    copy.add_argument("source", help=_("a store directory or a postgresql:// address"))
    copy.add_argument("target", help=_("an empty store directory or database site"))
    copy.add_argument("--to-site", metavar="NAME",
                      help=_("the target's site (default: --site)"))


def run(args: argparse.Namespace) -> str:
    """Carry out ``db …`` or ``store copy``; the lines to print."""
    from floorapp.services import store_admin

    if args.command == "store":
        return store_admin.copy_store(args.source, args.target, args.site, args.to_site)
    if args.db == "migrate":
        return "\n".join(store_admin.db_migrate(args.store))
    if args.db == "grant":
        return store_admin.db_grant(args.store, args.login, args.role, args.site)
    return "\n".join(store_admin.db_init(args.store))
