"""How a policy is loaded and checked: from stored data, a file or one typed value; bad values refused.

May import: other basics only (policy, roles, i18n, clock, money, errors, text); never rules,
formats, services, the CLI, screens, the store or Textual.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import fields
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from floorapp.errors import FloorError
from floorapp.i18n import N_, _
from floorapp.roles import ROLES, check_role_rights

if TYPE_CHECKING:
    from floorapp.policy import Policy

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_MMDD = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
# the Master.csv fields that may name a call's campaign (cdr_campaign_field)
CDR_CAMPAIGN_FIELDS = ("accountcode", "dcontext", "userfield", "peeraccount")

# Where the sources can be read two ways (issue #25): the readings a text-valued key may
# take, the default first. ``late_mode`` and the yes/no readings are checked on their own.
READINGS: dict[str, tuple[str, ...]] = {
    "seniority_from": ("next_month", "same_month"),
    "award_among": ("award_tiers", "everyone"),
    "zero_score_basis": ("day", "month_average"),
    "qa_400_rate_mode": ("floor", "printed"),
    "telesales_trainee_basis": ("new_hire_days", "probation"),
    "compliance_month_basis": ("calendar", "cycle"),
    "qa_fraud_outcome": ("zero_fail", "flag"),
}

# The choices a centre should make on its first day (README, Policy): every reading above.
FIRST_DAY_CHOICES = ("late_mode", "seniority_from", "award_among",
                     "absence_loses_full_attendance", "zero_score_basis", "qa_400_rate_mode",
                     "telesales_trainee_basis", "compliance_month_basis",
                     "shortfall_on_absent_days", "qa_fraud_outcome")

# Keys of earlier versions whose rule changed (SPEC rev. 12-2026): a stored policy or a file
# that still has them opens; the value is dropped, the new key takes its default.
RETIRED_KEYS = frozenset({
    "advice_raise_volume_below",  # was avg dialed < 70; now avg completed < 60 [004 第三条]
    "interview_count",  # was the bottom 3; now the fewest each month, ties all
})


class PolicyChecks:
    """Loading and checking a policy's values, for a supervisor who changes them: a stored
    policy, a policy file or `floor policy set KEY VALUE`. Mixed into ``Policy``."""

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "policy") -> Policy:
        """Build a policy from stored or file data; unknown keys and bad values are refused."""
        known = {f.name: f for f in fields(cls)}
        data = {k: v for k, v in data.items() if k not in RETIRED_KEYS}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise FloorError(_("{where}: unknown policy key(s): {keys}").format(
                where=where, keys=", ".join(unknown)))
        policy = cls()
        for name, value in data.items():
            setattr(policy, name, _coerce(policy, name, value, where))
        policy.validate(where)
        return policy

    def with_value(self, key: str, text: str) -> Policy:
        """A copy with ``key`` set from its text form (as typed on the command line)."""
        known = {f.name for f in fields(self)}
        if key not in known:
            raise FloorError(_("unknown policy key {key!r} (see `floor policy show`)").format(
                key=key))
        current = getattr(self, key)
        if isinstance(current, (dict, list)):
            try:
                value: Any = json.loads(text)
            except json.JSONDecodeError as exc:
                raise FloorError(_("{key}: expected JSON ({reason})").format(
                    key=key, reason=exc.msg)) from None
        else:
            value = text
        updated = dataclasses.replace(self)
        setattr(updated, key, _coerce(self, key, value, key))
        updated.validate(key)
        return updated

    def validate(self, where: str = "policy") -> None:
        def bad(msg: str) -> FloorError:
            return FloorError(f"{where}: {msg}")

        try:
            import pendulum

            pendulum.timezone(self.timezone)
        except Exception:
            raise bad(_("unknown time zone {zone!r}").format(zone=self.timezone)) from None
        for name in ("summer_start", "summer_end"):
            if not _MMDD.match(getattr(self, name)):
                raise bad(_("{key} must be MM-DD, got {value!r}").format(
                    key=name, value=getattr(self, name)))
            try:  # a day every year has (02-29 is not)
                dt.date(2001, *map(int, getattr(self, name).split("-")))
            except ValueError:
                raise bad(_("{key} {value} is not a day of the year").format(
                    key=name, value=getattr(self, name))) from None
        if self.cdr_campaign_field not in ("", *CDR_CAMPAIGN_FIELDS):
            raise bad(_("cdr_campaign_field must be one of {fields} or empty, got "
                        "{value!r}").format(fields=", ".join(CDR_CAMPAIGN_FIELDS),
                                            value=self.cdr_campaign_field))
        if self.late_mode not in ("excess", "all"):
            raise bad(_("late_mode must be 'excess' or 'all', got {value!r}").format(
                value=self.late_mode))
        for key, choices in READINGS.items():
            if getattr(self, key) not in choices:
                raise bad(_("{key} must be one of {choices}, got {value!r}").format(
                    key=key, choices=", ".join(choices), value=getattr(self, key)))
        if not isinstance(self.shifts, dict) or not self.shifts:
            raise bad(_("shifts must map shift codes to seasons"))
        for code, seasons in self.shifts.items():
            if code in ("R",) or not isinstance(seasons, dict):
                raise bad(_("shift {code!r} is not valid").format(code=code))
            for season in ("summer", "winter"):
                periods = seasons.get(season)
                if not isinstance(periods, list) or not periods:
                    raise bad(_("shift {code}: {season} periods missing").format(
                        code=code, season=season))
                previous_end = ""
                for period in periods:
                    if (not isinstance(period, list) or len(period) != 2
                            or not all(isinstance(t, str) and _HHMM.match(t) for t in period)):
                        raise bad(_("shift {code} {season}: period {period!r} is not "
                                    "[HH:MM, HH:MM]").format(code=code, season=season,
                                                             period=period))
                    if period[0] >= period[1] or period[0] < previous_end:
                        raise bad(_("shift {code} {season}: periods must be in order, "
                                    "start < end").format(code=code, season=season))
                    previous_end = period[1]
        if len(self.default_week) != 7:
            raise bad(_("default_week needs 7 entries, Monday first"))
        for code in self.default_week:
            if code != "R" and code not in self.shifts:
                raise bad(_("default_week: unknown shift code {code!r}").format(code=code))
        if len(self.meeting_times) != 7 or not all(_HHMM.match(t) for t in self.meeting_times):
            raise bad(_("meeting_times needs 7 HH:MM times, Monday first"))
        if not _HHMM.match(self.friday_study_time):
            raise bad(_("friday_study_time must be HH:MM"))
        if not _HHMM.match(self.friday_study_end) or self.friday_study_end <= self.friday_study_time:
            raise bad(_("friday_study_end must be HH:MM after friday_study_time"))
        self._validate_calling(bad)
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and value < 0:
                raise bad(_("{key} cannot be negative").format(key=f.name))
        if self.band_dialed_min > self.band_dialed_max:
            raise bad(_("{low} is above {high}").format(low="band_dialed_min",
                                                      high="band_dialed_max"))
        if self.band_completed_min > self.band_completed_max:
            raise bad(_("{low} is above {high}").format(low="band_completed_min",
                                                      high="band_completed_max"))
        if self.monitoring_share_min > self.monitoring_share_max:
            raise bad(_("{low} is above {high}").format(low="monitoring_share_min",
                                                      high="monitoring_share_max"))
        if any(t not in ("met", "not_met", "special") for t in self.award_tiers):
            raise bad(_("award_tiers: each one of met, not_met, special"))
        try:
            scores = [Decimal(v) for v in self.grade_min_scores]
            coefficients = [Decimal(v) for v in self.grade_coefficients]
        except InvalidOperation:
            raise bad(_("grade_min_scores and grade_coefficients must be numbers")) from None
        if len(scores) != 4 or len(coefficients) != 5:
            raise bad(_("grade_min_scores needs 4 scores (A–D), grade_coefficients 5 (A–E)"))
        if scores != sorted(scores, reverse=True):
            raise bad(_("grade_min_scores must go down from A to D"))
        if not 1 <= self.pay_publish_by_day <= 28:
            raise bad(_("pay_publish_by_day must be 1–28"))
        if self.pay_days_per_month == 0:
            raise bad(_("pay_days_per_month cannot be 0"))
        if not Decimal("0") < self.sample_confidence < Decimal("1"):
            raise bad(_("sample_confidence must be between 0 and 1"))
        for template_id, mark in self.qa_pass_marks.items():
            try:
                number = Decimal(str(mark))
            except InvalidOperation:
                number = Decimal("NaN")
            if isinstance(mark, bool) or not number.is_finite() or number < 0:
                raise bad(_("qa_pass_marks: {id} must be a number of points, got {value!r}")
                          .format(id=template_id, value=mark))
        if self.qa_copc_period not in ("month", "quarter"):
            raise bad(_("qa_copc_period must be month or quarter"))
        if self.qa_400_base == 0:
            raise bad(_("qa_400_base cannot be 0"))
        if self.qa_400_period not in ("month", "quarter"):
            raise bad(_("qa_400_period must be month or quarter"))
        if not 1 <= self.telesales_cycle_start_day <= 28:
            raise bad(_("telesales_cycle_start_day must be 1 to 28"))
        problem = check_role_rights(self.role_rights, ROLES)
        if problem:
            raise bad(problem)
        if not self.leave_units or not all(_leave_unit(u) for u in self.leave_units):
            raise bad(_("leave_units needs at least one number of days above 0 and at most 1, "
                        "e.g. [\"0.5\", \"1\"]"))

    def _validate_calling(self, bad: Any) -> None:
        """Calling spans and the meeting window are [HH:MM, HH:MM] (the spans are clipped to the
        shift's periods where they are used, so changing a shift never makes them invalid)."""
        if not isinstance(self.meeting_window, dict):
            raise bad(_("meeting_window must map summer and winter to [HH:MM, HH:MM]"))
        for season in ("summer", "winter"):
            window = self.meeting_window.get(season)
            if (not isinstance(window, list) or len(window) != 2
                    or not all(isinstance(t, str) and _HHMM.match(t) for t in window)
                    or window[0] >= window[1]):
                raise bad(_("meeting_window {season} must be [HH:MM, HH:MM], start < end").format(
                    season=season))
        if not isinstance(self.calling_periods, dict):
            raise bad(_("calling_periods must map shift codes to seasons"))
        for code, seasons in self.calling_periods.items():
            if code not in self.shifts or not isinstance(seasons, dict):
                raise bad(_("calling_periods: unknown shift code {code!r}").format(code=code))
            for season in ("summer", "winter"):
                spans = seasons.get(season, [])
                for span in spans if isinstance(spans, list) else [None]:
                    if (not isinstance(span, list) or len(span) != 2
                            or not all(isinstance(t, str) and _HHMM.match(t) for t in span)
                            or span[0] >= span[1]):
                        raise bad(_("calling_periods {code} {season}: {span!r} is not "
                                    "[HH:MM, HH:MM], start < end").format(
                            code=code, season=season, span=span))

    @classmethod
    def salvage(cls, data: dict[str, Any], where: str = "policy") -> tuple[Policy, list[str]]:
        """A policy from stored data that does not validate as a whole (edited by hand, written
        by an older floor): each key that is valid on its own is kept, the others take their
        default. Returns the policy and what was refused."""
        policy = cls()
        refused = []
        for name, value in data.items():
            try:
                if name not in {f.name for f in fields(cls)}:
                    raise FloorError(_("unknown policy key {key!r}").format(key=name))
                candidate = dataclasses.replace(policy)
                setattr(candidate, name, _coerce(policy, name, value, where))
                candidate.validate(where)
            except FloorError as exc:
                refused.append(str(exc))
                continue
            policy = candidate
        return policy, refused


def _leave_unit(text: str) -> bool:
    try:
        return Decimal("0") < Decimal(text) <= Decimal("1")
    except InvalidOperation:
        return False


def _coerce(policy: Policy, name: str, value: Any, where: str) -> Any:
    current = getattr(policy, name)
    try:
        if isinstance(current, bool):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("true", "yes", "on", "1"):
                return True
            if text in ("false", "no", "off", "0"):
                return False
            raise ValueError
        if isinstance(current, int):
            if isinstance(value, bool):
                raise ValueError
            number = Decimal(str(value))
            if not number.is_finite() or abs(number) > _SANE or \
                    number != number.to_integral_value():
                raise ValueError
            return int(number)
        if isinstance(current, Decimal):
            if isinstance(value, bool):
                raise ValueError
            number = Decimal(str(value))
            if not number.is_finite() or abs(number) > _SANE:
                raise ValueError
            return number
        if isinstance(current, str):
            if not isinstance(value, str):
                raise ValueError
            return value
        if isinstance(current, list):
            if not isinstance(value, list):
                raise ValueError
            return [str(v) for v in value]
        if isinstance(current, dict):
            if not isinstance(value, dict):
                raise ValueError
            return value
    except (ValueError, InvalidOperation):
        pass
    kind = type(current).__name__
    shown = _(_KIND_NAMES[kind]) if kind in _KIND_NAMES else kind
    raise FloorError(_("{where}: {key} must be {kind}, got {value!r}").format(
        where=where, key=name, kind=shown, value=value))


# Sanity bound on every policy number (a typo, not a rule): 1e400 or a 5000-digit value would
# be stored and then break the arithmetic and the JSON of every report.
_SANE = Decimal("1e9")

_KIND_NAMES = {"int": N_("a whole number"), "Decimal": N_("a number"), "str": N_("text"),
               "bool": N_("true or false"), "list": N_("a list"), "dict": N_("a mapping")}
