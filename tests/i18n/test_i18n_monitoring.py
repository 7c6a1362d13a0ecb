"""Monitoring/QA in Chinese: the QA report table (CJK aligned, JSON unchanged), import errors
with their FILE:LINE prefix, template errors, the scorecards' Chinese texts and the screen."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from textual.widgets import DataTable, Static
from wcwidth import wcswidth

from floorapp import i18n
from floorapp.rules import monitoring as rules
from floorapp.app import FloorApp
from floorapp.cli.main import run
from floorapp.services import Floor
from floorapp.rules.staff import Staff

TODAY = dt.date(2026, 11, 20)
# Two monitors six evaluations each: Q001 finds faults, Q002 (a CJK name) finds none, so both
# are flagged (high/low) in the calibration table.
ROWS = "\n".join(
    [f"2026-11-1{n},09:0{n},Q001,A001,live,outbound-100,a1x3" for n in range(6)]
    + [f"2026-11-1{n},10:0{n},Q002,A002,recording,outbound-100," for n in range(6)]
    + ["2026-11-19,11:00,Q001,C001,side_by_side,hotline-100,a1x3 a8"])
GOOD = "date,time,monitor_id,staff_id,mode,template,marks\n" + ROWS + "\n"


@pytest.fixture
def qa_floor(staffed: Floor, write_file) -> Floor:
    staffed.save_staff(Staff("Q002", "欧阳建国", "monitor", "monitor", dt.date(2022, 4, 1),
                             Decimal("3000")))
    staffed.set_policy_value("qa_pass_marks", '{"outbound-100": 80, "hotline-100": 60}')
    path = write_file("ev.csv", GOOD)
    assert run(["--store", str(staffed.store.root), "import", "evaluations", str(path)]) == 0
    with staffed.transaction() as tx:  # both flagged, both recalibrated today: on the plan
        for monitor in ("Q001", "Q002"):
            tx.put("ref", "qa_recalibrations", f"{monitor}-2026-11-20", {
                "monitor_id": monitor, "date": "2026-11-20", "calls": 3,
                "mean_difference": "1.00", "note": ""})
    i18n.set_language("en")
    return staffed


def _report(floor: Floor, lang: str, fmt: str, capsys: pytest.CaptureFixture) -> str:
    capsys.readouterr()
    assert run(["--lang", lang, "--store", str(floor.store.root), "report", "qa", "--month",
                "2026-11", "--format", fmt]) == 0
    return capsys.readouterr().out


def _table(out: str, title: str) -> list[str]:
    """The lines of the table under ``title``: header, dashes, rows."""
    lines = out.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def _column_starts(dashes: str) -> list[int]:
    return [m.start() for m in re.finditer(r"-+", dashes)]


def test_qa_report_table_in_chinese_with_aligned_cjk_names(qa_floor: Floor, capsys) -> None:
    out = _report(qa_floor, "zh", "table", capsys)
    assert out.startswith("2026年11月 质检月报")
    agents = _table(out, "坐席质检")
    assert agents[0].split() == ["工号", "姓名", "质检数", "平均", "%", "不合格", "跟踪"]
    monitors = _table(out, "质检员校准")
    assert monitors[0].split()[:4] == ["质检员", "姓名", "评分表", "质检数"]
    assert "季度校准复查：Q001, Q002" in out
    for table in (agents, monitors):
        header, dashes, *rows = table
        third = _column_starts(dashes)[2]  # the column after the (CJK) names
        assert rows
        for line in [header, *rows]:
            found = re.match(r"^(\S+)\s+(.*?)\s{2,}(\S)", line)
            assert found, line
            assert wcswidth(line[:found.start(3)]) == third, line
    rows = {line.split()[0]: line for line in monitors[2:]}
    assert "欧阳建国" in rows["Q002"] and "偏高" in rows["Q002"]
    assert "偏低" in rows["Q001"]
    assert "是" in next(line for line in agents[2:] if line.startswith("A001"))  # 跟踪


def test_qa_report_json_is_the_same_in_chinese_and_english(qa_floor: Floor, capsys) -> None:
    english = _report(qa_floor, "en", "json", capsys)
    chinese = _report(qa_floor, "zh", "json", capsys)
    assert chinese == english
    data = json.loads(chinese)
    assert {r["id"]: r["flagged"] for r in data["monitors"]} == {"Q001": "low", "Q002": "high"}
    assert data["month"] == "2026-11"


def test_qa_plan_and_list_in_chinese(qa_floor: Floor, capsys, monkeypatch) -> None:
    monkeypatch.setenv("FLOOR_NOW", "2026-11-20T15:00")
    capsys.readouterr()
    root = str(qa_floor.store.root)
    assert run(["--lang", "zh", "--store", root, "qa", "plan"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("质检计划 11月20日 周五")
    assert "时段" in out and "状态" in out and "已完成 0 · 待做" in out
    assert run(["--lang", "zh", "--store", root, "qa", "list", "--date", "2026-11-15"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("评分记录 11月15日 周日")
    assert "不合格" in out and "实时监听" in out and "录音抽查" in out and "已超时" in out
    assert run(["--lang", "zh", "--store", root, "qa", "plan", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {a["status"] for a in data["assignments"]} <= {"done", "due", "overdue"}


def test_bad_evaluation_import_in_chinese_keeps_file_and_line(staffed: Floor, write_file,
                                                              capsys) -> None:
    path = write_file("ev.csv", GOOD.replace("Q002", "Q009", 1)
                      + "2026-11-19,09:10,Q001,A001,listen,outbound-100,a1\n")
    assert run(["--lang", "zh", "--store", str(staffed.store.root), "import", "evaluations",
                str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:8: 未知质检员工号 'Q009'" in err
    assert f"{path}:15: 方式 'listen' 不在 side_by_side, live, recording 之中" in err
    assert staffed.monitoring.evaluations(dt.date(2026, 11, 10)) == []


TEMPLATE = {"id": "inbound-50", "name": "Inbound", "pass_mark": 40, "sections": [
    {"name": "Manner", "max": 50, "items": [
        {"code": "a1", "text": "rude", "weight": 10, "kind": "deduct", "per_occurrence": True},
        {"code": "a2", "text": "slow", "weight": 0, "kind": "deduct", "per_occurrence": False}]}]}


def test_template_error_in_chinese_keeps_the_json_path(staffed: Floor, write_file,
                                                       capsys) -> None:
    path = write_file("t.json", json.dumps(TEMPLATE))
    assert run(["--lang", "zh", "--store", str(staffed.store.root), "import", "template",
                str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: sections[0].items[1].weight 0：扣分项须大于 0" in err
    assert "inbound-50" not in staffed.monitoring.templates()


def test_template_with_chinese_texts_imports_and_old_ones_still_do(staffed: Floor,
                                                                   write_file) -> None:
    good = json.loads(json.dumps(TEMPLATE))
    good["sections"][0]["items"][1]["weight"] = 5
    staffed.monitoring.import_template(write_file("old.json", json.dumps(good)))
    assert staffed.monitoring.template("inbound-50").sections[0].items[0].shown == "rude"
    good["name_zh"] = "呼入质检"
    good["sections"][0]["name_en"] = "Manners"
    good["sections"][0]["name"] = "服务态度"
    good["sections"][0]["items"][0]["text_zh"] = "态度粗鲁"
    staffed.monitoring.import_template(write_file("new.json", json.dumps(good)))
    template = staffed.monitoring.template("inbound-50")
    assert template.to_dict() == {**good, "version": 2}  # the second import: version 2
    assert (template.shown, template.sections[0].shown, template.sections[0].items[0].shown) \
        == ("Inbound", "Manners", "rude")
    i18n.set_language("zh")
    assert (template.shown, template.sections[0].shown, template.sections[0].items[0].shown) \
        == ("呼入质检", "服务态度", "态度粗鲁")
    assert template.sections[0].items[1].shown == "slow"  # no Chinese text: the text itself


def test_builtin_scorecards_show_in_both_languages() -> None:
    templates = rules.builtin_templates()
    for template in templates.values():
        for section in template.sections:
            assert section.name_en and section.name != section.name_en
            for item in section.items:
                assert item.text_zh and item.text and item.text != item.text_zh
                assert item.shown == item.text  # English: the English text
    i18n.set_language("zh")
    a1 = templates["outbound-100"].sections[0].items[0]
    assert a1.shown == "记录的问卷答案与客户所答不符"
    assert templates["outbound-100"].sections[0].shown == "业务能力"


@pytest.mark.parametrize(
    ("stored", "chinese"),
    [("agent A001: 1 of 2 monitored calls planned", "坐席 A001：已安排 1/2 通质检"),
     ("monitor Q001: 0 of 2 side_by_side calls planned (not enough agents on the phones)",
      "质检员 Q001：旁听/即席 已安排 0/2 通（在线坐席不足）"),
     ("floor: 3 monitored calls, below the 5 % minimum (10 of 200 calls)",
      "全场：质检 3 通，低于 5% 下限（200 通中需 10 通）"),
     ("something else", "something else")],
    ids=["agent", "monitor", "floor-low", "unknown-kept"],
)
def test_stored_shortfalls_shown_in_chinese(stored: str, chinese: str) -> None:
    assert rules.shortfall_text(stored) == stored
    i18n.set_language("zh")
    assert rules.shortfall_text(stored) == chinese


def test_late_dispute_refused_in_chinese(staffed: Floor) -> None:
    i18n.set_language("zh")
    assert rules.dispute_refusal(dt.date(2026, 11, 19), TODAY) == (
        "申诉只在质检结果反馈当天（11月19日 周四）受理；今天是 11月20日 周五")


async def test_screen_in_chinese_shows_chinese_runtime_texts(staffed: Floor) -> None:
    staffed.set_policy_value("qa_pass_marks", '{"outbound-100": 80}')
    staffed.monitoring.ensure_plan(TODAY)
    i18n.set_language("zh")
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        for _n in range(100):  # a busy machine: wait for the section to be built
            await pilot.pause(0.05)
            if app.screen.query("#qa-plan-title"):
                break
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen

        def text(selector: str) -> str:
            return str(screen.query_one(selector, Static).render())

        plan = screen.query_one("#qa-plan", DataTable)
        assert [str(c.label) for c in plan.columns.values()] == [
            "时间", "质检员", "坐席", "方式", "状态"]
        statuses = {str(plan.get_row_at(n)[4]) for n in range(plan.row_count)}
        assert statuses and statuses <= {"已完成", "待做", "超时"}
        assert {str(plan.get_row_at(n)[3]) for n in range(plan.row_count)} <= {
            "旁听", "监听", "录音"}
        assert text("#qa-plan-title").startswith("计划 完成 0 待做")
        assert "评分表" in text("#qa-setup") and "实时监听" in text("#qa-setup")
        await pilot.press(*"A001", "enter", *"a1 c2na")
        await pilot.pause()
        assert "88 / 98  合格  合格线 80" in text("#qa-total")
        detail = text("#qa-detail")
        assert "业务能力 40/50" in detail and "记录的问卷答案与客户所答不符" in detail
        assert "c2 不适用 吐字不清,致客户重复询问" in detail
        await pilot.press("ctrl+u", *"f1")
        await pilot.pause()
        assert "不合格  致命项 f1" in text("#qa-total")
        await pilot.press("enter")
        await pilot.pause()
        assert "不合格 · ctrl+z 撤销" in text("#qa-last")
        assert staffed.monitoring.evaluations(TODAY)[-1]["passed"] is False
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert text("#qa-last").startswith("已撤销 ")
