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
