"""Hostile text (SPEC §3 rev.): a name like ``[/]``, ``Han [x] Min`` or an escape sequence is
shown as text in every section and printed escaped by the CLI; CSV cells are neutralised."""

from __future__ import annotations

import dataclasses
import os
import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from floorapp.app import FloorApp
from floorapp.services import Floor
from floorapp.rules.staff import Staff
from floorapp.text import terminal_safe
from screens.text import markup_safe

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = [
    Staff("A101", "[/]", "agent", "T01", dt.date(2024, 1, 1), Decimal("1200"), "S101"),
    Staff("A102", "Han [x] Min", "agent", "T01", dt.date(2024, 1, 1), Decimal("1200"), "S102"),
    Staff("A103", "Red\x1b[31m[bold]x", "agent", "[b]T[/b]", dt.date(2024, 1, 1),
          Decimal("1200"), "S103"),
    Staff("Q101", "[link=http://x]Q[/link]", "monitor", "monitor", dt.date(2020, 1, 1),
          Decimal("3000")),
]


@pytest.mark.parametrize("text,shown", [
    ("[/]", "[/]"), ("Han [x] Min", "Han [x] Min"), ("a\x1b[31mb", "a\\x1b[31mb"),
    ("tab\there", "tab\\x09here"), ("line\nbreak", "line\\x0abreak"), ("王芳", "王芳"),
    ("[link=http://x]Q[/link]", "[link=http://x]Q[/link]"), ("a\\[b]c", "a\\[b]c"),
    ("ends\\", "ends\\\u200b"), ("[[[", "[[["),
], ids=["close-tag", "tag-in-name", "escape-sequence", "tab", "newline", "cjk-unchanged",
        "link", "backslash-bracket", "trailing-backslash", "open-brackets"])
def test_markup_safe_shows_the_text_itself(text: str, shown: str) -> None:
    from textual.markup import to_content

    # followed by real markup, which must still work and not be swallowed
    assert to_content(markup_safe(text) + "[b]!![/b]").plain == shown + "!!"


@pytest.mark.parametrize("text,shown", [
    ("a\x1b[31mb", "a\\x1b[31mb"), ("bell\x07", "bell\\x07"), ("\u202eevil", "\\u202eevil"),
    ("csi\x9b", "csi\\x9b"), ("王芳 [x]", "王芳 [x]"), ("tab\tok", "tab\tok"),
], ids=["escape", "bell", "bidi-override", "c1-csi", "cjk-and-brackets-unchanged", "tab-kept"])
def test_terminal_safe_escapes_control_characters(text: str, shown: str) -> None:
    assert terminal_safe(text) == shown


@pytest.fixture
def hostile(staffed: Floor) -> Floor:
    for person in HOSTILE:
        staffed.save_staff(person)
    return staffed


async def test_every_section_starts_and_shows_odd_names_as_text(hostile: Floor) -> None:
    from textual.widgets import DataTable

    app = FloorApp(hostile, backup=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ("f3", "f2", "f4", "f5", "f6", "f9", "f3"):
            await pilot.press(key)
            await pilot.pause()
            assert app.is_running, key
        # record an arrival and a reason for the odd names: toasts and previews name them
        await pilot.press("a", *"A102 842", "enter", "r", *"A101 bus [/] late", "enter")
        await pilot.pause()
        assert app.is_running
        await pilot.press("f7")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        names = {str(table.get_row(key)[1]) for key in ("A101", "A102", "A103")}
        assert names == {"[/]", "Han [x] Min", "Red\\x1b[31m[bold]x"}
        screenshot = app.export_screenshot()
        assert "\x1b[31m" not in screenshot


def test_the_cli_prints_control_characters_escaped(hostile: Floor, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "floor.py"), "--store", str(hostile.store.root), "report",
         "staff"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "Red\\x1b[31m[bold]x" in result.stdout
    assert "Han [x] Min" in result.stdout


@pytest.mark.parametrize("cell", ["=1+2", "+A1", "-1+A1", "@SUM(A1)", "\tx", "\rx"],
                         ids=["equals", "plus", "minus", "at", "tab", "carriage-return"])
def test_csv_cells_a_spreadsheet_would_run_are_neutralised(hostile: Floor, cell: str) -> None:
    from floorapp.formats import reports

    table = reports.Table(["name"], [[cell], ["-5"], ["ok"]], csv_headers=["name"])
    text = reports.to_csv(table)
    assert text.startswith("\ufeff")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert rows[1] == ["'" + cell]
    assert rows[2] == ["-5"]  # a plain negative number stays a number
    assert rows[3] == ["ok"]


def test_csv_exports_have_a_bom_and_english_headers_under_zh(hostile: Floor, tmp_path) -> None:
    from floorapp.cli.main import run

    hostile.roster.generate(2026, 11)
    for report in (["staff"], ["day", "--date", "2026-11-20"], ["month", "--month", "2026-11"],
                   ["qa", "--month", "2026-11"], ["roster", "--month", "2026-11"]):
        en = subprocess.run([sys.executable, str(ROOT / "floor.py"), "--lang", "en", "--store",
                             str(hostile.store.root), "report", *report, "--format", "csv"],
                            capture_output=True, text=True)
        zh = subprocess.run([sys.executable, str(ROOT / "floor.py"), "--lang", "zh", "--store",
                             str(hostile.store.root), "report", *report, "--format", "csv"],
                            capture_output=True, text=True)
        assert en.returncode == zh.returncode == 0, (report, en.stderr, zh.stderr)
        assert en.stdout.startswith("\ufeff"), report
        assert en.stdout.splitlines()[0] == zh.stdout.splitlines()[0], report
        assert "编号" not in zh.stdout.splitlines()[0] and "姓名" not in zh.stdout, report
    path = hostile.quota.export_day_csv(dt.date(2026, 11, 20), tmp_path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("debug", ["", "1"], ids=["plain", "debug"])
def test_a_crash_never_prints_locals(hostile: Floor, monkeypatch, debug: str) -> None:
    from rich.console import Console

    monkeypatch.setenv("FLOOR_DEBUG", debug)
    app = FloorApp(hostile, backup=False)

    def boom() -> None:
        # a local a traceback could show; built at run time so the source line does not hold it
        secret = "".join(["欧阳", "娜娜", " base ", "12", "00"])  # noqa: F841
        raise RuntimeError("boom")

    try:
        boom()
    except RuntimeError as exc:
        app._exception = exc
    monkeypatch.setattr(app, "_close_messages_no_wait", lambda: None)
    monkeypatch.setattr(app, "bell", lambda: None)
    app._fatal_error()
    console = Console(record=True, width=120, file=open(os.devnull, "w"))
    console.print(*app._exit_renderables)
    shown = console.export_text()
    assert "欧阳娜娜" not in shown and "1200" not in shown
    assert ("boom" in shown) if debug else ("internal error (RuntimeError)" in shown)
