"""The emergency screen (F9 from anywhere) driven by keys, with what the store then holds."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from floorapp.app import FloorApp
from screens.emergency import EmergencyScreen
from screens.emergency_prompts import PickScreen, PromptScreen


def _cells(app: FloorApp) -> list[list[str]]:
    table = app.screen.query_one("#em-steps", DataTable)
    return [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]


async def test_f9_from_another_section_opens_emergency(staffed):
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert app.current_mode == "quota"
        await pilot.press("f9")
        await pilot.pause()
        assert app.current_mode == "emergency"
        assert isinstance(app.screen, EmergencyScreen)
        chooser = str(app.screen.query_one("#em-chooser", Static).render())
        assert "Fire" in chooser and "Staff taken ill" in chooser and "outage" in chooser
        phones = str(app.screen.query_one("#em-phones", Static).render())
        assert "119" in phones and "120" in phones
        assert "Superior not set: ask a manager (F8)" in phones and "floor policy" not in phones


async def test_tick_by_key_is_stored(staffed):
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9", "f")
        await pilot.pause()
        [incident] = staffed.emergency.open_incidents()
        assert incident["kind"] == "fire"
        await pilot.press("2")
        await pilot.pause()
        stored = staffed.emergency.incident(incident["id"])
        assert stored["steps"][1]["state"] == "done" and stored["steps"][1]["by"] == "tester"
        assert _cells(app)[1][1:2] == ["[x]"]
        assert "15:00:00" in _cells(app)[1]
        # Skip needs a reason: Enter on an empty reason keeps the prompt open.
        await pilot.press("down", "down", "j", "j", "s")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"no extinguisher", "enter")
        await pilot.pause()
        stored = staffed.emergency.incident(incident["id"])
        assert stored["steps"][5]["code"] == "extinguish"
        assert stored["steps"][5]["state"] == "skipped"
        assert stored["steps"][5]["reason"] == "no extinguisher"
        # Closing with mandatory steps left is refused; the incident stays open.
        await pilot.press("c")
        await pilot.pause()
        assert staffed.emergency.open_incidents()
        for key in ("1", "3", "4", "5", "7"):
            await pilot.press(key)
        await pilot.press("c")
        await pilot.pause()
        assert staffed.emergency.open_incidents() == []
        assert staffed.emergency.incident(incident["id"])["status"] == "closed"


async def test_open_incident_reopens_where_it_was(staffed):
    incident_id = staffed.emergency.start("outage")["id"]
    staffed.emergency.tick_text(incident_id, "start", "14:10")
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert incident_id in str(app.screen.query_one("#em-title", Static).render())
        assert _cells(app)[0][1] == "[x]"
        await pilot.press("4")  # affected seats: "all" is offered, Enter takes it
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one(Input).value == "all"
        await pilot.press("enter")
        await pilot.pause()
        seats = staffed.emergency.incident(incident_id)["steps"][3]["value"]
        assert seats == {"all_on_shift": True, "staff": ["A001", "A002", "A003"]}


async def test_call_in_offers_resting_agents(staffed, monkeypatch):
    monkeypatch.setattr(staffed, "roster", None)  # a floor without the roster feature
    # A roster month where A003 rests on the day of the incident.
    with staffed.store.transaction() as tx:
        tx.put("roster/2026-11", "cells", "A003/2026-11-20",
               {"staff_id": "A003", "date": "2026-11-20", "code": "R"})
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9", "i", "escape", "r")  # who is ill: later
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"M001", "enter")
        await pilot.pause()
        await pilot.press("enter")  # the offered reason
        await pilot.pause()
        [incident] = staffed.emergency.open_incidents()
        call = staffed.emergency.incident(incident["id"])["call_ins"][0]
        assert (call["staff_id"], call["approver"], call["day"]) == ("A003", "M001",
                                                                     "2026-11-20")
        # Tomorrow (Saturday) everyone rests: the second choice is A001 for tomorrow.
        await pilot.press("r", "down", "enter")
        await pilot.pause()
        await pilot.press(*"M001", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        call = staffed.emergency.incident(incident["id"])["call_ins"][1]
        assert (call["staff_id"], call["day"]) == ("A001", "2026-11-21")


def test_emergency_snapshot(snap_compare, staffed):
    app = FloorApp(staffed, backup=False)

    async def run_before(pilot) -> None:  # noqa: ANN001
        await pilot.press("f9", "f", "1", "3")
        await pilot.pause()
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def test_add_checklist_from_screen_and_open_it_by_its_key(staffed, write_file):
    path = write_file("spill.json", """
        {"id": "spill", "name": "Water leak 漏水", "key": "s",
         "steps": [{"code": "power", "text": "Cut the power to the row", "mandatory": true}]}
    """)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9", "a")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        await pilot.pause()
        assert "Water leak" in str(app.screen.query_one("#em-chooser", Static).render())
        await pilot.press("s")
        await pilot.pause()
        [incident] = staffed.emergency.open_incidents()
        assert incident["title"] == "Water leak 漏水"
        await pilot.press("1", "c")
        await pilot.pause()
        assert staffed.emergency.incident(incident["id"])["status"] == "closed"


async def test_open_incidents_mentioned(staffed):
    from screens.emergency_notice import notify_open_incidents

    staffed.emergency.start("outage")
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        notify_open_incidents(app)
        await pilot.pause()
        assert any("20261120-1" in n.message for n in app._notifications)


async def test_roster_step_offers_call_in_or_plain_tick(staffed):
    with staffed.store.transaction() as tx:
        tx.put("roster/2026-11", "cells", "A003/2026-11-20",
               {"staff_id": "A003", "date": "2026-11-20", "code": "R"})
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9", "i", "escape", "4")  # who is ill: later
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        await pilot.press("enter")  # first choice: no call-in
        await pilot.pause()
        [incident] = staffed.emergency.open_incidents()
        stored = staffed.emergency.incident(incident["id"])
        assert stored["steps"][3]["state"] == "done" and stored["call_ins"] == []


async def test_timer_runs_from_the_start(staffed):
    from floorapp.clock import fixed_clock

    staffed.emergency.start("fire")
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        title = app.screen.query_one("#em-title", Static)
        assert "00:00:00" in str(title.render())
        staffed._clock = fixed_clock("2026-11-20T16:01:05")
        app.screen.update_title()  # what the one-second interval calls
        await pilot.pause()
        assert "01:01:05" in str(title.render())


async def test_staff_taken_ill_asks_who(staffed):
    """Issue #16: the staff-taken-ill checklist never asked who is ill."""
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9", "i")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"王芳", "enter")
        await pilot.pause()
        [incident] = staffed.emergency.open_incidents()
        assert incident["kind"] == "ill"
        notes = staffed.emergency.incident(incident["id"])["notes"]
        assert any("taken ill: A003 王芳" in n["text"] for n in notes)


async def test_pending_steps_are_numbers_and_words_not_codes(staffed):
    """Issue #16: the outage's "to do before closing" listed codes (start, describe, scope …)."""
    from floorapp import i18n

    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9", "o")
        await pilot.pause()
        notes = str(app.screen.query_one("#em-notes", Static).render())
        assert "To do before closing: 1, 2, 3, 4, 5, 6, 7 — next: Record the start time" in notes
        assert "describe" not in notes.split("To do")[1] and "scope" not in notes
        i18n.set_language("zh")  # the line is made in the interface language when shown
        app.screen.render_notes()
        await pilot.pause()
        notes = str(app.screen.query_one("#em-notes", Static).render())
        assert "关闭前待办：第 1, 2, 3, 4, 5, 6, 7 步 — 下一步：" in notes
        assert "describe" not in notes and "scope" not in notes
