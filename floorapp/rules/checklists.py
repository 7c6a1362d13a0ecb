"""Emergency checklists as data: the built-in three of SPEC §8 and a centre's own from JSON.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from floorapp.i18n import _, language

# What a step asks for when ticked: nothing, a text, a time, the outage scope, the seats.
INPUTS = ("none", "text", "time", "scope", "seats")
CUSTOM_INPUTS = ("none", "text", "time")
MAX_STEPS = 9  # steps are ticked by the digits 1–9
# Keys the chooser uses for itself (add, log, cursor, quit); a centre's checklist takes another.
RESERVED_KEYS = set("aljkq")
BUILTIN_KEYS = {"fire": "f", "ill": "i", "outage": "o"}
FREE_KEYS = sorted(set("abcdefghijklmnopqrstuvwxyz") - RESERVED_KEYS - set(BUILTIN_KEYS.values()))
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,19}$")


@dataclass(frozen=True)
class Step:
    code: str
    text: str
    mandatory: bool = True
    input: str = "none"
    text_zh: str = ""  # the step in Chinese (optional for a centre's own checklist)


@dataclass(frozen=True)
class Checklist:
    id: str
    name: str
    key: str
    kind: str  # fire, ill, outage, custom
    steps: tuple[Step, ...] = field(default_factory=tuple)
    name_zh: str = ""  # the name in Chinese (optional for a centre's own checklist)

    @property
    def title(self) -> str:
        """The name in the interface language."""
        return (self.name_zh or self.name) if language() == "zh" else self.name

    def to_record(self) -> dict[str, Any]:
        data = asdict(self)
        data["steps"] = [asdict(s) for s in self.steps]
        return data

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Checklist:
        return cls(id=data["id"], name=data["name"], key=data["key"], kind=data["kind"],
                   steps=tuple(Step(**{k: s[k] for k in ("code", "text", "mandatory", "input")},
                                    text_zh=s.get("text_zh") or "")
                               for s in data["steps"]),
                   name_zh=data.get("name_zh") or "")


def builtin_checklists() -> list[Checklist]:
    """The three checklists of SPEC §8, step by step, in English and Chinese."""
    fire = Checklist("fire", "Fire", "f", "fire", (
        Step("calm", "Stay calm, keep the floor calm", text_zh="保持镇静, 稳定现场秩序"),
        Step("superior", "Report to the direct superior", text_zh="报告直接上级"),
        Step("officer", "Report to the fire-safety officer", text_zh="报告消防安全员"),
        Step("security", "Report to the security office", text_zh="报告保卫科"),
        Step("evacuate", "Evacuate by the safe exits after the team lead; stairs, not lifts",
             text_zh="跟随班长从安全通道疏散; 走楼梯, 不乘电梯"),
        Step("extinguish", "Small fire, only when safe: nearest extinguisher, call colleagues",
             mandatory=False, text_zh="初起小火且确保安全时: 就近取灭火器, 呼叫同事协助"),
        Step("call119", "Cannot be put out: call 119 — address, what burns, size, people, "
                        "own name and job number",
             text_zh="无法扑灭: 拨打119 — 报地址、燃烧物、火势、人员情况、本人姓名和工号"),
    ), name_zh="火警")
    ill = Checklist("ill", "Staff taken ill", "i", "ill", (
        Step("family", "Notify the family", text_zh="通知家属"),
        Step("superior", "Notify the superior", text_zh="报告上级"),
        Step("hospital", "Escort to hospital or call 120", text_zh="送医或拨打120"),
        Step("roster", "Rearrange the roster; a resting agent may be called in (R), the centre "
                       "director approves",
             text_zh="调整排班; 可召回休息坐席(R), 须中心主任批准"),
    ), name_zh="员工突发疾病")
    outage = Checklist("outage", "Terminal/system outage", "o", "outage", (
        Step("start", "Record the start time", input="time", text_zh="记录故障开始时间"),
        Step("describe", "Describe the fault (outbound or complaint system)", input="text",
             text_zh="描述故障 (外呼系统或投诉系统)"),
        Step("scope", "Decide: provincial system or local terminal", input="scope",
             text_zh="判断: 省级系统还是本地终端"),
        Step("seats", "Record the affected seats", input="seats", text_zh="记录受影响坐席"),
        Step("lead", "Notify the team lead", text_zh="通知班长"),
        Step("steps", "Resolution steps taken", input="text", text_zh="已采取的处理步骤"),
        Step("recovered", "Record the recovery time", input="time", text_zh="记录恢复时间"),
    ), name_zh="终端/系统故障")
    return [fire, ill, outage]


def _builtin_zh() -> dict[str, tuple[str, dict[str, str]]]:
    """Checklist id → (Chinese name, step code → Chinese text) of the built-ins."""
    return {c.id: (c.name_zh, {s.code: s.text_zh for s in c.steps})
            for c in builtin_checklists()}


def builtin_name_zh(checklist_id: str) -> str:
    """The Chinese name of a built-in checklist ('' for a centre's own)."""
    return _builtin_zh().get(checklist_id, ("", {}))[0]


# ------------------------------------------------------------------ custom checklists
def parse_checklist(data: Any, taken_keys: dict[str, str], where: str) -> tuple[Checklist,
                                                                               list[str]]:
    """A centre's own checklist from its JSON object; returns (checklist, errors).

    ``taken_keys`` maps a selection key to the checklist id holding it. Every problem is
    listed as ``WHERE: path: reason`` so the supervisor can fix the file in one go.
    """
    errors: list[str] = []

    def bad(path: str, reason: str) -> None:
        errors.append(f"{where}: {path}: {reason}" if path else f"{where}: {reason}")

    if not isinstance(data, dict):
        bad("", _('expected a JSON object {"id", "name", "key", "steps": [...]}'))
        return Checklist("", "", "", "custom"), errors
    unknown = sorted(set(data) - {"id", "name", "name_zh", "key", "steps"})
    if unknown:
        bad("", _("unknown field(s): {fields}").format(fields=", ".join(unknown)))
    cid = data.get("id")
    if not isinstance(cid, str) or not _ID.match(cid):
        bad("id", _('must be lower-case letters, digits, - or _ (up to 30), e.g. "gas-leak"'))
        cid = ""
    elif cid in BUILTIN_KEYS:
        bad("id", _("{id} is a built-in checklist; choose another id").format(id=repr(cid)))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        bad("name", _("is missing or empty"))
        name = ""
    name_zh = data.get("name_zh", "")
    if not isinstance(name_zh, str):
        bad("name_zh", _("must be a text"))
        name_zh = ""
    key = data.get("key")
    if not isinstance(key, str) or len(key) != 1 or key not in FREE_KEYS:
        bad("key", _("must be one of the free letters {letters} (others are taken by the "
                     "screen's own keys)").format(letters=" ".join(FREE_KEYS)))
        key = ""
    elif taken_keys.get(key, cid) != cid:
        bad("key", _("{key} already opens checklist {id}").format(
            key=repr(key), id=repr(taken_keys[key])))
    steps_data = data.get("steps")
    steps: list[Step] = []
    if not isinstance(steps_data, list) or not steps_data:
        bad("steps", _("must be a non-empty list of steps"))
        steps_data = []
    elif len(steps_data) > MAX_STEPS:
        bad("steps", _("at most {max} steps (they are ticked with the keys 1-9), got {n}")
            .format(max=MAX_STEPS, n=len(steps_data)))
    codes: set[str] = set()
    for n, raw in enumerate(steps_data, start=1):
        path = f"steps[{n}]"
        if not isinstance(raw, dict):
            bad(path, _('expected {"code", "text", "mandatory", "input"}'))
            continue
        extra = sorted(set(raw) - {"code", "text", "text_zh", "mandatory", "input"})
        if extra:
            bad(path, _("unknown field(s): {fields}").format(fields=", ".join(extra)))
        code = raw.get("code", f"s{n}")
        if not isinstance(code, str) or not _CODE.match(code):
            bad(f"{path}.code", _("must be lower-case letters, digits, - or _"))
            code = f"s{n}"
        elif code in codes:
            bad(f"{path}.code", _("{code} is used by an earlier step").format(code=repr(code)))
        codes.add(code)
        text = raw.get("text")
        if not isinstance(text, str) or not text.strip():
            bad(f"{path}.text", _("is missing or empty"))
            text = ""
        text_zh = raw.get("text_zh", "")
        if not isinstance(text_zh, str):
            bad(f"{path}.text_zh", _("must be a text"))
            text_zh = ""
        mandatory = raw.get("mandatory", True)
        if not isinstance(mandatory, bool):
            bad(f"{path}.mandatory", _("must be true or false"))
            mandatory = True
        kind = raw.get("input", "none")
        if kind not in CUSTOM_INPUTS:
            bad(f"{path}.input", _("must be one of {kinds}").format(kinds=", ".join(CUSTOM_INPUTS)))
            kind = "none"
        steps.append(Step(code, text.strip(), mandatory, kind, text_zh.strip()))
    return Checklist(cid or "", (name or "").strip(), key or "", "custom", tuple(steps),
                     name_zh.strip()), errors
