"""`floor`'s entry point (SPEC §9): the parser, the language, the guards that turn every
problem into a message and an exit code (floorapp/cli/__init__.py), and the dispatch to the
command groups. Subcommands call the same services as the TUI.

May import: services, formats, rules, the basics and the store's errors; the app only to start the console; never screens or Textual.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from floorapp.cli import EXIT_INTERNAL, EXIT_OK, EXIT_USER
from floorapp.cli.commands import add_command_parsers, run_command
from floorapp.cli.imports import IMPORTERS, run_import
from floorapp.cli.reports import add_format, add_report_parsers, run_report
from floorapp import i18n
from floorapp.i18n import N_, _
from floorapp.errors import FloorError, ImportRejected, store_problem
from floorapp.services import Floor, open_floor
from store import StoreError



# argparse's own words (usage line, section titles, -h, its error messages), translated through
# our catalogue while the CLI parses (see ``_argparse_in_language``).
ARGPARSE_MESSAGES = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("argument %(argument_name)s: %(message)s"), N_("expected one argument"),
    N_("invalid %(type)s value: %(value)r"), N_("ambiguous option: %(option)s could match %(matches)s"),
)


# store doctor's finding levels, as shown (the findings' own text is the store's, in English)
DOCTOR_LEVELS = {"ok": N_("ok"), "warning": N_("warning"), "error": N_("error")}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="floor",
        description=_("The call-centre floor supervisor's console. Without a command: the TUI."),
    )
    parser.add_argument("--store", metavar="DIR|URI",
                        help=_("store directory or postgresql:// address (default: "
                               "$FLOOR_STORE, else ~/.local/share/floor)"))
    parser.add_argument("--site", metavar="NAME",
                        help=_("the floor of a database store (default: $FLOOR_SITE, else "
                               "main)"))
    parser.add_argument("--lang", choices=("zh", "en"),
                        help=_("interface language (default: LANG)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("tui", help=_("start the TUI (the default)"))

    imp = sub.add_parser("import", help=_("import a file, all-or-nothing"))
    imp.add_argument("kind", choices=sorted(IMPORTERS), help=_("what the file holds"))
    imp.add_argument("file", type=Path,
                     help=_("the file: CSV (UTF-8 or GBK), .xlsx, JSON; attlog.dat; Master.csv"))
    imp.add_argument("--sheet", metavar="NAME",
                     help=_("the sheet of an .xlsx file to read (default: the first)"))
    imp.add_argument("--skip-unknown", action="store_true",
                     help=_("punches: skip (and list) clock ids that are no one's"))
    imp.add_argument("--follow", action="store_true",
                     help=_("cdr: keep reading what the phone system appends (a service)"))

    demo = sub.add_parser("demo", help=_("fill a new store with a realistic demo floor"))
    demo.add_argument("--seats", type=int, default=40, help=_("outbound seats (default 40)"))
    demo.add_argument("--days", type=int, default=30,
                      help=_("days of history ending yesterday (default 30)"))
    demo.add_argument("--seed", type=int, default=7,
                      help=_("random seed (same seed, same floor)"))

    from floorapp.cli import wallboard as wallboard_cli

    wallboard_cli.add_parser(sub)

    sub.add_parser("doctor", help=_("check every store file and report problems"))
    from floorapp.cli import db as cli_db

    cli_db.add_parsers(sub)
    sub.add_parser("whoami", help=_("your login, staff id, role and what it may do"))

    backup = sub.add_parser("backup", help=_("write a dated backup of the store"))
    backup.add_argument("--to", type=Path, metavar="PATH",
                        help=_("file or directory to write"))
    restore = sub.add_parser("restore",
                             help=_("unpack a backup into a new directory and check it"))
    restore.add_argument("backup", type=Path, help=_("the backup (.tar.gz)"))
    restore.add_argument("dir", help=_("a new or empty directory, or a new database"))

    report = sub.add_parser("report", help=_("print a report (table, json or csv)"))
    report_sub = report.add_subparsers(dest="report", metavar="REPORT", required=True)
    staff = report_sub.add_parser("staff", help=_("the staff registry"))
    add_format(staff)
    add_report_parsers(report_sub)

    policy = sub.add_parser("policy", help=_("show or change the centre's policy"))
    policy_sub = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    show = policy_sub.add_parser("show", help=_("every policy value (json: a policy file)"))
    show.add_argument("--format", choices=("table", "json"), default="table",
                      help=_("output format (default: table)"))
    set_ = policy_sub.add_parser("set", help=_("set one value: floor policy set late_mode all"))
    set_.add_argument("key", help=_("a policy key (see `floor policy show`)"))
    set_.add_argument("value", help=_("the new value (lists and mappings as JSON)"))
    load = policy_sub.add_parser("load",
                                 help=_("load a policy file (JSON; missing keys = defaults)"))
    load.add_argument("file", type=Path, help=_("the policy file (JSON)"))
    add_command_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    sys.exit(run(argv))


def _language_from(argv: list[str]) -> str | None:
    """--lang is read before anything else, so help texts and messages are in it."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _console_only(argv: list[str]) -> argparse.Namespace | None:
    """The arguments of a plain start of the console (``floor``, ``floor --store DIR --lang zh
    tui``), read without building the whole command line: its parser imports every command's
    module, which the console does not need before its first screen (issue #18). Anything else,
    ``--help`` or a wrong value included, goes to the full parser and its messages."""
    values: dict[str, str | None] = {"store": None, "lang": None}
    command = None
    rest = iter(argv)
    for arg in rest:
        name, equals, value = arg.partition("=")
        if name in ("--store", "--lang") and command is None:
            if not equals:
                value = next(rest, "")
            if not value or value.startswith("-") or (name == "--lang" and
                                                     value not in ("zh", "en")):
                return None
            values[name[2:]] = value
        elif arg == "tui" and command is None:
            command = arg
        else:
            return None
    return argparse.Namespace(command=command, **values)


def run(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    i18n.set_language(i18n.choose(_language_from(argv)))
    args = _console_only(argv)
    if args is not None:
        if args.lang:
            os.environ["FLOOR_LANG"] = args.lang
        return _run_guarded(args)
    with _argparse_in_language():
        parser = build_parser()
        args = parser.parse_args(argv)
    if args.lang:
        os.environ["FLOOR_LANG"] = args.lang  # the TUI and anything it starts
    if args.command in (None, "tui"):
        return _run_guarded(args)
    with _terminal_safe_output():
        return _run_guarded(args)


@contextmanager
def _terminal_safe_output() -> Iterator[None]:
    """Everything the CLI prints passes through ``terminal_safe``: a name holding an escape
    sequence is shown as ``\\x1b[31m``, never obeyed by the terminal (SPEC §3)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _SafeStream(saved[0]), _SafeStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


class _SafeStream:
    def __init__(self, stream) -> None:  # noqa: ANN001 - any text stream
        self._stream = stream

    def write(self, text: str) -> int:
        from floorapp.text import terminal_safe_output

        return self._stream.write(terminal_safe_output(text))

    def __getattr__(self, name: str):  # noqa: ANN204 - flush, fileno, encoding …
        return getattr(self._stream, name)


def _run_guarded(args: argparse.Namespace) -> int:
    try:
        return _dispatch(args)
    except ImportRejected as exc:
        for line in exc.errors:
            print(line, file=sys.stderr)
        print("floor: " + _("nothing imported ({n} problem(s))").format(n=len(exc.errors)),
              file=sys.stderr)
        return EXIT_USER
    except FloorError as exc:
        print(f"floor: {exc}", file=sys.stderr)
        return EXIT_USER
    except StoreError as exc:
        print(f"floor: {store_problem(exc)}", file=sys.stderr)
        return EXIT_USER
    except OSError as exc:  # the OS refused (disk full, permissions): the user can fix it
        where = f"{exc.filename}: " if exc.filename else ""
        print("floor: " + where + (exc.strerror or type(exc).__name__), file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        print("floor: " + _("interrupted; nothing half-written"), file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: no traceback reaches a user
        if os.environ.get("FLOOR_DEBUG"):
            raise
        print("floor: " + _("internal error ({kind}); run again with FLOOR_DEBUG=1 for the "
                            "details and report it").format(kind=type(exc).__name__),
              file=sys.stderr)
        return EXIT_INTERNAL


@contextmanager
def _argparse_in_language() -> Iterator[None]:
    """argparse's own words through our catalogue while the CLI parses, then as they were."""
    saved = argparse._  # type: ignore[attr-defined]
    argparse._ = _  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = saved  # type: ignore[attr-defined]


def _dispatch(args: argparse.Namespace) -> int:
    if args.command in (None, "tui"):
        from floorapp.app import run_app

        return run_app(args.store, getattr(args, "site", None))
    if args.command in ("db", "store"):
        from floorapp.cli import db as cli_db

        print(cli_db.run(args))
        return EXIT_OK
    if args.command == "doctor":  # only reads: never opens (creates, migrates) the store
        from floorapp.services import shapes as record_shapes
        from store import doctor as store_doctor
        from store.db import resolve_root, store_address
        from store.migrations import SCHEMA_VERSION

        address = store_address(args.store)
        if isinstance(address, str):
            from floorapp.services import store_admin

            return _print_findings(store_admin.db_doctor(address, args.site,
                                                         record_shapes.SHAPES))
        return _print_findings(store_doctor.examine(resolve_root(args.store), SCHEMA_VERSION,
                                                    record_shapes.SHAPES))
    if args.command == "wallboard":  # only reads: opens the store read-only, never open_floor
        from floorapp.cli import wallboard as wallboard_cli

        return wallboard_cli.run(args.store, args.host, args.port, args.max_connections)
    if args.command == "restore":
        from floorapp.services import shapes as record_shapes
        from store import backup as store_backup
        from store import doctor as store_doctor
        from store.migrations import SCHEMA_VERSION

        from store.pg import is_address

        if is_address(args.dir):
            from floorapp.services import store_admin

            store_admin.db_restore(args.backup, args.dir)
            print(_("{path} restored into {dir}; checking it:").format(path=args.backup,
                                                                      dir=args.dir))
            return _print_findings(store_admin.db_doctor(args.dir, args.site,
                                                         record_shapes.SHAPES))
        args.dir = Path(args.dir)
        restored = store_backup.restore(args.backup, args.dir)
        print(_("{n} files restored into {dir}; checking them:").format(n=restored.count,
                                                                        dir=args.dir))
        return _print_findings(restored.notes + store_doctor.examine(
            args.dir, SCHEMA_VERSION, record_shapes.SHAPES))
    floor = open_floor(args.store, site=getattr(args, "site", None))
    for line in floor.store.migration_notices:  # said once, by the command that migrated
        print(f"floor: {line}", file=sys.stderr)
    try:
        return _on_floor(floor, args)
    finally:
        _warn_problems(floor)


def _warn_problems(floor: Floor) -> None:
    """What the command found damaged and left out (a record of the wrong shape, a policy value
    that no longer validates): named on stderr, the command's own output unchanged."""
    for where, reason in floor.store.problems.items():
        print("floor: " + _("warning: {where}: {reason}").format(where=where, reason=reason),
              file=sys.stderr)


def _on_floor(floor: Floor, args: argparse.Namespace) -> int:
    if args.command == "import":
        print(run_import(floor, args))
        return EXIT_OK
    if args.command == "demo":
        from floorapp.services import demo

        summary = demo.generate(floor, seats=args.seats, days=args.days, seed=args.seed)
        print(summary)
        return EXIT_OK
    if args.command == "whoami":
        print(whoami_text(floor), end="")
        return EXIT_OK
    if args.command == "backup":
        print(_("backup written: {path}").format(path=floor.backup(args.to)))
        return EXIT_OK
    if args.command == "report":
        with _csv_in_english(args):
            sys.stdout.write(run_report(floor, args))
        return EXIT_OK
    if args.command == "policy":
        return _policy(floor, args)
    with _csv_in_english(args):
        result = run_command(floor, args)
    if result is None:
        raise FloorError(_("unknown command {name!r}").format(name=args.command))
    text, code = result
    if text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return code


def whoami_text(floor: Floor) -> str:
    """``floor whoami``: who this process is on the floor and what it may do (issue #19)."""
    from floorapp.roles import ACTIONS

    access = floor.access
    person = access.person
    lines = [_("login:    {login}").format(login=access.login),
             _("staff:    {who}").format(who=f"{person.id} {person.name}" if person else "—"),
             _("role:     {role}").format(role=person.role if person else "—"),
             access.describe()]
    if access.read_only:
        lines.append(_("read-only: you may look at everything but change nothing"))
    else:
        lines.append(_("may:"))
        lines += [f"  {action:<18} {_(ACTIONS[action])}" for action in ACTIONS
                  if access.may(action)]
    return "\n".join(lines) + "\n"
@contextmanager
def _csv_in_english(args: argparse.Namespace) -> Iterator[None]:
    """A CSV is machine-read: its column names (and words) stay English under --lang zh."""
    if getattr(args, "format", None) != "csv" or i18n.language() == "en":
        yield
        return
    saved = i18n.language()
    i18n.set_language("en")
    try:
        yield
    finally:
        i18n.set_language(saved)


def _print_findings(findings: list) -> int:
    worst = EXIT_OK
    for finding in findings:
        level = _(DOCTOR_LEVELS.get(finding.level, finding.level))
        print(f"{level:7} {finding.path}: {finding.message}")
        if finding.level == "error":
            worst = EXIT_USER
    return worst


def _policy(floor: Floor, args: argparse.Namespace) -> int:
    if args.policy_command == "show":
        data = floor.policy.to_dict()
        if args.format == "json":
            print(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            width = max(len(k) for k in data)
            for key, value in data.items():
                shown = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) \
                    else value
                print(f"{key:<{width}}  {shown}")
        return EXIT_OK
    if args.policy_command == "set":
        policy = floor.set_policy_value(args.key, args.value)
        print(f"{args.key} = {policy.to_dict()[args.key]}")
        return EXIT_OK
    floor.load_policy_file(args.file)
    print(_("policy loaded from {path}").format(path=args.file))
    return EXIT_OK
