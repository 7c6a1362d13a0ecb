"""The foundation in Chinese: CLI help and messages, import reasons, the staff report, policy
validation, the header's shift line, and the app's chrome (header, section bar, footer, help,
staff and policy screens). English stays the default (conftest pins it)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from wcwidth import wcswidth

from floorapp import i18n
from floorapp.cli.main import run
from floorapp.policy import Policy
from floorapp.rules.schedule import shift_line

ROOT = Path(__file__).resolve().parents[2]

STAFF_CSV = """
id,name,role,team,hired,base_pay
A001,欧阳娜娜,agent,T01,2023-03-01,1200
A002,Li Wei,agent,T01,2025-06-15,1200.50
C001,张强,complaint,complaint,2022-01-10,2400
"""


def test_a_bad_import_gives_file_line_and_a_chinese_reason(store_dir, write_file, capsys) -> None:
    path = write_file("staff.csv", STAFF_CSV + "A009,Zhao,agent,T01,2024-02-30,1200\n"
                                               "A010,Qian,agent,T01,2024-01-01\n")
    assert run(["--lang", "zh", "--store", str(store_dir), "import", "staff", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:5: hired 2024-02-30 不是有效日期" in err
    assert f"{path}:6: 应有 6 个字段，实际 5 个" in err
    assert "floor: 未导入任何数据（2 处问题）" in err


def test_a_missing_column_is_named_in_chinese(store_dir, write_file, capsys) -> None:
    path = write_file("staff.csv", "id,name,role,team,hired\nA001,王芳,agent,T01,2023-03-01\n")
    assert run(["--lang", "zh", "--store", str(store_dir), "import", "staff", str(path)]) == 2
    assert f"{path}:1: 缺少列：base_pay" in capsys.readouterr().err


def test_import_summary_in_chinese_and_english(store_dir, write_file, capsys) -> None:
    path = write_file("staff.csv", STAFF_CSV)
    assert run(["--lang", "zh", "--store", str(store_dir), "import", "staff", str(path)]) == 0
    assert "新增 3 名员工，修改 0 名" in capsys.readouterr().out
    assert run(["--lang", "en", "--store", str(store_dir), "import", "staff", str(path)]) == 0
    assert "0 staff added, 0 changed" in capsys.readouterr().out


def test_help_is_chinese_with_lang_zh(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        run(["--lang", "zh", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：floor")
    assert "呼叫中心现场班长控制台" in out
    assert "显示本帮助并退出" in out
    assert "导入文件" in out and "界面语言" in out
    assert "选项" in out


def test_help_of_a_subcommand_in_chinese(capsys) -> None:
    with pytest.raises(SystemExit):
        run(["--lang", "zh", "roster", "generate", "--help"])
    out = capsys.readouterr().out
    assert "按规则生成一个月的排班" in out or "每天 D 班需要的坐席数" in out


def test_argparse_errors_in_chinese_then_english_again(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        run(["--lang", "zh", "import"])
    assert stop.value.code == 2
    assert "错误: 缺少必需参数：kind, file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run(["--lang", "en", "import"])
    assert "error: the following arguments are required: kind, file" in capsys.readouterr().err


def test_staff_report_headers_in_chinese_aligned_with_cjk_names(store_dir, write_file,
                                                                capsys) -> None:
    run(["--store", str(store_dir), "import", "staff", str(write_file("s.csv", STAFF_CSV))])
    capsys.readouterr()
    assert run(["--lang", "zh", "--store", str(store_dir), "report", "staff"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "员工（3 人）"
    header = next(line for line in lines if line.startswith("工号"))
    for word in ("姓名", "岗位", "组别", "座席", "入职", "底薪"):
        assert word in header
    rows = [line for line in lines if line[:1] in ("A", "C") and line[1:4].isdigit()]
    assert len(rows) == 3
    # CJK takes two cells: the role column starts at the same cell on the header and every row
    starts = {wcswidth(header[: header.index("岗位")])}
    starts |= {wcswidth(row[: row.index("agent" if "agent" in row else "complaint")])
               for row in rows}
    assert len(starts) == 1, lines
    # CSV stays machine-readable: English column names, as the importer reads them
    assert run(["--lang", "zh", "--store", str(store_dir), "report", "staff", "--format",
                "csv"]) == 0
    assert capsys.readouterr().out.removeprefix("\ufeff").splitlines()[0] == \
        "id,name,role,team,seat,hired,base_pay,clock_id,extension"


def test_policy_validation_in_chinese_keeps_the_key_names(store_dir, capsys) -> None:
    assert run(["--lang", "zh", "--store", str(store_dir), "policy", "set", "late_mode",
                "sometimes"]) == 2
    err = capsys.readouterr().err
    assert "late_mode 须为 'excess' 或 'all'，实际为 'sometimes'" in err
    assert run(["--lang", "zh", "--store", str(store_dir), "policy", "set", "no_such",
                "1"]) == 2
    assert "没有参数 'no_such'" in capsys.readouterr().err
    assert run(["--lang", "zh", "--store", str(store_dir), "policy", "set",
                "daily_min_completed", "6.5"]) == 2
    assert "daily_min_completed 须为整数" in capsys.readouterr().err


def test_report_month_error_in_chinese(store_dir, capsys) -> None:
    assert run(["--lang", "zh", "--store", str(store_dir), "report", "qa", "--month",
                "2026-13"]) == 2
    assert "月份 '2026-13' 不是 YYYY-MM 格式" in capsys.readouterr().err


def test_the_header_shift_line_in_chinese() -> None:
    policy = Policy()
    friday_morning = dt.datetime(2026, 11, 20, 7, 0)
    evening = dt.datetime(2026, 11, 20, 19, 0)
    assert shift_line(policy, [], friday_morning) == "rest day"
    i18n.set_language("zh")
    assert shift_line(policy, [], friday_morning) == "休息日"
    assert shift_line(policy, ["D"], friday_morning) == "下一班：D 08:00"
    assert shift_line(policy, ["D"], evening) == "今日班次已结束"
    assert shift_line(policy, ["D"], dt.datetime(2026, 11, 20, 15, 0)) == "D 14:30–17:30"


# The app's Binding descriptions are translated when the modules are imported, so the Chinese
# app runs in its own process with FLOOR_LANG=zh set before anything is imported.
APP_SCRIPT = textwrap.dedent("""
    import asyncio, datetime as dt, json, sys
    from decimal import Decimal
    from floorapp.clock import fixed_clock
    from floorapp.services import open_floor
    from floorapp.rules.staff import Staff
    from floorapp.app import FloorApp
    from screens.help import HelpScreen
    from textual.widgets import DataTable, Static
    from screens.widgets.sectionbar import SectionBar

    floor = open_floor(sys.argv[1], clock=fixed_clock("2026-11-20T15:00:00"), user="t")
    floor.save_staff(Staff("A001", "欧阳娜娜", "agent", "T01", dt.date(2023, 3, 1),
                           Decimal("1200"), "S001"))
    floor.save_staff(Staff("L001", "赵敏", "lead", "lead", dt.date(2020, 2, 2), Decimal("3500")))
    out = {}

    async def footer(app, pilot):
        for _n in range(50):  # the footer fills in after the screen (slow on a busy machine)
            keys = [key.description for key in app.screen.query("FooterKey")]
            if keys:
                return keys
            await pilot.pause(0.1)
        return []

    def headers(table):
        return [str(column.label) for column in table.columns.values()]

    async def main():
        app = FloorApp(floor, backup=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            out["sub_title"] = app.sub_title
            out["bar"] = str(app.screen.query_one(SectionBar).content)
            out["footer"] = await footer(app, pilot)
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            out["help"] = str(app.screen.query_one(Static).content)
            out["help_rows"] = dict(app.screen.rows)
            await pilot.press("escape")
            await pilot.press("f7")
            await pilot.pause()
            out["staff_title"] = app.screen.TITLE
            out["staff_headers"] = headers(app.screen.query_one("#staff", DataTable))
            out["staff_counts"] = str(app.screen.query_one("#counts", Static).content)
            out["staff_footer"] = await footer(app, pilot)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("f8")
            await pilot.pause()
            out["policy_headers"] = headers(app.screen.query_one("#values", DataTable))
            out["policy_footer"] = await footer(app, pilot)
            out["commands"] = [c.title for c in app.get_system_commands(app.screen)]
    asyncio.run(main())
    print(json.dumps(out, ensure_ascii=False))
""")


def run_app_script(store: Path, language: str) -> dict:
    env = dict(os.environ, FLOOR_LANG=language, PYTHONPATH=str(ROOT))
    env.pop("FLOOR_NOW", None)
    done = subprocess.run([sys.executable, "-c", APP_SCRIPT, str(store)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_app_in_chinese(tmp_path: Path) -> None:
    seen = run_app_script(tmp_path / "store", "zh")
    # the header date in Chinese, the shift line too
    # no manager login on this floor yet: the header says so (issue #19)
    assert seen["sub_title"] == "初始设置 · 2026年11月20日 周五 15:00 · D 14:30–17:30"
    assert "F3 考勤" in seen["bar"] and "F9 应急" in seen["bar"]
    assert "帮助" in seen["footer"] and "命令" in seen["footer"]
    assert "版块：F2 监控" in seen["help"] and "本界面按键" in seen["help"]
    assert seen["help_rows"].get("f9") == "应急"
    assert seen["help_rows"].get("f1") == "帮助"
    assert seen["staff_title"] == "员工名册"
    assert seen["staff_headers"][:3] == ["工号", "姓名", "岗位"]
    assert seen["staff_counts"].startswith("显示 2/2 人")
    assert "坐席 1" in seen["staff_counts"] and "班长 1" in seen["staff_counts"]  # not codes
    assert {"返回", "添加", "注销"} <= set(seen["staff_footer"])
    assert seen["policy_headers"] == ["参数", "值"]
    assert "关闭" in seen["policy_footer"]
    assert {"员工名册", "制度参数", "立即备份", "主题", "截图"} <= set(seen["commands"])


def test_the_app_in_english_is_unchanged(tmp_path: Path) -> None:
    seen = run_app_script(tmp_path / "store", "en")
    assert seen["sub_title"] == "SETUP · Fri 2026-11-20 15:00 · D 14:30–17:30"
    assert seen["staff_headers"][:3] == ["id", "name", "role"]
    assert seen["help_rows"].get("f9") == "EMERGENCY"
    assert "palette" in seen["footer"]
