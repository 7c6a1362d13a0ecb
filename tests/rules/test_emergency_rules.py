"""Emergency rules (SPEC §8): checklists as data, ticking, skipping, closing, outage minutes."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from floorapp.formats.checklists import load_checklist_json
from floorapp.rules import checklists
from floorapp.rules import emergency as rules
from floorapp.errors import FloorError, ImportRejected

TZ = dt.timezone(dt.timedelta(hours=8))
AT = "2026-11-20T15:00:00+08:00"


def t(hhmm: str, day: int = 20) -> dt.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def checklist(cid: str) -> checklists.Checklist:
    return next(c for c in checklists.builtin_checklists() if c.id == cid)


def test_builtin_checklists_cover_spec_steps():
    by_id = {c.id: c for c in checklists.builtin_checklists()}
    assert [c.key for c in by_id.values()] == ["f", "i", "o"]
    fire = [s.code for s in by_id["fire"].steps]
    assert fire == ["calm", "superior", "officer", "security", "evacuate", "extinguish",
                    "call119"]
    security = next(s for s in by_id["fire"].steps if s.code == "security")
    assert "security office" in security.text and security.text_zh == "报告保卫科"
    assert security.mandatory
    assert not next(s for s in by_id["fire"].steps if s.code == "extinguish").mandatory
    assert "119" in by_id["fire"].steps[-1].text and "job number" in by_id["fire"].steps[-1].text
    ill = [s.code for s in by_id["ill"].steps]
    assert ill == ["family", "superior", "hospital", "roster"]
    outage = {s.code: s.input for s in by_id["outage"].steps}
    assert outage == {"start": "time", "describe": "text", "scope": "scope", "seats": "seats",
                      "lead": "none", "steps": "text", "recovered": "time"}
    for c in by_id.values():
        assert len(c.steps) <= checklists.MAX_STEPS


def _all_done(cid: str, values: dict[str, object] | None = None) -> dict:
    values = values or {}
    inc = rules.new_incident("20261120-1", checklist(cid), AT, "lead1")
    for step in list(inc["steps"]):
        inc = rules.tick(inc, step["code"], AT, "lead1", values.get(step["code"]))
    return inc


OUTAGE_VALUES = {"start": "2026-11-20T14:00:00+08:00", "describe": "dialer down",
                 "scope": "local", "seats": {"staff": ["A001"]}, "steps": "restart",
                 "recovered": "2026-11-20T14:40:00+08:00"}


@pytest.mark.parametrize("cid,values", [("fire", {}), ("ill", {}), ("outage", OUTAGE_VALUES)],
                         ids=["fire", "staff-ill", "outage"])
def test_each_path_ticked_and_closed(cid, values):
    inc = _all_done(cid, values)
    assert all(s["state"] == "done" and s["by"] == "lead1" and s["at"] == AT
               for s in inc["steps"])
    closed = rules.close(inc, "2026-11-20T15:10:00+08:00", "lead2")
    assert closed["status"] == "closed" and closed["closed_by"] == "lead2"
    assert [e["action"] for e in closed["events"]][0] == "open"
    assert closed["events"][-1]["action"] == "close"


def test_close_refused_names_the_missing_mandatory_step():
    inc = rules.new_incident("20261120-1", checklist("fire"), AT, "me")
    for code in ("calm", "superior", "officer", "security", "evacuate"):
        inc = rules.tick(inc, code, AT, "me")
    with pytest.raises(FloorError, match=r"7 call119") as err:
        rules.close(inc, AT, "me")
    assert "extinguish" not in str(err.value)  # optional steps never block closing
    assert inc["status"] == "open"


def test_close_allowed_when_mandatory_step_skipped_with_reason():
    inc = rules.new_incident("20261120-1", checklist("fire"), AT, "me")
    for code in ("calm", "superior", "officer", "security", "evacuate"):
        inc = rules.tick(inc, code, AT, "me")
    inc = rules.skip(inc, "call119", "put out with the extinguisher", AT, "me")
    closed = rules.close(inc, AT, "me")
    assert closed["status"] == "closed"
    step = rules.find_step(closed, "call119")
    assert step["state"] == "skipped" and step["reason"] == "put out with the extinguisher"


@pytest.mark.parametrize("reason", ["", "   ", None], ids=["empty", "blank", "none"])
def test_skip_without_reason_refused(reason):
    inc = rules.new_incident("20261120-1", checklist("ill"), AT, "me")
    with pytest.raises(FloorError, match="needs a reason"):
        rules.skip(inc, 1, reason, AT, "me")


def test_closed_incident_cannot_change_and_undo_is_kept_in_timeline():
    inc = rules.tick(rules.new_incident("X-1", checklist("ill"), AT, "me"), 1, AT, "me")
    inc = rules.undo(inc, 1, AT, "me")
    assert inc["steps"][0]["state"] == "pending"
    assert [e["action"] for e in inc["events"]] == ["open", "done", "undone"]
    closed = _all_done("ill")
    closed = rules.close(closed, AT, "me")
    with pytest.raises(FloorError, match="closed"):
        rules.tick(closed, 1, AT, "me")


@pytest.mark.parametrize("code,value,message", [
    ("describe", "", "needs a text"),
    ("scope", "county", "provincial"),
    ("seats", {"staff": []}, "at least one"),
    ("start", "14:00", "not a date-time"),
    ("recovered", "2026-11-20T13:00:00+08:00", "before the outage started"),
], ids=["text-empty", "scope-unknown", "seats-none", "time-not-iso", "recovery-before-start"])
def test_step_values_checked(code, value, message):
    inc = rules.new_incident("X-1", checklist("outage"), "2026-11-20T14:00:00+08:00", "me")
    with pytest.raises(FloorError, match=message):
        rules.tick(inc, code, AT, "me", value)


def test_call_in_recorded_and_ticks_roster_step():
    inc = rules.new_incident("X-1", checklist("ill"), AT, "me")
    call = {"staff_id": "A002", "day": "2026-11-20", "code": "D", "approver": "M001",
            "reason": "cover"}
    inc = rules.add_call_in(inc, call, AT, "me")
    assert inc["call_ins"][0]["approver"] == "M001"
    assert rules.find_step(inc, "roster")["state"] == "done"
    with pytest.raises(FloorError, match="approver"):
        rules.add_call_in(inc, {**call, "approver": " "}, AT, "me")


# ---------------------------------------------------------------- outage minutes
MORNING = (t("08:00"), t("12:00"))
AFTERNOON = (t("14:30"), t("17:30"))


@pytest.mark.parametrize("windows,expected", [
    ([(t("07:00"), t("07:59"))], 0),
    ([(t("07:30"), t("08:30"))], 30),
    ([(t("09:00"), t("09:45"))], 45),
    ([(t("11:30"), t("15:00"))], 60),
    ([(t("12:00"), t("14:30"))], 0),
    ([(t("17:00"), t("19:00"))], 30),
    ([(t("18:00"), t("19:00"))], 0),
    ([(t("09:00"), t("10:00")), (t("09:30"), t("10:30"))], 90),
    ([(t("00:00"), t("23:59"))], 420),
    ([(t("09:00"), t("09:00"))], 0),
    ([(t("09:00"), t("09:00") + dt.timedelta(seconds=59))], 0),
], ids=["before-period", "partial-at-start", "inside-period", "across-lunch",
        "exactly-the-lunch-break", "partial-at-end", "after-period", "overlapping-outages-once",
        "whole-day", "zero-length", "under-a-minute"])
def test_overlap_minutes(windows, expected):
    assert rules.overlap_minutes([MORNING, AFTERNOON], windows) == expected


def test_lost_minutes_only_affected_staff():
    periods = {"A001": [MORNING, AFTERNOON], "A002": [MORNING, AFTERNOON], "R01": []}
    outages = [((t("09:00"), t("09:30")), ["A001", "R01"]),
               ((t("09:15"), t("10:00")), ["A001", "A002"])]
    assert rules.lost_minutes(periods, outages) == {"A001": 60, "A002": 45}


def test_outage_window_open_counts_to_now_and_cancelled_counts_nothing():
    inc = rules.new_incident("X-1", checklist("outage"), "2026-11-20T14:05:00+08:00", "me")
    inc = rules.tick(inc, "start", AT, "me", "2026-11-20T14:00:00+08:00")
    assert rules.outage_window(inc, t("15:00")) == (t("14:00"), t("15:00"))
    done = rules.tick(inc, "recovered", AT, "me", "2026-11-20T14:20:00+08:00")
    assert rules.outage_window(done, t("15:00")) == (t("14:00"), t("14:20"))
    assert rules.outage_window(rules.cancel(inc, "opened by mistake", AT, "me"), t("15:00")) \
        is None


@pytest.mark.parametrize("text,expected", [
    ("", t("15:00")), ("9:05", t("09:05")), ("2026-11-19 23:10", t("23:10", 19)),
], ids=["empty-is-now", "hh-mm", "date-and-time"])
def test_parse_time_input(text, expected):
    assert rules.parse_time_input(text, t("15:00")) == expected


@pytest.mark.parametrize("text", ["25:00", "9h", "2026-13-01 10:00"],
                         ids=["hour-25", "not-a-time", "month-13"])
def test_parse_time_input_refuses(text):
    with pytest.raises(FloorError):
        rules.parse_time_input(text, t("15:00"))


# ---------------------------------------------------------------- custom checklists
GOOD = {"id": "gas-leak", "name": "Gas leak 燃气泄漏", "key": "g",
        "steps": [{"code": "valve", "text": "Close the gas valve", "mandatory": True},
                  {"code": "air", "text": "Open the windows", "mandatory": False,
                   "input": "text"}]}


def test_custom_checklist_parsed():
    checklist, errors = checklists.parse_checklist(GOOD, {"f": "fire"}, "gas.json")
    assert errors == []
    assert checklist.kind == "custom" and checklist.key == "g"
    assert [(s.code, s.mandatory, s.input) for s in checklist.steps] == [
        ("valve", True, "none"), ("air", False, "text")]


@pytest.mark.parametrize("change,message", [
    ({"id": "fire"}, "built-in"),
    ({"id": "Gas Leak"}, "id: must be lower-case"),
    ({"key": "f"}, "key: must be one of"),
    ({"key": "a"}, "key: must be one of"),
    ({"key": "g2"}, "key: must be one of"),
    ({"name": ""}, "name: is missing"),
    ({"steps": []}, "steps: must be a non-empty list"),
    ({"steps": [{"code": f"s{n}", "text": "x"} for n in range(10)]}, "at most 9 steps"),
    ({"steps": [{"code": "a", "text": ""}]}, r"steps\[1\].text: is missing"),
    ({"steps": [{"code": "a", "text": "x", "mandatory": "yes"}]}, "true or false"),
    ({"steps": [{"code": "a", "text": "x", "input": "seats"}]}, "input: must be one of"),
    ({"steps": [{"code": "a", "text": "x"}, {"code": "a", "text": "y"}]}, "earlier step"),
    ({"colour": "red"}, "unknown field"),
], ids=["builtin-id", "bad-id", "builtin-key", "reserved-key", "long-key", "no-name",
        "no-steps", "ten-steps", "empty-step-text", "mandatory-not-bool", "input-not-allowed",
        "duplicate-code", "unknown-field"])
def test_custom_checklist_errors(change, message):
    _, errors = checklists.parse_checklist({**GOOD, **change}, {"f": "fire"}, "gas.json")
    assert any(message in e or re.search(message, e) for e in errors), errors
    assert all(e.startswith("gas.json: ") for e in errors)


def test_custom_checklist_key_taken_by_another():
    _, errors = checklists.parse_checklist(GOOD, {"g": "gas-old"}, "gas.json")
    assert errors == ["gas.json: key: 'g' already opens checklist 'gas-old'"]
    _, errors = checklists.parse_checklist(GOOD, {"g": "gas-leak"}, "gas.json")  # re-import
    assert errors == []


def test_checklist_json_errors():
    with pytest.raises(FloorError, match=r"gas.json:1: not valid JSON"):
        load_checklist_json("{oops", {}, "gas.json")
    with pytest.raises(ImportRejected) as err:
        load_checklist_json(json.dumps({**GOOD, "name": "", "key": "f"}), {}, "gas.json")
    assert len(err.value.errors) == 2


def test_rules_module_is_pure():
    """The rule family imports no UI, no store and reads no clock."""
    import ast
    from pathlib import Path

    source = Path(rules.__file__).read_text("utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"textual", "tinydb", "store", "pendulum"}
    assert "now()" not in source and "today()" not in source
