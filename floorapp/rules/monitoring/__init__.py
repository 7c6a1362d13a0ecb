"""Monitoring and QA rules (监控/质检, SPEC §6): the package, and the names its importers use.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.

Pure functions of plain data, the policy and an explicit ``now``: no I/O, no clock, no store.
Each module holds one idea; this file only re-exports the names used as
``from floorapp.rules import monitoring as rules`` then ``rules.X``:

- ``scorecards``: the templates (Template, Section, Item), checking a template's JSON and the
  built-in cards read from ``floorapp/data`` (``builtin_templates``, ``archived_templates``);
- ``scoring``: quick-entry marks (``parse_marks``, ``marks_text``) and the score they give;
- ``plan``: the day's plan (``make_plan``, ``agent_daily_need``), its shortfalls and which
  slots the evaluations fulfil;
- ``deadlines``: feedback and dispute deadlines, follow-up;
- ``copc``: the COPC sample size;
- ``names``: modes, statuses, flags, verdicts and dates as shown to people;
- ``calibration``, ``review``, ``sampling``: calibration of the monitors, the reviews of the
  monitors and the floor, the sampling rules per scorecard (imported by their own names).
"""

from __future__ import annotations

from floorapp.rules.monitoring.copc import sample_size
from floorapp.rules.monitoring.deadlines import (
    dispute_refusal,
    feedback_due,
    feedback_overdue,
    review_refusal,
    under_follow_up,
)
from floorapp.rules.monitoring.names import (
    MODES,
    day_text,
    flag_name,
    mode_name,
    status_name,
    verdict,
    verdict_word,
)
from floorapp.rules.monitoring.plan import (
    Assignment,
    Plan,
    PlanPerson,
    agent_daily_need,
    hhmm,
    make_plan,
    match_done,
    periods_minutes,
    shortfall_text,
    slot_status,
)
from floorapp.rules.monitoring.scorecards import (
    BUILTIN_FILES,
    DEFAULT_TEMPLATE,
    Item,
    Template,
    TemplateError,
    archived_templates,
    builtin_templates,
    template_from_dict,
)
from floorapp.rules.monitoring.scoring import (
    Mark,
    MarksError,
    Score,
    _mean,
    marks_text,
    parse_marks,
    score,
)

__all__ = [
    "BUILTIN_FILES", "DEFAULT_TEMPLATE", "MODES", "Assignment", "Item", "Mark", "MarksError",
    "Plan", "PlanPerson", "Score", "Template", "TemplateError", "_mean", "agent_daily_need",
    "archived_templates", "builtin_templates", "day_text", "dispute_refusal", "feedback_due",
    "feedback_overdue", "flag_name", "hhmm", "make_plan", "marks_text", "match_done",
    "mode_name", "parse_marks", "periods_minutes", "review_refusal", "sample_size", "score",
    "shortfall_text", "slot_status", "status_name", "template_from_dict", "under_follow_up",
    "verdict", "verdict_word",
]
