"""F8: the policy screen edits a business number by keyboard, validated and audited."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from floorapp.app import FloorApp
from floorapp.services import Floor
from screens.policy import PolicyScreen


async def open_on(pilot, app: FloorApp, key: str) -> PolicyScreen:
    await pilot.press("f8")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, PolicyScreen)
    table = screen.query_one("#values", DataTable)
    keys = list(app.floor.policy.to_dict())
    table.move_cursor(row=keys.index(key))
    await pilot.pause()
    return screen


async def test_edit_late_mode_by_keyboard(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_on(pilot, app, "late_mode")
        await pilot.press("enter")
        await pilot.pause()
        entry = screen.query_one("#entry", Input)
        assert entry.has_focus and entry.value == "excess"
        await pilot.press("ctrl+u", *"sometimes", "enter")
        await pilot.pause()
        assert staffed.policy.late_mode == "excess"  # refused, nothing changed
        assert any("late_mode must be 'excess' or 'all'" in n.message
                   for n in app._notifications)
        await pilot.press("ctrl+u", *"all", "enter")
        await pilot.pause()
        assert staffed.policy.late_mode == "all"
        assert not entry.display
        entry_ = staffed.store.audit("ref")[-1]
        assert entry_["table"] == "policy" and entry_["new"]["late_mode"] == "all"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PolicyScreen)


async def test_the_note_shows_the_value_in_force_and_a_same_value_changes_nothing(
        staffed: Floor) -> None:
    """Issue #16: after setting 2 the note still read 超出部分每分钟扣 1 元 as if in force, and
    setting a value to itself said "saved, audited"."""
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_on(pilot, app, "late_per_minute")
        await pilot.press("enter", "ctrl+u", "2", "enter")
        await pilot.pause()
        note = str(screen.query_one("#note").render())
        assert "late_per_minute = 2 (default 1)" in note
        assert "Rule it comes from: 超出部分每分钟扣 1 元" in note
        audits = len(staffed.store.audit("ref"))
        await pilot.press("enter", "ctrl+u", "2", "enter")
        await pilot.pause()
        assert len(staffed.store.audit("ref")) == audits
        assert any("already 2: nothing changed" in n.message for n in app._notifications)
