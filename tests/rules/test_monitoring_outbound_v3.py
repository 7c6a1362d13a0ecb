"""outbound-100 version 3 (issue #25): [003] prints the four sections (业务能力 50, 服务态度 25,
专业技巧 20, 总体评价 5) and the six fraud cases (诈单) only; the items are the centre's, built
on the five listening points [004] names for outbound QC. No item covers what a fraud case
covers, none disagrees with another card, and evaluations scored with v2 keep v2."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import floorapp
from floorapp.rules import monitoring as rules
from floorapp.services import Floor

TEMPLATES = rules.builtin_templates()
V3 = TEMPLATES["outbound-100"]
V2 = rules.archived_templates()[("outbound-100", 2)]
TODAY = dt.date(2026, 11, 20)
SEEDS = next((folder / "shared" / "seeds" for folder in Path(__file__).resolve().parents
              if (folder / "shared" / "seeds" / "004_69ae098a89f3e70f.txt").exists()),
             Path("/nonexistent"))

# [004] 外呼质检: 「监听情况包括:标准的欢迎语及结束语、语调及音质、礼貌及服务用语、专心及聆听技巧、
# 信息的准确性及问卷的完整性」
POINTS = ("标准的欢迎语及结束语", "语调及音质", "礼貌及服务用语", "专心及聆听技巧",
          "信息的准确性及问卷的完整性")
P1, P2, P3, P4, P5 = POINTS

# The card as the centre set it: code → (section, weight, per occurrence, [004] point).
CARD = {
    "a1": ("业务能力", 10, True, P5), "a2": ("业务能力", 10, True, P5),
    "a3": ("业务能力", 10, False, P5), "a4": ("业务能力", 5, False, P5),
    "a5": ("业务能力", 5, False, P5), "a6": ("业务能力", 5, True, P5),
    "a7": ("业务能力", 5, True, P4),
    "b1": ("服务态度", 5, False, P1), "b2": ("服务态度", 1, True, P3),
    "b3": ("服务态度", 10, True, P3), "b4": ("服务态度", 3, True, P4),
    "b5": ("服务态度", 5, False, P1), "b6": ("服务态度", 6, False, P1),
    "c1": ("专业技巧", 5, False, P2), "c2": ("专业技巧", 2, True, P2),
    "c3": ("专业技巧", 5, False, P2), "c4": ("专业技巧", 3, True, P4),
    "c5": ("专业技巧", 5, False, P4),
    "d1": ("总体评价", 2, False, P2), "d2": ("总体评价", 3, False, P4),
}

# Each fraud case's topic, in its own printed words (Chinese) and the English that would say
# the same: an item naming any of them would let a monitor score a fraud case as a deduction
# (v2's a2 资费讲解错误 did, for f5).
FRAUD_TOPICS = {
    "f1": (("许可", "擅自", "开通"), ("permission", "consent", "opened", "switched on")),
    "f2": (("开通", "套餐", "推荐的业务"), ("package", "plan", "opened")),
    "f3": (("模糊", "诱导", "试用", "免费", "优惠", "取消"),
           ("vague", "lure", "trial", "try it", "free", "offer", "cancel")),
    "f4": (("拒绝", "强迫", "推荐", "不需要办理"), ("refus", "push", "pitch", "recommend", "force")),
    "f5": (("业务功能", "资费", "收费", "介绍", "业务"),
           ("feature", "fee", "charg", "price", "tariff", "explain", "product", "service ")),
    "f6": (("身份", "机主", "持有者", "换人"), ("identity", "subscriber", "holder", "who was")),
}

# Faults another card on a 100-point scale names, and how v3 stands to each: the same fault
# with the same points (and doubling), quoted in the card's note; or left off v3.
SAME_FAULT = {"b6": ("hotline-100", "a8"), "b2": ("hotline-400", "a1")}
LEFT_OFF = [("hotline-100", "a1", "语气生硬"), ("hotline-400", "a2", "服务态度恶劣")]


def test_v3_is_the_current_card_and_v2_is_archived_as_it_was() -> None:
    assert V3.version == 3 and V2.version == 2
    assert V2.items()["a2"][1].text_zh == "资费讲解错误" and V2.items()["b6"][1].weight == 5
    archived = Path(floorapp.__file__).parent / "data" / "qa-archive" / "qa-outbound-100.v2.json"
    assert rules.template_from_dict(json.loads(archived.read_text("utf-8"))) == V2


def test_v3_sections_carry_the_printed_points() -> None:
    scored = [(s.name, s.max, s.max_source) for s in V3.sections if s.max]
    assert scored == [("业务能力", 50, ""), ("服务态度", 25, ""), ("专业技巧", 20, ""),
                      ("总体评价", 5, "")]
    assert sum(s.max for s in V3.sections) == V3.max == 100
    assert rules.score(V3, []).total == 100
    assert V3.pass_mark is None  # the form prints none; policy qa_pass_marks, unset


def test_v3_items_are_the_table_above() -> None:
    found = {i.code: (s.name, i.weight, i.per_occurrence, dict(i.extra).get("focus"))
             for s in V3.sections for i in s.items if i.kind == "deduct"}
    assert found == CARD


@pytest.mark.parametrize("code", sorted(CARD), ids=lambda c: f"point-{c}")
def test_every_item_is_on_one_listening_point_and_the_centres(code: str) -> None:
    item = V3.items()[code][1]
    assert dict(item.extra)["focus"] in POINTS
    assert item.source == "centre" and item.kind == "deduct"
    assert item.text_zh and item.text and item.text != item.text_zh


def test_every_listening_point_has_an_item_and_the_note_names_them() -> None:
    assert {point for *_rest, point in CARD.values()} == set(POINTS)
    assert "、".join(POINTS) in V3.notes_zh and "、".join(POINTS) in V3.notes
    assert "中心定的" in V3.notes_zh and "are the centre's" in V3.notes


@pytest.mark.skipif(not SEEDS.exists(), reason="the source documents are beside the worktrees")
def test_the_five_points_are_printed_in_004_and_the_sections_in_003() -> None:
    s004 = (SEEDS / "004_69ae098a89f3e70f.txt").read_text("utf-8")
    s003 = (SEEDS / "003_8f81431cfd2c5d41.txt").read_text("utf-8")
    assert "监听情况包括:" + "、".join(POINTS) in s004
    assert "业务能力(50分)、服务态度(25分)、专业技巧(20分)、总体评价(5分)" in s003


@pytest.mark.parametrize("fraud", sorted(FRAUD_TOPICS), ids=lambda f: f"topic-{f}")
def test_the_fraud_topics_are_the_fraud_cases_own_words(fraud: str) -> None:
    text = V3.items()[fraud][1].text_zh
    assert V3.items()[fraud][1].kind == "critical"
    words, _english = FRAUD_TOPICS[fraud]
    assert any(word in text for word in words), (fraud, words)


def overlaps(item: rules.Item) -> list[str]:
    """The fraud cases whose topic the item's text names."""
    hits = []
    for fraud, (words, english) in FRAUD_TOPICS.items():
        if any(w in item.text_zh for w in words) or any(e in item.text.lower() + " "
                                                          for e in english):
            hits.append(fraud)
    return hits


@pytest.mark.parametrize(("code", "fraud"),
                         [(c, f) for c in sorted(CARD) for f in sorted(FRAUD_TOPICS)],
                         ids=lambda v: v)
def test_no_item_names_a_fraud_cases_topic(code: str, fraud: str) -> None:
    assert fraud not in overlaps(V3.items()[code][1])


def test_the_check_catches_v2s_overlaps() -> None:
    """The same check on v2: a2 (资费讲解错误) is f5's topic, a1 (产品/业务介绍) too."""
    assert "f5" in overlaps(V2.items()["a2"][1]) and "f5" in overlaps(V2.items()["a1"][1])


def test_a_fraud_case_alone_governs_the_call() -> None:
    result = rules.score(V3, rules.parse_marks("f5 a1", V3))
    assert result.total == 0 and result.passed is False and result.criticals == ("f5",)
    assert "qa_fraud_outcome" in V3.notes and "qa_fraud_outcome" in V3.notes_zh


@pytest.mark.parametrize("code", sorted(SAME_FAULT), ids=lambda c: f"same-{c}")
def test_a_fault_another_card_names_costs_what_it_costs_there(code: str) -> None:
    card, other_code = SAME_FAULT[code]
    mine, theirs = V3.items()[code][1], TEMPLATES[card].items()[other_code][1]
    assert TEMPLATES[card].max == 100
    assert (mine.weight, mine.doubling, mine.doubling_zh) == \
        (theirs.weight, theirs.doubling, theirs.doubling_zh)
    assert f"{code} " in V3.notes and f"{code} " in V3.notes_zh


def test_the_notes_quote_the_other_cards() -> None:
    assert "「正常咨询且客户没有挂机的情况下,客户代表提前挂机…」" in V3.notes_zh
    assert "「造成客户不满或引起投诉的加倍扣罚」" in V3.notes_zh
    assert "「通话中未使用礼貌用语及服务态度恶劣,一次记扣1分处理」" in V3.notes_zh
    assert "hotline-100 a8" in V3.notes and "400-line rule of [003]" in V3.notes


def test_hanging_up_first_is_minus_six_doubled_when_it_upset_the_customer() -> None:
    assert rules.score(V3, rules.parse_marks("b6", V3)).total == 94
    assert rules.score(V3, rules.parse_marks("b6!", V3)).total == 88
    assert rules.score(V2, rules.parse_marks("b6", V2)).total == 95  # v2's −5, kept for v2


@pytest.mark.parametrize(("card", "code", "words"), LEFT_OFF, ids=lambda v: str(v))
def test_faults_another_card_prices_otherwise_are_left_off(card: str, code: str,
                                                           words: str) -> None:
    assert words in TEMPLATES[card].items()[code][1].text_zh
    assert not any(words in i.text_zh for s in V3.sections for i in s.items)


# ------------------------------------------------------------------ old evaluations keep v2
def test_an_evaluation_scored_with_v2_keeps_its_items_and_score(staffed: Floor) -> None:
    service = staffed.monitoring
    record = {"template_version": 2, "date": TODAY.isoformat(), "time": "10:00",
              "monitor_id": "Q001", "staff_id": "A001", "mode": "recording",
              "template": "outbound-100", "marks": "a2 b2", "score": "85", "max": "100",
              "passed": None, "critical": [], "call": "", "feedback_at": "",
              "feedback_note": "", "dispute": None, "revised": None}
    with staffed.transaction() as tx:
        tx.put(f"day/{TODAY.isoformat()}", "qa_evaluations", "E0001-Q001", record)
    [old] = service.evaluations(TODAY)
    template = service.template_of(old)
    assert template.version == 2
    assert [template.items()[c][1].text_zh for c in ("a2", "b2")] == ["资费讲解错误",
                                                                     "语气生硬、不耐烦"]
    assert old["score"] == "85"
    # the same marks re-scored the way a dispute review does: with v2's weights (10 + 5)
    _parsed, again = service.preview("outbound-100", old["marks"], version=2)
    assert again.total == 85
    # a new evaluation is scored with v3: a2 a question skipped (−10), b2 polite forms (−1)
    new = service.save_evaluation("A001", "Q001", "live", "outbound-100", "a2 b2")
    assert new["template_version"] == 3 and new["score"] == "89"
    assert service.template_of(new).items()["b2"][1].text_zh.startswith("通话中未使用礼貌用语")
    _parsed, now = service.preview("outbound-100", "a2 b2")
    assert now.total == 89


def test_a_dispute_on_a_v2_evaluation_is_rescored_with_v2(staffed: Floor) -> None:
    service = staffed.monitoring
    at = f"{TODAY.isoformat()}T09:00:00+08:00"
    record = {"template_version": 2, "date": TODAY.isoformat(), "time": "10:00",
              "monitor_id": "Q001", "staff_id": "A001", "mode": "recording",
              "template": "outbound-100", "marks": "b6", "score": "95", "max": "100",
              "passed": None, "critical": [], "call": "", "feedback_at": at,
              "feedback_note": "", "dispute": None, "revised": None}
    with staffed.transaction() as tx:
        tx.put(f"day/{TODAY.isoformat()}", "qa_evaluations", "E0001-Q001", record)
    service.raise_dispute(TODAY, "E0001-Q001", "the customer had hung up")
    reviewed = service.review_dispute(TODAY, "E0001-Q001", "b6 b2")
    assert reviewed["revised"]["score"] == "90"  # v2: −5 −5 (v3 would give 93)


def test_common_problems_keep_a_v2_code_apart_from_the_same_code_on_v3(staffed: Floor) -> None:
    """a2 was 资费讲解错误 on v2 and is 问卷题目漏问或跳问 on v3: one week holding both counts
    them apart, each with its own text; a code whose item did not change is not split."""
    from floorapp.cli.qa import common_report

    service = staffed.monitoring
    record = {"template_version": 2, "date": TODAY.isoformat(), "time": "09:00",
              "monitor_id": "Q001", "staff_id": "A002", "mode": "recording",
              "template": "outbound-100", "marks": "a2 b3", "score": "80", "max": "100",
              "passed": None, "critical": [], "call": "", "feedback_at": "",
              "feedback_note": "", "dispute": None, "revised": None}
    with staffed.transaction() as tx:
        tx.put(f"day/{TODAY.isoformat()}", "qa_evaluations", "E0001-Q001", record)
    service.save_evaluation("A001", "Q001", "live", "outbound-100", "a2x2 b3")
    _start, _end, problems = service.common_problems(TODAY)
    assert sorted((p.template, p.code, p.occurrences) for p in problems) == [
        ("outbound-100", "a2", 2), ("outbound-100", "b3", 2), ("outbound-100 v2", "a2", 1)]
    assert service.problem_item("outbound-100 v2", "a2").text_zh == "资费讲解错误"
    assert service.problem_item("outbound-100", "a2").text_zh == "问卷题目漏问或跳问"
    assert service.problem_item("outbound-100 v9", "a2") is None
    texts = {(row["template"], row["code"]): row["text"]
             for row in common_report(staffed, TODAY).data["problems"]}
    assert texts[("outbound-100 v2", "a2")] == "wrong fee stated"
    assert texts[("outbound-100", "a2")] == "survey question skipped"


def test_the_quarterly_review_compares_a_v2_quarter_with_v2_only(staffed: Floor) -> None:
    """Last quarter scored on v2 (a2 资费讲解错误 on every call), this quarter on v3 (a2 a
    skipped question, never): a2's rate did not "move" across periods, it is another item, so
    v2's evaluations are a card of their own in the review (issue #25)."""
    service = staffed.monitoring
    for n, day in enumerate((dt.date(2026, 8, 3), dt.date(2026, 8, 4)), start=1):
        record = {"template_version": 2, "date": day.isoformat(), "time": "09:00",
                  "monitor_id": "Q001", "staff_id": "A001", "mode": "recording",
                  "template": "outbound-100", "marks": "a2", "score": "90", "max": "100",
                  "passed": None, "critical": [], "call": "", "feedback_at": "",
                  "feedback_note": "", "dispute": None, "revised": None}
        with staffed.transaction() as tx:
            tx.put(f"day/{day.isoformat()}", "qa_evaluations", f"E{n:04d}-Q001", record)
    service.save_evaluation("A001", "Q001", "live", "outbound-100", "b3")
    _start, _end, rows = service.quarterly_review(TODAY)
    by_code = {(r.template, r.code): r for r in rows}
    assert set(by_code) == {("outbound-100", "b3")}
    assert by_code[("outbound-100", "b3")].previous_rate is None  # v2 is not this card
