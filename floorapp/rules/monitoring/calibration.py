"""Calibration of the monitors (校准, SPEC §6), pure: whose scores run generally high or low
(分值普遍过高或过低) [000 §5] — judged on like calls only.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.

A monitor is compared with the other monitors **on the same scorecard** (a card), never across
cards: an outbound call scored on ``outbound-100`` and a 400-line call scored on
``hotline-400`` say nothing about each other, so a monitor who scored only one card while the
others scored another is "not compared", never flagged. Where several monitors scored the
same call (a shared calibration call, the evaluation's ``call``) on the same card, the call
itself is the comparison.

Versions of one template are one card when their *scale* is the same: the same sections with
the same points and the same items with the same weights, kinds and counting, so that the same
marks give the same score (wording, translations, names, order and the pass mark may differ).
A version whose points differ is a card of its own, named with its version where a period holds
both (``outbound-100 v1`` beside ``outbound-100``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from floorapp.i18n import _
from floorapp.policy import Policy

if TYPE_CHECKING:
    from floorapp.rules.monitoring.scorecards import Template


@dataclass(frozen=True)
class Scored:
    """One evaluation for calibration: who scored, the percentage, the shared call if any and
    the card it counts as (``cards``; "" puts every evaluation on one card)."""

    monitor_id: str
    percent: Decimal
    call: str = ""
    card: str = ""


@dataclass(frozen=True)
class CardCalibration:
    """One monitor on one card over the period."""

    id: str
    card: str
    evaluations: int
    mean: Decimal | None
    peers: int  # other monitors who scored the card in the period; 0: not compared
    deviation: Decimal | None  # mean − the other monitors' mean on the card
    shared_calls: int  # shared calls on the card scored by the monitor and another
    shared_difference: Decimal | None  # mean |difference| on those calls
    flag: str  # "", "high", "low" or "inconsistent"

    @property
    def compared(self) -> bool:
        return self.peers > 0


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


# --------------------------------------------------------------------------- cards
def scale(template: Template) -> frozenset:
    """What a score on the card is made of: each section's points with its items' codes,
    weights, kinds and counting. Equal scales give equal scores for equal marks."""
    return frozenset(
        (section.max, frozenset((i.code, i.weight, i.kind, i.per_occurrence, i.doubling)
                                for i in section.items))
        for section in template.sections)


def cards(used: Mapping[tuple[str, int], Template | None],
          current: Mapping[str, Template]) -> dict[tuple[str, int], str]:
    """The card each (template id, version) counts as: versions of one template with the same
    scale are one card. It is named by the id alone when it is the only scale of the template
    in ``used`` or the scale of its current version; any other is named by its lowest version
    (``outbound-100 v1``). A version no longer known stands alone (``id vN``)."""
    out: dict[tuple[str, int], str] = {}
    groups: dict[str, dict[frozenset, list[int]]] = {}
    for (template_id, version), template in used.items():
        if template is None:
            out[(template_id, version)] = f"{template_id} v{version}"
        else:
            groups.setdefault(template_id, {}).setdefault(scale(template), []).append(version)
    for template_id, scales in groups.items():
        now = current.get(template_id)
        plain = next(iter(scales)) if len(scales) == 1 else \
            scale(now) if now is not None else None
        for found, versions in scales.items():
            name = template_id if found == plain else f"{template_id} v{min(versions)}"
            for version in versions:
                out[(template_id, version)] = name
    return out


# --------------------------------------------------------------------------- calibration
def calibration(evaluations: Iterable[Scored], policy: Policy) -> list[CardCalibration]:
    """Per monitor and card: mean %, deviation = mean − the mean of the other monitors'
    evaluations on the same card; flagged high/low when |deviation| > threshold with ≥ min
    evaluations on the card; "inconsistent" when the mean |difference| from the other monitors
    on the card's shared calls exceeds its threshold while the deviation stays inside the
    band. With no other monitor on the card: no deviation, no flag (not compared)."""
    by_card: dict[str, dict[str, list[Decimal]]] = {}
    calls: dict[tuple[str, str], list[Scored]] = {}
    for e in evaluations:
        by_card.setdefault(e.card, {}).setdefault(e.monitor_id, []).append(e.percent)
        if e.call:
            calls.setdefault((e.card, e.call), []).append(e)
    differences: dict[tuple[str, str], list[Decimal]] = {}
    for (card, _call), scored in calls.items():
        for monitor in {e.monitor_id for e in scored}:
            mine = _mean([e.percent for e in scored if e.monitor_id == monitor])
            others = _mean([e.percent for e in scored if e.monitor_id != monitor])
            if mine is not None and others is not None:
                differences.setdefault((monitor, card), []).append(abs(mine - others))
    out = []
    for card, monitors in by_card.items():
        for monitor_id, mine in monitors.items():
            others = [p for m, values in monitors.items() if m != monitor_id for p in values]
            mean, other_mean = _mean(mine), _mean(others)
            deviation = mean - other_mean if mean is not None and other_mean is not None \
                else None
            shared = differences.get((monitor_id, card), [])
            shared_mean = _mean(shared)
            flag = ""
            if deviation is not None and abs(deviation) > policy.calibration_threshold_points:
                if len(mine) >= policy.calibration_min_evaluations:
                    flag = "high" if deviation > 0 else "low"
            if not flag and shared_mean is not None \
                    and shared_mean > policy.calibration_inconsistent_points:
                flag = "inconsistent"
            out.append(CardCalibration(monitor_id, card, len(mine), mean, len(monitors) - 1,
                                       deviation, len(shared), shared_mean, flag))
    out.sort(key=lambda c: (c.id, c.card))
    return out


def deciding(rows: Iterable[CardCalibration]) -> dict[str, CardCalibration]:
    """Per flagged monitor, the card that flags them: high/low before inconsistent, then the
    largest deviation (or shared difference), then the card."""
    out: dict[str, CardCalibration] = {}

    def weight(row: CardCalibration) -> tuple:
        return (row.flag == "inconsistent", -abs(row.deviation or 0),
                -(row.shared_difference or 0), row.card)

    for row in rows:
        if row.flag and (row.id not in out or weight(row) < weight(out[row.id])):
            out[row.id] = row
    return out


def not_compared_text(row: CardCalibration) -> str:
    """What the reports say of a monitor alone on a card, instead of a flag."""
    return _("{id}: no other monitor scored {card} this period: not compared").format(
        id=row.id, card=row.card)
