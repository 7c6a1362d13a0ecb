"""Monitoring rules (SPEC §6): templates, scoring edges, deadlines, calibration, sample size."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from floorapp.rules import monitoring as rules
from floorapp.rules.monitoring import calibration as cal
from floorapp.policy import Policy

TEMPLATES = rules.builtin_templates()
OUTBOUND = TEMPLATES["outbound-100"]
RECORDING = TEMPLATES["recording-40"]
HOTLINE = TEMPLATES["hotline-100"]


def scored(template: rules.Template, marks: str) -> rules.Score:
    return rules.score(template, rules.parse_marks(marks, template))


def test_builtins_follow_the_spec() -> None:
    assert [(s.name, s.max) for s in OUTBOUND.sections] == [
        ("业务能力", 50), ("服务态度", 25), ("专业技巧", 20), ("总体评价", 5), ("诈单", 0)]
    criticals = [i.code for s in OUTBOUND.sections for i in s.items if i.kind == "critical"]
    assert criticals == ["f1", "f2", "f3", "f4", "f5", "f6"]
    assert RECORDING.max == 40
    assert HOTLINE.max == 100 and HOTLINE.pass_mark is None
    assert {i.weight for s in HOTLINE.sections for i in s.items} == {10, 6, 5}
    assert all(i.per_occurrence for s in HOTLINE.sections for i in s.items)


def test_builtins_round_trip_through_json() -> None:
    for template in TEMPLATES.values():
        again = rules.template_from_dict(json.loads(json.dumps(template.to_dict())))
        assert again == template


# The forms print no pass mark for these: the tests set the centre's (policy) value.
OUTBOUND_80 = OUTBOUND.with_pass_mark(Decimal(80))
HOTLINE_60 = HOTLINE.with_pass_mark(Decimal(60))
RECORDING_32 = RECORDING.with_pass_mark(Decimal(32))


@pytest.mark.parametrize(
    ("template", "marks", "total", "passed"),
    [
        (OUTBOUND_80, "", 100, True),
        (OUTBOUND_80, "a1", 90, True),
        (OUTBOUND_80, "a1x2", 80, True),  # per occurrence; exactly the pass mark
        (OUTBOUND_80, "a1x2 d1", 78, False),  # just under the pass mark
        (OUTBOUND_80, "a3x4", 90, True),  # not per_occurrence: counts once
        (OUTBOUND_80, "a3 a3", 90, True),  # typed twice: still once
        (OUTBOUND_80, "a1x6", 50, False),  # section floor at zero: 业务能力 cannot go below 0
        (OUTBOUND_80, "b3x3", 75, False),  # 服务态度 floors at 0, not -5
        (OUTBOUND_80, "f3", 0, False),  # a critical: total 0, fail
        (OUTBOUND_80, "f1 a1", 0, False),
        (HOTLINE_60, "a1x4", 60, True),
        (HOTLINE_60, "a1x4 a13", 55, False),
        (HOTLINE_60, "a1x2 a8x3 a13x2", 52, False),
        (HOTLINE_60, "a1x11", 0, False),  # base 100, floor at zero
        (RECORDING_32, "a1 b3", 37, True),
        (RECORDING_32, "e1", 29, False),
    ],
    ids=["clean", "one-deduct", "per-occurrence-exactly-pass", "one-point-under-pass",
         "not-per-occurrence-counts-once", "typed-twice-counts-once", "section-floor-zero",
         "section-floor-zero-b", "critical-zero", "critical-with-deducts",
         "hotline-exactly-60-passes", "hotline-under-60-fails", "hotline-mixed",
         "hotline-floor", "recording-two-y", "recording-centre-section"],
)
def test_score(template: rules.Template, marks: str, total: int, passed: bool) -> None:
    result = scored(template, marks)
    assert result.total == total
    assert result.passed is passed


def test_no_pass_mark_is_neither_pass_nor_fail_but_fraud_still_fails() -> None:
    assert scored(OUTBOUND, "").passed is None
    assert scored(OUTBOUND, "a1x6").passed is None
    assert scored(OUTBOUND, "f1").passed is False


def test_critical_is_named() -> None:
    result = scored(OUTBOUND, "f2 b1")
    assert result.criticals == ("f2",)
    assert result.percent == 0


def test_na_drops_out_of_the_maximum() -> None:
    result = rules.score(RECORDING_32, rules.parse_marks("b3na d1na a1", RECORDING_32))
    assert result.max == 36
    assert result.total == 35
    assert result.percent == Decimal(35) * 100 / 36
    assert result.passed


def test_na_on_every_item_of_a_section_floors_its_maximum_at_zero() -> None:
    marks = " ".join(f"{i.code}na" for i in RECORDING.sections[0].items)
    result = scored(RECORDING, marks)
    assert result.sections[0].max == 0 and result.max == 35 and result.total == 35


@pytest.mark.parametrize(
    ("marks", "message"),
    [("zz9", "unknown item code 'zz9'"), ("a1x", "'a1x' is not an item code"),
     ("a1x0", "count must be 1 or more"), ("a1 a1na", "both N/A and as a fault"),
     ("hello", "'hello' is not an item code")],
    ids=["unknown-code", "count-missing", "count-zero", "na-and-fault", "not-a-code"],
)
def test_bad_marks_name_the_code(marks: str, message: str) -> None:
    with pytest.raises(rules.MarksError, match=message):
        rules.parse_marks(marks, OUTBOUND)


def test_marks_parse_case_and_commas() -> None:
    assert rules.marks_text(rules.parse_marks("A1X2, b3 a1", OUTBOUND)) == "a1x3 b3"


def _template(**changes: object) -> dict:
    data = {"id": "t1", "name": "Test", "pass_mark": 6, "sections": [
        {"name": "S", "max": 10, "items": [
            {"code": "a1", "text": "x", "weight": 2, "kind": "deduct", "per_occurrence": True}]}]}
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_template(id="Bad Id"), "id 'Bad Id' must be"),
        (_template(pass_mark=11), "pass_mark 11 must be between 0 and the template's maximum 10"),
        (_template(pass_mark="x"), "pass_mark must be a number"),
        ({k: v for k, v in _template().items() if k != "sections"}, "missing key"),
        (_template(extra=1), "unknown key\\(s\\): extra"),
        (_template(sections=[]), "sections must be a non-empty list"),
        (_template(sections=[{"name": "S", "max": 10, "items": [
            {"code": "a1", "text": "x", "weight": 2, "kind": "bonus", "per_occurrence": True}]}]),
         r"sections\[0\]\.items\[0\]\.kind 'bonus'"),
        (_template(sections=[{"name": "S", "max": 10, "items": [
            {"code": "1a", "text": "x", "weight": 2, "kind": "deduct", "per_occurrence": True}]}]),
         r"sections\[0\]\.items\[0\]\.code '1a'"),
        (_template(sections=[{"name": "S", "max": 10, "items": [
            {"code": "a1", "text": "x", "weight": 0, "kind": "deduct", "per_occurrence": True}]}]),
         r"items\[0\]\.weight 0 must be above 0"),
        (_template(sections=[{"name": "S", "max": 10, "items": [
            {"code": "a1", "text": "x", "weight": 1, "kind": "deduct", "per_occurrence": "y"}]}]),
         "per_occurrence must be true or false"),
        (_template(sections=[{"name": "S", "max": 10, "items": [
            {"code": "a1", "text": "x", "weight": 1, "kind": "deduct", "per_occurrence": True},
            {"code": "a1", "text": "y", "weight": 1, "kind": "deduct", "per_occurrence": True}]}]),
         r"items\[1\]\.code a1 is also used at sections\[0\]\.items\[0\]"),
        (_template(sections=[{"name": "S", "max": -1, "items": [
            {"code": "a1", "text": "x", "weight": 1, "kind": "deduct", "per_occurrence": True}]}]),
         "max cannot be negative"),
    ],
    ids=["bad-id", "pass-above-max", "pass-not-number", "missing-sections", "unknown-key",
         "no-sections", "bad-kind", "bad-code", "zero-weight", "per-occurrence-not-bool",
         "duplicate-code", "negative-max"],
)
def test_template_validation_says_what_is_wrong(data: dict, message: str) -> None:
    with pytest.raises(rules.TemplateError, match=message):
        rules.template_from_dict(data)


# ------------------------------------------------------------------ deadlines
def weekdays(day: dt.date) -> bool:
    return day.weekday() < 5


@pytest.mark.parametrize(
    ("day", "due"),
    [(dt.date(2026, 11, 18), dt.date(2026, 11, 19)),
     (dt.date(2026, 11, 20), dt.date(2026, 11, 23)),
     (dt.date(2026, 11, 21), dt.date(2026, 11, 23))],
    ids=["wednesday-thursday", "friday-monday", "saturday-monday"],
)
def test_feedback_due_one_working_day(day: dt.date, due: dt.date) -> None:
    assert rules.feedback_due(day, weekdays, 1) == due


@pytest.mark.parametrize(
    ("given", "today", "overdue"),
    [(False, dt.date(2026, 11, 23), False), (False, dt.date(2026, 11, 24), True),
     (True, dt.date(2026, 11, 30), False)],
    ids=["on-the-due-day", "day-after-due", "given"],
)
def test_feedback_overdue(given: bool, today: dt.date, overdue: bool) -> None:
    assert rules.feedback_overdue(dt.date(2026, 11, 23), given, today) is overdue


def test_dispute_only_on_the_report_day() -> None:
    day = dt.date(2026, 11, 20)
    assert rules.dispute_refusal(day, day) is None
    assert "only on the day" in rules.dispute_refusal(day, day + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("results", "follow"),
    [([], False), ([("1", True)], False), ([("1", False)], True),
     ([("1", False), ("2", True)], False), ([("1", True), ("2", False)], True),
     ([("1", False), ("2", False), ("3", True)], False)],
    ids=["none", "pass", "fail", "fail-then-pass", "pass-then-fail", "two-fails-then-pass"],
)
def test_follow_up_until_a_pass(results: list, follow: bool) -> None:
    assert rules.under_follow_up(results) is follow


# ---------------------------------------------------------------- calibration
def _cal(high: list[str], others: list[str]) -> dict[str, cal.CardCalibration]:
    evals = [cal.Scored("Q1", Decimal(p)) for p in high]
    evals += [cal.Scored("Q2", Decimal(p)) for p in others]
    return {c.id: c for c in cal.calibration(evals, Policy())}


@pytest.mark.parametrize(
    ("mine", "flag"),
    [(["85"] * 5, ""), (["85.01"] * 5, "high"), (["74.99"] * 5, "low"), (["75"] * 5, ""),
     (["90"] * 4, ""), (["90"] * 5, "high")],
    ids=["deviation-exactly-5", "just-over-5-high", "just-over-5-low", "exactly-minus-5",
         "4-evaluations-too-few", "5-evaluations-enough"],
)
def test_calibration_flag_edges(mine: list[str], flag: str) -> None:
    result = _cal(mine, ["80"] * 6)
    assert result["Q1"].flag == flag
    assert result["Q1"].mean == Decimal(mine[0])
    assert result["Q1"].deviation == Decimal(mine[0]) - 80


def test_inconsistent_on_shared_calls_inside_the_band() -> None:
    policy = Policy()
    evals = []
    # Q1 scores shared calls far off the others both ways: the mean stays level.
    for n, (mine, theirs) in enumerate([("95", "80"), ("65", "80"), ("96", "84"), ("68", "80")]):
        evals += [cal.Scored("Q1", Decimal(mine), f"K{n}"),
                  cal.Scored("Q2", Decimal(theirs), f"K{n}"),
                  cal.Scored("Q3", Decimal(theirs), f"K{n}")]
    result = {c.id: c for c in cal.calibration(evals, policy)}
    assert abs(result["Q1"].deviation) <= 5
    assert result["Q1"].shared_difference > 10
    assert result["Q1"].flag == "inconsistent"
    assert result["Q2"].flag == ""


def test_shared_difference_exactly_at_threshold_is_not_inconsistent() -> None:
    evals = [cal.Scored("Q1", Decimal("90"), "K"), cal.Scored("Q2", Decimal("80"), "K")]
    result = {c.id: c for c in cal.calibration(evals, Policy())}
    assert result["Q1"].shared_difference == 10
    assert result["Q1"].flag == ""


def test_single_monitor_has_no_deviation() -> None:
    result = cal.calibration([cal.Scored("Q1", Decimal("50"))] * 9, Policy())
    assert result[0].deviation is None and result[0].flag == ""


# ---------------------------------------------------------------- sample size
@pytest.mark.parametrize(
    ("population", "confidence", "margin", "n"),
    [(10000, "0.95", "0.05", 370), (100, "0.95", "0.05", 80), (1, "0.95", "0.05", 1),
     (1000000, "0.95", "0.05", 384), (10000, "0.99", "0.05", 623),
     (10000, "0.95", "0.03", 965)],
    ids=["10000", "100", "one-call", "huge", "99-percent", "3-percent-margin"],
)
def test_sample_size(population: int, confidence: str, margin: str, n: int) -> None:
    assert rules.sample_size(population, Decimal(confidence), Decimal(margin),
                             Decimal("0.5")) == n


def test_rules_stay_pure() -> None:
    import subprocess
    import sys

    code = ("import sys, floorapp.rules.monitoring; "
            "print(sorted(m for m in ('textual', 'tinydb', 'store') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(("typed", "read"), [
    ("a1x2b3c1", "a1x2 b3 c1"),
    ("a1b3 c4na", "a1 b3 c4na"),
    ("A1X2B3", "a1x2 b3"),
], ids=["unspaced", "half-spaced-with-na", "unspaced-upper"])
def test_marks_without_spaces(typed: str, read: str) -> None:
    assert rules.marks_text(rules.parse_marks(typed, OUTBOUND)) == read


def test_unspaced_marks_name_the_bad_piece() -> None:
    with pytest.raises(rules.MarksError, match="unknown item code 'xb3'"):
        rules.parse_marks("a1xb3", OUTBOUND)
    with pytest.raises(rules.MarksError, match="'a1x2b' is not an item code"):
        rules.parse_marks("a1x2b", OUTBOUND)
