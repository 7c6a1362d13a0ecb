"""The pay sheet in Chinese: the table reads Chinese, the JSON and CSV keys and codes stay."""

from __future__ import annotations

import json

from floorapp.cli.main import run
from tests.services.test_pay_service import args, set_orders


def test_pay_report_in_chinese(staffed, capsys) -> None:
    set_orders(staffed, "A001", 420)
    assert run(["--lang", "zh", *args(staffed, "report", "pay", "--month", "2026-10")]) == 0
    table = capsys.readouterr().out
    assert "薪资 2026年10月" in table and "应发" in table and "欧阳娜娜" in table
    assert "未设置每单提成" in table
    assert run(["--lang", "zh", *args(staffed, "report", "pay", "--month", "2026-10",
                                      "--format", "json")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["staff"][0]["tier"] == "met"
    assert run(["--lang", "zh", *args(staffed, "pay", "special", "A001", "--month",
                                      "2026-10")]) == 0
    assert "已确认特殊情况，但成单 420 已达保底量" in capsys.readouterr().out
