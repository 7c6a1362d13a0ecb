"""Scorecards (评分表, SPEC §6 and the template JSON of SPEC §9): the template, its sections and
items, checking a template's JSON, and the built-in cards (transcriptions of [003]) read from
``floorapp/data``.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from floorapp.i18n import _, language

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
