"""Scoring an evaluation (SPEC §6): quick-entry marks typed against a scorecard, and the score
they give (sections, total, percentage, pass or fail, criticals and violations).

Quick-entry marks are item codes with optional counts: ``a1x2 b3 f2``; ``CODEna`` marks an item
not applicable (N/A), which drops it out: its weight leaves the section's maximum (a Y/N/NA
check that does not apply neither adds nor costs).

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from floorapp.i18n import _
from floorapp.rules.monitoring.scorecards import HUNDRED, Template


class MarksError(ValueError):
    """Quick-entry marks that do not parse; the message names the bad code."""


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


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None
