"""The wallboard over HTTP, no browser (issue #28): only GET and HEAD, its headers, the JSON's
shape and figures (the day report's), read-only (nothing in the store changes), the last
figures kept with a banner when the store cannot be read, no pay."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from floorapp import wallboard
from floorapp.cli.main import run
from tests.conftest import NOW

SEATS = 12


def build_demo(root: Path) -> Path:
    """A demo floor at NOW (the report goldens' way): today's counts, punches, QA plan."""
    from floorapp.services import demo
    from floorapp.clock import fixed_clock
    from floorapp.services import Floor
    from store.db import Store

    store = Store(root, user="tester", clock=lambda: NOW + "+08:00").open()
    demo.generate(Floor(store, fixed_clock(NOW)), seats=SEATS, days=3, seed=11)
    return root


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    os.environ["FLOOR_NOW"] = NOW
    return build_demo(tmp_path_factory.mktemp("wallboard") / "store")


@pytest.fixture
def demo_store(demo_master: Path, tmp_path: Path) -> Path:
    """A copy of the demo floor this test may change."""
    root = tmp_path / "wall-store"
    shutil.copytree(demo_master, root, symlinks=True)
    return root


@contextlib.contextmanager
def serving(root: Path, max_connections: int = 64) -> Iterator[tuple[str, int]]:
    server = wallboard.make_server(root, "127.0.0.1", 0, max_connections)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def request(address: tuple[str, int], method: str, path: str, headers: dict | None = None,
            body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(*address, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def report_day(root: Path) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert run(["--store", str(root), "report", "day", "--format", "json"]) == 0
    return json.loads(out.getvalue())


def figures(address: tuple[str, int]) -> dict:
    status, _headers, body = request(address, "GET", "/figures.json")
    assert status == 200
    return json.loads(body)


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every path under the store (files and directories, .cache too) with its kind, size
    and modification time."""
    out = {}
    for path in [root, *root.rglob("*")]:
        st = os.lstat(path)
        out[str(path.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


WRITES = ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND")


def test_every_write_method_is_refused(demo_master: Path) -> None:
    before = snapshot(demo_master)
    with serving(demo_master) as address:
        for path in ("/", "/figures.json", "/static/board.js", "/nowhere"):
            for method in WRITES:
                status, headers, body = request(address, method, path, body=b"x=1",
                                                headers={"Content-Type": "text/plain"})
                assert status == 405, (method, path)
                assert headers["Allow"] == "GET, HEAD"
                assert method.encode() in body
    assert snapshot(demo_master) == before


def test_page_headers_and_head(demo_store: Path) -> None:
    with serving(demo_store) as address:
        status, headers, body = request(address, "GET", "/")
        head_status, head_headers, head_body = request(address, "HEAD", "/")
        js_status, js_headers, js = request(address, "GET", "/static/board.js")
        css_status, css_headers, _css = request(address, "GET", "/static/board.css")
        missing, _h, _b = request(address, "GET", "/static/other.js")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "form-action 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert head_status == 200 and head_body == b""
    assert head_headers["Content-Length"] == headers["Content-Length"] == str(len(body))
    assert js_status == 200 and js_headers["Content-Type"].startswith("text/javascript")
    assert b"/figures.json" in js
    assert css_status == 200 and css_headers["Content-Type"].startswith("text/css")
    assert missing == 404
    page = body.decode()
    assert "<form" not in page and "<input" not in page and "<button" not in page
    # nothing from elsewhere: every script and style is this server's
    assert "http://" not in page and "https://" not in page.replace(
        "http://www.w3.org", "")


def test_json_shape_and_figures_are_the_day_reports(demo_store: Path) -> None:
    report = report_day(demo_store)
    with serving(demo_store) as address:
        answer = figures(address)
    assert answer["ok"] is True and answer["error"] == ""
    board = answer["board"]
    assert set(board) >= {"date", "now", "floor", "hours", "unhoured", "teams",
                          "top_completed", "top_orders", "behind", "behind_count",
                          "attendance", "qa", "incidents"}
    assert board["date"] == report["date"] == NOW[:10]
    agents = report["agents"]
    floor = board["floor"]
    assert floor["seats"] == report["floor"]["seats"]
    assert floor["avg_dialed"] == report["floor"]["avg_dialed"]
    assert floor["advice"] == report["floor"]["advice"]
    for key in ("dialed", "connected", "completed", "orders"):
        assert floor[key] == sum(a[key] for a in agents), key
    assert floor["completed"] > 0 and floor["target"] > 0
    by_id = {a["id"]: a for a in agents}
    for key in ("completed", "orders"):
        top = board["top_" + key]
        assert top, key
        assert [r[key] for r in top] == [by_id[r["id"]][key] for r in top]
        assert [r[key] for r in top] == sorted((a[key] for a in agents), reverse=True)[:len(top)]
    for row in board["behind"]:
        assert row["shortfall"] == by_id[row["id"]]["shortfall"] > 0
    assert sum(t["completed"] for t in board["teams"]) == floor["completed"]
    assert sum(t["seats"] for t in board["teams"]) == floor["seats"]
    hours = board["hours"]
    assert [h["hour"] for h in hours] == sorted(h["hour"] for h in hours)
    assert hours[-1]["cumulative"] + board["unhoured"] == floor["completed"]
    assert hours[-1]["pace"] == pytest.approx(floor["target"])
    assert set(board["attendance"]) == {"in", "late", "absent", "leave", "not_in"}
    assert board["attendance"]["in"] > 0
    assert set(board["qa"]) == {"done", "due", "overdue", "planned", "evaluations"}


def test_unchanged_store_answers_304_and_one_computation(demo_store: Path) -> None:
    with serving(demo_store) as address:
        status, headers, _body = request(address, "GET", "/figures.json")
        again, _h, body = request(address, "GET", "/figures.json",
                                  headers={"If-None-Match": headers["ETag"]})
        for _n in range(5):
            figures(address)
    assert status == 200 and again == 304 and body == b""
    # a restarted server never answers 304 to a TV's ETag from before the restart
    with serving(demo_store) as address:
        status, _h, body = request(address, "GET", "/figures.json",
                                   headers={"If-None-Match": headers["ETag"]})
    assert status == 200 and json.loads(body)["ok"] is True


def test_serving_changes_nothing_in_the_store(demo_store: Path) -> None:
    before = snapshot(demo_store)
    with serving(demo_store) as address:
        for path in ("/", "/figures.json", "/static/board.js", "/", "/figures.json"):
            assert request(address, "GET", path)[0] == 200
        request(address, "POST", "/figures.json", body=b"{}")
    assert snapshot(demo_store) == before


def test_a_change_is_served_at_the_next_poll(demo_store: Path, write_file) -> None:  # noqa: ANN001
    with serving(demo_store) as address:
        first = figures(address)["board"]["floor"]["completed"]
        calls = write_file("calls.csv", f"""
            staff_id,date,dialed,connected,completed,orders,hour
            A002,{NOW[:10]},9,8,7,2,15
            """)
        assert run(["--store", str(demo_store), "import", "calls", str(calls)]) == 0
        second = figures(address)["board"]["floor"]["completed"]
    assert second == first + 7
    assert second == sum(a["completed"] for a in report_day(demo_store)["agents"])


def test_unreadable_store_keeps_the_last_figures_with_their_time(demo_store: Path) -> None:
    ref = demo_store / "ref.json"
    with serving(demo_store) as address:
        good = figures(address)
        saved = ref.read_bytes()
        ref.write_bytes(b"{ not json")
        bad = figures(address)
        ref.write_bytes(saved)
        again = figures(address)
    assert bad["ok"] is False
    assert "ref.json" in bad["error"]
    assert bad["board"] == good["board"]
    assert bad["as_of"] == good["as_of"] == NOW[11:19]
    assert again["ok"] is True and again["board"] == good["board"]


def test_no_store_at_all_is_said_not_shown_as_zeros(tmp_path: Path) -> None:
    with serving(tmp_path / "nothing-here") as address:
        answer = figures(address)
        status, _headers, page = request(address, "GET", "/")
    assert answer["ok"] is False and "no floor store here" in answer["error"]
    assert answer["board"] is None
    assert not (tmp_path / "nothing-here").exists()  # never created
    assert status == 200 and b"no floor store here" in page


def test_no_pay_in_the_figures_or_the_page(demo_store: Path) -> None:
    from store.db import Store

    pays = [r["base_pay"] for r in Store(demo_store).records("pay", "base_pay")]
    assert pays  # the demo holds base pay: the check below could fail
    with serving(demo_store) as address:
        _s, _h, body = request(address, "GET", "/figures.json")
        _s, _h, page = request(address, "GET", "/")
    text = body.decode() + page.decode()
    for word in ("pay", "commission", "salary", "¥", "deduction"):
        assert word not in text.lower(), word
    for amount in pays:
        assert f"{float(amount):.2f}" not in text, amount


def test_cli_refuses_a_bad_port_with_exit_2(demo_store: Path, capsys) -> None:  # noqa: ANN001
    assert run(["--store", str(demo_store), "wallboard", "--port", "70000"]) == 2
    assert "--port 70000" in capsys.readouterr().err
    with serving(demo_store) as (_host, port):
        assert run(["--store", str(demo_store), "wallboard", "--port", str(port)]) == 2
        assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_the_page_is_chinese_under_lang_zh(demo_store: Path) -> None:
    from floorapp import i18n

    i18n.set_language("zh")
    try:
        with serving(demo_store) as address:
            _s, _h, page = request(address, "GET", "/")
    finally:
        i18n.set_language("en")
    text = page.decode()
    assert 'lang="zh-CN"' in text
    for words in ("今日现场", "完成 / 目标", "成单龙虎榜", "落后进度", "考勤", "今日质检"):
        assert words in text


def test_a_new_day_is_a_new_board(demo_master: Path) -> None:
    """A TV left on overnight: the next morning's figures are the next day's."""
    from floorapp.clock import fixed_clock
    from floorapp.services.board import Board

    moments = [NOW]
    board = Board(demo_master, clock=lambda: fixed_clock(moments[-1])())
    today = json.loads(board.answer()[1])["board"]
    assert board.answer() == board.answer()  # unchanged: worked out once
    moments.append(NOW[:8] + "21T09:00:00")
    tomorrow = json.loads(board.answer()[1])["board"]
    assert today["date"] == NOW[:10] and tomorrow["date"] == NOW[:8] + "21"
    assert tomorrow["floor"]["completed"] == 0  # nothing counted yet
    assert board.computations == 2


def test_the_page_assets_ship_in_the_package() -> None:
    """Offline: the script and the style are package data, read through importlib."""
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))[
        "tool"]["setuptools"]["package-data"]["floorapp"]
    for name in ("board.js", "board.css"):
        assert any(fnmatch.fnmatch(f"web/{name}", p) for p in patterns), name
        assert wallboard.asset(name) == (root / "floorapp" / "web" / name).read_bytes()
    assert b"http" not in wallboard.asset("board.css")  # no font or image from elsewhere


def test_a_damaged_record_is_named_and_the_rest_shown(demo_store: Path) -> None:
    """One wrong field in today's calls: that record is left out and named, the rest of the
    floor stays on the wall (as the day report does)."""
    from store import Store

    raw = Store(demo_store, user="editor").open()  # a store that knows no shapes: a hand edit
    with raw.transaction() as tx:
        record = tx.records(f"day/{NOW[:10]}", "calls")[0]
        tx.put(f"day/{NOW[:10]}", "calls", record["_key"],
               {**{k: v for k, v in record.items() if not k.startswith("_")},
                "completed": "many"})
    with serving(demo_store) as address:
        answer = figures(address)
    assert answer["ok"] is True
    assert answer["problems"] and f"{NOW[:10]}.json" in answer["problems"][0]
    assert answer["board"]["floor"]["completed"] == sum(
        a["completed"] for a in report_day(demo_store)["agents"])


def test_hostile_names_are_text_on_the_wall(demo_store: Path) -> None:
    """A name is data: on the page it is escaped HTML (a name closing the script tag cannot
    end the page's data or run), in the JSON it is the name as typed."""
    import dataclasses

    from floorapp.clock import fixed_clock
    from floorapp.services import open_floor

    report = report_day(demo_store)
    top = max(report["agents"], key=lambda a: a["completed"])["id"]
    hostile = "</script><script>alert(1)</script>[bold]x\x1b[2J"
    floor = open_floor(demo_store, clock=fixed_clock(NOW), user="tester")
    floor.save_staff(dataclasses.replace(floor.get_staff(top), name=hostile))
    with serving(demo_store) as address:
        status, _headers, page = request(address, "GET", "/")
        answer = figures(address)
    assert status == 200
    text = page.decode()
    assert "<script>alert(1)" not in text
    assert text.count("</script>") == text.count("<script")  # only the page's own
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in text  # shown, as text
    assert "\x1b" not in text and "[bold]x\\x1b[2J" in text  # shown as its escape
    name = answer["board"]["top_completed"][0]["name"]
    assert name == "</script><script>alert(1)</script>[bold]x\\x1b[2J"  # the JSON alike


def test_connections_past_the_limit_are_answered_503_and_the_tvs_go_on(
        demo_store: Path) -> None:
    """A host opening connections without end cannot pile up threads: past --max-connections
    a connection is told 503 at once; a slot given back serves the next one."""
    with serving(demo_store, max_connections=2) as address:
        tvs = [http.client.HTTPConnection(*address, timeout=30) for _n in range(2)]
        for tv in tvs:  # two TVs polling on kept-alive connections hold both slots
            tv.request("GET", "/figures.json")
            answer = tv.getresponse()
            assert answer.status == 200
            answer.read()
        status, headers, body = request(address, "GET", "/figures.json")
        assert status == 503
        assert headers["Retry-After"] == "2" and headers["Connection"] == "close"
        assert b"too many connections" in body
        for tv in tvs:  # the held connections still answer
            tv.request("GET", "/figures.json")
            answer = tv.getresponse()
            assert answer.status == 200
            answer.read()
        tvs[0].request("GET", "/figures.json", headers={"Connection": "close"})
        answer = tvs[0].getresponse()
        answer.read()
        assert tvs[0].sock.recv(1) == b""  # the server has closed it
        tvs[0].close()
        # the server closes a connection only after giving its slot back
        status, _headers, _body = request(address, "GET", "/figures.json")
        assert status == 200
        tvs[1].close()


def test_cli_refuses_a_bad_connection_limit(demo_store: Path, capsys) -> None:  # noqa: ANN001
    assert run(["--store", str(demo_store), "wallboard", "--max-connections", "0"]) == 2
    assert "--max-connections 0" in capsys.readouterr().err
