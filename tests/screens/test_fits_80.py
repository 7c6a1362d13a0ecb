"""Issue #16: every key in the footer and every column of the summary is whole at 80×24, in
English and in Chinese (the Chinese app runs in its own process: binding words are translated
when the modules are imported)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from floorapp.app import FloorApp
from floorapp.rules.quota import Counts
from floorapp.services import Floor

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import asyncio, json, sys
    from floorapp.clock import fixed_clock
    from floorapp.services import open_floor
    from floorapp.app import FloorApp
    from rich.cells import cell_len
    from textual.widgets import DataTable
    import textual._wait as wait

    # the pilot's idleness sampled every 2 ms, as in every in-process app test (conftest)
    wait.SLEEP_GRANULARITY = 0.002
    wait.SLEEP_IDLE = wait.SLEEP_GRANULARITY / 20

    floor = open_floor(sys.argv[1], clock=fixed_clock("2026-11-20T15:00:00"), user="t")
    out = {}

    async def look(app, pilot, name):
        for _n in range(50):  # the footer fills in after the screen (slow on a busy machine)
            if list(app.screen.query("FooterKey")):
                break
            await pilot.pause(0.1)
        await pilot.pause()
        keys = list(app.screen.query("FooterKey"))
        palette = [k for k in keys if k.has_class("-command-palette")]
        edge = palette[0].region.x if palette else app.size.width
        out[name] = {"shown": [], "cut": []}
        for key in keys:
            if key in palette:
                continue
            whole = key.region.width > 0 and key.region.right <= edge
            out[name]["shown" if whole else "cut"].append(
                f"{key.key_display} {key.description}".strip())
        if palette:
            out[name]["palette"] = palette[0].region.right <= app.size.width

    async def main():
        app = FloorApp(floor, backup=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for key, name in [("f2", "monitoring"), ("f3", "attendance"), ("f4", "roster"),
                              ("f5", "quota"), ("f6", "summary"), ("f9", "emergency")]:
                await pilot.press(key)
                await pilot.pause()
                await look(app, pilot, name)
                if name == "monitoring":  # today's evaluations in use: their keys instead
                    await pilot.press("ctrl+l", "ctrl+l")
                    await pilot.pause()
                    app.screen.query_one("#qa-today").focus()
                    await pilot.pause()
                    await look(app, pilot, "monitoring today")
                if name == "attendance":  # each entry line's example beside its label
                    entry = app.screen.query_one("#att-entry")
                    out["att_hints"] = []
                    for action in ("a", "d", "r", "l"):
                        await pilot.press(action)
                        await pilot.pause()
                        out["att_hints"].append([entry.placeholder, cell_len(entry.placeholder),
                                                 entry.content_region.width])
                        await pilot.press("escape")
                        await pilot.pause()
                if name == "summary":
                    table = app.screen.query_one("#agents", DataTable)
                    used = sum(c.get_render_width(table) for c in table.columns.values())
                    out["summary_grid"] = [used, table.scrollable_content_region.width]
                    out["summary_legend"] = str(app.screen.query_one("#legend").render())
            await pilot.press("f7")
            await pilot.pause()
            await look(app, pilot, "staff")
            await pilot.press("escape", "f8")
            await pilot.pause()
            await look(app, pilot, "policy")
            await pilot.press("escape", "f4", "h")
            await pilot.pause()
            await look(app, pilot, "handover")
            await pilot.press("escape", "f3", "m")
            await pilot.pause()
            await look(app, pilot, "attendance month")
            await pilot.press("p")
            await pilot.pause()
            await look(app, pilot, "pay")
    asyncio.run(main())
    print(json.dumps(out, ensure_ascii=False))
""")


def run_screens(store: Path, language: str) -> dict:
    env = dict(os.environ, FLOOR_LANG=language, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(store)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


MAIN_KEYS = {
    "monitoring today": {"f", "d", "v", "c", "^l", "f1", "f9"},
    "attendance": {"a", "d", "r", "l", "i", "o", "f1", "f9"},
    "roster": {"d", "c", "r", "l", "s", "i", "f1", "f9"},
    "quota": {"+", "/", "=", "u", "b", "f1", "f9"},
    "summary": {"[", "]", "t", "g", "x", "f1", "f9"},
    "pay": {"esc", "s", "x", "n", "P", "f1", "f9"},
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_footer_key_and_summary_column_is_whole_at_80(staffed: Floor,
                                                           language: str) -> None:
    staffed.quota.record_counts("A001", Counts(30, 20, 10, 1), daily_total=True)
    seen = run_screens(staffed.store.root, language)
    for screen in ("monitoring", "monitoring today", "attendance", "roster", "quota", "summary",
                   "emergency", "staff", "policy", "handover", "attendance month", "pay"):
        assert seen[screen]["shown"], screen
        assert seen[screen]["cut"] == [], (language, screen, seen[screen])
        assert seen[screen].get("palette", True), screen
    for screen, keys in MAIN_KEYS.items():
        shown = {entry.split()[0] for entry in seen[screen]["shown"]}
        assert keys <= shown, (language, screen, keys - shown)
    for placeholder, cells, room in seen["att_hints"]:
        assert cells <= room, (language, placeholder, cells, room)
    used, room = seen["summary_grid"]
    assert used <= room, seen["summary_grid"]
    legend = seen["summary_legend"]
    assert ("< 外呼<70" if language == "zh" else "< dial<70") in legend
    assert ("R 赶量" if language == "zh" else "R rushing") in legend


async def test_summary_flags_are_signs_with_a_legend_and_words_below(staffed: Floor) -> None:
    """Issue #16: the flags column showed "fla" at 80 columns."""
    from floorapp.clock import fixed_clock

    staffed._clock = fixed_clock("2026-11-20T17:30")  # the shift over: the day is judged
    staffed.quota.record_counts("A001", Counts(30, 20, 10, 1), daily_total=True)
    staffed.quota.record_counts("A002", Counts(140, 120, 100, 30), daily_total=True)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause(0.2)
        table = app.screen.query_one("#agents", DataTable)
        assert str(table.get_row("A001")[-1]) == "<0"
        assert str(table.get_row("A002")[-1]) == ">"
        used = sum(c.get_render_width(table) for c in table.columns.values())
        assert used <= table.scrollable_content_region.width
        legend = str(app.screen.query_one("#legend", Static).render())
        assert "< dial<70" in legend and "> dial>100" in legend and "0 zero-score" in legend
        detail = str(app.screen.query_one("#detail", Static).render())
        assert "dial<70, zero-score" in detail


async def test_help_still_lists_the_keys_the_footer_leaves_out(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 60)) as pilot:
        await pilot.press("f3", "f1")
        await pilot.pause()
        rows = dict(app.screen.rows)
        assert rows["m"] == "Month" and rows["t"] == "Today" and rows["["] == "Day before"
        assert rows["i"] == "In now (row)" and rows["a"] == "Arrival"  # in full in the help
        assert rows["f9"] == "EMERGENCY" and rows["f4"] == "Roster"
        await pilot.press("escape", "f6", "f1")
        await pilot.pause()
        rows = dict(app.screen.rows)
        assert rows["X"] == "Export Excel" and rows["g"] == "Go to date"


async def test_the_palette_names_a_key_in_full_words(staffed: Floor) -> None:
    """The footer says "Go to"; the command palette keeps "Summary: Go to date"."""
    from screens.widgets.commands import ScreenKeyCommands

    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        provider = ScreenKeyCommands(app.screen)
        names = [name for name, _action, _help, _mode in provider._commands()]
        assert "Summary: Go to date" in names and "Attendance: Arrival" in names
        assert "Summary: Go to" not in names
