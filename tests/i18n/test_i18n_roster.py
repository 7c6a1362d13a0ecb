"""The roster part in Chinese: the report table (CJK names aligned), JSON the same in both
languages, violation texts, CLI errors, the roster screen and the handover log."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from textual.widgets import DataTable, Static
from wcwidth import wcswidth

from floorapp import i18n
from floorapp.rules import roster as rules
from floorapp.app import FloorApp
from floorapp.cli.main import run
from floorapp.rules.staff import Staff
from screens.roster import RosterScreen
from screens.roster_handover import HandoverScreen

DEC = (2026, 12)


@pytest.fixture
def crew(staffed):
    staffed.save_staff(Staff("C003", "林雪", "complaint", "complaint", dt.date(2023, 4, 1),
                             Decimal("2400")))
    return staffed


def starts(line: str) -> list[int]:
    """Terminal columns where a line's fields (separated by two or more spaces) start."""
    out, index = [], 0
    for part in re.split(r"(\s{2,})", line):
        if part and not part.isspace():
            out.append(wcswidth(line[:index]))
        index += len(part)
    return out


def test_report_table_in_chinese_with_aligned_cjk_names(crew, store_dir, capsys):
    crew.roster.generate(*DEC, seats=2)
    assert run(["--lang", "zh", "--store", str(store_dir), "report", "roster",
                "--month", "2026-12"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("排班表 2026-12")
    assert "每日在岗人数" in out and "所有规则均满足。" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("工号"))
    assert "姓名" in header and "岗位" in header and "休息" in header
    rows = [line for line in lines if line[:4] in {s.id for s in crew.staff()}]
    assert len(rows) == len(crew.staff())
    assert any("欧阳娜娜" in row for row in rows) and any("Li Wei" in row for row in rows)
    # every row's fields start at the same terminal columns as the header's (CJK = 2 cells)
    for row in rows:
        assert starts(row)[:6] == starts(header)[:6], row
    cover = lines[lines.index("每日在岗人数") + 1]
    assert cover.startswith("日期") and "D班坐席" in cover
    assert "12月1日 周二" in out


def test_report_json_is_the_same_in_both_languages(crew, store_dir, capsys):
    crew.roster.generate(*DEC, seats=5)  # infeasible: violations in the JSON
    args = ["--store", str(store_dir), "report", "roster", "--month", "2026-12",
            "--format", "json"]
    assert run(["--lang", "en", *args]) == 0
    english = capsys.readouterr().out
    assert run(["--lang", "zh", *args]) == 0
    chinese = capsys.readouterr().out
    assert chinese == english
    data = json.loads(chinese)
    assert any("agent(s) on D, needs 5" in v for v in data["violations"])


def test_generate_summary_and_refusal_in_chinese(crew, store_dir, capsys):
    root = str(store_dir)
    assert run(["--lang", "zh", "--store", root, "roster", "generate", "--month", "2026-12",
                "--seats", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("已生成 2026-12 排班")
    assert "条规则未满足" in out and "每天需要 5 名坐席上 D 班，但名册中只有 3 名坐席" in out
    assert run(["--lang", "zh", "--store", root, "roster", "generate",
                "--month", "2026-12"]) == 2
    err = capsys.readouterr().err
    assert "2026-12 已有排班" in err and "--replace" in err


def test_a_violation_in_chinese_keeps_the_staff_id_first(crew):
    crew.roster.generate(*DEC, seats=2)
    day = next(dt.date.fromisoformat(k) for k, c in sorted(crew.roster.cells(*DEC)["A002"]
                                                           .items()) if c == "R")
    i18n.set_language("zh")
    violations = crew.roster.set_cell("A002", day, "D")
    wanted = "A002 (agent) has 2 rest day(s) in 2026-12; needs exactly 3"
    assert wanted in violations  # the English text: what the store and JSON keep
    found = next(v for v in violations if v == wanted)
    assert rules.shown(found) == "A002 (坐席) 2026-12 休息 2 天；应恰好休 3 天"
    assert rules.shown(found).split(" ")[0] == "A002"
    record = crew.roster.check(*DEC)
    assert all(rules.shown(v).split(" ")[0] == str(v).split(" ")[0] for v in record)


async def test_roster_screen_in_chinese(crew):
    crew.roster.generate(2026, 11, seats=2)
    i18n.set_language("zh")
    async with FloorApp(crew, backup=False).run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await pilot.pause(0.1)
        screen = pilot.app.screen
        assert isinstance(screen, RosterScreen)
        info = str(screen.query_one("#roster-info", Static).render())
        assert "11月20日 周五" in info and "班前会 08:30" in info and "业务学习 16:30" in info
        problems = str(screen.query_one("#roster-problems", Static).render())
        assert problems.startswith(("✓ 所有规则均满足", "✗ "))
        await pilot.press("r")  # today to rest: a rule is broken, said in Chinese
        await pilot.pause(0.1)
        messages = [n.message for n in pilot.app._notifications]
        assert any("条规则未满足" in m and "休息" in m for m in messages), messages
        await pilot.press("h")
        await pilot.pause(0.1)
        log = pilot.app.screen
        assert isinstance(log, HandoverScreen)
        table = log.query_one("#handover-list", DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["时间", "交班人", "接班人",
                                                                  "说明", "待办"]
        day_line = str(log.query_one("#handover-day", Static).render())
        assert day_line.startswith("2026年11月20日 周五") and "交接班 0 条" in day_line
        assert "当天没有交接班记录" in str(log.query_one("#handover-detail", Static).render())
