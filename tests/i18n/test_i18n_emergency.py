"""The emergency part in Chinese (issue 8): the incident log and an incident in the CLI, the
checklists in the interface language, closing refusals, checklist import errors and the screen."""

from __future__ import annotations

import json

import pytest
from textual.widgets import DataTable, Static
from wcwidth import wcswidth

from floorapp.rules import checklists
from floorapp.rules import emergency as rules
from floorapp import i18n
from floorapp.app import FloorApp
from floorapp.cli.main import run
from floorapp.errors import FloorError


@pytest.fixture
def zh():
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


def _incident_with_history(floor) -> str:
    svc = floor.emergency
    incident_id = svc.start("fire")["id"]
    svc.tick(incident_id, 1)
    svc.skip(incident_id, 5, "too much smoke")
    svc.note(incident_id, "smoke from the printer")
    return incident_id


def _cells_at(line: str) -> dict[int, str]:
    """Display cell where each character starts → the character."""
    out, pos = {}, 0
    for ch in line:
        out[pos] = ch
        pos += wcswidth(ch)
    return out


def assert_aligned(lines: list[str]) -> None:
    """A tabulate table (header, ruler, rows): every column starts at the same display cell
    on every line, after a blank, with CJK counted as two cells."""
    header, ruler, *rows = lines
    starts = [n for n in range(1, len(ruler)) if ruler[n] == "-" and ruler[n - 1] == " "]
    bounds = [0, *starts, 10_000]
    for line in [header, *rows]:
        cells = _cells_at(line)
        for start, end in zip(bounds, bounds[1:]):
            segment = "".join(ch for at, ch in cells.items() if start <= at < end)
            if segment.strip():  # a column with content starts exactly on its cell
                assert cells.get(start, " ") != " ", (line, start)
                assert start == 0 or cells.get(start - 1) == " ", (line, start)


def test_cli_incident_list_in_chinese(staffed, store_dir, capsys, monkeypatch):
    monkeypatch.setenv("FLOOR_NOW", "2026-11-20T15:00")
    _incident_with_history(staffed)
    assert run(["--lang", "zh", "--store", str(store_dir), "incident", "list"]) == 0
    out = capsys.readouterr().out
    assert "突发事件 (1)" in out
    for word in ("编号", "类型", "名称", "开始", "状态", "火警", "处理中"):
        assert word in out
    assert "Fire" not in out and "open" not in out
    # CJK columns line up: the ruler's column starts fall on the same display cells
    lines = [line for line in out.splitlines() if line.strip()][1:]
    assert len(lines) == 3
    assert_aligned(lines)
    # JSON stays English
    assert run(["--lang", "zh", "--store", str(store_dir), "incident", "list", "--format",
                "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["incidents"][0]["kind"] == "fire" and data["incidents"][0]["status"] == "open"
    assert data["incidents"][0]["title"] == "Fire"


def test_cli_incident_show_in_chinese(staffed, store_dir, capsys, monkeypatch):
    monkeypatch.setenv("FLOOR_NOW", "2026-11-20T15:00")
    incident_id = _incident_with_history(staffed)
    assert run(["--lang", "zh", "--store", str(store_dir), "incident", "show", incident_id]) == 0
    out = capsys.readouterr().out
    assert f"事件 {incident_id}: 火警 — 处理中" in out
    for word in ("步骤", "必做", "可选", "已完成", "已跳过", "待办", "操作人", "原因/内容",
                 "备注", "时间线", "已启动", "保持镇静", "too much smoke", "关闭前尚需完成"):
        assert word in out
    assert "Stay calm" not in out
    for title in ("步骤", "时间线"):
        block = out.split(f"\n{title}\n", 1)[1].split("\n\n", 1)[0].splitlines()
        assert len(block) >= 3
        assert_aligned(block)
    assert run(["--lang", "en", "--store", str(store_dir), "incident", "show", incident_id]) == 0
    out = capsys.readouterr().out
    assert "Stay calm, keep the floor calm" in out and "保持镇静" not in out
    assert "Still to do before closing" in out


def test_cli_unknown_incident_in_chinese(staffed, store_dir, capsys):
    assert run(["--lang", "zh", "--store", str(store_dir), "incident", "show",
                "20261120-9"]) == 2
    assert "未知事件 '20261120-9'" in capsys.readouterr().err


def test_checklists_follow_the_interface_language(staffed):
    by_id = {c.id: c for c in staffed.emergency.checklists()}
    assert by_id["fire"].title == "Fire"
    assert rules.step_text(by_id["fire"].steps[0]) == "Stay calm, keep the floor calm"
    assert by_id["outage"].title == "Terminal/system outage"
    i18n.set_language("zh")
    assert by_id["fire"].title == "火警"
    assert rules.step_text(by_id["fire"].steps[0]).startswith("保持镇静")
    assert by_id["ill"].title == "员工突发疾病"
    assert rules.step_text(by_id["outage"].steps[0]) == "记录故障开始时间"
    # every built-in step has both languages, and no English text carries Chinese any more
    for checklist in by_id.values():
        assert checklist.name_zh
        for step in checklist.steps:
            assert step.text_zh and not any("\u4e00" <= ch <= "\u9fff" for ch in step.text)


def test_incident_stored_before_bilingual_data_shows_chinese(staffed, zh):
    """An incident recorded when steps had no text_zh takes it from the built-in by code."""
    old = rules.new_incident("20261120-1", checklists.builtin_checklists()[0],
                             "2026-11-20T15:00:00+08:00", "tester")
    old["title"] = "Fire 火警"
    del old["title_zh"]
    for step in old["steps"]:
        del step["text_zh"]
    assert rules.incident_title(old) == "火警"
    assert rules.step_text(old["steps"][1], old["checklist"]) == "报告直接上级"


def test_closing_refusal_in_chinese(staffed, zh):
    svc = staffed.emergency
    incident_id = svc.start("fire")["id"]
    with pytest.raises(FloorError) as refused:
        svc.close(incident_id)
    message = str(refused.value)
    assert message.startswith(f"无法关闭 {incident_id}: 以下必做步骤未完成")
    assert "1 calm (保持镇静" in message and "7 call119 (无法扑灭" in message
    assert "extinguish" not in message


def test_custom_checklist_with_optional_chinese(staffed, store_dir, capsys, write_file):
    """A centre's own checklist: the old format still imports; text_zh/name_zh are optional."""
    plain = write_file("gas.json", json.dumps({
        "id": "gas-leak", "name": "Gas leak", "key": "g",
        "steps": [{"code": "valve", "text": "Close the valve"}]}))
    assert run(["--store", str(store_dir), "import", "checklist", str(plain)]) == 0
    both = write_file("water.json", json.dumps({
        "id": "water", "name": "Water leak", "name_zh": "漏水", "key": "w",
        "steps": [{"code": "power", "text": "Cut the power", "text_zh": "切断电源"},
                  {"code": "call", "text": "Call facilities"}]}))
    assert run(["--lang", "zh", "--store", str(store_dir), "import", "checklist",
                str(both)]) == 0
    assert "清单 'water' 已添加 (2 个步骤, 按键 w)" in capsys.readouterr().out
    i18n.set_language("zh")
    gas = staffed.emergency.checklist("gas-leak")
    water = staffed.emergency.checklist("water")
    assert gas.title == "Gas leak" and rules.step_text(gas.steps[0]) == "Close the valve"
    assert water.title == "漏水"
    assert [rules.step_text(s) for s in water.steps] == ["切断电源", "Call facilities"]
    i18n.set_language("en")
    assert water.title == "Water leak" and rules.step_text(water.steps[0]) == "Cut the power"


def test_checklist_import_errors_in_chinese(staffed, store_dir, capsys, write_file):
    path = write_file("bad.json", json.dumps({
        "id": "fire", "name": "", "key": "o", "steps": [{"code": "a", "text": "",
                                                          "text_zh": 3}]}))
    assert run(["--lang", "zh", "--store", str(store_dir), "import", "checklist",
                str(path)]) == 2
    err = capsys.readouterr().err
    for part in ("bad.json: id: 'fire' 是内置清单", "bad.json: name: 缺失或为空",
                 "key: 必须是以下空闲字母之一", "steps[1].text: 缺失或为空",
                 "steps[1].text_zh: 必须是文本"):
        assert part in err
    broken = write_file("broken.json", "{\n  \"id\": \n")
    assert run(["--lang", "zh", "--store", str(store_dir), "import", "checklist",
                str(broken)]) == 2
    assert "broken.json:3: JSON 格式错误" in capsys.readouterr().err


async def test_screen_in_chinese(staffed):
    i18n.set_language("zh")
    app = FloorApp(staffed, backup=False)
    said: list[str] = []  # notifications time out; a slow machine may miss them on screen
    notify = app.notify

    def recording_notify(message, *args, **kwargs):  # noqa: ANN001, ANN202
        said.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = recording_notify
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        chooser = str(app.screen.query_one("#em-chooser", Static).render())
        assert "火警" in chooser and "员工突发疾病" in chooser and "终端/系统故障" in chooser
        assert "(7 步, 6 步必做)" in chooser
        phones = str(app.screen.query_one("#em-phones", Static).render())
        assert "急救 120" in phones and "未设置：请找经理设置（F8）" in phones
        title = str(app.screen.query_one("#em-title", Static).render())
        assert "选择应急清单" in title
        await pilot.press("f", "1")
        await pilot.pause()
        table = app.screen.query_one("#em-steps", DataTable)
        headers = [str(c.label) for c in table.columns.values()]
        assert "步骤  (* 必做)" in headers and "操作人" in headers
        cells = [str(c) for c in table.get_row_at(0)]
        assert "*保持镇静, 稳定现场秩序" in cells
        title = str(app.screen.query_one("#em-title", Static).render())
        assert "火警" in title and "自 15:00" in title
        notes = str(app.screen.query_one("#em-notes", Static).render())
        assert "已完成 1 保持镇静" in notes and "关闭前待办" in notes
        assert any("第 1 步已完成" in m for m in said)
        await pilot.press("c")
        await pilot.pause()
        assert any(m.startswith("无法关闭") for m in said)
        await pilot.press("s")
        await pilot.pause()
        hints = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "跳过第 1 步: 保持镇静" in hints and "跳过步骤必须填写原因" in hints
