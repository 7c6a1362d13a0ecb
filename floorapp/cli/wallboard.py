"""``floor wallboard``'s command line, apart from the server so that building the CLI's parser
(``floor --help``, every command) does not import an HTTP server.

May import: services, formats, rules, the basics and the store's errors; the app only to start the
console; never screens or Textual.
"""

from __future__ import annotations

import argparse

from floorapp.i18n import _


def add_parser(sub: argparse._SubParsersAction) -> None:
    """``floor wallboard [--host H] [--port P] [--lang zh|en]``."""
    wall = sub.add_parser("wallboard",
                          help=_("serve the floor's TV page (read-only; see the README)"))
    wall.add_argument("--host", default="127.0.0.1",
                      help=_("address to listen on (default 127.0.0.1: this machine only)"))
    wall.add_argument("--port", type=int, default=8080,
                      help=_("port (default 8080; 0: any free port, printed)"))
    wall.add_argument("--max-connections", type=int, default=64, metavar="N",
                      help=_("connections open at once (default 64; a TV holds one); past "
                             "it a request is answered 503"))
    # also after the command (`floor wallboard --lang zh`); SUPPRESS keeps `floor --lang zh`
    wall.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS,
                      help=_("the page's language (default: LANG)"))


def run(store: str | None, host: str, port: int, max_connections: int = 64) -> int:
    from floorapp import wallboard

    return wallboard.serve(store, host, port, max_connections)
