"""The built-in scorecards are the forms of [003], item for item (SPEC §6 rev. 12-2026): per
scorecard a full mark, each deduction, doubling, the floor at zero, a fraud case, N/A; the
marks as a monitor types them (spaces optional, ! doubles); versions kept for old scores."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from floorapp.rules import monitoring as rules

TEMPLATES = rules.builtin_templates()
# the source documents sit in ../shared beside the checkout (or beside a worktree's parent)
SEED = next((folder / "shared" / "seeds" / "003_8f81431cfd2c5d41.txt"
             for folder in Path(__file__).resolve().parents
             if (folder / "shared" / "seeds" / "003_8f81431cfd2c5d41.txt").exists()),
            Path("/nonexistent"))


def scored(template_id: str, marks: str, pass_mark: Decimal | None = None) -> rules.Score:
    template = TEMPLATES[template_id].with_pass_mark(pass_mark)
    return rules.score(template, rules.parse_marks(marks, template))


def deduct_items(template_id: str) -> list[rules.Item]:
    return [i for s in TEMPLATES[template_id].sections for i in s.items if i.kind == "deduct"]


def test_the_six_scorecards_are_built_in_and_versioned() -> None:
    assert sorted(TEMPLATES) == ["hotline-100", "hotline-400", "outbound-100", "recording-40",
                                 "service-40", "telesales-compliance"]
    assert {t: TEMPLATES[t].version for t in ("outbound-100", "recording-40",
                                              "hotline-100")} == {
        "outbound-100": 3, "recording-40": 2, "hotline-100": 2}
    archived = rules.archived_templates()
    assert archived[("outbound-100", 1)].pass_mark == 80  # what old evaluations were scored with
    assert archived[("outbound-100", 2)].items()["a2"][1].text_zh == "资费讲解错误"  # as it was
    assert archived[("hotline-100", 1)].items()["b1"][1].text_zh == "提前挂机"


@pytest.mark.skipif(not SEED.exists(), reason="the source documents are beside the worktrees")
@pytest.mark.parametrize("template_id", ["recording-40", "service-40", "hotline-100",
                                         "hotline-400", "telesales-compliance"])
def test_every_printed_item_is_in_the_source_as_printed(template_id: str) -> None:
    """Each item not marked as the centre's carries the source's own words."""
    source = "".join(SEED.read_text("utf-8").split())
    for section in TEMPLATES[template_id].sections:
        for item in section.items:
            if item.source == "centre":
                continue
            words = "".join(item.text_zh.split())
            # The service form's items and the fraud cases are printed on one line each.
            assert words in source, (template_id, item.code, item.text_zh)


def test_items_the_form_does_not_list_are_marked_centre() -> None:
    outbound = TEMPLATES["outbound-100"]
    for section in outbound.sections:
        for item in section.items:
            assert (item.source == "centre") == (item.kind != "critical"), item.code
    recording = TEMPLATES["recording-40"]
    assert [(s.name, s.max_source) for s in recording.sections if s.max_source] == [
        ("预处理能力", "centre"), ("数量", "centre")]
    assert TEMPLATES["hotline-400"].sections[0].max_source == "centre"


def test_no_pass_mark_where_the_forms_print_none() -> None:
    assert {t: TEMPLATES[t].pass_mark for t in TEMPLATES} == {
        "outbound-100": None, "recording-40": None, "service-40": None, "hotline-100": None,
        "hotline-400": 40, "telesales-compliance": None}


# ------------------------------------------------------------------ outbound-100 [003 质检考核标准]
def test_outbound_full_mark_and_sections() -> None:
    result = scored("outbound-100", "")
    assert result.total == 100 and result.passed is None
    assert [s.max for s in result.sections] == [50, 25, 20, 5, 0]


@pytest.mark.parametrize("item", deduct_items("outbound-100"), ids=lambda i: f"deduct-{i.code}")
def test_outbound_each_deduction(item: rules.Item) -> None:
    assert scored("outbound-100", item.code).total == 100 - item.weight


@pytest.mark.parametrize("code", ["f1", "f2", "f3", "f4", "f5", "f6"],
                         ids=lambda c: f"fraud-{c}")
def test_outbound_fraud_scores_zero_and_fails_even_without_a_pass_mark(code: str) -> None:
    result = scored("outbound-100", f"{code} a1")
    assert result.total == 0 and result.passed is False and result.criticals == (code,)


def test_outbound_fraud_four_has_the_upset_refusal() -> None:
    f4 = TEMPLATES["outbound-100"].items()["f4"][1]
    assert "明确拒绝,且情绪激动" in f4.text_zh and "三次表达不需要" in f4.text_zh


def test_outbound_floor_at_zero_per_section() -> None:
    result = scored("outbound-100", "a1x9 b3x4")  # 业务能力 −90 → 0; 服务态度 −40 → 0
    assert [s.score for s in result.sections[:2]] == [0, 0] and result.total == 25


def test_outbound_na_and_a_centre_pass_mark() -> None:
    result = scored("outbound-100", "a1na a1na", pass_mark=Decimal(80))
    assert result.max == 90 and result.total == 90 and result.passed is True


# ------------------------------------------------------------------ recording-40 [003 录音评分标准]
def test_recording_items_are_faults_with_the_printed_y_values() -> None:
    items = TEMPLATES["recording-40"].items()
    printed = {"a1": 1, "a2": 1, "a3": 1, "a4": 1, "a5": 1, "b1": Decimal("0.5"),
               "b2": Decimal("0.5"), "b3": 2, "b4": 1, "c1": 1, "c2": 1, "c3": 1, "c4": 1,
               "d1": 2, "d2": 1, "d3": 1, "d4": 1}
    assert {code: items[code][1].weight for code in printed} == printed
    assert items["a1"][1].text_zh == "敷衍、推诿"
    assert dict(items["b3"][1].extra)["marking"] == "Y=2,N=0/NA"


def test_recording_full_mark_each_y_and_na() -> None:
    assert scored("recording-40", "").total == 40
    assert scored("recording-40", "b1 b2").total == 39
    result = scored("recording-40", "b3na d1")
    assert result.max == 38 and result.total == 36


def test_recording_floor_at_zero() -> None:
    result = scored("recording-40", "a1 a2 a3 a4 a5")
    assert result.sections[0].score == 0 and result.total == 35


# ------------------------------------------------------------------ service-40 [003 电话录音监听评分标准]
def test_service_forty_has_the_fourteen_printed_values() -> None:
    items = [i for s in TEMPLATES["service-40"].sections for i in s.items]
    assert [int(i.weight) for i in items] == [2, 2, 2, 3, 4, 3, 4, 3, 3, 3, 3, 3, 3, 2]
    assert items[-1].text_zh == "客户信息及客户问题记录准确无误"
    assert all(i.criterion for i in items)  # printed as standards: typing a code = not met


def test_service_forty_full_mark_each_not_met_and_floor() -> None:
    assert scored("service-40", "").total == 40
    assert scored("service-40", "s5").total == 36
    every = " ".join(f"s{n}" for n in range(1, 15))
    assert scored("service-40", every).total == 0
    assert scored("service-40", "s5na").max == 36


# ------------------------------------------------------------------ hotline-100 [003 服务规范考核条例]
def test_hotline_seventeen_deductions_at_their_printed_values() -> None:
    items = [i for s in TEMPLATES["hotline-100"].sections for i in s.items]
    assert [int(i.weight) for i in items] == [10, 10, 10, 10, 10, 10, 10, 6, 10, 10, 10, 6, 5,
                                              5, 5, 10, 6]
    assert [i.code for i in items if i.doubling] == ["a8", "a9", "a10", "a17"]
    assert items[7].doubling_zh == "造成客户不满或引起投诉的加倍扣罚"


@pytest.mark.parametrize("item", deduct_items("hotline-100"), ids=lambda i: f"deduct-{i.code}")
def test_hotline_each_deduction_per_occurrence(item: rules.Item) -> None:
    assert scored("hotline-100", f"{item.code}x2").total == 100 - 2 * item.weight


@pytest.mark.parametrize(
    ("marks", "total"),
    [("a8!", 88), ("a8 a8!", 82), ("a8x2!", 76), ("a17!a9!", 68), ("a10! a10", 70)],
    ids=["doubled-once", "one-plain-one-doubled", "two-doubled", "unspaced-doubled",
         "doubled-then-plain"])
def test_hotline_doubling(marks: str, total: int) -> None:
    assert scored("hotline-100", marks).total == total


def test_hotline_doubling_only_where_the_rule_doubles_and_floor_at_zero() -> None:
    with pytest.raises(rules.MarksError, match="does not double"):
        rules.parse_marks("a1!", TEMPLATES["hotline-100"])
    assert scored("hotline-100", "a17x9!").total == 0  # −108 floors at 0
    assert scored("hotline-100", "a6na").max == 90


def test_doubled_marks_round_trip_as_text() -> None:
    template = TEMPLATES["hotline-100"]
    text = rules.marks_text(rules.parse_marks("a8 a8! a1x2", template))
    assert text == "a8 a8! a1x2"
    assert rules.marks_text(rules.parse_marks(text, template)) == text


# ------------------------------------------------------------------ hotline-400 [003 400电话服务质量考核]
def test_hotline_400_values_and_the_printed_fail_under_40() -> None:
    assert {c: int(i.weight) for c, (_s, i) in TEMPLATES["hotline-400"].items().items()} == {
        "a1": 1, "a2": 1, "b1": 2, "b2": 2, "b3": 2, "b4": 2}
    assert scored("hotline-400", "").total == 100
    assert scored("hotline-400", "a1x10 b4x25").total == 40  # 40 is not under 40
    assert scored("hotline-400", "a1x10 b4x25").passed is True
    assert scored("hotline-400", "a1x11 b4x25").passed is False
    assert scored("hotline-400", "b1x60").total == 0
    assert scored("hotline-400", "a2na").max == 99


# ------------------------------------------------------------------ telesales-compliance [003 合规部分]
def test_compliance_records_violations_without_points() -> None:
    template = TEMPLATES["telesales-compliance"]
    assert not template.scored
    levels = {c: i.level for c, (_s, i) in template.items().items()}
    assert [c for c, level in levels.items() if level == 1] == ["v1", "v2", "v3"]
    assert len([c for c, level in levels.items() if level == 2]) == 8
    result = scored("telesales-compliance", "v2 w5x2")
    assert result.violations == (("v2", 1, 1), ("w5", 2, 2))
    assert result.passed is None and result.total == 0 and result.max == 0
    assert scored("telesales-compliance", "").violations == ()
    assert scored("telesales-compliance", "w7na").violations == ()


# ------------------------------------------------------------------ marks as typed
@pytest.mark.parametrize(
    ("typed", "text"),
    [("a1x2b3c1", "a1x2 b3 c1"), ("a1 b3", "a1 b3"), ("A1X2,B3", "a1x2 b3"),
     ("a1nab3", "a1na b3")],
    ids=["unspaced", "spaced", "upper-and-comma", "unspaced-na"])
def test_marks_with_or_without_spaces(typed: str, text: str) -> None:
    assert rules.marks_text(rules.parse_marks(typed, TEMPLATES["outbound-100"])) == text


def test_a_bad_piece_inside_unspaced_marks_names_the_word() -> None:
    with pytest.raises(rules.MarksError, match="'a1zz' is not an item code"):
        rules.parse_marks("a1zz", TEMPLATES["outbound-100"])


def test_template_json_keeps_the_new_fields() -> None:
    for template in TEMPLATES.values():
        assert rules.template_from_dict(json.loads(json.dumps(template.to_dict()))) == template
    bad = TEMPLATES["hotline-100"].to_dict()
    bad["sections"][0]["items"][0]["source"] = "made-up"
    with pytest.raises(rules.TemplateError, match=r"items\[0\]\.source 'made-up'"):
        rules.template_from_dict(bad)


def test_recording_forty_requirement_items_read_as_not_met_when_typed() -> None:
    """Issue #25: b1, b2 are printed as requirements (专业的开头语…); typing the code deducts, so
    they are criteria: shown "not met: …", never the requirement alone. The card's note says
    why 数量 (a monthly ranking) is an item of a call and how the 22 unprinted points split."""
    items = TEMPLATES["recording-40"].items()
    assert [code for code, (_s, i) in items.items() if i.criterion] == ["b1", "b2"]
    assert scored("recording-40", "b1 b2").total == 39  # the deduction itself is unchanged
    notes = TEMPLATES["recording-40"].notes
    assert "NOT met" in notes and "11 each" in notes and "g1na" in notes
    archived = rules.archived_templates()[("recording-40", 1)].items()
    assert not archived["b1"][1].criterion  # the archive is as it was


def test_telesales_card_follows_the_print_and_says_so() -> None:
    """Issue #25: w6 sits in the level-2 block (followed, and said); 「销售流程混乱」 is printed
    with no points or level and is in no card (said)."""
    card = TEMPLATES["telesales-compliance"]
    assert card.items()["w6"][1].level == 2
    assert "w6" in card.notes and "level-2 block" in card.notes
    assert "销售流程混乱" in card.notes and "销售流程混乱" in card.notes_zh
    assert all("销售流程混乱" not in i.text_zh for t in TEMPLATES.values()
               for s in t.sections for i in s.items)
