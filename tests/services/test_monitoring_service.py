"""Monitoring service: evaluations, feedback deadlines, disputes, follow-up, plan, interfaces."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from floorapp.clock import fixed_clock
from floorapp.errors import FloorError
from floorapp.services import Floor, open_floor
from tests.conftest import put_staff_on

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

TODAY = dt.date(2026, 11, 20)


def at(floor: Floor, moment: str) -> Floor:
    """The same store seen at another moment."""
    return open_floor(floor.store.root, clock=fixed_clock(moment), user="tester")


@pytest.fixture
def staffed(floor: Floor) -> Floor:
    """The register, and the centre's pass mark for outbound-100 (the form prints none)."""
    staffed = put_staff_on(floor)
    policy = staffed.policy
    policy.qa_pass_marks = {"outbound-100": 80}
    staffed.save_policy(policy)
    return staffed


def test_save_scores_and_keeps_marks(staffed: Floor) -> None:
    record = staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100",
                                                "a1X2 b3")
    assert record["score"] == "70" and record["max"] == "100" and record["passed"] is False
    assert record["marks"] == "a1x2 b3" and record["date"] == "2026-11-20"
    assert record["time"] == "15:00"
    stored = staffed.monitoring.evaluations(TODAY)
    assert [r["_key"] for r in stored] == [record["_key"]]


@pytest.mark.parametrize(
    ("staff", "monitor", "mode", "template", "marks", "message"),
    [("A001", "Q001", "live", "outbound-100", "a1 zz1", "unknown item code 'zz1'"),
     ("A001", "Q001", "live", "nope", "a1", "unknown template 'nope'"),
     ("A001", "Q001", "listen", "outbound-100", "a1", "mode 'listen'"),
     ("A999", "Q001", "live", "outbound-100", "a1", "unknown staff id 'A999'"),
     ("A001", "L001", "live", "outbound-100", "a1", "L001 is a lead, not a monitor"),
     ("Q001", "Q001", "live", "outbound-100", "a1", "only agents and complaint handlers")],
    ids=["bad-code", "bad-template", "bad-mode", "unknown-agent", "not-a-monitor",
         "monitor-not-evaluated"],
)
def test_bad_entry_saves_nothing(staffed: Floor, staff: str, monitor: str, mode: str,
                                 template: str, marks: str, message: str) -> None:
    with pytest.raises(FloorError, match=message):
        staffed.monitoring.save_evaluation(staff, monitor, mode, template, marks)
    assert staffed.monitoring.evaluations(TODAY) == []


def test_undo_retires(staffed: Floor) -> None:
    record = staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "a1")
    staffed.monitoring.undo(TODAY, record["_key"])
    assert staffed.monitoring.evaluations(TODAY) == []
    history = staffed.store.history("day/2026-11-20", "qa_evaluations", record["_key"])
    assert history[-1].get("_retired") and history[0]["score"] == "90"


def test_feedback_due_next_working_day_and_overdue(staffed: Floor) -> None:
    record = staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "a1")
    assert staffed.monitoring.feedback_due(record) == dt.date(2026, 11, 23)  # Fri → Mon
    monday = at(staffed, "2026-11-23T17:00:00")
    assert monday.monitoring.feedback_overdue(TODAY, TODAY) == []
    tuesday = at(staffed, "2026-11-24T08:00:00")
    assert [r["_key"] for r in tuesday.monitoring.feedback_overdue(TODAY, TODAY)] == [
        record["_key"]]
    tuesday.monitoring.give_feedback(TODAY, record["_key"], "talked it through")
    assert tuesday.monitoring.feedback_overdue(TODAY, TODAY) == []


def test_dispute_same_day_revised_score_beside_the_original(staffed: Floor) -> None:
    record = staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100",
                                                "a1x2 b3")
    key = record["_key"]
    staffed.monitoring.give_feedback(TODAY, key)
    staffed.monitoring.raise_dispute(TODAY, key, "the customer asked twice")
    data = staffed.monitoring.review_dispute(TODAY, key, "a1 b3", "one fault only")
    assert data["score"] == "70" and data["marks"] == "a1x2 b3"  # original kept
    assert data["revised"]["score"] == "80" and data["revised"]["passed"] is True
    assert data["dispute"]["status"] == "revised"
    assert staffed.monitoring.day_by_agent(TODAY)["A001"] == (1, Decimal(80))
    with pytest.raises(FloorError, match="already disputed"):
        staffed.monitoring.raise_dispute(TODAY, key, "again")


def test_dispute_kept(staffed: Floor) -> None:
    key = staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "a1")["_key"]
    staffed.monitoring.give_feedback(TODAY, key)
    staffed.monitoring.raise_dispute(TODAY, key, "unfair")
    data = staffed.monitoring.review_dispute(TODAY, key, None)
    assert data["dispute"]["status"] == "kept" and data["revised"] is None


def test_later_dispute_refused_and_late_review_refused(staffed: Floor) -> None:
    key = staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "a1")["_key"]
    staffed.monitoring.give_feedback(TODAY, key)
    staffed.monitoring.raise_dispute(TODAY, key, "unfair")
    next_day = at(staffed, "2026-11-21T09:00:00")
    with pytest.raises(FloorError, match="reviewed on the day it was raised"):
        next_day.monitoring.review_dispute(TODAY, key, "a1")
    other = staffed.monitoring.save_evaluation("A002", "Q001", "live", "outbound-100", "a2")
    staffed.monitoring.give_feedback(TODAY, other["_key"])
    with pytest.raises(FloorError, match="refused: disputes are taken only on the day"):
        next_day.monitoring.raise_dispute(TODAY, other["_key"], "too late")
    assert next_day.monitoring.get_evaluation(TODAY, other["_key"])["dispute"] is None


@pytest.mark.parametrize(
    ("fed_back", "raised", "ok"),
    [(None, "2026-11-20T16:00:00", False),
     ("2026-11-23T09:00:00", "2026-11-23T00:00:00", True),
     ("2026-11-23T09:00:00", "2026-11-23T23:59:00", True),
     ("2026-11-23T09:00:00", "2026-11-24T00:00:00", False),
     ("2026-11-23T09:00:00", "2026-11-22T23:59:00", False)],
    ids=["not-fed-back-yet", "feedback-day-first-minute", "feedback-day-last-minute",
         "day-after-feedback", "day-before-feedback"])
def test_dispute_window_is_the_feedback_day_not_the_evaluation_day(
        staffed: Floor, fed_back: str | None, raised: str, ok: bool) -> None:
    key = staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "a1")["_key"]
    if fed_back:
        at(staffed, fed_back).monitoring.give_feedback(TODAY, key)
    service = at(staffed, raised).monitoring
    if ok:
        assert service.raise_dispute(TODAY, key, "unfair")["dispute"]["status"] == "open"
    else:
        with pytest.raises(FloorError, match="refused"):
            service.raise_dispute(TODAY, key, "unfair")


def test_review_same_day_then_escalation_to_the_supervisor_keeps_all_three(
        staffed: Floor) -> None:
    key = staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100",
                                             "a1x2 b3")["_key"]
    monday = at(staffed, "2026-11-23T09:00:00")
    monday.monitoring.give_feedback(TODAY, key)
    monday_late = at(staffed, "2026-11-23T17:00:00")
    monday_late.monitoring.raise_dispute(TODAY, key, "only one fault")
    with pytest.raises(FloorError, match="only a reviewed dispute"):
        monday_late.monitoring.escalate_dispute(TODAY, key, "not reviewed yet")
    monday_late.monitoring.review_dispute(TODAY, key, "a1x2")  # reviewed the same day: 80
    tuesday = at(staffed, "2026-11-24T10:00:00").monitoring
    tuesday.escalate_dispute(TODAY, key, "still one fault")
    with pytest.raises(FloorError, match="not a direct supervisor"):
        tuesday.decide_escalation(TODAY, key, "L001", "a1")  # a lead of another team
    with pytest.raises(FloorError, match="not a direct supervisor"):
        tuesday.decide_escalation(TODAY, key, "A002", "a1")
    data = tuesday.decide_escalation(TODAY, key, "M001", "a1", "listened again")
    assert (data["score"], data["revised"]["score"], data["final"]["score"]) == ("70", "80", "90")
    assert data["final"]["by"] == "M001"
    assert tuesday.day_by_agent(TODAY)["A001"] == (1, Decimal(90))
    with pytest.raises(FloorError, match="no escalation waiting"):
        tuesday.decide_escalation(TODAY, key, "M001", None)


def test_follow_up_until_a_pass(staffed: Floor) -> None:
    service = staffed.monitoring
    service.save_evaluation("A001", "Q001", "live", "outbound-100", "f1")
    assert "A001" in service.follow_up_ids(TODAY)
    later = at(staffed, "2026-11-20T16:00:00")
    later.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "")
    assert "A001" not in later.monitoring.follow_up_ids(TODAY)


def test_plan_from_who_is_on_shift_and_status(staffed: Floor) -> None:
    service = staffed.monitoring
    service.ensure_plan(TODAY)
    plan = service.day_plan(TODAY)
    agents = {r.staff_id for r in plan.rows}
    assert agents == {"A001", "A002", "A003", "C001", "C002"}  # all on D this Friday
    assert {r.monitor_id for r in plan.rows} == {"Q001"}
    assert {r.status for r in plan.rows} <= {"due", "overdue"}
    first_due = next(r for r in plan.rows if r.status == "overdue")
    service.save_evaluation(first_due.staff_id, "Q001", first_due.mode, "outbound-100", "")
    assert service.day_plan(TODAY).count("done") == 1
    again = service.day_plan(TODAY)
    service.ensure_plan(TODAY)  # made once a day
    assert service.day_plan(TODAY).rows == again.rows


def test_replan_keeps_done_and_plans_from_now(staffed: Floor) -> None:
    service = staffed.monitoring
    service.ensure_plan(TODAY)
    row = service.day_plan(TODAY).rows[0]
    service.save_evaluation(row.staff_id, row.monitor_id, row.mode, "outbound-100", "")
    service.make_plan(TODAY, replan=True)
    rows = service.day_plan(TODAY).rows
    assert rows[0].key == row.key and rows[0].status == "done"
    assert all(r.slot >= "15:00" for r in rows[1:])


def test_no_monitor_on_shift_is_a_shortfall(floor: Floor) -> None:
    from tests.conftest import STAFF

    for person in STAFF:
        if person.role != "monitor":
            floor.save_staff(person)
    floor.monitoring.ensure_plan(TODAY)
    assert any("agent A001" in s for s in floor.monitoring.day_plan(TODAY).shortfalls)


def test_day_by_agent(staffed: Floor) -> None:
    service = staffed.monitoring
    service.save_evaluation("A001", "Q001", "live", "outbound-100", "a1")
    service.save_evaluation("A001", "Q001", "recording", "recording-40", "a1 b3na")
    result = service.day_by_agent(TODAY)
    assert result["A001"][0] == 2
    assert result["A001"][1] == (Decimal(90) + Decimal(37) * 100 / 38) / 2
    assert result["A002"] == (0, None)


def test_month_extension_shape(staffed: Floor) -> None:
    staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "a1")
    data, tables = staffed.monitoring.month_extension(2026, 11)
    assert set(data) == {"qa"} and set(data["qa"]) == {"staff", "monitors"}
    assert data["qa"]["monitors"] == [{"id": "Q001", "card": "outbound-100", "evaluations": 1,
                                       "mean": "90.00", "deviation": None, "flagged": False,
                                       "peers": 0, "shared_calls": 0,
                                       "shared_difference": None}]
    assert len(tables) == 2


def test_sample_size_defaults_from_policy(staffed: Floor) -> None:
    assert staffed.monitoring.sample_size(10000) == 370
    staffed.set_policy_value("sample_margin", "0.03")
    assert staffed.monitoring.sample_size(10000) == 965


def test_demo_floor_has_evaluations_a_high_monitor_and_plans(floor: Floor) -> None:
    from floorapp.services import demo

    summary = demo.generate(floor, seats=40, days=14)
    assert "monitoring:" in summary
    staff_rows, monitors = floor.monitoring.qa_month(2026, 11)
    assert sum(r["evaluations"] for r in staff_rows) > 200
    assert any(r["flagged"] == "high" for r in monitors)
    yesterday = TODAY - dt.timedelta(days=1)
    past = floor.monitoring.day_plan(yesterday)
    assert past.rows and {r.status for r in past.rows} == {"done", "overdue"}
    shared = [r for r in floor.monitoring.evaluations_between(TODAY - dt.timedelta(days=14),
                                                               TODAY) if r["call"]]
    assert len({r["monitor_id"] for r in shared}) >= 2


def test_the_os_login_is_the_monitor_when_it_is_one(staffed: Floor) -> None:
    assert staffed.monitoring.monitor_for_user() is None  # "tester" is nobody's id
    as_monitor = open_floor(staffed.store.root, clock=fixed_clock("2026-11-20T15:00:00"),
                            user="q001")
    assert as_monitor.monitoring.monitor_for_user().id == "Q001"


def test_month_report_gains_the_qa_section(staffed: Floor) -> None:
    from floorapp.formats import reports

    staffed.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "f1")
    report = reports.Report("Month", {"month": "2026-11", "staff": []})
    reports.extend_month_report(staffed, report, 2026, 11)
    assert report.data["qa"]["staff"][0] == {"id": "A001", "evaluations": 1, "mean": "0.00",
                                             "fails": 1, "follow_up": True}
    titles = [t.title for t in report.tables]
    assert titles[-2:] == ["QA by agent (质检)", "Calibration by monitor (校准)"]
