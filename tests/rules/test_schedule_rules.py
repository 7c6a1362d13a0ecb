"""The day structure of [004 员工管理细则] (SPEC §4 rev. 12-2026): calling time after the
preparation and the morning meeting, without the Friday study; where QA slots may go."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from floorapp.errors import FloorError
from floorapp.policy import Policy
from floorapp.rules.schedule import calling_periods, off_phone_windows, slot_windows

P = Policy()
T = dt.time
WED_WINTER = dt.date(2026, 11, 18)
FRI_WINTER = dt.date(2026, 11, 20)
WED_SUMMER = dt.date(2026, 7, 15)
FRI_SUMMER = dt.date(2026, 7, 17)


def spans(pairs: list[tuple[str, str]]) -> list[tuple[dt.time, dt.time]]:
    return [(T.fromisoformat(a), T.fromisoformat(b)) for a, b in pairs]


@pytest.mark.parametrize(
    ("shift", "day", "expected"),
    [
        ("D", WED_WINTER, [("08:30", "12:00"), ("14:40", "17:30")]),
        ("D", FRI_WINTER, [("08:30", "12:00"), ("14:40", "16:30")]),
        ("D", WED_SUMMER, [("08:30", "12:00"), ("15:10", "18:00")]),
        ("D", FRI_SUMMER, [("08:30", "12:00"), ("15:10", "16:30"), ("17:30", "18:00")]),
        ("C1", WED_WINTER, [("08:30", "14:30")]),
        ("C2", FRI_WINTER, [("14:30", "16:30"), ("17:30", "20:00")]),
        ("R", WED_WINTER, []),
        ("sick", WED_WINTER, []),
    ],
    ids=["winter-calls-from-08:30-and-14:40", "friday-study-16:30-off-the-phones",
         "summer-afternoon-calls-from-15:10", "summer-friday-study-inside-the-afternoon",
         "complaints-early-after-the-meeting", "complaints-late-friday-study", "rest-none",
         "leave-code-none"],
)
def test_calling_periods(shift, day, expected):
    assert calling_periods(P, shift, day) == spans(expected)


def test_lateness_still_counts_from_the_period_start():
    assert P.periods("D", WED_WINTER)[0][0] == T(8, 0)
    assert calling_periods(P, "D", WED_WINTER)[0][0] == T(8, 30)


def test_meeting_and_preparation_are_off_the_phones():
    assert off_phone_windows(P, "D", WED_WINTER) == spans([("08:00", "08:30"),
                                                          ("14:30", "14:40")])
    assert off_phone_windows(P, "D", FRI_WINTER) == spans([("08:00", "08:30"), ("14:30", "14:40"),
                                                          ("16:30", "17:30")])


@pytest.mark.parametrize(
    ("on_leave", "expected"),
    [
        (None, [("08:30", "12:00"), ("14:40", "16:30")]),
        ({2}, [("08:30", "12:00")]),
        ({1}, [("14:40", "16:30")]),
        ({1, 2}, []),
    ],
    ids=["no-leave", "half-day-leave-afternoon", "half-day-leave-morning", "whole-day-leave"],
)
def test_slot_windows_leave_out_a_leave(on_leave, expected):
    assert slot_windows(P, "D", FRI_WINTER, on_leave) == spans(expected)


def test_a_changed_shift_clips_the_calling_time():
    later = P.with_value("shifts", '{"D": {"summer": [["09:00", "12:00"], ["15:00", "18:00"]],'
                                   ' "winter": [["09:00", "12:00"], ["14:30", "17:30"]]},'
                                   ' "C1": {"summer": [["08:00", "14:30"]], "winter": '
                                   '[["08:00", "14:30"]]}, "C2": {"summer": [["14:30", "20:00"]],'
                                   ' "winter": [["14:30", "20:00"]]}, "A": {"summer": '
                                   '[["08:00", "12:00"]], "winter": [["08:00", "12:00"]]}}')
    assert calling_periods(later, "D", WED_WINTER)[0] == (T(9, 0), T(12, 0))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [("meeting_window", '{"summer": ["08:30", "08:15"], "winter": ["08:10", "08:30"]}',
      "meeting_window summer"),
     ("calling_periods", '{"X": {"summer": [], "winter": []}}', "unknown shift code 'X'"),
     ("calling_periods", '{"D": {"summer": [["8:30", "12:00"]], "winter": []}}',
      "calling_periods D summer"),
     ("friday_study_end", "16:00", "friday_study_end must be HH:MM after")],
    ids=["meeting-backwards", "unknown-code", "bad-time", "study-ends-before-it-starts"],
)
def test_bad_day_structure_is_refused(key, value, message):
    with pytest.raises(FloorError, match=message):
        P.with_value(key, value)


def test_old_policy_keys_still_open():
    """A store saved before rev. 12-2026 has advice_raise_volume_below and interview_count."""
    data = {**P.to_dict(), "advice_raise_volume_below": 70, "interview_count": 3}
    loaded = Policy.from_dict(data)
    assert loaded.advice_raise_volume_completed_below == 60
    assert not hasattr(loaded, "interview_count")
    assert dataclasses.asdict(loaded) == dataclasses.asdict(P)
