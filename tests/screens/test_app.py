"""The app shell: starts headless, switches sections by key, help, palette, live refresh."""

from __future__ import annotations

import dataclasses


from floorapp.app import FloorApp
from floorapp.services import Floor, open_floor
from screens.base import FloorScreen
from screens.help import HelpScreen
from screens.widgets.sectionbar import SectionBar
from tests.conftest import STAFF
from tests.palette import run_from_palette


async def test_starts_on_attendance_with_date_and_shift_in_the_header(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.current_mode == "attendance"
        # 2026-11-20 15:00 is a winter Friday: D's afternoon period runs 14:30–17:30
        # no manager login on this floor yet: the header says so (issue #19)
        assert app.sub_title == "SETUP · Fri 2026-11-20 15:00 · D 14:30–17:30"


async def test_function_keys_and_digits_switch_sections(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        # digits work where no entry field has the cursor (quota's seat table has it)
        for key, mode in [("f2", "monitoring"), ("f4", "roster"), ("f6", "summary"),
                          ("f3", "attendance"), ("f5", "quota"), ("5", "summary"),
                          ("f5", "quota"), ("1", "monitoring"), ("f9", "emergency")]:
            await pilot.press(key)
            await pilot.pause(0.1)
            assert app.current_mode == mode, key
            assert isinstance(app.screen, FloorScreen)
            assert app.screen.SECTION == mode
            bar = app.screen.query_one(SectionBar)
            assert bar.content == SectionBar.line(mode)


def test_the_section_bar_marks_the_current_section_only() -> None:
    line = SectionBar.line("quota")
    assert line.count("[reverse") == 1
    assert "[reverse b]F5 Quota[/]" in line
    assert "F9 SOS" in line


async def test_help_lists_the_keys_and_closes_with_escape(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        described = dict(app.screen.rows)
        assert described.get("f9") == "EMERGENCY"
        assert described.get("f1") == "Help"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.current_mode == "attendance"


async def test_the_palette_reaches_every_section(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for label in ("Go to Monitor", "Go to Roster", "Go to Quota", "Go to Summary",
                      "EMERGENCY checklist", "Backup now", "Help"):
            assert label in titles
        await run_from_palette(pilot, "go to roster")
        assert app.current_mode == "roster"


async def test_another_supervisors_change_refreshes_the_screen(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        calls: list[int] = []
        original = screen.refresh_data
        screen.refresh_data = lambda: (calls.append(1), original())[1]  # type: ignore[method-assign]
        app.poll_store()
        assert calls == []  # nothing changed, nothing re-read
        other = open_floor(staffed.store.root, user="bob")
        other.save_staff(dataclasses.replace(STAFF[0], seat="S099"))
        app.poll_store()  # what the 1-second timer does
        assert calls == [1]


async def test_a_read_only_store_says_so(staffed: Floor, tmp_path) -> None:
    staffed.store.read_only_reason = "store schema 9 is newer than this floor"
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert app.sub_title.startswith("READ-ONLY")
        assert any("schema 9" in n.message for n in app._notifications)


async def test_a_corrupt_day_file_is_named_and_the_app_keeps_running(staffed: Floor) -> None:
    lenient = open_floor(staffed.store.root, strict=False)
    lenient._clock = staffed._clock
    path = lenient.store.path("day/2026-11-20")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{torn")
    lenient.store.read_partition("day/2026-11-20")
    app = FloorApp(lenient, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert any(str(path) in n.message for n in app._notifications)
        await pilot.press("f5")
        await pilot.pause()
        assert app.current_mode == "quota"
    assert path.read_text() == "{torn"


async def test_an_open_incident_is_announced_at_start(staffed: Floor) -> None:
    incident = staffed.emergency.start("fire")
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert any(incident["id"] in n.message and "F9" in n.message
                   for n in app._notifications)


async def test_a_new_store_says_how_to_begin(floor: Floor) -> None:
    app = FloorApp(floor, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert any("No staff on the register yet" in n.message and "F7" in n.message
                   for n in app._notifications)
        await pilot.press("f5")
        await pilot.pause()
        assert floor.quota.floor_day(floor.today()).advice == "ok"  # no seats, no nagging


async def test_the_emergency_key_leads_every_sections_footer(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("f2", "f3", "f4", "f5", "f6"):
            await pilot.press(key)
            await pilot.pause(0.1)
            shown = [k for k, active in app.screen.active_bindings.items()
                     if active.binding.show]
            assert shown[0] == "f9", (key, shown)


async def test_help_shows_the_bracket_keys(staffed: Floor) -> None:
    """Issue #16: "[" and "]" were read as markup: "Day before" vanished, "Day after" lost its
    key."""
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 60)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        shown = str(app.screen.query_one("#help Static").render())
        assert "  [          Day before" in shown and "  ]          Day after" in shown


async def test_the_palette_runs_another_sections_action(staffed: Floor) -> None:
    """Issue #16: Ctrl+P listed only the current screen's actions."""
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_from_palette(pilot, "roster violations")
        assert app.current_mode == "roster"


async def test_a_store_change_mid_switch_does_not_crash(staffed) -> None:
    """A refresh that arrives while a section's widgets are not all there (seen on a loaded
    machine: the poll fired during F2's build) is left to the section's own mount/resume."""
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await pilot.pause(0.1)
        await app.screen.query_one("#qa-plan-title").remove()  # as if not yet composed
        app.refresh_screen()  # raised NoMatches before
        await pilot.pause()
        assert app.return_code is None and app.is_running


async def test_a_store_change_while_the_app_closes_is_left_alone(staffed: Floor) -> None:
    """The 1-second poll can fire while the app is closing, its screens already gone (seen in
    the suite on a loaded machine: "floor: internal error (ScreenStackError)" as it quit). A
    change seen then is nobody's to show."""
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert not app.screen_stack and not app.is_running  # closed, as in the middle of quitting
    other = open_floor(staffed.store.root, user="bob")
    other.save_staff(dataclasses.replace(STAFF[0], seat="S099"))
    app.poll_store()  # raised ScreenStackError before
    app.refresh_screen()
    app.update_clock()


async def test_the_days_backup_is_made_once_the_first_screen_is_shown(staffed: Floor) -> None:
    """The first start of the day backs the store up after a delay, not while the first
    screen is built (issue #18: a backup of a year of files in a thread slowed the start)."""
    from floorapp import app as app_module

    backups = staffed.store.root / "backups"
    app = FloorApp(staffed)
    deferred: list[tuple[float, object]] = []
    set_timer = app.set_timer

    def noted_timer(delay, callback=None, **kwargs):  # noqa: ANN001, ANN202
        if getattr(callback, "__name__", "") == "daily_backup":
            deferred.append((delay, callback))
            return None  # the test fires it itself, without waiting
        return set_timer(delay, callback, **kwargs)

    app.set_timer = noted_timer  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#att-today").row_count == len(STAFF)
        assert [delay for delay, _callback in deferred] == [app_module.BACKUP_AFTER_SECONDS]
        assert not list(backups.glob("floor-*.tar.gz"))  # nothing yet at start
        deferred[0][1]()  # the timer fires
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [p.name for p in backups.glob("floor-*.tar.gz")] == ["floor-2026-11-20.tar.gz"]
