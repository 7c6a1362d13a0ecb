"""The wallboard in a real browser (issue #28): the system's Chromium (Debian ``chromium``)
driven through Playwright's Python API with ``executable_path`` (no browser download), over a
demo floor served by ``floor wallboard`` in its own process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from floorapp.cli.main import run
from tests.conftest import NOW
from tests.whole.test_wallboard_http import demo_master, report_day  # noqa: F401 - a fixture

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("FLOOR_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

try:
    from playwright.sync_api import Page, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.skipif(sync_playwright is None,
                       reason="playwright (Python) is not installed: pip install -e '.[test]'"),
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"no browser at {CHROMIUM}: apt-get install chromium "
                              f"(.ci/run does it) or set FLOOR_CHROMIUM"),
]


@pytest.fixture
def wall_store(demo_master: Path, tmp_path: Path) -> Path:
    root = tmp_path / "wall-store"
    shutil.copytree(demo_master, root, symlinks=True)
    return root


@pytest.fixture
def wall_server(wall_store: Path) -> Iterator[subprocess.Popen]:
    """``floor wallboard --port 0`` in its own process; its first line says where."""
    env = dict(os.environ, FLOOR_NOW=NOW, FLOOR_LANG="en", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "floor.py"), "--store", str(wall_store), "--lang", "en",
         "wallboard", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert "http://127.0.0.1:" in line, (line, proc.stderr.read()
                                             if proc.poll() is not None else "")
        proc.url = line.split()[2]  # type: ignore[attr-defined]
        yield proc
    finally:
        proc.terminate()
        code = proc.wait(timeout=30)
    assert code == 0  # SIGTERM (systemctl stop) ends it cleanly


@pytest.fixture
def wall_url(wall_server: subprocess.Popen) -> str:
    return wall_server.url  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module (starting one takes seconds); a page per test."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, wall_url: str) -> Iterator[Page]:  # noqa: ANN001 - playwright's Browser
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text)
                if msg.type == "error" else None)
        page.goto(wall_url)
        page.wait_for_selector('body[data-ready="1"]')
        yield page
        # no script error, no CSP refusal (a refused connection is the server stopped)
        assert [e for e in errors if "ERR_CONNECTION_REFUSED" not in e] == []
    finally:
        context.close()


def shown(page: Page, key: str) -> str:
    return page.inner_text(f'[data-k="{key}"]').strip()


def listed(page: Page, name: str) -> list[tuple[str, str]]:
    return [(li.query_selector(".name").inner_text(), li.query_selector(".val").inner_text())
            for li in page.query_selector_all(f'[data-list="{name}"] li:not(.none)')]


def test_page_figures_equal_the_day_report(page: Page, wall_store: Path) -> None:
    report = report_day(wall_store)
    agents = report["agents"]
    for key in ("completed", "orders", "dialed", "connected"):
        assert shown(page, f"floor.{key}") == str(sum(a[key] for a in agents)), key
    assert shown(page, "floor.seats") == str(report["floor"]["seats"])
    assert shown(page, "floor.avg_dialed") == str(report["floor"]["avg_dialed"])
    by_id = {a["id"]: a for a in agents}
    board = json.loads(page.evaluate("fetch('/figures.json').then(r => r.text())"))["board"]
    for key in ("completed", "orders"):
        rows = listed(page, "top_" + key)
        assert rows, key
        assert rows == [(r["name"], str(by_id[r["id"]][key])) for r in board["top_" + key]]
        assert [int(v) for _n, v in rows] == sorted((a[key] for a in agents),
                                                    reverse=True)[:len(rows)]
    behind = listed(page, "behind")
    assert [v.split("−")[1] for _n, v in behind] == [str(by_id[r["id"]]["shortfall"])
                                                      for r in board["behind"]]
    # the curve: one bar per hour, its height the hour's completed count
    bars = page.query_selector_all("#curve rect.hour")
    assert [int(b.get_attribute("data-completed")) for b in bars] == [
        h["completed"] for h in board["hours"]]
    assert page.query_selector("#curve path.pace") is not None
    assert page.is_hidden("#store-problem")


def test_a_count_added_through_the_cli_shows_within_5_seconds(page: Page, wall_store: Path,
                                                               write_file) -> None:  # noqa: ANN001
    page.evaluate("window.__samePage = 1")  # gone if the page reloaded
    before = int(shown(page, "floor.completed"))
    calls = write_file("calls.csv", f"""
        staff_id,date,dialed,connected,completed,orders,hour
        A002,{NOW[:10]},9,8,7,2,15
        """)
    assert run(["--store", str(wall_store), "import", "calls", str(calls)]) == 0
    expected = sum(a["completed"] for a in report_day(wall_store)["agents"])
    assert expected == before + 7
    page.wait_for_function(
        "n => document.querySelector('[data-k=\"floor.completed\"]').textContent === n",
        arg=str(expected), timeout=5000)
    assert page.evaluate("window.__samePage") == 1


def test_screenshot_at_1920_by_1080(page: Page, tmp_path: Path) -> None:
    """For a person to look at; ``FLOOR_WALLBOARD_SHOT=DIR`` keeps a copy (docs/)."""
    shot = tmp_path / "wallboard-1920x1080.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(shot.read_bytes()[16:20], "big"), \
        int.from_bytes(shot.read_bytes()[20:24], "big")
    assert (width, height) == (1920, 1080)
    # everything on the wall is inside the screen: nothing to scroll to on a TV
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    keep = os.environ.get("FLOOR_WALLBOARD_SHOT")
    if keep:
        shutil.copy(shot, Path(keep) / "wallboard.png")


def test_no_pay_figure_on_the_page(page: Page, wall_store: Path) -> None:
    from store.db import Store

    pays = [r["base_pay"] for r in Store(wall_store).records("pay", "base_pay")]
    assert pays
    text = page.inner_text("body")
    assert "¥" not in text and "pay" not in text.lower()
    for amount in pays:
        assert f"{float(amount):.2f}" not in text


def test_write_methods_are_refused(page: Page, wall_url: str) -> None:
    for method in ("post", "put", "delete", "patch"):
        response = getattr(page.request, method)(wall_url + "figures.json", data="x")
        assert response.status == 405, method
        assert response.headers["allow"] == "GET, HEAD"
    assert page.query_selector("form, input, button, textarea, select") is None


def test_unreadable_store_shows_the_banner_and_keeps_the_figures(page: Page,
                                                                  wall_store: Path) -> None:
    completed = shown(page, "floor.completed")
    top = listed(page, "top_completed")
    (wall_store / "ref.json").write_bytes(b"{ damaged")
    page.wait_for_selector("#store-problem:not([hidden])", timeout=5000)
    banner = page.inner_text("#store-problem")
    assert "ref.json" in banner and NOW[11:19] in banner
    assert shown(page, "floor.completed") == completed
    assert listed(page, "top_completed") == top


def test_server_gone_shows_the_banner_and_keeps_the_figures(page: Page,
                                                             wall_server: subprocess.Popen
                                                             ) -> None:
    completed = shown(page, "floor.completed")
    wall_server.terminate()
    wall_server.wait(timeout=30)
    page.wait_for_selector("#store-problem:not([hidden])", timeout=5000)
    assert "cannot be reached" in page.inner_text("#store-problem")
    assert NOW[11:19] in page.inner_text("#store-problem")
    assert shown(page, "floor.completed") == completed


def test_an_incident_opened_shows_as_a_banner_across_the_top(page: Page,
                                                             wall_store: Path) -> None:
    from floorapp.clock import fixed_clock
    from floorapp.services import open_floor

    assert page.is_hidden("#incidents")
    floor = open_floor(wall_store, clock=fixed_clock(NOW), user="tester")
    incident = floor.emergency.start("fire")
    page.wait_for_selector("#incidents:not([hidden])", timeout=5000)
    text = page.inner_text("#incidents")
    assert incident["id"] in text and NOW[11:16] in text
    box = page.query_selector("#incidents").bounding_box()
    assert box is not None and box["y"] < 40 and box["width"] > 1800  # across the top


def test_a_damaged_record_is_named_on_the_page(page: Page, wall_store: Path) -> None:
    from store import Store

    raw = Store(wall_store, user="editor").open()  # a hand edit: one wrong field
    with raw.transaction() as tx:
        record = tx.records(f"day/{NOW[:10]}", "calls")[0]
        tx.put(f"day/{NOW[:10]}", "calls", record["_key"],
               {**{k: v for k, v in record.items() if not k.startswith("_")},
                "completed": "many"})
    page.wait_for_selector("#store-problem:not([hidden])", timeout=5000)
    assert f"{NOW[:10]}.json" in page.inner_text("#store-problem")
    assert "floor doctor" in page.inner_text("#store-problem")
    expected = sum(a["completed"] for a in report_day(wall_store)["agents"])
    page.wait_for_function(
        "n => document.querySelector('[data-k=\"floor.completed\"]').textContent === n",
        arg=str(expected), timeout=5000)
