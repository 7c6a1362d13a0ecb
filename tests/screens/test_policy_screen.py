"""F8: the policy screen edits a business number by keyboard, validated and audited."""

from __future__ import annotations

import re

from textual.widgets import DataTable, Input

from floorapp import i18n
from floorapp.policy import Policy

from floorapp.app import FloorApp
from floorapp.services import Floor
from screens.policy import PolicyScreen
from screens.policy_notes import note


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
        # the note in English, with the value in force (it said 超出部分每分钟扣 1 元)
        assert "Rule it comes from: beyond that, 2 yuan off per minute late" in note
        audits = len(staffed.store.audit("ref"))
        await pilot.press("enter", "ctrl+u", "2", "enter")
        await pilot.pause()
        assert len(staffed.store.audit("ref")) == audits
        assert any("already 2: nothing changed" in n.message for n in app._notifications)


async def test_notes_are_in_the_interface_language_with_current_numbers(staffed: Floor) -> None:
    """Issue #16: the English screen showed Chinese notes, the Chinese screen English ones, and a
    note quoted the source's number after the value changed."""
    staffed.set_policy_value("band_dialed_max", "120")
    staffed.set_policy_value("sick_leave_rate_junior", "0.25")
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_on(pilot, app, "band_dialed_min")
        note = str(screen.query_one("#note").render())
        assert "dialed per seat per day within 70–120" in note
        assert not re.search(r"[\u3400-\u9fff]", note)  # no Chinese on the English screen
        screen = await open_on_again(pilot, screen, "sick_leave_rate_junior")
        assert "tenure under 2 years: 25 % of day pay" in str(screen.query_one("#note").render())
        i18n.set_language("zh")
        screen.show_note("late_per_minute")
        await pilot.pause()
        note = str(screen.query_one("#note").render())
        assert "超出部分每分钟扣 1 元" in note and "beyond" not in note
        screen.show_note("band_dialed_max")
        await pilot.pause()
        assert "呼出区间上限（70–120）" in str(screen.query_one("#note").render())


async def open_on_again(pilot, screen: PolicyScreen, key: str) -> PolicyScreen:
    table = screen.query_one("#values", DataTable)
    table.move_cursor(row=list(screen.floor.policy.to_dict()).index(key))
    await pilot.pause()
    return screen


def test_every_policy_value_has_a_note_in_both_languages() -> None:
    """The English notes are English; a quotation of the source (「…」, issue #25) stays as
    printed."""
    values = {name: str(value) for name, value in Policy().to_dict().items()}
    for key in values:
        english = re.sub(r"「[^」]*」", "", note(key, values))
        assert english and not re.search(r"[\u3400-\u9fff]", english), key
    i18n.set_language("zh")
    for key in values:
        assert re.search(r"[\u3400-\u9fff]", note(key, values)), key


async def test_f8_shows_a_reading_with_its_quote_and_edits_it(staffed: Floor) -> None:
    """Issue #25: a reading of the sources is a value on F8 whose note quotes the source and
    names both readings; typing the other reading changes it."""
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_on(pilot, app, "shortfall_on_absent_days")
        note_text = str(screen.query_one("#note").render())
        assert "「按天完成量" in note_text and "false: only days worked" in note_text
        assert "true: an absent day also costs 60" in note_text
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#entry", Input).value == "False"
        await pilot.press("ctrl+u", *"true", "enter")
        await pilot.pause()
        assert staffed.policy.shortfall_on_absent_days is True
        i18n.set_language("zh")
        screen.show_note("qa_fraud_outcome")
        await pilot.pause()
        assert "「出现以下情况,视为诈单」" in str(screen.query_one("#note").render())
