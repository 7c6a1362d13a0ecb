"""No pass mark, no verdict (issue #24): where a card has no pass mark set (the entry line's
"pass mark unset (policy): no follow-up"), no screen, report or review says PASS or FAIL — the
score stands alone and JSON says ``passed: null``, whatever was stored while a mark was set. A
critical item still fails the call (SPEC §6: any critical → 0 and fail)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, Static

from floorapp.app import FloorApp
from floorapp.cli.main import run
from floorapp.services import Floor

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

TODAY = dt.date(2026, 11, 20)


def set_pass_mark(floor: Floor, marks: dict) -> None:
    policy = floor.policy
    policy.qa_pass_marks = marks
    floor.save_policy(policy)


def cli(floor: Floor, capsys: pytest.CaptureFixture, *args: str) -> str:
    capsys.readouterr()
    assert run(["--store", str(floor.store.root), *args]) == 0
    return capsys.readouterr().out


@pytest.fixture
def mark_taken_away(staffed: Floor) -> dict[str, str]:
    """Scored while the centre had a pass mark of 80 (A002's 70 stored as a fail, A001's
    disputed 70 revised to 90, a pass), then the centre took the pass mark away."""
    set_pass_mark(staffed, {"outbound-100": 80})
    service = staffed.monitoring
    disputed = service.save_evaluation("A001", "Q001", "live", "outbound-100", "a1x2 b3")
    failed = service.save_evaluation("A002", "Q001", "live", "outbound-100", "a1x2 b3")
    assert failed["passed"] is False
    service.give_feedback(TODAY, disputed["_key"])
    service.raise_dispute(TODAY, disputed["_key"], "the customer hung up")
    service.review_dispute(TODAY, disputed["_key"], "a1")
    set_pass_mark(staffed, {})
    return {"disputed": disputed["_key"], "failed": failed["_key"]}


def test_qa_list_says_the_score_only(staffed: Floor, mark_taken_away: dict, capsys) -> None:
    out = cli(staffed, capsys, "qa", "list")
    assert "PASS" not in out and "FAIL" not in out
    row = next(line for line in out.splitlines() if line.startswith(mark_taken_away["failed"]))
    assert "70/100" in row and "no pass mark" in row
    data = json.loads(cli(staffed, capsys, "qa", "list", "--format", "json"))
    rows = {r["key"]: r for r in data["evaluations"]}
    assert rows[mark_taken_away["failed"]]["passed"] is None
    assert rows[mark_taken_away["disputed"]]["passed"] is None
    assert rows[mark_taken_away["disputed"]]["revised"]["passed"] is None
    assert rows[mark_taken_away["disputed"]]["revised"]["score"] == "90"
    out = cli(staffed, capsys, "qa", "list", "--format", "csv")
    assert "PASS" not in out and "FAIL" not in out


def test_review_escalate_decide_say_no_verdict(staffed: Floor, capsys) -> None:
    record = staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100",
                                                "a1x2 b3")
    key = record["_key"]
    assert record["passed"] is None
    said = [cli(staffed, capsys, "qa", "feedback", key),
            cli(staffed, capsys, "qa", "dispute", key, "--reason", "unfair"),
            cli(staffed, capsys, "qa", "review", key, "--marks", "a1x2"),
            cli(staffed, capsys, "qa", "escalate", key, "--reason", "no fault"),
            cli(staffed, capsys, "qa", "decide", key, "--by", "M001", "--marks", "")]
    assert "score revised 70 → 80" in said[2] and "final score 100" in said[4]
    assert not any("PASS" in text or "FAIL" in text for text in said)
    final = staffed.monitoring.get_evaluation(TODAY, key)["final"]
    assert final["passed"] is None


def test_qa_report_counts_no_fails_without_a_pass_mark(staffed: Floor, mark_taken_away: dict,
                                                       capsys, tmp_path: Path) -> None:
    data = json.loads(cli(staffed, capsys, "report", "qa", "--month", "2026-11", "--format",
                          "json"))
    assert {r["id"]: (r["fails"], r["follow_up"]) for r in data["staff"]
            if r["id"] in ("A001", "A002")} == {"A001": (0, False), "A002": (0, False)}
    out = cli(staffed, capsys, "report", "qa", "--month", "2026-11")
    assert "PASS" not in out and "FAIL" not in out
    row = next(line for line in out.splitlines() if line.startswith("A002"))
    assert row.split()[-1] == "0"  # fails; follow-up (the last column) empty
    csv_rows = cli(staffed, capsys, "report", "qa", "--month", "2026-11", "--format",
                   "csv").removeprefix("\ufeff").splitlines()
    assert next(r for r in csv_rows if r.startswith("A002")).split(",")[4] == "0"
    path = tmp_path / "qa.xlsx"
    cli(staffed, capsys, "report", "qa", "--month", "2026-11", "--format", "xlsx",
        "--output", str(path))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    fails = {row[0]: row[header.index("fails")] for row in sheet.iter_rows(min_row=2,
                                                                           values_only=True)}
    assert fails["A002"] == 0
    # With the pass mark back, the same stored scores are judged again.
    set_pass_mark(staffed, {"outbound-100": 80})
    data = json.loads(cli(staffed, capsys, "report", "qa", "--month", "2026-11", "--format",
                          "json"))
    assert {r["id"]: r["fails"] for r in data["staff"]}["A002"] == 1


def test_a_critical_fails_with_or_without_a_pass_mark(staffed: Floor, capsys) -> None:
    record = staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "f1")
    assert record["score"] == "0" and record["passed"] is False
    row = next(line for line in cli(staffed, capsys, "qa", "list").splitlines()
               if line.startswith(record["_key"]))
    assert "FAIL" in row
    data = json.loads(cli(staffed, capsys, "qa", "list", "--format", "json"))
    assert data["evaluations"][0]["passed"] is False


# ------------------------------------------------------------------------------ screen
async def open_monitoring(pilot) -> None:
    await pilot.press("f2")
    await pilot.pause(0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(app: FloorApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_screen_says_no_verdict_without_a_pass_mark(staffed: Floor,
                                                          mark_taken_away: dict) -> None:
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_monitoring(pilot)
        await pilot.press(*"A003", "enter", *"a1x2 b3")
        assert "pass mark unset (policy): no follow-up" in text_of(app, "#qa-total")
        await pilot.press("enter")
        await pilot.pause()
        last = text_of(app, "#qa-last")
        assert "A003 70/100 · ctrl+z undo" in last
        toasts = [n.message for n in app._notifications]
        assert not any("A003 70/100" in t for t in toasts)  # on the line, no toast (issue 26)
        assert not any("PASS" in t or "FAIL" in t or "no pass mark" in t
                       for t in [last, *toasts])
        # Today's evaluations: the fail stored under the old mark is not shown red.
        await pilot.press("ctrl+l", "ctrl+l")
        await pilot.pause()
        table = app.screen.query_one("#qa-today", DataTable)
        keys = [row.key.value for row in table.ordered_rows]
        cell = table.get_cell_at(Coordinate(keys.index(mark_taken_away["failed"]), 2))
        assert str(cell) == "70/100" and "red" not in str(cell.style)


async def test_review_preview_says_no_verdict_without_a_pass_mark(staffed: Floor) -> None:
    """The issue's "70/100 → 80/100 FAIL" on a card with no pass mark."""
    record = staffed.monitoring.save_evaluation("A002", "Q001", "live", "outbound-100",
                                                "a1x2 b3")
    staffed.monitoring.give_feedback(TODAY, record["_key"])
    staffed.monitoring.raise_dispute(TODAY, record["_key"], "the customer hung up")
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_monitoring(pilot)
        await pilot.press("ctrl+l", "ctrl+l")  # plan → codes → today's evaluations
        await pilot.pause()
        app.screen.query_one("#qa-today", DataTable).focus()
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        prompt = app.screen.query_one("#qa-prompt-input", Input)
        prompt.value = "a1 b3"
        await pilot.pause()
        status = str(app.screen.query_one("#qa-prompt-status").render())
        assert "70/100 → 80/100" in status
        assert "FAIL" not in status and "PASS" not in status


# ------------------------------------------------------------- calibration on the screen
def _seed_scores(floor: Floor, scores: dict[str, tuple[str, str]]) -> None:
    """Six days of one evaluation per monitor: monitor → (card, percent)."""
    from floorapp.rules import monitoring as rules

    with floor.transaction() as tx:
        for n in range(6):
            day = f"2026-11-{10 + n:02d}"
            for monitor, (card, score) in scores.items():
                tx.put(f"day/{day}", "qa_evaluations", f"E{n}-{monitor}", {
                    "date": day, "time": "10:00", "monitor_id": monitor, "staff_id": "A001",
                    "mode": "live", "template": card, "marks": "", "score": score,
                    "max": "100", "passed": None, "critical": [], "call": "",
                    "template_version": rules.builtin_templates()[card].version,
                    "feedback_at": "", "feedback_note": "", "dispute": None, "revised": None})


@pytest.mark.parametrize(
    ("scores", "stopped"),
    [({"Q001": ("outbound-100", "60"), "Q002": ("hotline-400", "93")}, ""),
     ({"Q001": ("outbound-100", "60"), "Q002": ("outbound-100", "93")},
      "STOPPED on outbound-100: recalibrate")],
    ids=["alone-on-its-card-not-stopped", "low-on-a-shared-card-stopped"],
)
async def test_the_entry_says_stopped_only_on_a_like_card_difference(
        staffed: Floor, scores: dict, stopped: str) -> None:
    from decimal import Decimal

    from floorapp.rules.staff import Staff

    staffed.save_staff(Staff("Q002", "孙丽", "monitor", "monitor", dt.date(2021, 1, 4),
                             Decimal("3000")))
    _seed_scores(staffed, scores)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_monitoring(pilot)
        lines = text_of(app, "#qa-setup").splitlines()
        assert lines[1].startswith("By     Q001")
        assert (lines[2] if len(lines) > 2 else "") == stopped
        assert ("STOPPED" in "\n".join(lines)) == bool(stopped)
