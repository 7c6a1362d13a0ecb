"""Feedback and dispute deadlines and follow-up (反馈, 评分异议, 跟踪; SPEC §6, [003 五]): when
feedback is due, on which day a dispute is raised and reviewed, and who is under follow-up.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from floorapp.i18n import _
from floorapp.rules.monitoring.names import day_text

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
