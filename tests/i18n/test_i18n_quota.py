"""The quota and summary part in Chinese: the day report table (CJK-aligned, JSON unchanged),
import reasons, campaign lines, the month tables, the quota and summary screens."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import DataTable, Static
from wcwidth import wcswidth

from floorapp import i18n
from floorapp.app import FloorApp
from floorapp.cli.main import run
from floorapp.rules.quota import Counts
from floorapp.rules.quota_entry import parse_quick_entry
from floorapp.services import Floor
from tests.cli.test_quota_cli import GOOD, all_in_on_time, store_args

DAY_ARGS = ["report", "day", "--date", "2026-11-20"]


@pytest.fixture
def campaigns(staffed: Floor) -> Floor:
    staffed.quota.save_campaign("5G", "5G升级", "1.2")
    return staffed


@pytest.fixture
def reported(campaigns: Floor, write_file) -> Floor:  # noqa: ANN001
    campaigns.quota.import_calls(write_file("calls.csv", GOOD))
    all_in_on_time(campaigns)
    return campaigns


def table_lines(out: str, header_start: str) -> list[str]:
    """The header, rule and rows of the table whose header line starts ``header_start``."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_day_report_table_in_chinese_with_aligned_columns(reported, capsys):
    assert run(["--lang", "zh", *store_args(reported), *DAY_ARGS]) == 0
    out = capsys.readouterr().out
    assert out.startswith("日报 2026-11-20（11月20日 周五）")
    for text in ("坐席", "现场汇总", "未结突发事件", "在岗坐席", "人均外呼", "建议", "未达标："):
        assert text in out
    lines = table_lines(out, "编号")
    assert lines[0].split() == ["编号", "姓名", "班次", "考勤", "外呼", "接通", "成功", "成单",
                                "目标", "差量", "扣分", "加权", "质检", "标记"]
    # every column starts at the same display cell on every row, names in CJK included
    rule = lines[1]
    starts = [i for i, ch in enumerate(rule) if ch == "-" and (i == 0 or rule[i - 1] == " ")]
    for line in [lines[0], *lines[2:]]:
        for start in starts[1:]:
            if wcswidth(line.rstrip()) <= start:  # empty cells at the end
                continue
            cut = _cut_at_cells(line, start)
            assert cut is not None, (line, start)
    assert any("欧阳娜娜" in line for line in lines[2:])
    assert "Agents" not in out and "under target" not in out


def _cut_at_cells(line: str, cells: int) -> int | None:
    """The index in ``line`` where ``cells`` display cells end, if a column starts there."""
    for index in range(len(line) + 1):
        width = wcswidth(line[:index])
        if width == cells:
            return index if index == len(line) or line[index - 1] == " " else None
        if width > cells:
            return None
    return None


def test_day_report_json_is_the_same_in_both_languages(reported, capsys):
    assert run(["--lang", "en", *store_args(reported), *DAY_ARGS, "--format", "json"]) == 0
    english = capsys.readouterr().out
    assert run(["--lang", "zh", *store_args(reported), *DAY_ARGS, "--format", "json"]) == 0
    chinese = capsys.readouterr().out
    assert chinese == english
    assert '"advice": "' in chinese and '"attendance": "on_time"' in chinese


def test_day_report_flags_in_chinese(reported):
    i18n.set_language("zh")
    agents = reported.quota.floor_day(dt.date(2026, 11, 20)).agents
    a001 = next(a for a in agents if a.staff_id == "A001")
    assert a001.counts.dialed == 80
    reported.quota.record_counts("A002", Counts(150, 100, 90, 10), daily_total=True)
    a002 = next(a for a in reported.quota.floor_day(dt.date(2026, 11, 20)).agents
                if a.staff_id == "A002")
    assert "外呼>100" in reported.quota.flags(a002)


def test_bad_calls_import_in_chinese_keeps_file_and_line(campaigns, write_file, capsys):
    text = GOOD + "A009,2026-11-20,10,8,6,1,,\nA001,2026-11-18,10,12,6,1,,\n"
    path = write_file("calls.csv", text)
    assert run(["--lang", "zh", *store_args(campaigns), "import", "calls", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:6: 未知员工编号 'A009'" in err
    assert f"{path}:7: 接通 12 多于外呼 10" in err
    assert campaigns.store.records("day/2026-11-20", "calls") == []


def test_campaign_lines_in_chinese(staffed, capsys):
    assert run(["--lang", "zh", *store_args(staffed), "campaign", "list"]) == 0
    assert "没有外呼项目" in capsys.readouterr().out
    assert run(["--lang", "zh", *store_args(staffed), "campaign", "set", "5G", "5G升级",
                "1.2"]) == 0
    assert capsys.readouterr().out.strip() == "外呼项目 5G 5G升级：系数 1.2"
    assert run(["--lang", "zh", *store_args(staffed), "campaign", "set", "5G", "x",
                "0"]) == 2
    assert "系数 0 必须大于 0" in capsys.readouterr().err


def test_month_tables_in_chinese(reported):
    i18n.set_language("zh")
    data, tables = reported.quota.month_extension(2026, 11)
    assert [t.title for t in tables] == ["外呼量排名", "保底量（400 单）",
                                         "约谈名单（连续 2 个月成单最少）"]
    assert tables[1].headers == ["编号", "姓名", "成单", "档位", "底薪", "补贴"]
    assert tables[1].rows[0][4] == "¥800.00"
    assert data["guarantee"][0]["base"] == "800.00" and data["guarantee"][0]["tier"] == "base"


def test_quick_entry_errors_in_chinese():
    i18n.set_language("zh")
    with pytest.raises(ValueError, match="输入 \\+N"):
        parse_quick_entry("1 2")
    with pytest.raises(ValueError, match="不能为负"):
        parse_quick_entry("80 -1 2 3")


def spy_notifications(app: FloorApp) -> list[str]:
    """Every message the app notifies, kept after its toast times out (slow machines)."""
    seen: list[str] = []
    notify = app.notify

    def spy(message, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = spy
    return seen


@pytest.fixture
def counted(staffed: Floor) -> Floor:
    staffed.quota.record_counts("A001", Counts(40, 33, 30, 9), hour=9)
    staffed.quota.record_counts("A002", Counts(20, 15, 12, 2), hour=9)
    staffed.quota._last.clear()
    all_in_on_time(staffed)
    return staffed


async def test_quota_screen_in_chinese(counted: Floor) -> None:
    i18n.set_language("zh")
    app = FloorApp(counted, backup=False)
    messages = spy_notifications(app)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f5")
        await pilot.pause(0.1)
        table = app.screen.query_one("#seats", DataTable)
        headers = [str(c.label) for c in table.columns.values()]
        assert headers == ["编号", "姓名", "出勤", "成功/目标", "外呼", "成单", "每时需", "备注"]
        a002 = " ".join(str(cell) for cell in table.get_row("A002"))
        assert "到岗" in a002 and "落后" in a002
        totals = str(app.screen.query_one("#totals", Static).content)
        assert "3席" in totals and "外呼60" in totals and "落后 3" in totals and "建议：" in totals
        hint = app.screen.query_one("#quota-hint", Static)
        await pilot.press("down", "plus", "5", "enter")
        await pilot.pause()
        # saves and undos said on the hint line, not in toasts (issue 26 item 4)
        assert "已保存 A002 15:00：+5 成功" in str(hint.render())
        await pilot.press("u")
        await pilot.pause()
        assert "已撤销：A002 15:00" in str(hint.render())
        await pilot.press("slash")
        app.screen.query_one("#entry").value = "nobody +5"
        await pilot.press("enter")
        await pilot.pause()
        assert "没有坐席匹配 'nobody'" in messages


async def test_summary_screen_in_chinese(counted: Floor, tmp_path) -> None:  # noqa: ANN001
    i18n.set_language("zh")
    app = FloorApp(counted, backup=False)
    messages = spy_notifications(app)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f6")
        await pilot.pause(0.1)
        table = app.screen.query_one("#agents", DataTable)
        headers = [str(c.label) for c in table.columns.values()]
        assert headers[:8] == ["编号", "姓名", "班", "考勤", "外呼", "接通", "成功/目标", "成单"]
        head = str(app.screen.query_one("#head", Static).content)
        assert "2026年11月20日 周五" in head and "3席" in head and "未达标 3" in head
        assert "无未结突发事件" in str(app.screen.query_one("#incidents", Static).content)
        await pilot.press("x")
        await pilot.pause()
        path = tmp_path / "home" / "floor-exports" / "floor-day-2026-11-20.csv"
        assert f"已导出：{path}" in messages
        # the export's header stays English for the machines that read it
        assert path.read_text("utf-8-sig").splitlines()[0].startswith("id,name,shift,attendance")


def test_open_incidents_in_the_day_summary_read_in_the_interface_language(staffed):
    from floorapp import i18n

    staffed.emergency.start("fire")
    i18n.set_language("zh")
    assert staffed.quota.floor_day(staffed.today()).incidents[0]["title"] == "火警"
    i18n.set_language("en")
    assert staffed.quota.floor_day(staffed.today()).incidents[0]["title"] == "Fire"
