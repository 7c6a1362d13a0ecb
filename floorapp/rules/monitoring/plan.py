"""Monitoring and QA rules (监控/质检, SPEC §6): scorecards, scoring, the daily plan,
feedback and dispute deadlines, follow-up and the COPC sample size (calibration:
``floorapp.rules.monitoring.calibration``).

Pure functions of plain data, the policy and an explicit ``now``: no I/O, no clock, no store.

Scorecards are data (SPEC §9 template JSON). Quick-entry marks are item codes with optional
counts: ``a1x2 b3 f2``; ``CODEna`` marks an item not applicable (N/A), which drops it out: its
weight leaves the section's maximum (a Y/N/NA check that does not apply neither adds nor costs).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from statistics import NormalDist
from typing import Any

from floorapp.i18n import N_, _, fmt_date, language
from floorapp.policy import Policy

MODES = ("side_by_side", "live", "recording")
# Mode names shown to people (the codes above stay in the store, CSV and JSON).
MODE_NAMES = {"side_by_side": N_("side-by-side 即席"), "live": N_("live 实时"),
              "recording": N_("recording 录音")}
STATUS_NAMES = {"done": N_("done"), "due": N_("due"), "overdue": N_("overdue")}
FLAG_NAMES = {"high": N_("high"), "low": N_("low"), "inconsistent": N_("inconsistent")}


def day_text(day: dt.date) -> str:
    """A date shown to people: '11月20日 周五' in Chinese, ISO (as always) in English."""
    return fmt_date(day) if language() == "zh" else day.isoformat()


def mode_name(mode: str) -> str:
    return _(MODE_NAMES[mode]) if mode in MODE_NAMES else mode


def status_name(status: str) -> str:
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def flag_name(flag: str) -> str:
    return _(FLAG_NAMES[flag]) if flag in FLAG_NAMES else flag


def verdict(passed: bool | None) -> str:
    """PASS, FAIL, or "no pass mark" when the scorecard has none set."""
    return verdict_word(passed) or _("no pass mark")


def verdict_word(passed: bool | None) -> str:
    """What follows a score: PASS or FAIL, or nothing where there is no verdict (no pass
    mark set on the card and no critical item): the score stands alone."""
    if passed is None:
        return ""
    return _("PASS") if passed else _("FAIL")


# deduct: points off; critical: the call scores 0 and fails (诈单); violation: no points, a
# compliance violation of level 1 or 2 (合规部分).
KINDS = ("deduct", "critical", "violation")
BUILTIN_FILES = ("qa-outbound-100.json", "qa-recording-40.json", "qa-service-40.json",
                 "qa-hotline-100.json", "qa-hotline-400.json", "qa-telesales-compliance.json")
# Earlier versions of the built-ins, kept so an evaluation scored with one stays readable.
ARCHIVE_FILES = ("qa-outbound-100.v1.json", "qa-outbound-100.v2.json", "qa-recording-40.v1.json",
                 "qa-hotline-100.v1.json")
DEFAULT_TEMPLATE = "outbound-100"
HUNDRED = Decimal(100)
# Item codes are letters then digits (a1, b12, f3), so a count ``x2`` or ``na`` after one is
# never part of the code.
CODE = re.compile(r"^[a-z]{1,3}\d{1,2}$")
_TEMPLATE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class TemplateError(ValueError):
    """A template that cannot be used; the message says exactly where and what."""


class MarksError(ValueError):
    """Quick-entry marks that do not parse; the message names the bad code."""


# --------------------------------------------------------------------------- templates
@dataclass(frozen=True)
class Item:
    code: str
    text: str
    weight: Decimal
    kind: str = "deduct"
    per_occurrence: bool = False
    text_zh: str = ""  # optional Chinese text, shown instead of ``text`` in Chinese
    source: str = ""  # "centre" when the printed form does not list the item
    doubling: bool = False  # 加倍扣罚: the rule doubles the deduction in stated cases
    doubling_text: str = ""  # when it doubles (English)
    doubling_zh: str = ""  # when it doubles, as printed
    criterion: bool = False  # printed as a standard to meet: typing the code = not met
    level: int = 0  # violation level (1 or 2) of a compliance item
    extra: tuple[tuple[str, Any], ...] = ()  # other printed details kept as they are

    @property
    def shown(self) -> str:
        return self.text_zh if self.text_zh and language() == "zh" else self.text

    @property
    def doubling_shown(self) -> str:
        return self.doubling_zh if self.doubling_zh and language() == "zh" else \
            self.doubling_text


@dataclass(frozen=True)
class Section:
    name: str
    max: Decimal
    items: tuple[Item, ...]
    name_en: str = ""  # optional English name, shown instead of ``name`` in English
    max_source: str = ""  # "centre" when the form does not print this section's points

    @property
    def shown(self) -> str:
        return self.name_en if self.name_en and language() != "zh" else self.name


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    pass_mark: Decimal | None  # None: the form gives none and the centre has set none
    sections: tuple[Section, ...]
    name_zh: str = ""  # optional Chinese name, shown instead of ``name`` in Chinese
    version: int = 1
    source: str = ""  # the printed form it transcribes ("[003] 质检考核标准")
    notes: str = ""
    notes_zh: str = ""

    @property
    def shown(self) -> str:
        return self.name_zh if self.name_zh and language() == "zh" else self.name

    @property
    def notes_shown(self) -> str:
        return self.notes_zh if self.notes_zh and language() == "zh" else self.notes

    @property
    def max(self) -> Decimal:
        return sum((s.max for s in self.sections), Decimal(0))

    @property
    def scored(self) -> bool:
        """False for a violations form (合规部分): no points, no percentage."""
        return self.max > 0

    @property
    def pass_percent(self) -> Decimal | None:
        if self.pass_mark is None or not self.max:
            return None
        return self.pass_mark * HUNDRED / self.max

    def with_pass_mark(self, pass_mark: Decimal | None) -> Template:
        """The template with the centre's pass mark (policy) where the form gives none."""
        if self.pass_mark is not None or pass_mark is None:
            return self
        return dataclasses.replace(self, pass_mark=pass_mark)

    def with_centre_base(self, base: Decimal) -> Template:
        """The template with the centre's base score (policy ``qa_400_base``) where the form
        prints none: a card of one section whose points are the centre's."""
        if len(self.sections) != 1 or self.sections[0].max_source != "centre":
            return self
        return dataclasses.replace(self, sections=(
            dataclasses.replace(self.sections[0], max=Decimal(base)),))

    def faults_to_fail(self) -> tuple[tuple[Decimal, int], ...]:
        """The pass line in faults: for a one-section card of counted faults with a pass mark,
        (points a fault costs, how many such faults fail a call), biggest fault first; () for
        any other card. A call fails under the pass mark (低于40分为不合格): base 100, pass
        40 fails at 31 two-point or 61 one-point faults."""
        deducts = [i for s in self.sections for i in s.items if i.kind == "deduct"]
        if (self.pass_mark is None or len(self.sections) != 1 or not deducts
                or not all(i.per_occurrence for i in deducts)):
            return ()
        room = self.max - self.pass_mark  # points that may come off and still pass
        if room < 0:
            return tuple((w, 0) for w in sorted({i.weight for i in deducts}, reverse=True))
        return tuple((w, int(room // w) + 1)
                     for w in sorted({i.weight for i in deducts}, reverse=True))

    def items(self) -> dict[str, tuple[Section, Item]]:
        return {item.code: (section, item) for section in self.sections for item in section.items}

    def to_dict(self) -> dict[str, Any]:
        """The template's JSON; the optional translations only when there are some."""
        sections = []
        for s in self.sections:
            items = []
            for i in s.items:
                item = {"code": i.code, "text": i.text, "weight": _num(i.weight),
                        "kind": i.kind, "per_occurrence": i.per_occurrence}
                for key in ("text_zh", "source", "doubling", "doubling_text", "doubling_zh",
                            "criterion", "level"):
                    if getattr(i, key):
                        item[key] = getattr(i, key)
                item.update(dict(i.extra))
                items.append(item)
            section: dict[str, Any] = {"name": s.name, "max": _num(s.max), "items": items}
            if s.name_en:
                section["name_en"] = s.name_en
            if s.max_source:
                section["max_source"] = s.max_source
            sections.append(section)
        out: dict[str, Any] = {
            "id": self.id, "version": self.version, "name": self.name,
            "pass_mark": None if self.pass_mark is None else _num(self.pass_mark),
            "sections": sections}
        for key in ("name_zh", "source", "notes", "notes_zh"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


def _optional_text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise TemplateError(_("{where} must be text").format(where=f"{where}{key}"))
    return value.strip()


def _num(value: Decimal) -> int | float:
    """A JSON number for a template value (templates are small, exact halves at most)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        shown = json.dumps(value, ensure_ascii=False)
        raise TemplateError(_("{where} must be a number, got {value}").format(
            where=where, value=shown))
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise TemplateError(_("{where} must be a number, got {value}").format(
            where=where, value=repr(value))) from None
    if not number.is_finite() or abs(number) > 1_000_000:  # sanity bound (a typo), no rule
        raise TemplateError(_("{where} must be a number, got {value}").format(
            where=where, value=repr(value)))
    return number


ITEM_OPTIONAL = {"text_zh", "source", "doubling", "doubling_text", "doubling_zh", "criterion",
                 "level", "marking", "focus"}
ITEM_EXTRA = ("marking", "focus")  # printed details kept and shown, not used in scoring
SOURCES = ("", "centre")


def _source(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key, "")
    if value not in SOURCES:
        raise TemplateError(_("{where} {value} must be \"centre\" (or left out when the form "
                              "prints it)").format(where=f"{where}{key}", value=repr(value)))
    return value


def _flag(data: dict[str, Any], key: str, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise TemplateError(_("{where} must be true or false").format(where=f"{where}{key}"))
    return value


def _item_from_dict(item: Any, at: str, seen: dict[str, str]) -> Item:
    if not isinstance(item, dict):
        raise TemplateError(_("{where} must be an object").format(where=at))
    _keys(item, {"code", "text", "weight", "kind", "per_occurrence"}, at, ITEM_OPTIONAL)
    code = item["code"]
    if not isinstance(code, str) or not CODE.match(code):
        raise TemplateError(_("{where} {code} must be 1–3 lower-case letters then "
                              "1–2 digits (a1, b12)").format(where=f"{at}.code",
                                                             code=repr(code)))
    if code in seen:
        raise TemplateError(_("{where} {code} is also used at {other}").format(
            where=f"{at}.code", code=code, other=seen[code]))
    seen[code] = at
    if not isinstance(item["text"], str) or not item["text"].strip():
        raise TemplateError(_("{where} must be non-empty text").format(where=f"{at}.text"))
    text_zh = _optional_text(item, "text_zh", f"{at}.")
    kind = item["kind"]
    if kind not in KINDS:
        raise TemplateError(_("{where} {kind} must be \"deduct\", \"critical\" or "
                              "\"violation\"").format(where=f"{at}.kind", kind=repr(kind)))
    weight = _decimal(item["weight"], f"{at}.weight")
    if weight < 0 or (kind == "deduct" and weight == 0):
        raise TemplateError(_("{where} {weight} must be above 0 for a deduct item "
                              "(0 or more for a critical one)").format(
                                  where=f"{at}.weight", weight=weight))
    if not isinstance(item["per_occurrence"], bool):
        raise TemplateError(_("{where} must be true or false").format(
            where=f"{at}.per_occurrence"))
    level = item.get("level", 0)
    if kind == "violation" and level not in (1, 2):
        raise TemplateError(_("{where} {level} must be 1 or 2 for a violation").format(
            where=f"{at}.level", level=repr(level)))
    extra = []
    for key in ITEM_EXTRA:
        if key in item:
            extra.append((key, _optional_text(item, key, f"{at}.")))
    return Item(code=code, text=item["text"], weight=weight, kind=kind,
                per_occurrence=item["per_occurrence"], text_zh=text_zh,
                source=_source(item, "source", f"{at}."),
                doubling=_flag(item, "doubling", f"{at}."),
                doubling_text=_optional_text(item, "doubling_text", f"{at}."),
                doubling_zh=_optional_text(item, "doubling_zh", f"{at}."),
                criterion=_flag(item, "criterion", f"{at}."),
                level=level if kind == "violation" else 0, extra=tuple(extra))


def template_from_dict(data: Any) -> Template:
    """Check a template (SPEC §9 JSON) and build it; TemplateError names the first problem's
    place (``sections[1].items[2].weight``) and says what is wrong. ``pass_mark`` may be null:
    the form gives none and the centre sets it in policy (``qa_pass_marks``)."""
    if not isinstance(data, dict):
        raise TemplateError(_("a template is a JSON object with id, name, pass_mark, sections"))
    _keys(data, {"id", "name", "pass_mark", "sections"}, "template",
          {"name_zh", "version", "source", "notes", "notes_zh"})
    tid = data["id"]
    if not isinstance(tid, str) or not _TEMPLATE_ID.match(tid):
        raise TemplateError(_("id {id} must be 1–40 lower-case letters, digits, '-' or '_'")
                            .format(id=repr(tid)))
    if not isinstance(data["name"], str) or not data["name"].strip():
        raise TemplateError(_("{where} must be non-empty text").format(where="name"))
    name_zh = _optional_text(data, "name_zh", "")
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise TemplateError(_("{where} must be a whole number from 1").format(where="version"))
    pass_mark = None if data["pass_mark"] is None else _decimal(data["pass_mark"], "pass_mark")
    raw_sections = data["sections"]
    if not isinstance(raw_sections, list) or not raw_sections:
        raise TemplateError(_("{where} must be a non-empty list").format(where="sections"))
    sections = []
    seen: dict[str, str] = {}
    for s_index, raw in enumerate(raw_sections):
        where = f"sections[{s_index}]"
        if not isinstance(raw, dict):
            raise TemplateError(_("{where} must be an object with name, max, items")
                                .format(where=where))
        _keys(raw, {"name", "max", "items"}, where, {"name_en", "max_source"})
        if not isinstance(raw["name"], str) or not raw["name"].strip():
            raise TemplateError(_("{where} must be non-empty text").format(where=f"{where}.name"))
        name_en = _optional_text(raw, "name_en", f"{where}.")
        section_max = _decimal(raw["max"], f"{where}.max")
        if section_max < 0:
            raise TemplateError(_("{where} cannot be negative ({value})").format(
                where=f"{where}.max", value=section_max))
        raw_items = raw["items"]
        if not isinstance(raw_items, list) or not raw_items:
            raise TemplateError(_("{where} must be a non-empty list").format(
                where=f"{where}.items"))
        items = [_item_from_dict(item, f"{where}.items[{i_index}]", seen)
                 for i_index, item in enumerate(raw_items)]
        sections.append(Section(name=raw["name"], max=section_max, items=tuple(items),
                                name_en=name_en,
                                max_source=_source(raw, "max_source", f"{where}.")))
    template = Template(id=tid, name=data["name"], pass_mark=pass_mark, sections=tuple(sections),
                        name_zh=name_zh, version=version,
                        source=_optional_text(data, "source", ""),
                        notes=_optional_text(data, "notes", ""),
                        notes_zh=_optional_text(data, "notes_zh", ""))
    violations_only = all(i.kind == "violation" for s in sections for i in s.items)
    if template.max <= 0 and not violations_only:
        raise TemplateError(_("the sections' max add up to 0; a template needs points to score"))
    if pass_mark is not None and not 0 <= pass_mark <= template.max:
        raise TemplateError(_("pass_mark {pass_mark} must be between 0 and the template's "
                              "maximum {max}").format(pass_mark=pass_mark, max=template.max))
    return template


def _keys(data: dict[str, Any], wanted: set[str], where: str,
          optional: set[str] | frozenset[str] = frozenset()) -> None:
    missing = sorted(wanted - set(data))
    unknown = sorted(set(data) - wanted - set(optional))
    if missing:
        raise TemplateError(_("{where}: missing key(s): {keys}").format(
            where=where, keys=", ".join(missing)))
    if unknown:
        raise TemplateError(_("{where}: unknown key(s): {keys}").format(
            where=where, keys=", ".join(unknown)))


def builtin_templates() -> dict[str, Template]:
    """The built-in scorecards of SPEC §6 (transcriptions of [003]), from
    ``floorapp/data/qa-*.json``."""
    out = {}
    folder = resources.files("floorapp") / "data"
    for name in BUILTIN_FILES:
        template = template_from_dict(json.loads((folder / name).read_text("utf-8")))
        out[template.id] = template
    return out


def archived_templates() -> dict[tuple[str, int], Template]:
    """Earlier versions of the built-ins, by (id, version): evaluations scored with one keep
    reading with its items."""
    out = {}
    folder = resources.files("floorapp") / "data" / "qa-archive"
    for name in ARCHIVE_FILES:
        template = template_from_dict(json.loads((folder / name).read_text("utf-8")))
        out[(template.id, template.version)] = template
    return out


# --------------------------------------------------------------------------- scoring
@dataclass(frozen=True)
class Mark:
    """A typed fault: ``count`` occurrences, ``doubled`` of them doubled (加倍扣罚), or N/A."""

    code: str
    count: int = 1
    na: bool = False
    doubled: int = 0

    @property
    def text(self) -> str:
        if self.na:
            return f"{self.code}na"
        parts = []
        plain = self.count - self.doubled
        for number, suffix in ((plain, ""), (self.doubled, "!")):
            if number:
                parts.append((self.code if number == 1 else f"{self.code}x{number}") + suffix)
        return " ".join(parts)


# One mark: a code, then a count (x2 or *2) or na, then ! for a doubled deduction. Marks may
# be typed with or without spaces between them (a1x2b3c1 = a1x2 b3 c1).
_MARK_RUN = re.compile(r"([a-z]{1,3}\d{1,2})(?:(?:x|\*)(\d{1,2})|(na))?(!)?")


def _tokens(text: str) -> Iterable[tuple[str, re.Match[str] | None]]:
    """Each typed word split into marks; a piece that is no mark comes back with None."""
    for word in text.replace(",", " ").lower().split():
        at = 0
        while at < len(word):
            match = _MARK_RUN.match(word, at)
            if not match:
                yield word, None  # the whole word typed, so the monitor finds it
                break
            yield match.group(0), match
            at = match.end()


def parse_marks(text: str, template: Template) -> list[Mark]:
    """``"a1x2 b3 c2na a8!"`` (spaces optional: ``a1x2b3``) → marks; repeated codes add up;
    ``!`` doubles the deduction where the item's rule doubles (加倍扣罚). MarksError names the
    bad token."""
    items = template.items()
    counts: dict[str, Mark] = {}
    for token, match in _tokens(text):
        if match is None:
            raise MarksError(_("{token} is not an item code (like a1, b2x3 or c4na)").format(
                token=repr(token)))
        code, count, na, doubled = match.group(1), match.group(2), match.group(3), match.group(4)
        if code not in items:
            raise MarksError(_("unknown item code {code} in template {template}").format(
                code=repr(code), template=template.id))
        number = int(count) if count else 1
        if number == 0:
            raise MarksError(_("{token}: a count must be 1 or more").format(token=token))
        if doubled and (na or not items[code][1].doubling):
            raise MarksError(_("{code}: this item's rule does not double (加倍扣罚)").format(
                code=code))
        previous = counts.get(code)
        if previous and previous.na != bool(na):
            raise MarksError(_("{code} is marked both N/A and as a fault").format(code=code))
        if na:
            counts[code] = Mark(code, 1, True)
        else:
            counts[code] = Mark(code, number + (previous.count if previous else 0),
                                doubled=(number if doubled else 0)
                                + (previous.doubled if previous else 0))
    return list(counts.values())


def marks_text(marks: Iterable[Mark]) -> str:
    return " ".join(m.text for m in marks)


@dataclass(frozen=True)
class SectionScore:
    name: str
    max: Decimal
    deducted: Decimal
    score: Decimal


@dataclass(frozen=True)
class Score:
    """An evaluation's result. ``max`` is what applied (N/A items dropped out). ``passed`` is
    None when the template has no pass mark (the form gives none, the centre set none) or
    no points (a violations form), unless a critical item failed the call (SPEC §6: any
    critical → 0 and fail, a rule of the form, not of a pass mark)."""

    total: Decimal
    max: Decimal
    percent: Decimal
    passed: bool | None
    criticals: tuple[str, ...]
    sections: tuple[SectionScore, ...]
    violations: tuple[tuple[str, int, int], ...] = ()  # (code, level, occurrences)


def score(template: Template, marks: Iterable[Mark], fraud_outcome: str = "zero_fail"
          ) -> Score:
    """Section = max(0, applicable max − deductions) (扣完为止, 不设倒扣分); total = Σ sections;
    any critical → total 0 and fail (``fraud_outcome`` zero_fail, the policy's
    ``qa_fraud_outcome``: [003] says only 视为诈单; flag: the critical is listed, the score
    and its pass mark stand). A mark on an item that is not per_occurrence counts once;
    a doubled occurrence (加倍扣罚) deducts twice the weight. Violations (合规部分) cost no
    points and are listed. Pass when the percentage of the applicable maximum reaches the
    template's pass mark as a percentage of its full maximum (the pass mark itself when
    nothing is N/A)."""
    marked = {m.code: m for m in marks}
    items = template.items()
    for code in marked:
        if code not in items:
            raise MarksError(_("unknown item code {code} in template {template}").format(
                code=repr(code), template=template.id))
    criticals = tuple(code for code, m in marked.items()
                      if not m.na and items[code][1].kind == "critical")
    violations = tuple((code, items[code][1].level, m.count) for code, m in marked.items()
                       if not m.na and items[code][1].kind == "violation")
    sections = []
    for section in template.sections:
        applicable = section.max
        deducted = Decimal(0)
        for item in section.items:
            mark = marked.get(item.code)
            if mark is None or item.kind != "deduct":
                continue
            if mark.na:
                applicable -= item.weight
            elif item.per_occurrence:
                deducted += item.weight * (mark.count + mark.doubled)
            else:
                deducted += item.weight * (2 if mark.doubled else 1)
        applicable = max(Decimal(0), applicable)
        sections.append(SectionScore(section.name, applicable, deducted,
                                     max(Decimal(0), applicable - deducted)))
    applicable_max = sum((s.max for s in sections), Decimal(0))
    total = sum((s.score for s in sections), Decimal(0))
    fails = bool(criticals) and fraud_outcome == "zero_fail"
    if fails:
        total = Decimal(0)
    percent = total * HUNDRED / applicable_max if applicable_max else Decimal(0)
    pass_percent = template.pass_percent
    passed: bool | None
    if fails:
        passed = False
    elif pass_percent is None or not template.scored:
        passed = None
    else:
        passed = percent >= pass_percent
    return Score(total=total, max=applicable_max, percent=percent, passed=passed,
                 criticals=criticals, sections=tuple(sections), violations=violations)


# --------------------------------------------------------------------------- the plan
@dataclass(frozen=True)
class PlanPerson:
    """Someone on shift today, with their working periods (minutes after midnight)."""

    id: str
    role: str
    periods: tuple[tuple[int, int], ...]
    new_hire: bool = False
    follow_up: bool = False
    low_score: bool = False
    done_this_week: int = 0  # monitored calls before today this week
    working_days_left: int = 1  # working days left this week, today included
    done_today: int = 0  # evaluations already done today (re-plan)
    # The scorecard's own sampling rule (400-hotline, telesales): the calls still to check in
    # its period and the working days left in it; None: the weekly minimum (copc) applies.
    period_left: int | None = None
    period_days_left: int = 1
    # The rule samples recordings (通话录音抽查 [003 400 §1], 录音质检抽听 [003 抽听原则]): no
    # live or side-by-side slots.
    recordings_only: bool = False

    @property
    def heavy(self) -> bool:
        return self.new_hire or self.follow_up or self.low_score


@dataclass(frozen=True)
class Assignment:
    slot: str  # "HH:MM"
    monitor_id: str
    staff_id: str
    mode: str


@dataclass
class Plan:
    day: dt.date
    assignments: list[Assignment]
    agent_need: dict[str, int]
    monitor_need: dict[str, dict[str, int]]
    volume: int
    shortfalls: list[str] = field(default_factory=list)
    copc_today: int = 0  # today's part of the outbound COPC sample (monitoring_sampling)
    copc_ids: frozenset[str] = frozenset()  # the agents it is drawn from
    copc_done: int = 0  # their evaluations already done today


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def periods_minutes(policy: Policy, shift: str, day: dt.date) -> tuple[tuple[int, int], ...]:
    return tuple((a.hour * 60 + a.minute, b.hour * 60 + b.minute)
                 for a, b in policy.periods(shift, day))


def agent_daily_need(person: PlanPerson, policy: Policy) -> int:
    """Calls to monitor for an agent today. A scorecard with its own sampling rule (400-hotline,
    telesales) spreads what is left of its period over the working days left in it. Else the
    weekly minimum spread over the working days left, at least the outbound daily QC for
    outbound agents; heavier (× factor) for new hires,
    agents under follow-up, low scorers, and everyone after a business/system change."""
    if person.period_left is not None:  # the scorecard's own rule [003]: its counts as printed
        left = person.period_left
        return -(-left // max(1, person.period_days_left)) if left > 0 else 0
    weekly_left = max(0, policy.agent_min_monitored_per_week - person.done_this_week)
    need = math.ceil(weekly_left / max(1, person.working_days_left))
    if person.role == "agent":
        need = max(need, policy.outbound_qc_per_agent_day)
    if person.heavy or policy.system_change_active:
        need *= max(1, policy.heavy_monitoring_factor)
    return need


def _inside(periods: Iterable[tuple[int, int]], minute: int) -> bool:
    return any(a <= minute < b for a, b in periods)


def _overlap(p: Iterable[tuple[int, int]], q: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for a, b in p:
        for c, d in q:
            if max(a, c) < min(b, d):
                out.append((max(a, c), min(b, d)))
    return sorted(out)


def _spread(rng: random.Random, periods: list[tuple[int, int]], count: int,
            taken: set[int]) -> list[int]:
    """``count`` distinct minutes spread over the whole of ``periods``: one random minute in each
    of ``count`` equal strata, so no part of the shift is left out and none favoured."""
    minutes = [m for a, b in periods for m in range(a, b) if m not in taken]
    if not minutes or count <= 0:
        return []
    count = min(count, len(minutes))
    out = []
    for k in range(count):
        lo = k * len(minutes) // count
        hi = max(lo + 1, (k + 1) * len(minutes) // count)
        out.append(minutes[rng.randrange(lo, hi)])
    return out


def make_plan(day: dt.date, monitors: list[PlanPerson], agents: list[PlanPerson],
              policy: Policy, *, volume: int, seed: int, from_minute: int = 0,
              monitor_done: dict[str, dict[str, int]] | None = None,
              copc_today: int = 0) -> Plan:
    """The day's monitoring assignments (SPEC §6): every agent gets their daily need, every
    monitor their live/recording/side-by-side minimums, the total at least the minimum share
    of the call volume and today's part of the COPC sample (``copc_today``, calls of agents
    without a rule of their own); time slots random but spread over the whole shift (from
    ``from_minute`` on a re-plan). What cannot be met is listed in ``shortfalls``."""
    rng = random.Random(seed)
    monitor_done = monitor_done or {}
    agent_need = {a.id: max(0, agent_daily_need(a, policy) - a.done_today) for a in agents}
    minimums = {"live": policy.monitor_live_per_day,
                "recording": policy.monitor_recording_per_day,
                "side_by_side": policy.monitor_side_by_side_per_day}
    monitor_need = {
        m.id: {mode: max(0, n - monitor_done.get(m.id, {}).get(mode, 0))
               for mode, n in minimums.items()} for m in monitors
    }
    share_min = math.ceil(policy.monitoring_share_min * volume)
    done_total = sum(a.done_today for a in agents)
    copc_agents = [a for a in agents if a.period_left is None]
    copc_done = sum(a.done_today for a in copc_agents)
    copc_extra = max(0, copc_today - copc_done - sum(agent_need[a.id] for a in copc_agents))
    target = max(sum(agent_need.values()),
                 sum(sum(n.values()) for n in monitor_need.values()),
                 share_min - done_total,
                 sum(agent_need.values()) + copc_extra)

    def later(periods: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        return [(max(a, from_minute), b) for a, b in periods if b > from_minute]

    # The monitors' slots: their minimums, then the rest of the target shared out evenly.
    modes_by_monitor = {m.id: [mode for mode, n in monitor_need[m.id].items()
                               for _n in range(n)]
                        for m in monitors}
    extra = target - sum(len(v) for v in modes_by_monitor.values())
    ordered = sorted(monitors, key=lambda m: m.id)
    cycle = ("recording", "live")
    for index in range(max(0, extra)):
        if not ordered:
            break
        modes_by_monitor[ordered[index % len(ordered)].id].append(cycle[index % 2])
    slots: list[tuple[int, str, str]] = []  # (minute, monitor, mode)
    for monitor in ordered:
        modes = modes_by_monitor[monitor.id]
        rng.shuffle(modes)
        times = _spread(rng, later(monitor.periods), len(modes), set())
        slots.extend((t, monitor.id, mode) for t, mode in zip(times, modes))
    slots.sort()

    remaining = dict(agent_need)
    pairs: set[tuple[str, str]] = set()
    assignments: list[Assignment] = []
    agents_by_id = {a.id: a for a in agents}
    monitor_periods = {m.id: later(m.periods) for m in monitors}
    agent_later = {a.id: later(a.periods) for a in agents}
    taken: dict[str, set[int]] = {m.id: set() for m in monitors}
    heavy_ids = {a.id for a in agents if a.heavy}
    by_periods: dict[tuple[tuple[int, int], ...], list[PlanPerson]] = {}
    for a in agents:  # most of the floor shares a few shifts: look agents up by their periods
        by_periods.setdefault(a.periods, []).append(a)
    recordable = [a for a in agents if agent_later[a.id]]

    def on_phones(minute: int) -> list[PlanPerson]:
        return [a for periods, group in by_periods.items() if _inside(periods, minute)
                for a in group if not a.recordings_only]

    def choose(candidates: list[PlanPerson], monitor: str) -> PlanPerson | None:
        best: list[PlanPerson] = []
        best_key: tuple[bool, bool, bool, int, bool] | None = None
        for a in candidates:
            need = remaining.get(a.id, 0)
            # past the needs, a slot goes to the COPC sample (agents without a rule of their own)
            key = (need > 0, a.period_left is None, (monitor, a.id) not in pairs, need,
                   a.id in heavy_ids)
            if best_key is None or key > best_key:
                best, best_key = [a], key
            elif key == best_key:
                best.append(a)
        return rng.choice(best) if best else None

    for minute, monitor, mode in slots:
        if mode == "recording":
            pool = recordable
        else:
            pool = on_phones(minute)
            if not pool:  # nobody on the phones then: move to a time someone is
                shared = [o for a in agents if not a.recordings_only
                          for o in _overlap(monitor_periods[monitor], agent_later[a.id])]
                times = _spread(rng, shared, 1, taken[monitor])
                if times:
                    minute = times[0]
                    pool = on_phones(minute)
        agent = choose(pool, monitor)
        if agent is None:
            continue
        taken[monitor].add(minute)
        remaining[agent.id] = remaining.get(agent.id, 0) - 1
        pairs.add((monitor, agent.id))
        assignments.append(Assignment(hhmm(minute), monitor, agent.id, mode))

    # Agents still short: more recordings, on the least loaded monitors.
    load = {m.id: sum(1 for a in assignments if a.monitor_id == m.id) for m in monitors}
    for agent_id in sorted(remaining):
        agent = agents_by_id[agent_id]
        while remaining[agent_id] > 0 and monitors and agent_later[agent.id]:
            monitor = min(sorted(load), key=lambda m: load[m])
            times = _spread(rng, monitor_periods[monitor], 1, taken[monitor])
            if not times:
                break
            taken[monitor].add(times[0])
            load[monitor] += 1
            remaining[agent_id] -= 1
            assignments.append(Assignment(hhmm(times[0]), monitor, agent_id, "recording"))
    assignments.sort(key=lambda a: (a.slot, a.monitor_id, a.staff_id))
    plan = Plan(day=day, assignments=assignments, agent_need=agent_need,
                monitor_need=monitor_need, volume=volume, copc_today=copc_today,
                copc_ids=frozenset(a.id for a in copc_agents), copc_done=copc_done)
    plan.shortfalls = plan_shortfalls(plan, policy, done_total)
    return plan


def plan_shortfalls(plan: Plan, policy: Policy, done_today: int = 0) -> list[str]:
    """Every minimum the plan does not meet, in words (checked on the plan itself)."""
    out = []
    per_agent: dict[str, int] = {}
    per_monitor: dict[str, dict[str, int]] = {}
    for a in plan.assignments:
        per_agent[a.staff_id] = per_agent.get(a.staff_id, 0) + 1
        modes = per_monitor.setdefault(a.monitor_id, {})
        modes[a.mode] = modes.get(a.mode, 0) + 1
    for agent_id, need in sorted(plan.agent_need.items()):
        got = per_agent.get(agent_id, 0)
        if got < need:
            out.append(f"agent {agent_id}: {got} of {need} monitored calls planned")
    for monitor_id, needs in sorted(plan.monitor_need.items()):
        for mode, need in needs.items():
            got = per_monitor.get(monitor_id, {}).get(mode, 0)
            if got < need:
                out.append(f"monitor {monitor_id}: {got} of {need} {mode} calls planned "
                           "(not enough agents on the phones)")
    total = len(plan.assignments) + done_today
    copc = plan.copc_done + sum(1 for a in plan.assignments if a.staff_id in plan.copc_ids)
    if plan.copc_today and copc < plan.copc_today:
        out.append(f"floor: {copc} monitored calls, below today's {plan.copc_today} of the "
                   "COPC sample")
    if plan.volume:
        low = math.ceil(policy.monitoring_share_min * plan.volume)
        high = math.floor(policy.monitoring_share_max * plan.volume)
        if total < low:
            out.append(f"floor: {total} monitored calls, below the "
                       f"{policy.monitoring_share_min * 100:.0f} % minimum ({low} of "
                       f"{plan.volume} calls)")
        elif total > high:
            out.append(f"floor: {total} monitored calls, above the "
                       f"{policy.monitoring_share_max * 100:.0f} % share ({high} of "
                       f"{plan.volume} calls): the per-agent minimums need more")
    return out


_SHORT_AGENT = re.compile(r"^agent (\S+): (\d+) of (\d+) monitored calls planned$")
_SHORT_MONITOR = re.compile(r"^monitor (\S+): (\d+) of (\d+) (\w+) calls planned "
                            r"\(not enough agents on the phones\)$")
_SHORT_PAIR = re.compile(r"^new monitors (.+): no experienced monitor on shift to pair with$")
_SHORT_LOW = re.compile(r"^floor: (\d+) monitored calls, below the (\d+) % minimum "
                        r"\((\d+) of (\d+) calls\)$")
_SHORT_COPC = re.compile(r"^floor: (\d+) monitored calls, below today's (\d+) of the COPC "
                         r"sample$")
_SHORT_HIGH = re.compile(r"^floor: (\d+) monitored calls, above the (\d+) % share "
                         r"\((\d+) of (\d+) calls\): the per-agent minimums need more$")


def shortfall_text(shortfall: str) -> str:
    """A stored shortfall (English, as the plan and its JSON keep it) in the interface
    language; anything not recognised is shown as stored."""
    found = _SHORT_AGENT.match(shortfall)
    if found:
        return _("agent {id}: {got} of {need} monitored calls planned").format(
            id=found[1], got=found[2], need=found[3])
    found = _SHORT_MONITOR.match(shortfall)
    if found:
        return _("monitor {id}: {got} of {need} {mode} calls planned (not enough agents on the "
                 "phones)").format(id=found[1], got=found[2], need=found[3],
                                   mode=mode_name(found[4]) if language() == "zh" else found[4])
    found = _SHORT_PAIR.match(shortfall)
    if found:
        return _("new monitors {ids}: no experienced monitor on shift to pair with").format(
            ids=found[1])
    found = _SHORT_LOW.match(shortfall)
    if found:
        return _("floor: {total} monitored calls, below the {share} % minimum ({low} of "
                 "{volume} calls)").format(total=found[1], share=found[2], low=found[3],
                                           volume=found[4])
    found = _SHORT_COPC.match(shortfall)
    if found:
        return _("floor: {total} monitored calls, below today's {need} of the COPC "
                 "sample").format(total=found[1], need=found[2])
    found = _SHORT_HIGH.match(shortfall)
    if found:
        return _("floor: {total} monitored calls, above the {share} % share ({high} of "
                 "{volume} calls): the per-agent minimums need more").format(
                     total=found[1], share=found[2], high=found[3], volume=found[4])
    return shortfall


def slot_status(slot: str, done: bool, now_minute: int, window: int = 60) -> str:
    """done, due (the slot is ahead or running: a slot lasts an hour) or overdue."""
    if done:
        return "done"
    return "overdue" if now_minute >= _minutes(slot) + window else "due"


def match_done(assignments: list[Assignment], evaluations: list[tuple[str, str, str, str]]
               ) -> tuple[list[bool], int]:
    """Which assignments the evaluations (time, monitor, staff, mode) fulfil, and how many
    evaluations fulfil none (extra). Taken in time order, an evaluation fills the nearest open
    slot of that agent and mode at or before its time (the planned monitor's on equal times);
    a slot later in the day is not done by a call heard before it (issue 26 item 8)."""
    done = [False] * len(assignments)
    extra = 0
    for time, monitor, staff, mode in sorted(evaluations):
        open_slots = [(a.slot, a.monitor_id == monitor, index)
                      for index, a in enumerate(assignments)
                      if not done[index] and a.staff_id == staff and a.mode == mode
                      and a.slot <= time]
        if not open_slots:
            extra += 1
            continue
        done[max(open_slots)[2]] = True
    return done, extra


# --------------------------------------------------------------------------- deadlines
def feedback_due(day: dt.date, is_working_day: Callable[[dt.date], bool],
                 working_days: int) -> dt.date:
    """Feedback within N working days (反馈): the Nth working day after the evaluation."""
    due = day
    counted = 0
    for _n in range(366):
        if counted >= working_days:
            break
        due += dt.timedelta(days=1)
        if is_working_day(due):
            counted += 1
    return due


def feedback_overdue(due: dt.date, given: bool, today: dt.date) -> bool:
    return not given and today > due


def dispute_refusal(fed_back: dt.date | None, today: dt.date) -> str | None:
    """Why a dispute cannot be raised today: an agent disputes on the day the QA report was
    fed back to them (在质检日报反馈后当天内); a later one is refused (逾期提交的评分异议不予
    受理) [003 五]. Not before it is fed back either: there is nothing to dispute yet."""
    if fed_back is None:
        return _("the score has not been fed back to the agent yet; a dispute is raised on "
                 "the day it is")
    if today != fed_back:
        return _("disputes are taken only on the day the report was fed back ({day}); "
                 "today is {today}").format(day=day_text(fed_back), today=day_text(today))
    return None


def review_refusal(raised: dt.date, today: dt.date) -> str | None:
    """QA reviews a dispute the day it is raised (质检在当日内组织进行核实) [003 五]."""
    if today != raised:
        return _("a dispute is reviewed on the day it was raised ({day}); today is "
                 "{today}").format(day=day_text(raised), today=day_text(today))
    return None


def under_follow_up(results: Iterable[tuple[str, bool]]) -> bool:
    """Follow-up (跟踪): after a failed evaluation until a later one passes.
    ``results`` are (sortable moment, passed)."""
    latest_fail = latest_pass = ""
    for moment, passed in results:
        if passed:
            latest_pass = max(latest_pass, moment)
        else:
            latest_fail = max(latest_fail, moment)
    return bool(latest_fail) and latest_fail > latest_pass


# --------------------------------------------------------------------------- calibration
# Calibration compares like with like (the same card, shared calls):
# floorapp.rules.monitoring.calibration.


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


# --------------------------------------------------------------------------- sample size
MAX_POPULATION = 10**9  # input bound: more calls than any centre takes in a period is a typo


def sample_size(population: int, confidence: Decimal, margin: Decimal,
                proportion: Decimal) -> int:
    """COPC sample size: n = z²·p(1−p)/e², n' = n / (1 + (n−1)/N), rounded up."""
    if population < 1:
        raise ValueError(_("population must be 1 or more"))
    if population > MAX_POPULATION:
        raise ValueError(_("population must be at most {most} (calls in the period)").format(
            most=MAX_POPULATION))
    if not 0 < confidence < 1:
        raise ValueError(_("confidence must be between 0 and 1 (e.g. 0.95)"))
    if not 0 < margin < 1:
        raise ValueError(_("margin must be between 0 and 1 (e.g. 0.05)"))
    z = NormalDist().inv_cdf(1 - (1 - float(confidence)) / 2)
    p = float(proportion)
    n = z * z * p * (1 - p) / (float(margin) ** 2)
    corrected = n / (1 + (n - 1) / population)
    # Round up, but not past an exact integer carried off by float noise.
    return min(population, math.ceil(round(corrected, 9)))
