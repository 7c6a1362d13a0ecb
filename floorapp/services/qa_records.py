"""The QA records in the store and the helpers every QA module shares.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or Textual.

Store layout:
- ``ref`` / ``templates``: imported scorecards, key = template id (built-ins come from
  ``floorapp/data`` and an import of the same id replaces them).
- ``day/YYYY-MM-DD`` / ``qa_evaluations``: one record per evaluation (the scored marks, the
  feedback, the dispute and its revised score beside the original).
- ``day/YYYY-MM-DD`` / ``qa_plan``: the day's assignments; ``qa_plan_info`` / ``plan``: the
  seed, when it was made and the shortfalls.
- ``ref`` / ``qa_recalibrations`` and ``qa_common_feedback``: recalibrations, and the weeks'
  common problems fed back.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from floorapp.rules import monitoring as rules
from floorapp.services.digests import effective

REF = "ref"
EVALUATIONS = "qa_evaluations"
PLAN = "qa_plan"
PLAN_INFO = "qa_plan_info"
TEMPLATES = "templates"
RECALIBRATIONS = "qa_recalibrations"
COMMON_FEEDBACK = "qa_common_feedback"
EVALUATED_ROLES = ("agent", "complaint")
TWO = Decimal("0.01")


def day_partition(day: dt.date) -> str:
    return f"day/{day.isoformat()}"


def two_places(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(TWO, rounding=ROUND_HALF_UP))


def scored(record: dict[str, Any]) -> bool:
    """Whether the evaluation has points (a violations form, 合规部分, has none)."""
    return Decimal(effective(record)["max"]) > 0


def percent_of(record: dict[str, Any]) -> Decimal:
    result = effective(record)
    maximum = Decimal(result["max"])
    return Decimal(result["score"]) * 100 / maximum if maximum else Decimal(0)


def _result_fields(result: rules.Score) -> dict[str, Any]:
    out = {"score": str(result.total), "max": str(result.max), "passed": result.passed,
           "critical": list(result.criticals)}
    if result.violations:
        out["violations"] = [[code, level, count] for code, level, count in result.violations]
    return out


def _data(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}
