"""Monitors and the floor reviewed [000] (SPEC §6 rev. 12-2026): a flagged monitor is stopped
until recalibrated; new monitors paired; leads may hold slots; the quarterly review; the week's
common problems; evaluations keep the template version they were scored with."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest

from floorapp.rules import monitoring as rules
from floorapp.rules.monitoring import calibration as cal
from floorapp.rules.monitoring import review
from floorapp.formats import reports
from floorapp.cli.main import run
from floorapp.errors import FloorError
from floorapp.policy import Policy
from floorapp.services import Floor
from floorapp.rules.staff import Staff
from tests.services.test_monitoring_service import at

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

TODAY = dt.date(2026, 11, 20)


def _evaluation(monitor: str, staff: str, day: str, score: int, call: str = "",
                marks: str = "", template: str = "outbound-100", versioned: bool = True) -> dict:
    """A stored evaluation on the card's current version (``versioned``), else as stored
    before versions (read as version 1)."""
    version = {"template_version": rules.builtin_templates()[template].version} \
        if versioned else {}
    return {**version, "date": day, "time": "10:00", "monitor_id": monitor, "staff_id": staff,
            "mode": "recording", "template": template, "marks": marks, "score": str(score),
            "max": "100", "passed": None, "critical": [], "call": call, "feedback_at": "",
            "feedback_note": "", "dispute": None, "revised": None}


def _seed(floor: Floor, records: list[dict]) -> None:
    with floor.transaction() as tx:
        for n, r in enumerate(records):
            tx.put(f"day/{r['date']}", "qa_evaluations", f"E{n:04d}-{r['monitor_id']}", r)


@pytest.fixture
def two_monitors(staffed: Floor) -> Floor:
    staffed.save_staff(Staff("Q002", "孙丽", "monitor", "monitor", dt.date(2021, 1, 4),
                             Decimal("3000")))
    staffed.save_staff(Staff("Q003", "高峰", "monitor", "monitor", dt.date(2021, 1, 4),
                             Decimal("3000")))
    records = []
    for n in range(12):  # Q003 runs 8 points high; Q001 and Q002 agree
        day = (TODAY - dt.timedelta(days=1 + n % 10)).isoformat()
        records.append(_evaluation("Q001", "A001", day, 80))
        records.append(_evaluation("Q002", "A002", day, 80))
        records.append(_evaluation("Q003", "A003", day, 88))
    _seed(staffed, records)
    return staffed


def test_a_flagged_monitor_is_stopped_no_slots_and_warned(two_monitors: Floor) -> None:
    service = two_monitors.monitoring
    assert service.stopped_monitors(TODAY) == {"Q003": "high"}
    service.ensure_plan(TODAY)
    assert "Q003" not in {r.monitor_id for r in service.day_plan(TODAY).rows}
    record = service.save_evaluation("A001", "Q003", "live", "outbound-100", "")
    assert any("Q003 is stopped" in w for w in record["_warnings"])
    clean = service.save_evaluation("A001", "Q001", "live", "outbound-100", "")
    assert not any("stopped" in w for w in clean["_warnings"])


def test_recalibration_within_the_band_ends_the_stop(two_monitors: Floor) -> None:
    service = two_monitors.monitoring
    with pytest.raises(FloorError, match="not recalibrated: 0 shared calls"):
        service.record_recalibration("Q003")
    shared = []
    for n, (mine, theirs) in enumerate([(82, 80), (78, 80), (84, 80)]):
        shared.append(_evaluation("Q003", "A001", TODAY.isoformat(), mine, call=f"CAL{n}"))
        shared.append(_evaluation("Q001", "A001", TODAY.isoformat(), theirs, call=f"CAL{n}"))
    with two_monitors.transaction() as tx:
        for n, r in enumerate(shared):
            tx.put(f"day/{r['date']}", "qa_evaluations", f"S{n:04d}", r)
    assert "recalibrated on 3 shared calls" in service.record_recalibration("Q003")
    assert service.stopped_monitors(TODAY) == {}
    service.make_plan(TODAY)
    assert "Q003" in {r.monitor_id for r in service.day_plan(TODAY).rows}


def test_recalibration_outside_the_band_is_refused() -> None:
    shared = [cal.Scored("Q3", Decimal(90), "C1"), cal.Scored("Q1", Decimal(80), "C1"),
              cal.Scored("Q3", Decimal(86), "C2"), cal.Scored("Q1", Decimal(80), "C2"),
              cal.Scored("Q3", Decimal(85), "C3"), cal.Scored("Q1", Decimal(80), "C3")]
    check = review.recalibration("Q3", shared, Policy())
    assert check.calls == 3 and check.mean_difference == 7 and not check.within_band


def test_stop_rule_edges() -> None:
    flags = {"Q1": "high", "Q2": "", "Q3": "low"}
    since = {"Q1": dt.date(2026, 11, 1), "Q3": dt.date(2026, 11, 1)}
    assert review.stopped_monitors(flags, {"Q3": dt.date(2026, 11, 1)}, since) == {"Q1": "high"}
    assert review.stopped_monitors(flags, {"Q3": dt.date(2026, 10, 31)}, since) == {
        "Q1": "high", "Q3": "low"}


def test_a_new_monitor_is_paired_with_an_experienced_one(two_monitors: Floor) -> None:
    two_monitors.save_staff(Staff("Q004", "新人", "monitor", "monitor", dt.date(2026, 11, 1),
                                  Decimal("3000")))
    service = two_monitors.monitoring
    assert service.new_monitors(TODAY) == {"Q004"}
    service.ensure_plan(TODAY)
    rows = service.day_plan(TODAY).rows
    mine = [r for r in rows if r.monitor_id == "Q004"]
    assert mine
    for r in mine:
        partners = [o for o in rows if (o.slot, o.staff_id, o.mode) == (r.slot, r.staff_id, r.mode)
                    and o.monitor_id in ("Q001", "Q002")]
        assert partners, r
    record = service.save_evaluation("A001", "Q004", "live", "outbound-100", "")
    assert any("new monitor" in w for w in record["_warnings"])
    paired = service.save_evaluation("A001", "Q004", "live", "outbound-100", "", call="CAL9")
    assert not any("new monitor" in w for w in paired["_warnings"])


def test_leads_hold_plan_slots_when_the_policy_says(staffed: Floor) -> None:
    service = staffed.monitoring
    service.ensure_plan(TODAY)
    assert "L001" not in {r.monitor_id for r in service.day_plan(TODAY).rows}
    with pytest.raises(FloorError, match="L001 is a lead, not a monitor"):
        service.save_evaluation("A001", "L001", "live", "outbound-100", "")
    policy = staffed.policy
    policy.qa_plan_roles = ["monitor", "lead"]
    staffed.save_policy(policy)
    service.make_plan(TODAY)
    assert "L001" in {r.monitor_id for r in service.day_plan(TODAY).rows}
    assert service.save_evaluation("A001", "L001", "live", "outbound-100", "")["score"] == "100"


def test_quarterly_review_horizontal_and_vertical() -> None:
    f = frozenset
    current = ([("Q1", "A", "t", f({"a1"})), ("Q1", "A", "t", f({"a1"})),
                ("Q1", "B", "t", f()), ("Q1", "B", "t", f())]
               + [("Q2", "A", "t", f()), ("Q2", "B", "t", f())])
    previous = [("Q1", "A", "t", f()), ("Q1", "B", "t", f())]
    rows = review.quarterly_review(current, previous, Decimal(20))
    [row] = [r for r in rows if r.monitor_id == "Q1"]
    assert (row.code, row.rate, row.others_rate, row.agent_spread, row.previous_rate) == (
        "a1", 50, 0, 100, 0)
    assert row.flags == ("across-monitors", "across-agents", "across-periods")


def test_quarterly_review_service_covers_the_quarter(two_monitors: Floor) -> None:
    _seed(two_monitors, [_evaluation("Q001", "A001", "2026-10-05", 90, marks="a1"),
                         _evaluation("Q001", "A002", "2026-07-05", 100, marks="")])
    start, end, rows = two_monitors.monitoring.quarterly_review(TODAY)
    assert (start, end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    row = next(r for r in rows if r.monitor_id == "Q001" and r.code == "a1")
    assert row.previous_rate == 0


def test_common_problems_of_the_week(staffed: Floor) -> None:
    service = staffed.monitoring
    service.save_evaluation("A001", "Q001", "live", "outbound-100", "a1x2 b2")
    service.save_evaluation("A002", "Q001", "live", "outbound-100", "a1 f3")
    service.save_evaluation("A003", "Q001", "live", "outbound-100", "b2 c1na")
    monday = at(staffed, "2026-11-16T10:00:00")
    monday.monitoring.save_evaluation("A003", "Q001", "live", "outbound-100", "a1")
    last_week = at(staffed, "2026-11-13T10:00:00")
    last_week.monitoring.save_evaluation("A003", "Q001", "live", "outbound-100", "d2x1")
    start, end, problems = service.common_problems(TODAY)
    assert (start, end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert [(p.code, p.occurrences, p.agents) for p in problems] == [
        ("a1", 4, ("A001", "A002", "A003")), ("b2", 2, ("A001", "A003"))]
    assert service.common_fed_back(start) == ""
    service.give_common_feedback(TODAY, "team meeting")
    assert service.common_fed_back(start)


def test_old_evaluations_keep_reading_with_their_version(staffed: Floor) -> None:
    """An evaluation from before versions (no template_version) reads with v1's items."""
    _seed(staffed, [{**_evaluation("Q001", "A001", "2026-11-02", 94, marks="b1",
                                   versioned=False), "passed": True}])
    [old] = staffed.monitoring.evaluations(dt.date(2026, 11, 2))
    template = staffed.monitoring.template_of(old)
    assert template.version == 1 and template.items()["b1"][1].text_zh.startswith("未用标准开头语")
    new = staffed.monitoring.save_evaluation("A001", "Q001", "live", "hotline-100", "a8!")
    assert new["template_version"] == 2 and new["score"] == "88"
    assert staffed.monitoring.template_of(new).items()["a8"][1].doubling


def test_an_import_of_the_same_id_is_a_new_version(staffed: Floor, tmp_path) -> None:
    data = rules.builtin_templates()["hotline-400"].to_dict()
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    first = staffed.monitoring.save_evaluation("C001", "Q001", "live", "hotline-400", "a1")
    staffed.monitoring.import_template(path)
    assert staffed.monitoring.template("hotline-400").version == 2
    again = staffed.monitoring.save_evaluation("C001", "Q001", "live", "hotline-400", "a1")
    assert again["template_version"] == 2
    assert staffed.monitoring.template_of(first).version == 1


def test_a_centre_pass_mark_from_policy_turns_on_pass_and_follow_up(staffed: Floor) -> None:
    service = staffed.monitoring
    record = service.save_evaluation("A001", "Q001", "live", "outbound-100", "a1x4")
    assert record["passed"] is None and "A001" not in service.follow_up_ids(TODAY)
    assert "pass mark not set" in service.pass_mark_note(service.template("outbound-100"))
    staffed.set_policy_value("qa_pass_marks", '{"outbound-100": 80}')
    later = at(staffed, "2026-11-20T16:00:00").monitoring
    assert later.pass_mark_note(later.template("outbound-100")) == ""
    assert later.save_evaluation("A001", "Q001", "live", "outbound-100", "a1x4")["passed"] is False
    assert "A001" in later.follow_up_ids(TODAY)


@pytest.mark.parametrize(
    ("violations", "over", "expected"),
    [([(1, 1, False)], False, (1, 0, 0, 0)),
     ([(2, 2, False)], False, (0, 2, 2, 0)),
     ([(2, 2, False)], True, (2, 2, 2, 2)),
     ([(2, 1, True), (2, 1, False), (1, 1, False)], True, (2, 2, 1, 1))],
    ids=["level-1", "level-2-open-in-month", "level-2-unremedied-at-month-end",
         "one-remedied-one-not"])
def test_compliance_level_two_counts_as_one_unless_remedied(violations, over, expected) -> None:
    got = review.compliance_month("T1", violations, over)
    assert (got.level_1, got.level_2, got.level_2_open, got.level_2_counted_as_1) == expected


def test_compliance_remedy_and_month(staffed: Floor, capsys) -> None:
    from floorapp.cli.main import run

    service = staffed.monitoring
    key = service.save_evaluation("A001", "Q001", "recording", "telesales-compliance",
                                  "v1 w2 w5", outcome="closed")["_key"]
    with pytest.raises(FloorError, match="no level-2 violation 'v1'"):
        service.remedy_violation(TODAY, key, "v1")
    service.remedy_violation(TODAY, key, "w2", "re-recorded")
    [now] = service.compliance_month(2026, 11)
    assert (now.level_1, now.level_2_open) == (1, 1)
    december = at(staffed, "2026-12-01T09:00:00").monitoring
    [after] = december.compliance_month(2026, 11)
    assert (after.level_1, after.level_2_counted_as_1) == (2, 1)
    assert run(["--store", str(staffed.store.root), "qa", "compliance", "--month", "2026-11",
                "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["staff"][0]["level_2_open"] == 1
    assert run(["--store", str(staffed.store.root), "qa", "compliance", "--month",
                "2026-13"]) == 2


# ------------------------------------------------ like with like: the same card (issue #24)
def _on(monitor: str, card: str, percents: list[int], call: str = "") -> list[cal.Scored]:
    return [cal.Scored(monitor, Decimal(p), call, card) for p in percents]


def _rows(evals: list[cal.Scored]) -> dict[tuple[str, str], cal.CardCalibration]:
    return {(c.id, c.card): c for c in cal.calibration(evals, Policy())}


@pytest.mark.parametrize(
    ("evals", "expected"),
    [
        # Q1 scored only outbound calls, Q2 only 400-line calls: nothing to compare.
        (_on("Q1", "outbound-100", [60] * 6) + _on("Q2", "hotline-400", [95] * 6),
         {("Q1", "outbound-100"): (0, None, ""), ("Q2", "hotline-400"): (0, None, "")}),
        # The same card and a real difference: flagged as before.
        (_on("Q1", "outbound-100", [60] * 6) + _on("Q2", "outbound-100", [95] * 6),
         {("Q1", "outbound-100"): (1, Decimal(-35), "low"),
          ("Q2", "outbound-100"): (1, Decimal(35), "high")}),
        # Q1 on two cards, Q2 on one: Q1 agrees with Q2 on the shared card; its other card
        # (where it scores lower) is not compared. Across cards it would read -15: "low".
        (_on("Q1", "outbound-100", [90] * 5) + _on("Q1", "hotline-400", [60] * 5)
         + _on("Q2", "outbound-100", [90] * 5),
         {("Q1", "outbound-100"): (1, Decimal(0), ""), ("Q1", "hotline-400"): (0, None, ""),
          ("Q2", "outbound-100"): (1, Decimal(0), "")}),
    ],
    ids=["different-cards-no-flag", "same-card-real-difference-flagged",
         "mixed-compared-on-the-shared-card-only"],
)
def test_calibration_compares_like_cards_only(evals: list[cal.Scored], expected: dict) -> None:
    rows = _rows(evals)
    assert {k: (r.peers, r.deviation, r.flag) for k, r in rows.items()} == expected
    assert all(r.compared == bool(r.peers) for r in rows.values())


def test_shared_calls_compared_on_their_card_only() -> None:
    evals = []
    # On one card Q1 scores the shared calls far off Q2 both ways (inconsistent) ...
    for n, (mine, theirs) in enumerate([(95, 80), (65, 80), (96, 84), (68, 80)]):
        evals += _on("Q1", "outbound-100", [mine], f"K{n}") + _on("Q2", "outbound-100",
                                                                   [theirs], f"K{n}")
    # ... and a call id that both used, but on two cards, is no shared call at all.
    evals += _on("Q1", "recording-40", [100], "X1") + _on("Q2", "hotline-100", [40], "X1")
    rows = _rows(evals)
    q1 = rows[("Q1", "outbound-100")]
    assert (q1.shared_calls, q1.shared_difference, q1.flag) == (4, Decimal("13.5"),
                                                                "inconsistent")
    assert (rows[("Q1", "recording-40")].shared_calls,
            rows[("Q1", "recording-40")].shared_difference,
            rows[("Q1", "recording-40")].flag) == (0, None, "")
    assert rows[("Q2", "hotline-100")].flag == ""


def test_recalibration_counts_a_call_on_one_card() -> None:
    shared = [cal.Scored("Q3", Decimal(82), "C1", "outbound-100"),
              cal.Scored("Q1", Decimal(80), "C1", "outbound-100"),
              cal.Scored("Q1", Decimal(20), "C1", "hotline-100")]  # same id, another card
    check = review.recalibration("Q3", shared, Policy())
    assert (check.calls, check.mean_difference) == (1, 2)


def test_deciding_card_high_low_before_inconsistent() -> None:
    rows = [cal.CardCalibration("Q1", "a", 9, Decimal(80), 1, Decimal(2), 4, Decimal(12),
                                "inconsistent"),
            cal.CardCalibration("Q1", "b", 9, Decimal(70), 1, Decimal(-6), 0, None, "low"),
            cal.CardCalibration("Q1", "c", 9, Decimal(60), 1, Decimal(-9), 0, None, "low"),
            cal.CardCalibration("Q2", "a", 9, Decimal(80), 1, Decimal(1), 0, None, "")]
    assert {m: c.card for m, c in cal.deciding(rows).items()} == {"Q1": "c"}


def test_versions_of_one_scale_are_one_card_another_scale_its_own() -> None:
    current = rules.builtin_templates()
    v1 = rules.archived_templates()[("outbound-100", 1)]  # other sections' items and weights
    reworded = dataclasses.replace(current["outbound-100"], version=3, name="reworded",
                                   notes="a new note", pass_mark=Decimal(70))
    found = cal.cards({("outbound-100", 1): v1, ("outbound-100", 2): current["outbound-100"],
                       ("outbound-100", 3): reworded, ("hotline-400", 1): current["hotline-400"],
                       ("gone", 4): None}, current)
    assert found == {("outbound-100", 1): "outbound-100 v1", ("outbound-100", 2): "outbound-100",
                     ("outbound-100", 3): "outbound-100", ("hotline-400", 1): "hotline-400",
                     ("gone", 4): "gone v4"}
    # A period holding one scale of a card names the card alone, whichever version it is.
    assert cal.cards({("outbound-100", 1): v1}, current) == {("outbound-100", 1): "outbound-100"}
    # Two old scales, neither the current one: both named by version.
    old = dataclasses.replace(v1, version=4, sections=current["outbound-100"].sections[:1])
    assert cal.cards({("outbound-100", 1): v1, ("outbound-100", 4): old}, current) == {
        ("outbound-100", 1): "outbound-100 v1", ("outbound-100", 4): "outbound-100 v4"}


@pytest.fixture
def two_cards(staffed: Floor) -> Floor:
    """The issue's floor: Q001 scores only outbound calls (low), Q002 only 400-line calls."""
    staffed.save_staff(Staff("Q002", "孙丽", "monitor", "monitor", dt.date(2021, 1, 4),
                             Decimal("3000")))
    records = []
    for n in range(8):
        day = (TODAY - dt.timedelta(days=1 + n)).isoformat()
        records.append(_evaluation("Q001", "A001", day, 60))
        records.append(_evaluation("Q002", "A002", day, 93, template="hotline-400"))
    _seed(staffed, records)
    return staffed


def test_a_monitor_alone_on_a_card_is_not_compared_nor_stopped(two_cards: Floor) -> None:
    service = two_cards.monitoring
    assert service.stopped_monitors(TODAY) == {}
    service.ensure_plan(TODAY)
    assert {"Q001", "Q002"} <= {r.monitor_id for r in service.day_plan(TODAY).rows}
    record = service.save_evaluation("A001", "Q001", "live", "outbound-100", "")
    assert not any("stopped" in w for w in record["_warnings"])
    report = service.qa_report(2026, 11)
    assert [(r["id"], r["card"], r["deviation"], r["flagged"], r["peers"])
            for r in report.data["monitors"]] == [("Q001", "outbound-100", None, False, 0),
                                                  ("Q002", "hotline-400", None, False, 0)]
    assert "Q001: no other monitor scored outbound-100 this period: not compared" in \
        report.notes
    assert "Q002: no other monitor scored hotline-400 this period: not compared" in \
        report.notes
    text = reports.render(report, "table")
    assert "Quarterly calibration review" not in text
    row = next(line for line in text.splitlines() if line.startswith("Q001"))
    assert "outbound-100" in row and "not compared" in row


def test_a_stop_names_its_card_and_is_lifted_on_that_card_only(two_monitors: Floor,
                                                               capsys) -> None:
    service = two_monitors.monitoring
    stop = service.stops(TODAY)["Q003"]
    assert (stop.flag, stop.card) == ("high", "outbound-100")
    record = service.save_evaluation("A001", "Q003", "live", "outbound-100", "")
    assert any("Q003 is stopped: scores run high on outbound-100" in w
               for w in record["_warnings"])
    assert run(["--store", str(two_monitors.store.root), "qa", "plan"]) == 0
    assert "Q003 stopped (scores run high on outbound-100)" in capsys.readouterr().out
    # Shared calls within the band, but on another card: no recalibration of outbound-100.
    shared = []
    for n in range(3):
        shared.append(_evaluation("Q003", "A001", TODAY.isoformat(), 80, call=f"H{n}",
                                  template="hotline-100"))
        shared.append(_evaluation("Q001", "A001", TODAY.isoformat(), 80, call=f"H{n}",
                                  template="hotline-100"))
    with two_monitors.transaction() as tx:
        for n, r in enumerate(shared):
            tx.put(f"day/{r['date']}", "qa_evaluations", f"H{n:04d}", r)
    with pytest.raises(FloorError, match="not recalibrated: 0 shared calls on outbound-100"):
        service.record_recalibration("Q003")
    assert "Q003" in service.stopped_monitors(TODAY)
