"""At the console, round 3 (issue 26): every key reachable, nothing cut, the words right."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Input, Static

from floorapp.app import FloorApp
from floorapp.services import Floor
from tests.test_monitoring_screen import open_monitoring, staffed  # noqa: F401 - the fixture

TODAY = dt.date(2026, 11, 20)


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
