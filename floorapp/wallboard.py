"""``floor wallboard``: the floor's TV page (SPEC §13, issue #28).

May import: services, formats, rules and the basics; never the CLI, screens, the store or Textual.

A small HTTP server from the standard library (``ThreadingHTTPServer``): the page is HTML
rendered here with today's figures in it, and a small script (``web/board.js``, shipped in the
package like the stylesheet: nothing is fetched from the internet) asks ``/figures.json`` every
two seconds and changes the figures in place. The figures are ``services.board``'s, worked out
once per store change whoever asks.

Read-only by construction: only GET and HEAD are answered (any other method is 405, and there
is no form or action on the page), the store is opened read-only, and the figures carry no pay.
It listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import html
import signal
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from floorapp.errors import FloorError
from floorapp.i18n import N_, _, language
from floorapp.services.board import Board

ALLOWED = "GET, HEAD"
POLL_MS = 2000  # the page asks for new figures this often (a change shows within 5 s)
STATIC = {"/static/board.js": ("board.js", "text/javascript; charset=utf-8"),
          "/static/board.css": ("board.css", "text/css; charset=utf-8")}
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; "
                                "img-src 'self'; connect-src 'self'; base-uri 'none'; "
                                "form-action 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
ATTENDANCE = (("in", N_("in")), ("late", N_("late")), ("absent", N_("absent")),
              ("leave", N_("on leave")), ("not_in", N_("not in yet")))
QA = (("done", N_("done")), ("due", N_("due")), ("overdue", N_("overdue")),
      ("evaluations", N_("evaluations today")))


def asset(name: str) -> bytes:
    return resources.files("floorapp").joinpath("web", name).read_bytes()


def labels() -> dict[str, str]:
    """The words the script writes itself, in the page's language."""
    return {
        "as_of": _("as of {time}"),
        "unreachable": _("The wallboard server cannot be reached; figures as of {time}"),
        "stale": _("figures as of {time}"),
        "completed": _("completed"), "pace": _("pace to target"), "target": _("target"),
        "more": _("and {n} more"), "none": _("none"),
        "of": _("{done} of {target}"),
        "unhoured": _("{n} completed entered as day totals (no hour)"),
        "incident": _("Open incident {id}: {title} (since {started})"),
        "damaged": _("Left out as damaged (see floor doctor): {where}"),
    }


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _rows(items: list[dict[str, Any]], key: str) -> str:
    if not items:
        return f'<li class="none">{_e(_("none"))}</li>'
    return "".join(f'<li><span class="name">{_e(r["name"])}</span>'
                   f'<span class="val">{_e(r[key])}</span></li>' for r in items)


def _behind_rows(items: list[dict[str, Any]]) -> str:
    if not items:
        return f'<li class="none">{_e(_("none"))}</li>'
    return "".join(f'<li><span class="name">{_e(r["name"])}</span>'
                   f'<span class="val">{_e(r["completed"])}/{_e(r["target"])}'
                   f' <b>−{_e(r["shortfall"])}</b></span></li>' for r in items)


def _team_rows(items: list[dict[str, Any]]) -> str:
    out = []
    for t in items:
        share = min(100, round(100 * t["completed"] / t["target"])) if t["target"] else 0
        out.append(f'<li><span class="name">{_e(t["team"] or "—")}</span>'
                   f'<span class="bar"><i data-share="{share}"></i></span>'
                   f'<span class="val">{_e(t["completed"])}/{_e(t["target"])}</span></li>')
    return "".join(out) or f'<li class="none">{_e(_("none"))}</li>'


def page_words() -> dict[str, str]:
    """The page's own words, in its language."""
    return {
        "floor_wallboard": _("Floor wallboard"),
        "floor_today": _("Floor today"),
        "completed_target": _("completed / target"),
        "orders": _("orders"),
        "dialed": _("dialed"),
        "connected": _("connected"),
        "seats_working": _("seats working"),
        "avg_dialed_per_seat": _("avg dialed per seat"),
        "seats_behind": _("seats behind"),
        "completed_by_hour_against_the_pace_to_target": _("Completed by hour against the pace to target"),
        "hourly_curve": _("hourly curve"),
        "completed_running": _("completed, running"),
        "completed_in_the_hour": _("completed in the hour"),
        "pace_to_target": _("pace to target"),
        "teams": _("Teams"),
        "top_completed": _("Top completed"),
        "top_orders": _("Top orders"),
        "behind_the_pace": _("Behind the pace"),
        "attendance": _("Attendance"),
        "qa_today": _("QA today"),
    }


def render_page(answer: dict[str, Any]) -> str:
    """The whole page with today's figures in it (the script keeps them current)."""
    board = answer.get("board") or {}
    w = page_words()
    floor = board.get("floor") or {}

    def v(value: Any) -> str:
        return _e("—" if value is None else value)

    def tile(key: str, title: str, big: bool = False) -> str:
        return (f'<div class="tile{" big" if big else ""}"><div class="label">{_e(title)}</div>'
                f'<div class="fig" data-k="floor.{key}">{v(floor.get(key))}</div></div>')

    att = board.get("attendance") or {}
    qa = board.get("qa") or {}
    incidents = board.get("incidents") or []
    error = answer.get("error") or ""
    data = orjson.dumps({"answer": answer, "labels": labels(), "poll_ms": POLL_MS})
    data_text = data.decode().replace("<", "\\u003c").replace(">", "\\u003e")
    incident_text = [labels()["incident"].format(id=i["id"], title=i["title"],
                                                 started=i["started"]) for i in incidents]
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if language() == 'zh' else 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(w["floor_wallboard"])}</title>
<link rel="stylesheet" href="/static/board.css">
<script src="/static/board.js" defer></script>
</head>
<body>
<div id="incidents" class="banner incident"{'' if incidents else ' hidden'}>{
    ''.join(f'<div>{_e(t)}</div>' for t in incident_text)}</div>
<div id="store-problem" class="banner problem"{'' if error else ' hidden'}>{_e(error)}</div>
<header>
  <h1>{_e(w["floor_today"])} <span data-k="date">{v(board.get("date"))}</span>
    <span class="advice" data-k="floor.advice_text">{v(floor.get("advice_text"))}</span></h1>
  <div class="clock"><span data-k="now">{v(board.get("now"))}</span>
    <span id="as-of" class="as-of">{_e(labels()["as_of"].format(time=answer.get("as_of", "")))}</span></div>
</header>
<main>
<section class="tiles">
  <div class="tile hero"><div class="label">{_e(w["completed_target"])}</div>
    <div class="fig"><span data-k="floor.completed">{v(floor.get("completed"))}</span><small> / <span data-k="floor.target">{v(floor.get("target"))}</span></small></div>
    <div class="bar"><i id="floor-bar"></i></div></div>
  {tile("orders", w["orders"], True)}
  {tile("dialed", w["dialed"])}
  {tile("connected", w["connected"])}
  {tile("seats", w["seats_working"])}
  {tile("avg_dialed", w["avg_dialed_per_seat"])}
  <div class="tile warn"><div class="label">{_e(w["seats_behind"])}</div>
    <div class="fig" data-k="behind_count">{v(board.get("behind_count"))}</div></div>
</section>
<section class="middle">
  <div class="panel chart"><h2>{_e(w["completed_by_hour_against_the_pace_to_target"])}</h2>
    <svg id="curve" viewBox="0 0 1000 250" preserveAspectRatio="xMidYMid meet" role="img"
      aria-label="{_e(w["hourly_curve"])}"></svg>
    <div class="legend"><span class="l-done">{_e(w["completed_running"])}</span>
      <span class="l-hour">{_e(w["completed_in_the_hour"])}</span>
      <span class="l-pace">{_e(w["pace_to_target"])}</span></div>
    <div id="unhoured" class="note" hidden></div></div>
  <div class="panel"><h2>{_e(w["teams"])}</h2><ul class="teams" data-list="teams">{_team_rows(board.get("teams") or [])}</ul></div>
</section>
<section class="bottom">
  <div class="panel"><h2>{_e(w["top_completed"])}</h2><ol data-list="top_completed">{_rows(board.get("top_completed") or [], "completed")}</ol></div>
  <div class="panel"><h2>{_e(w["top_orders"])}</h2><ol data-list="top_orders">{_rows(board.get("top_orders") or [], "orders")}</ol></div>
  <div class="panel"><h2>{_e(w["behind_the_pace"])}</h2><ul class="behind" data-list="behind">{_behind_rows(board.get("behind") or [])}</ul>
    <div id="behind-more" class="note"></div></div>
  <div class="panel counts"><h2>{_e(w["attendance"])}</h2><dl>{
      ''.join(f'<dt>{_e(_(label))}</dt><dd data-k="attendance.{key}">{v(att.get(key))}</dd>'
              for key, label in ATTENDANCE)}</dl>
    <h2>{_e(w["qa_today"])}</h2><dl>{
      ''.join(f'<dt>{_e(_(label))}</dt><dd data-k="qa.{key}">{v(qa.get(key))}</dd>'
              for key, label in QA)}</dl></div>
</section>
</main>
<script id="board-data" type="application/json">{data_text}</script>
</body>
</html>
"""


MAX_CONNECTIONS = 64  # open connections at once; a TV holds one (keep-alive)


class WallboardServer(ThreadingHTTPServer):
    """One thread per open connection, at most ``max_connections`` of them: a connection past
    the limit is answered 503 at once and closed, so that a host (or a stuck proxy) opening
    connections without end cannot pile up threads and memory on the floor's host."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], board: Board,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        self.board = board
        self.assets = {path: (asset(name), kind) for path, (name, kind) in STATIC.items()}
        self.slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            body = (_("The wallboard is busy: too many connections; try again shortly")
                    + "\n").encode()
            head = ("HTTP/1.1 503 Service Unavailable\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n"
                    f"Content-Length: {len(body)}\r\nRetry-After: 2\r\n"
                    "Cache-Control: no-cache\r\nConnection: close\r\n\r\n").encode()
            try:
                request.settimeout(1)
                request.sendall(head + body)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started: its slot is free again
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        # ThreadingMixIn's, with the slot given back before the connection is closed: a client
        # that has seen its connection end may open another at once
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.slots.release()
            self.shutdown_request(request)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a TV polling holds one connection
    server_version = "floor-wallboard"
    sys_version = ""
    timeout = 120  # a connection idle this long (a TV switched off) is closed
    server: WallboardServer

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's names
        self._serve(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(body=False)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # POST, PUT, DELETE, PATCH, anything: refused
            return self._refuse
        raise AttributeError(name)

    def _refuse(self) -> None:
        self.close_connection = True  # its body is not read: the connection ends here
        body = (_("The wallboard only shows figures: {method} is not allowed").format(
            method=self.command) + "\n").encode()
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, body, "text/plain; charset=utf-8",
                   {"Allow": ALLOWED, "Connection": "close"}, True)

    def _serve(self, body: bool) -> None:
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            _version, payload = self.server.board.answer()
            page = render_page(orjson.loads(payload)).encode()
            self._send(HTTPStatus.OK, page, "text/html; charset=utf-8", {}, body)
        elif path == "/figures.json":
            version, payload = self.server.board.answer()
            etag = f'"{version}"'
            if self.headers.get("If-None-Match") == etag:
                self._send(HTTPStatus.NOT_MODIFIED, b"", "", {"ETag": etag}, False)
                return
            self._send(HTTPStatus.OK, payload, "application/json", {"ETag": etag}, body)
        elif path in self.server.assets:
            data, kind = self.server.assets[path]
            self._send(HTTPStatus.OK, data, kind, {}, body)
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "", {}, False)
        else:
            self._send(HTTPStatus.NOT_FOUND, _("not found").encode() + b"\n",
                       "text/plain; charset=utf-8", {}, body)

    def _send(self, status: HTTPStatus, payload: bytes, kind: str, extra: dict[str, str],
              body: bool) -> None:
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-cache")
        for name, value in {**SECURITY_HEADERS, **extra}.items():
            self.send_header(name, value)
        self.end_headers()
        if body and payload:
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass  # twenty TVs polling every two seconds: no access log


def make_server(store_dir: str | Path | None, host: str, port: int,
                max_connections: int = MAX_CONNECTIONS) -> WallboardServer:
    if not 0 <= port <= 65535:
        raise FloorError(_("--port {port}: a port is 0 to 65535").format(port=port))
    if not 1 <= max_connections <= 10_000:
        raise FloorError(_("--max-connections {count}: 1 to 10000").format(
            count=max_connections))
    board = Board(store_dir)
    try:
        return WallboardServer((host, port), board, max_connections)
    except OSError as exc:
        raise FloorError(_("cannot listen on {host}:{port}: {reason}").format(
            host=host, port=port, reason=exc.strerror or exc)) from None


def serve(store_dir: str | Path | None, host: str, port: int,
          max_connections: int = MAX_CONNECTIONS) -> int:
    """Serve until SIGTERM or Ctrl-C; prints the address it listens on (``--port 0``: a free
    one)."""
    server = make_server(store_dir, host, port, max_connections)
    stopping = threading.Event()

    def stop(_number: int, _frame: object) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    shown_host = f"[{host}]" if ":" in host else host
    print(_("wallboard on http://{host}:{port}/ (read-only; Ctrl-C to stop)").format(
        host=shown_host, port=server.server_address[1]), flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print("floor: " + _("listening on {host}: anyone who can reach it sees the floor's "
                            "figures").format(host=host), file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(_("wallboard stopped"), flush=True)
    return 0
