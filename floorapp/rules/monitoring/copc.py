"""The COPC sample size (SPEC §6): how many calls of a period to monitor for a given confidence
and margin (the sampling rules per scorecard: ``floorapp.rules.monitoring.sampling``).

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import math
from decimal import Decimal
from statistics import NormalDist

from floorapp.i18n import _

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
