"""At the console, round 3 (issue 26): every key reachable, nothing cut, the words right."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib

import pytest

from textual.widgets import DataTable, Input, Static

from floorapp.app import FloorApp
from floorapp.services import Floor
from tests.screens.test_monitoring_screen import open_monitoring, staffed  # noqa: F401 - the fixture

# The sections are imported lazily and their key words (_() at import) are read once: import
# them here, in English, so a Chinese test below is never the first to (issue 26 item 9 tests)
for _section in ("monitoring", "attendance", "roster", "quota", "summary", "emergency"):
    importlib.import_module(f"screens.{_section}")

TODAY = dt.date(2026, 11, 20)


def keys(text: str) -> list[str]:
    """The keys that type ``text``."""
    return ["space" if ch == " " else ch for ch in text]


def text_of(app: FloorApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


# ------------------------------------------------------------------ item 1
async def test_ctrl_l_to_todays_evaluations_then_f_d_act_on_the_pane(staffed: Floor) -> None:
    record = staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "a1x2 b3")
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_monitoring(pilot)
        await pilot.press("ctrl+l", "ctrl+l", "f")  # plan → codes → today's evaluations
        await pilot.pause()
        assert app.screen.query_one("#qa-agent", Input).value == ""  # not typed there
        assert staffed.monitoring.get_evaluation(TODAY, record["_key"])["feedback_at"]
        await pilot.press("d", *"agreed", "enter")
        await pilot.pause()
        assert staffed.monitoring.get_evaluation(
            TODAY, record["_key"])["dispute"]["reason"] == "agreed"
        # ^l on from the pane keeps the cursor on the right (the plan), not lost on a hidden pane
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#qa-plan", DataTable)


async def test_tab_and_shift_tab_reach_the_pane_and_f1_says_so(staffed: Floor) -> None:
    staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "a1x2 b3")
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_monitoring(pilot)
        agent = app.screen.query_one("#qa-agent", Input)
        await pilot.press("tab", "tab")
        assert app.focused is app.screen.query_one("#qa-plan", DataTable)
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused is agent
        await pilot.press("shift+tab")
        assert app.focused is app.screen.query_one("#qa-plan", DataTable)
        await pilot.press("f1")
        await pilot.pause()
        shown = str(app.screen.query_one(Static).render())
        assert "Tab / Shift+Tab: agent → marks → the right pane" in shown


# ------------------------------------------------------------------ item 8
async def test_an_evaluation_before_the_agents_slot_leaves_it_due_and_counts_extra(
        staffed: Floor) -> None:
    staffed.monitoring.ensure_plan(TODAY)
    later = [r for r in staffed.monitoring.plan_rows(TODAY) if r.slot > "15:00"]
    assert later, "the seed plans slots after 15:00"
    slot = later[0]
    earlier = [r for r in staffed.monitoring.plan_rows(TODAY)
               if r.staff_id == slot.staff_id and r.mode == slot.mode and r.slot <= "15:00"]
    card = staffed.monitoring.scorecard_for(staffed.get_staff(slot.staff_id))
    # heard at 15:00: one call for each of the agent's earlier slots, and one more
    for _n in range(len(earlier) + 1):
        staffed.monitoring.save_evaluation(slot.staff_id, slot.monitor_id, slot.mode, card, "")
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_monitoring(pilot)
        rows = {r.key: r for r in staffed.monitoring.plan_rows(TODAY)}
        assert rows[slot.key].status != "done"  # heard at 15:00: not the later slot
        table = app.screen.query_one("#qa-plan", DataTable)
        assert "done" not in str(table.get_row(slot.key)[4])
        assert all(rows[r.key].status == "done" for r in earlier)
        assert "extra 1" in text_of(app, "#qa-plan-title")


# ------------------------------------------------------------------ item 5
async def test_equals_key_then_agent_and_counts_is_a_day_total(staffed: Floor) -> None:
    from tests.cli.test_quota_cli import all_in_on_time

    all_in_on_time(staffed)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause(0.1)
        await pilot.press("equals_sign")
        assert "day total: A001 80 66 61 19" in text_of(app, "#quota-hint")  # the forms said
        await pilot.press(*keys("A002 75 62 61 20"))
        await pilot.pause()
        assert "A002" in text_of(app, "#quota-hint") and "day total" in text_of(
            app, "#quota-hint")
        await pilot.press("enter")
        await pilot.pause()
        fd, _pace = staffed.quota.live()
        a002 = next(a for a in fd.agents if a.staff_id == "A002")
        c = a002.counts
        assert (c.dialed, c.connected, c.completed, c.orders) == (75, 62, 61, 20)


async def test_reason_with_the_period_last_is_saved_without_it(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause(0.1)
        await pilot.press("r", *keys("a003 doctor appointment p2"), "enter")
        await pilot.pause()
        record = staffed.store.get("day/2026-11-20", "punches", "A003/2")
        assert record["reason"] == "doctor appointment"


@pytest.fixture
def ouyang(staffed: Floor) -> Floor:
    """Five more 欧阳 on the register: a name that matches more than three people."""
    base = staffed.get_staff("A001")
    clock = staffed.store.clock
    staffed.store.clock = lambda: "2026-01-01T00:00:00+08:00"
    try:
        for n, name in enumerate(["欧阳明", "欧阳华", "欧阳静", "欧阳强"], start=11):
            staffed.save_staff(dataclasses.replace(base, id=f"A0{n}", name=name, seat=""))
    finally:
        staffed.store.clock = clock
    return staffed


async def test_up_down_pick_among_all_who_match_a_name(ouyang: Floor) -> None:
    app = FloorApp(ouyang, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause(0.1)
        await pilot.press("a", *keys("欧阳 14:31"))
        await pilot.pause()
        assert "and 2 more" in text_of(app, "#att-hint")  # five match: not saved on a guess
        seen = []
        for _n in range(5):
            await pilot.press("down")
            await pilot.pause()
            seen.append(text_of(app, "#att-hint").split()[1])
        assert sorted(seen) == ["A001", "A011", "A012", "A013", "A014"]  # all five, not three
        assert "(5 of 5, ↑/↓)" in text_of(app, "#att-hint")
        await pilot.press("up", "enter")  # the fourth
        await pilot.pause()
        saved = [k for k in ("A001", "A011", "A012", "A013", "A014")
                 if ouyang.store.get("day/2026-11-20", "punches", f"{k}/2")]
        assert saved == [seen[3]]


async def test_after_a_leave_entry_the_hint_never_names_a_row_not_highlighted(
        staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause(0.1)
        table = app.screen.query_one("#att-today", DataTable)
        table.move_cursor(row=table.get_row_index("A002"))
        await pilot.press("l", *keys("a003 sick 1"), "enter")
        await pilot.pause()
        assert staffed.store.get("day/2026-11-20", "leave", "A003")["type"] == "sick"
        highlighted = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        assert "A002" not in text_of(app, "#att-hint") or highlighted == "A002"
        await pilot.press("l")
        await pilot.pause()
        assert f"{highlighted} " in text_of(app, "#att-hint")  # the row the cursor is on


async def test_the_entry_line_is_not_above_the_month_view(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause(0.1)
        await pilot.press("l", "escape", "m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.screen.query_one("#att-entry-row").display
        await pilot.press("l")  # entry is for the day: back to it
        await pilot.pause()
        assert app.screen.query_one("#att-entry-row").display
        assert app.screen.query_one("#att-today", DataTable).display
        assert app.focused is app.screen.query_one("#att-entry", Input)


# ------------------------------------------------------------------ item 7
@pytest.mark.parametrize("moment", ["03:00", "08:07"], ids=["no-seats-at-night", "before-pace"])
async def test_quota_advice_before_calling_says_one_thing(staffed: Floor, moment: str) -> None:
    from floorapp.clock import fixed_clock

    staffed._clock = fixed_clock(f"2026-11-20T{moment}")
    if moment == "08:07":
        staffed.attendance.record_in("A001", staffed.today(), dt.time(7, 55))
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause(0.1)
        totals = str(app.screen.query_one("#totals", Static).content)
        assert "advice from 09:30" in totals
        assert "ok" not in totals.split("advice")[-1] and "advice:" not in totals


# ------------------------------------------------------------------ item 6
async def test_an_outage_timer_runs_from_the_start_it_was_given(staffed: Floor) -> None:
    incident = staffed.emergency.start("outage")
    staffed.emergency.tick_text(incident["id"], "start", "14:10")  # step 1: began at 14:10
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        title = text_of(app, "#em-title")
        assert "00:50:00" in title and "since 14:10" in title  # 15:00 now, not 00:00:00
        phones = text_of(app, "#em-phones")
        assert "not set: ask a manager (F8)" in phones and "floor policy set" not in phones


# ------------------------------------------------------------------ item 4
async def test_quick_saves_confirm_on_their_line_without_stacking_toasts(staffed: Floor) -> None:
    from tests.cli.test_quota_cli import all_in_on_time

    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f3")
        await pilot.pause(0.1)
        for who in ("a001", "a002", "a003"):  # arrivals in a burst
            await pilot.press("a", *keys(f"{who} 1431"), "enter")
        await pilot.pause()
        assert [staffed.store.get("day/2026-11-20", "punches", f"{k}/2")["in"]
                for k in ("A001", "A002", "A003")] == ["14:31"] * 3
        assert [n.message for n in app._notifications] == []  # no toast over the grid
        assert "A003" in text_of(app, "#att-hint")  # the last save, on the entry's line
        all_in_on_time(staffed)
        await pilot.press("f5")
        await pilot.pause(0.1)
        for line in ("A001 +5", "A002 +3"):
            await pilot.press("slash", *keys(line), "enter")
            await pilot.pause()
        assert [n.message for n in app._notifications] == []
        assert "saved" in text_of(app, "#quota-hint") and "+3 done" in text_of(app, "#quota-hint")
        await pilot.press("f2")
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        await pilot.press(*keys("A001"), "enter", *keys("a1"), "enter")
        await pilot.pause()
        assert staffed.monitoring.evaluations(TODAY)
        # a warning (a new monitor's pairing) is still a toast; the save itself is not
        assert not any("A001" in n.message for n in app._notifications)
        assert "saved 15:00 A001" in text_of(app, "#qa-last")


# ------------------------------------------------------------------ item 9
@pytest.mark.parametrize(("language", "said"), [("en", "personal leave 1 day"),
                                                ("zh", "事假1天")])
async def test_leave_is_said_with_its_unit(staffed: Floor, language: str, said: str) -> None:
    from decimal import Decimal

    from floorapp import i18n

    staffed.attendance.record_leave("A002", dt.date(2026, 11, 19), "personal", Decimal(1))
    staffed.attendance.record_leave("A003", TODAY, "personal", Decimal(1))
    i18n.set_language(language)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause(0.1)
        table = app.screen.query_one("#att-today", DataTable)
        assert said in str(table.get_cell("A003", "status"))
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        month = app.screen.query_one("#att-month", DataTable)
        month.move_cursor(row=month.get_row_index("A002"))
        await pilot.pause()
        assert said in str(app.screen.query_one("#att-detail").render())


async def test_a_day_total_is_not_said_twice(staffed: Floor) -> None:
    from tests.cli.test_quota_cli import all_in_on_time

    all_in_on_time(staffed)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause(0.1)
        await pilot.press("equals_sign", *keys("A002 24 20 18 5"), "enter")
        await pilot.pause()
        line = text_of(app, "#quota-hint")
        assert "A002 day total: 24/20/18/5" in line and line.count("day total") == 1


# ------------------------------------------------------------------ items 2 and 3
@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("hour", ["03:00", "08:07", "10:30", "15:00", "18:00"])
async def test_the_header_date_time_and_shifts_are_whole_at_80(
        staffed: Floor, monkeypatch, language: str, hour: str) -> None:
    from rich.cells import cell_len
    from textual.widgets._header import HeaderTitle

    from floorapp import i18n
    from floorapp.clock import fixed_clock

    i18n.set_language(language)
    staffed._clock = fixed_clock(f"2026-12-07T{hour}")
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("f2", "f3", "f5", "f6", "f9"):
            await pilot.press(key)
            await pilot.pause(0.1)
            shown = str(app.screen.query_one(HeaderTitle).render())
            assert app.sub_title in shown  # never cut: date, time, shifts
            assert "2026" in shown and hour in shown and "…" not in shown
            assert cell_len(shown) <= 80 - 20  # between the icon and the clock space


async def test_the_summary_attendance_column_grows_into_a_wide_terminal(staffed: Floor) -> None:
    from decimal import Decimal

    staffed.attendance.record_leave("A003", TODAY, "sick", Decimal("0.5"))
    whole = {a.staff_id: a.attendance_text for a in staffed.quota.floor_day(TODAY).agents}
    assert len(whole["A003"]) > 11  # longer than the 80-column cell
    for size, cut in (((80, 24), True), ((120, 40), False)):
        app = FloorApp(staffed, backup=False)
        async with app.run_test(size=size) as pilot:
            await pilot.press("f6")
            await pilot.pause(0.1)
            table = app.screen.query_one("#agents", DataTable)
            shown = str(table.get_cell("A003", "att"))
            assert (shown != whole["A003"]) is cut, (size, shown)


async def test_the_quota_entry_says_its_forms_in_words(staffed: Floor) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause(0.1)
        placeholder = app.screen.query_one("#entry", Input).placeholder
        assert "= d c p o" not in placeholder and "day total" in placeholder
        assert len(placeholder) <= 78  # whole in the 80-column entry line
