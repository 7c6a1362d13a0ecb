"""Money is Decimal, exact in the middle, rounded half-up to 0.01 once when reported.

May import: other basics only (policy, roles, i18n, clock, money, errors, text); never rules,
formats, services, the CLI, screens, the store or Textual.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def rounded(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(value: Decimal) -> str:
    """'55.17' — the JSON and CSV form of an amount (SPEC §9: strings with two decimals)."""
    return str(rounded(value))
