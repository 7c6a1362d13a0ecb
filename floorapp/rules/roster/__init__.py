"""Shift rosters (排班), SPEC §7: make a month and check it. Pure: no I/O, no clock, no store.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.

A month is ``{staff_id: {"YYYY-MM-DD": code}}`` with a code for every staff member and day: a
shift code of ``policy.shifts`` (D, C1, C2, A), ``R`` for rest, or a leave type.

The rules (every number from the policy):

- outbound agents and complaint handlers rest exactly ``rest_days_per_month`` days (R) a month;
  QA monitors and floor supervisors (leads) work ``D`` and rest like agents (the same monthly
  count), and when there are two or more of them at least one is on duty every day;
- managers work ``A`` and rest ``manager_rest_days_per_week`` days in every Mon–Sun week of the
  month; a week cut by the month's start or end needs that number in proportion to its days,
  rounded half up (with 1 a week: 4–6 days → 1, 1–3 days → 0);
- each day at least the required number of agents are on ``D`` (``--seats``, else
  ``policy.agents_on_phones``, 0 meaning 80 % of the agents rounded down);
- each day a complaint handler is on ``C1`` and one on ``C2``; handlers rotate between them
  (weekly in a generated month); one who works in two or more weeks of the month works both;
- each role works only its own codes (agents/monitors/leads D, handlers C1/C2, managers A);
- fairness: nobody works more than ``max_days_without_rest`` days in a row (leave breaks a run,
  and the end of the previous month counts), and within a role weekend (Sat/Sun) rest days are
  shared: the most anyone has is at most one more than the fewest anyone has.

Leave counts against rest (假期抵当月公休 [004], SPEC §7 rev. 12-2026): someone with n leave
days in the month rests max(0, ``rest_days_per_month`` − n) days; for a manager a leave day in a
week is that week's rest (假期抵公休). At most ``max_complaint_seats`` handlers work the same
complaint shift (投诉处理台席原则上不超过2个 [004 第三条]).

Where things are: ``month`` holds the codes, roles, ``Msg`` sentences, the calendar and the
policy's numbers; ``generate`` makes a month (``generate_month``); ``check`` names what a
month breaks (``check_month``) and counts the coverage under the grid. This file only
re-exports the names used as ``from floorapp.rules import roster as rules`` then ``rules.X``.
"""

from __future__ import annotations

from floorapp.rules.roster.check import check_month, coverage
from floorapp.rules.roster.generate import generate_month
from floorapp.rules.roster.month import (
    LEAVE_TYPES,
    REST,
    ROLE_CODES,
    Member,
    Month,
    allowed_codes,
    is_weekend,
    manager_rests_needed,
    meeting_time,
    month_days,
    next_month,
    parse_month,
    previous_month,
    required_agents,
    rests_owed,
    role_word,
    short_code,
    shown,
    week_segments,
)

__all__ = [
    "LEAVE_TYPES", "REST", "ROLE_CODES", "Member", "Month", "allowed_codes", "check_month",
    "coverage", "generate_month", "is_weekend", "manager_rests_needed", "meeting_time",
    "month_days", "next_month", "parse_month", "previous_month", "required_agents",
    "rests_owed", "role_word", "short_code", "shown", "week_segments",
]
