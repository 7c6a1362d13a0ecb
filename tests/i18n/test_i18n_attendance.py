"""The attendance part in Chinese: the month report table, import error reasons, the status
texts, the quick entry's Chinese leave words and the attendance screen."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from textual.widgets import DataTable
from wcwidth import wcswidth

from floorapp import i18n
from floorapp.app import FloorApp
from floorapp.cli.main import run

from tests.cli.test_attendance_cli import GOOD_ATTENDANCE

TODAY = dt.date(2026, 11, 20)  # the fixtures' NOW: Friday 15:00, D period 2 running


@pytest.fixture
def pinned(monkeypatch):
    monkeypatch.setenv("FLOOR_NOW", "2026-11-20T15:00:00")


def cli(floor, *args):
    return run(["--lang", "zh", "--store", str(floor.store.root), *args])


def at_cell(line: str, column: int) -> str:
    """The rest of ``line`` from display column ``column`` (CJK characters take two cells)."""
    width = 0
    for index, char in enumerate(line):
        if width >= column:
            return line[index:]
        width += max(wcswidth(char), 0)
    return ""


def test_month_report_table_in_chinese_with_cjk_names_aligned(staffed, write_file, capsys,
                                                                pinned):
    path = write_file("att.csv", GOOD_ATTENDANCE)
    assert cli(staffed, "import", "attendance", str(path)) == 0
    assert "已导入 7 条打卡记录" in capsys.readouterr().out
    assert cli(staffed, "report", "month", "--month", "2026-11") == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "2026年11月考勤扣款"
    header = next(i for i, line in enumerate(lines) if line.startswith("工号"))
    for word in ("姓名", "迟到", "早退", "旷工", "事假", "病假", "全勤奖", "扣款合计¥", "扣分"):
        assert word in lines[header]
    assert "旷工：旷工天数" in out  # the notes
    # Columns from the dashes under the header; every row's name and late minutes start there.
    dashes = lines[header + 1]
    starts = [i for i, ch in enumerate(dashes) if ch == "-" and (i == 0 or dashes[i - 1] == " ")]
    rows = lines[header + 2:header + 2 + 9]  # 8 staff and the total
    names = {"A001": "欧阳娜娜", "A003": "王芳", "A002": "Li Wei"}
    for row in rows:
        staff_id = row.split()[0]
        if staff_id in names:
            assert at_cell(row, starts[1]).startswith(names[staff_id])
        late = at_cell(row, starts[2])
        assert late[:1].isdigit(), row
        assert wcswidth(row[: len(row) - len(late)]) == starts[2]
    assert rows[-1].startswith("合计") and "8 人" in rows[-1]
    # JSON stays English
    assert cli(staffed, "report", "month", "--month", "2026-11", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["month"] == "2026-11" and "late_deduction" in data["staff"][0]


def test_bad_import_in_chinese_keeps_file_and_line(staffed, write_file, capsys, pinned):
    path = write_file("att.csv", GOOD_ATTENDANCE.rstrip()
                      + "\nZ999,2026-11-03,1,08:00,12:00,\nA001,2026-11-07,1,08:00,12:00,\n")
    assert cli(staffed, "import", "attendance", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}:9: 未知工号 'Z999'" in err
    assert f"{path}:10: A001 在 11月7日 周六 不当班（R）" in err


def test_bad_leave_import_in_chinese(staffed, write_file, capsys, pinned):
    path = write_file("leave.csv", "staff_id,date,type,days\nA001,2026-11-03,holiday,1\n")
    assert cli(staffed, "import", "leave", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: 假别 'holiday' 无效" in err


def test_day_status_text_in_chinese(staffed):
    att = staffed.attendance
    att.record_in("A001", TODAY, dt.time(8, 12))
    att.record_out("A001", TODAY, dt.time(12, 0))
    att.record_in("A002", TODAY, dt.time(7, 55))
    att.record_out("A002", TODAY, dt.time(11, 56))
    att.record_in("A003", TODAY, dt.time(8, 40))
    att.record_out("A003", TODAY, dt.time(12, 0))
    att.record_leave("C001", TODAY, "sick", Decimal(1))
    i18n.set_language("zh")
    texts = att.day_status_text(TODAY)
    assert texts["A001"] == "迟到12分钟，未到岗，已迟到30分钟"
    assert texts["A002"] == "未到岗，已迟到30分钟，早退4分钟"
    assert texts["A003"].startswith("旷工：迟到40分钟（第1段）")
    assert texts["C001"] == "病假1天"
    yesterday = att.day_status_text(TODAY - dt.timedelta(days=1))
    assert yesterday["A001"] == "旷工：未打卡（第2段），旷工：未打卡（第1段）"
    assert att.day_status_text(TODAY + dt.timedelta(days=1))["A001"] == "休息"  # Saturday
    assert att.day_status_text(TODAY + dt.timedelta(days=3))["A001"] == "尚未到岗"
    i18n.set_language("en")
    assert att.day_status_text(TODAY)["A001"] == "late 12 min, not in, late 30 min"


@pytest.mark.parametrize("word, kind", [("事假", "personal"), ("病假", "sick"), ("年假", "annual"),
                                        ("调休", "comp"), ("sick", "sick"), ("p", "personal")])
def test_quick_entry_takes_chinese_leave_words(staffed, word, kind):
    entry = staffed.attendance.parse_entry(f"A001 {word} 0.5", "leave", TODAY)
    assert (entry.leave_type, entry.leave_days) == (kind, Decimal("0.5"))


def test_quick_entry_preview_and_errors_in_chinese(staffed):
    i18n.set_language("zh")
    att = staffed.attendance
    entry = att.parse_entry("A001 病假 0.5", "leave", TODAY)
    assert att.preview(entry) == "A001 欧阳娜娜：11月20日 周五 病假 0.5 天"
    entry = att.parse_entry("A002 8:12", "in", TODAY)
    # the day as it will be saved: an in punch alone on an ended period is not charged
    assert att.preview(entry) == ("A002 Li Wei：上班 08:12（第1段） · "
                                  "未到岗，已迟到30分钟，第1段缺下班卡")
    with pytest.raises(Exception, match="应为假别（事假、病假、年假、调休）"):
        att.parse_entry("A001 xyz", "leave", TODAY)
    with pytest.raises(Exception, match="没有员工匹配"):
        att.parse_entry("nobody 8:00", "in", TODAY)
    assert att.apply(att.parse_entry("A002 8:12", "in", TODAY)).startswith("已保存 A002")


def test_month_why_in_chinese(staffed):
    att = staffed.attendance
    att.record_in("A001", TODAY, dt.time(8, 6))
    att.record_out("A001", TODAY, dt.time(12, 0))
    att.record_leave("A002", TODAY - dt.timedelta(days=1), "personal", Decimal(1))
    i18n.set_language("zh")
    why = {p.id: r.why for p, r, _d in att.month_results(2026, 11)}
    assert "11月20日 第1段迟到6分钟" in why["A001"]
    assert "11月19日 事假1天" in why["A002"]
    assert "取消全勤奖" in why["A002"]


@pytest.fixture
def morning(staffed):
    staffed.store.clock = lambda: "2026-11-20T06:30:00+00:00"
    att = staffed.attendance
    for staff_id in ("A001", "A002"):
        att.record_in(staff_id, TODAY, dt.time(7, 55))
        att.record_out(staff_id, TODAY, dt.time(12, 1))
    att.record_in("A001", TODAY, dt.time(14, 25))
    att.record_in("A003", TODAY, dt.time(8, 20))
    att.record_out("A003", TODAY, dt.time(12, 0))
    return staffed


async def test_screen_in_chinese(morning):
    i18n.set_language("zh")
    app = FloorApp(morning, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#att-today", DataTable)
        headers = [str(c.label) for c in table.columns.values()]
        assert headers == ["工号", "姓名", "班", "第1段", "第2段", "状态"]
        assert str(table.get_cell("A001", "status")) == "准时"
        # at 80 columns the cell shows the parts that fit whole and counts the rest (issue
        # 26); the status in full is the screen's, shown on the line under the grid
        assert str(table.get_cell("A003", "status")) == "迟到20分钟 +1"
        assert app.screen.status_text["A003"] == "迟到20分钟，未到岗，已迟到30分钟"
        title = str(app.screen.query_one("#att-title").render())
        assert "11月20日 周五（今天）" in title and "当班" in title
        # a departure typed in: the preview and the saved message in Chinese
        await pilot.press("d")
        await pilot.press(*"A002")
        await pilot.press("space", *"11:30")  # 17:00 is still to come at 15:00
        await pilot.pause()
        assert "早退30分钟" in str(app.screen.query_one("#att-hint").render())
        await pilot.press("enter")
        await pilot.pause()
        # said on the entry's own line, not in a toast (issue 26 item 4)
        assert str(app.screen.query_one("#att-hint").render()).startswith(
            ("已保存 A002", "已更正 A002"))
        assert app.screen.status_text["A002"].startswith("旷工：早退30分钟（第1段）")
        assert str(table.get_cell("A002", "status")).startswith("旷工：早退30分钟（第1段")
        # the month view: Chinese headers, yuan amounts, the why in Chinese
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        month = app.screen.query_one("#att-month", DataTable)
        assert [str(c.label) for c in month.columns.values()][:5] == \
            ["工号", "姓名", "迟到", "早退", "旷工"]
        assert str(month.get_cell("A002", "total")).startswith("¥")
        month.move_cursor(row=month.get_row_index("A002"))
        await pilot.pause()
        detail = str(app.screen.query_one("#att-detail").render())
        assert "明细" in detail and "旷工" in detail
