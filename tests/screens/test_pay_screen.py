"""The pay screen (p from attendance) and the coaching prompt (c): keys, store, escaping."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Static

from floorapp.app import FloorApp
from screens.pay import CoachPrompt, PayScreen, WhyScreen
from tests.services.test_pay_service import set_orders


async def wait_sheet(pilot, app) -> None:
    for _n in range(100):
        await pilot.pause(0.05)
        if isinstance(app.screen, PayScreen) and app.screen.lines:
            await app.workers.wait_for_complete()
            await pilot.pause()
            return
    raise AssertionError("the pay sheet never showed")


async def open_sheet(pilot, app) -> None:  # noqa: ANN001
    """From the first screen, p: the pay sheet of the month, once it is worked out."""
    await pilot.pause()
    await pilot.press("p")
    await wait_sheet(pilot, app)


def proposed_floor(staffed, monkeypatch):
    set_orders(staffed, "A001", 420, dt.date(2026, 11, 10))
    set_orders(staffed, "A002", 300, dt.date(2026, 11, 10))
    staffed.set_policy_value("commission_per_order", "3")
    monkeypatch.setattr(staffed.emergency, "lost_calling_minutes",
                        lambda day: {"A002": 90} if day == dt.date(2026, 11, 10) else {})
    return staffed


async def test_pay_screen_confirm_refuse_publish_in_one_burst(staffed, monkeypatch) -> None:
    floor = proposed_floor(staffed, monkeypatch)
    app = FloorApp(floor, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sheet(pilot, app)
        screen = app.screen
        table = screen.query_one("#pay-sheet", DataTable)
        assert "not met?" in str(table.get_cell("A002", "tier"))
        assert "special circumstances to confirm" not in str(
            screen.query_one("#pay-notice", Static).render())  # the notes are the CLI's
        assert "to confirm 1" in str(screen.query_one("#pay-title", Static).render())
        await pilot.press("n", "s")  # to the proposal, confirm it
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert floor.store.get("pay", "special", "2026-11/A002")["decision"] == "confirmed"
        await wait_sheet(pilot, app)
        assert "special" in str(table.get_cell("A002", "tier"))
        assert str(table.get_cell("A002", "extra")) == "100"  # award 50 + subsidy 50
        await pilot.press("x", "P")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert floor.store.get("pay", "special", "2026-11/A002")["decision"] == "refused"
        assert "2026-11" in floor.pay.published()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WhyScreen)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, PayScreen | WhyScreen)


async def test_reminder_shown_until_published(staffed, monkeypatch) -> None:
    floor = proposed_floor(staffed, monkeypatch)
    app = FloorApp(floor, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("p", "left_square_bracket")
        await wait_sheet(pilot, app)
        notice = str(app.screen.query_one("#pay-notice", Static).render())
        assert "pay 2026-10 not published" in notice
        await pilot.press("P")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "not published" not in str(app.screen.query_one("#pay-notice", Static).render())


async def test_coach_from_attendance_typed_ahead_and_hostile_note(staffed) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # c on the highlighted row (A001), then the entry typed in one burst
        await pilot.press("c", "w", "space", "[", "b", "]", "=", "x", "enter")
        await pilot.pause()
        log = staffed.pay.coaching_log(2026, 11, "A001")
        assert [(r["kind"], r["note"]) for r in log] == [("written", "[b]=x")]
        assert not isinstance(app.screen, CoachPrompt)
        # a bad kind keeps the prompt open and saves nothing
        await pilot.press("c", "z", "z", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CoachPrompt)
        assert "Not saved" in str(app.screen.query_one("#prompt-help", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert len(staffed.pay.coaching_log(2026, 11, "A001")) == 1


async def test_hostile_name_shown_as_text(staffed) -> None:
    from floorapp.rules.staff import Staff

    staffed.save_staff(Staff("A009", "[red]x[/red]", "agent", "T01", dt.date(2024, 1, 1),
                             staffed.get_staff("A001").base_pay))
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sheet(pilot, app)
        table = app.screen.query_one("#pay-sheet", DataTable)
        table.move_cursor(row=table.get_row_index("A009"))
        await pilot.pause()
        assert "[red]x[/red]" in str(app.screen.query_one("#pay-detail", Static).render())
        assert table.get_cell("A009", "name").plain == "[red]x[/red]"


async def test_month_view_names_the_pay_key_and_reminds(staffed) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        for _n in range(100):
            await pilot.pause(0.05)
            if "p: pay sheet" in str(app.screen.query_one("#att-hint", Static).render()):
                break
        hint = str(app.screen.query_one("#att-hint", Static).render())
        assert "pay 2026-10 not published" in hint and "p: pay sheet" in hint
        await pilot.press("m")
        await pilot.pause()
        assert str(app.screen.query_one("#att-hint", Static).render()) == ""


async def test_a_long_account_ends_with_w_not_mid_sentence(staffed, monkeypatch) -> None:
    """Issue #16 sweep: the pay line's account was cut after four lines in mid-sentence."""
    floor = proposed_floor(staffed, monkeypatch)
    app = FloorApp(floor, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sheet(pilot, app)
        screen = app.screen
        full = " · ".join(screen.why_lines(screen.lines["A002"]))
        table = screen.query_one("#pay-sheet", DataTable)
        table.move_cursor(row=table.get_row_index("A002"))
        await pilot.pause()
        shown = screen.query_one("#pay-detail", Static).render()
        lines = str(shown).splitlines()
        assert len(full) > 4 * 78 and len(lines) == 4  # too long for the four lines …
        assert lines[-1].endswith("… w: all")  # … so it says where the rest is
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WhyScreen)
