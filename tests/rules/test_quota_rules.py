"""SPEC §5 quota rules, table-driven with their edges named."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from floorapp.rules import quota as q
from floorapp.policy import Policy
from floorapp.rules.quota import CallEntry, Counts
from floorapp.rules.quota_entry import parse_quick_entry

P = Policy()
DAY = dt.date(2026, 11, 20)


def entry(hour, completed, campaign="", sid="A001", dialed=None, orders=0):
    dialed = completed if dialed is None else dialed
    return CallEntry(sid, DAY, hour, campaign, Counts(dialed, completed, completed, orders))


@pytest.mark.parametrize(
    "completed, shortfall, points",
    [(60, 0, 0), (59, 1, -1), (61, 0, 0), (0, 60, -60), (45, 15, -15)],
    ids=["exactly-60", "59-one-short", "61-over", "nothing", "45"],
)
def test_daily_minimum_and_points(completed, shortfall, points):
    assert q.shortfall(P.daily_min_completed, completed) == shortfall
    assert q.shortfall_points(P, P.daily_min_completed, completed) == points


def test_points_follow_policy():
    policy = dataclasses.replace(P, shortfall_points_per_call=2)
    assert q.shortfall_points(policy, 60, 57) == -6


@pytest.mark.parametrize(
    "dialed, expected",
    [(69, "below"), (70, "in"), (100, "in"), (101, "above")],
    ids=["dialed-69", "dialed-exactly-70", "dialed-exactly-100", "dialed-101"],
)
def test_dialed_band(dialed, expected):
    assert q.dialed_band(P, dialed) == expected


@pytest.mark.parametrize(
    "completed, expected",
    [(59, "below"), (60, "in"), (80, "in"), (81, "above")],
    ids=["completed-59", "completed-60", "completed-80", "completed-81"],
)
def test_completed_band(completed, expected):
    assert q.completed_band(P, completed) == expected


@pytest.mark.parametrize(
    "weighted, zero",
    [(Decimal("49"), True), (Decimal("49.9"), True), (Decimal("50"), False),
     (Decimal("50.1"), False), (Decimal("0"), True)],
    ids=["49-zero-score", "49.9-zero-score", "exactly-50-scores", "50.1-scores", "nothing"],
)
def test_zero_score_day(weighted, zero):
    assert q.is_zero_score_day(P, weighted) is zero


def test_ranking_score_drops_zero_score_days():
    assert q.ranking_score(P, [Decimal(70), Decimal(49), Decimal(50)]) == Decimal(120)


def test_weighted_completed_uses_campaign_coefficients():
    entries = [entry(9, 10, "5G"), entry(10, 10, "SV"), entry(11, 10, "")]
    coefficients = {"5G": Decimal("1.2"), "SV": Decimal("0.8")}
    assert q.weighted_completed(P, entries, coefficients) == Decimal("30.0")
    policy = dataclasses.replace(P, campaign_default_coefficient=Decimal("0.5"))
    assert q.weighted_completed(policy, entries, coefficients) == Decimal("25.0")


def test_daily_total_replaces_hours_of_the_same_campaign():
    entries = [entry(9, 10, "5G"), entry(None, 50, "5G"), entry(10, 7, "SV")]
    assert q.day_counts(entries).completed == 57


@pytest.mark.parametrize(
    "scores, expected",
    [
        ({"A": 300, "B": 200, "C": 100}, [("A", 1, 0), ("B", 2, -2), ("C", 3, -4)]),
        ({"A": 300, "B": 300, "C": 100}, [("A", 1, 0), ("B", 1, 0), ("C", 3, -4)]),
        ({"A": 300, "B": 200, "C": 200, "D": 50},
         [("A", 1, 0), ("B", 2, -2), ("C", 2, -2), ("D", 4, -6)]),
        ({}, []),
    ],
    ids=["distinct", "tie-at-top", "tie-in-middle-skips-rank", "empty"],
)
def test_ranking_points_two_per_step(scores, expected):
    rows = q.ranking(P, {k: Decimal(v) for k, v in scores.items()})
    assert [(r.staff_id, r.rank, r.points) for r in rows] == expected


@pytest.mark.parametrize(
    "orders, special, tier, base, subsidy",
    [(400, False, "guarantee", "1200", "0"), (401, True, "guarantee", "1200", "0"),
     (399, False, "base", "800", "0"), (399, True, "special", "800", "50"),
     (0, False, "base", "800", "0")],
    ids=["exactly-400", "400-met-despite-outage", "399", "399-special-circumstances", "none"],
)
def test_guarantee_tier(orders, special, tier, base, subsidy):
    result = q.guarantee_tier(P, orders, special)
    assert (result.tier, result.base_pay, result.subsidy) == (tier, Decimal(base), Decimal(subsidy))
    assert result.total == Decimal(base) + Decimal(subsidy)


@pytest.mark.parametrize(
    "dialed, completed, advice",
    [("100.1", "70", "add_seats"), ("100", "59.9", "raise_volume"), ("100", "60", "ok"),
     ("79", "56", "raise_volume"), ("69", "60", "ok"), ("120", "30", "add_seats"),
     ("0", "0", "raise_volume")],
    ids=["dialed-100.1-add-seats", "dialed-exactly-100-completed-59.9-raise",
         "completed-exactly-60-ok", "issue-79-dialed-56-completed-raise",
         "dialed-under-70-but-completed-60-ok", "add-seats-wins-over-raise", "idle"],
)
def test_staffing_advice(dialed, completed, advice):
    """[004 第三条]: avg dialed per working seat > 100 → add seats; else avg completed < 60
    → raise volume; else ok (not avg dialed < 70)."""
    assert q.staffing_advice(P, Decimal(dialed), Decimal(completed)) == advice


def test_average_dialed_without_seats():
    assert q.average_dialed(0, 0) == 0
    assert q.average_dialed(170, 2) == Decimal(85)


@pytest.mark.parametrize(
    "by_hour, rushing",
    [({9: 5, 10: 5, 11: 10}, False),  # mean 20/3 = 6.67, 2× = 13.3
     ({9: 5, 10: 5, 11: 5, 16: 15}, False),  # mean 7.5 → 2× = 15: exactly 2× is allowed
     ({9: 5, 10: 5, 11: 5, 16: 16}, True),  # mean 7.75 → 15.5 < 16
     ({16: 60}, False),
     ({}, False),
     ({9: 0, 10: 0}, False)],
    ids=["even-day", "last-hour-exactly-2x", "last-hour-over-2x", "one-hour-only", "no-hours",
         "zero-calls"],
)
def test_rushing(by_hour, rushing):
    assert q.is_rushing(P, by_hour) is rushing


def test_rushing_uses_the_last_hour_not_the_last_entered():
    assert q.hourly_completed([entry(16, 20), entry(9, 2), entry(10, 2), entry(9, 1)]) == \
        {16: 20, 9: 3, 10: 2}
    assert q.is_rushing(P, {16: 20, 9: 3, 10: 2})


@pytest.mark.parametrize(
    "minutes, ok",
    [(None, None), (179, False), (180, True), (240, True)],
    ids=["not-tracked", "179-min", "exactly-3h", "4h"],
)
def test_talk_time(minutes, ok):
    assert q.talk_time_ok(P, minutes) is ok


@pytest.mark.parametrize(
    "months, expected",
    [
        ([{"A": 10, "B": 20, "C": 30}, {"A": 12, "B": 50, "C": 11}], []),
        ([{"A": 10, "B": 20, "C": 30}, {"A": 9, "B": 50, "C": 11}], ["A"]),
        ([{"A": 10, "B": 10, "C": 30}, {"A": 5, "B": 5, "C": 11}], ["A", "B"]),
        ([{"A": 10, "B": 10, "C": 30}, {"A": 5, "B": 6, "C": 11}], ["A"]),
        ([{"A": 0, "B": 20}, {"A": 0, "B": 0}], ["A"]),
        ([{"A": 10, "B": 20, "C": 30, "D": 40, "E": 50},
          {"A": 12, "B": 50, "C": 11, "D": 40, "E": 60}], []),
        ([{"A": 10}], []),
        ([{}, {"A": 1}], []),
    ],
    ids=["fewest-only-one-month", "fewest-both-months", "tie-both-months-all-tied",
         "tie-one-month-only", "zero-orders-tie-second-month", "bottom-3-is-not-the-rule",
         "one-month-only", "empty-month"],
)
def test_interview_list(months, expected):
    assert q.interview_list(P, months) == expected


@pytest.mark.parametrize(
    "scheduled, lost, target",
    [(420, 0, 60), (420, 210, 30), (420, 420, 0), (420, 600, 0), (420, 7, 59), (0, 30, 60)],
    ids=["no-outage", "half-lost", "all-lost", "more-than-shift", "7-min-rounds", "no-shift"],
)
def test_adjusted_target(scheduled, lost, target):
    assert q.adjusted_target(P, scheduled, lost) == target


T = dt.time
WINTER_D = [(T(8, 0), T(12, 0)), (T(14, 30), T(17, 30))]


@pytest.mark.parametrize(
    "now, left",
    [(T(7, 0), 420), (T(10, 0), 300), (T(13, 0), 180), (T(15, 0), 150), (T(18, 0), 0)],
    ids=["before-shift", "morning", "lunch", "afternoon", "after-shift"],
)
def test_remaining_minutes(now, left):
    assert q.calling_minutes(WINTER_D) == 420
    assert q.remaining_minutes(WINTER_D, now) == left


@pytest.mark.parametrize(
    "completed, left, pace",
    [(30, 150, Decimal(12)), (60, 150, Decimal(0)), (59, 0, None), (70, 0, Decimal(0))],
    ids=["half-done", "target-met", "short-and-no-time", "over-and-no-time"],
)
def test_pace_needed(completed, left, pace):
    assert q.pace_needed(60, completed, left) == pace


def test_behind_is_against_an_even_pace():
    # 15:00 in winter: 270 of 420 minutes gone → 38.6 expected
    assert q.is_behind(60, 38, 420, 150)
    assert not q.is_behind(60, 39, 420, 150)
    assert not q.is_behind(60, 60, 420, 0)


def test_calling_hours():
    assert q.calling_hours(WINTER_D) == [8, 9, 10, 11, 14, 15, 16, 17]


@pytest.mark.parametrize(
    "counts, problems",
    [(Counts(80, 66, 61, 19), []),
     (Counts(10, 11, 5, 1), ["connected 11 is more than dialed 10"]),
     (Counts(10, 8, 9, 1), ["completed 9 is more than connected 8"]),
     (Counts(10, 8, 5, 6), ["orders 6 is more than completed 5"]),
     (Counts(0, 0, 0, 0), [])],
    ids=["good", "connected-over-dialed", "completed-over-connected", "orders-over-completed",
         "zeros"],
)
def test_count_problems(counts, problems):
    assert q.count_problems(counts) == problems


def test_parse_day_total():
    parsed = parse_quick_entry("A001 = 80 66 61 19")
    assert (parsed.who, parsed.counts, parsed.day_total) == ("A001", Counts(80, 66, 61, 19), True)
    assert parse_quick_entry("= 1 1 1 0").who is None
    assert not parse_quick_entry("1 1 1 0").day_total


@pytest.mark.parametrize(
    "text, who, add, counts",
    [("+5", None, 5, None), ("A001 +5", "A001", 5, None), ("欧阳 娜娜 +12", "欧阳 娜娜", 12, None),
     ("80 66 61 19", None, None, Counts(80, 66, 61, 19)),
     ("A001 80 66 61 19", "A001", None, Counts(80, 66, 61, 19))],
    ids=["plus-selected", "plus-id", "plus-name", "line-selected", "line-id"],
)
def test_parse_quick_entry(text, who, add, counts):
    parsed = parse_quick_entry(text)
    assert (parsed.who, parsed.add_completed, parsed.counts) == (who, add, counts)


@pytest.mark.parametrize(
    "text", ["", "+", "+x", "+0", "A001", "80 66 61", "80 -66 61 19"],
    ids=["empty", "plus-alone", "plus-word", "plus-zero", "who-only", "three-counts", "negative"],
)
def test_parse_quick_entry_refuses(text):
    with pytest.raises(ValueError):
        parse_quick_entry(text)


@given(st.integers(0, 1000), st.integers(0, 1000), st.integers(0, 1000))
def test_adjusted_target_never_rises_and_falls_with_time_lost(scheduled, lost, more):
    target = q.adjusted_target(P, scheduled, lost)
    assert 0 <= target <= P.daily_min_completed
    assert q.adjusted_target(P, scheduled, lost + more) <= target


counts = st.builds(Counts, st.integers(0, 200), st.integers(0, 200), st.integers(0, 200),
                   st.integers(0, 200))


@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 23)),
                          st.sampled_from(["", "5G", "SV"]), counts), max_size=12))
def test_day_counts_add_up_the_entries_that_count(rows):
    entries = [CallEntry("A001", DAY, hour, campaign, c) for hour, campaign, c in rows]
    total = q.day_counts(entries)
    kept = q.effective_entries(entries)
    assert total.completed == sum(e.counts.completed for e in kept)
    assert sum(q.hourly_completed(entries).values()) <= total.completed
    for campaign in {e.campaign for e in entries if e.hour is None}:
        assert all(e.hour is None for e in kept if e.campaign == campaign)


@pytest.mark.parametrize(
    "scheduled, lost, leave, target",
    [(390, 0, "0.5", 30), (390, 0, "1", 0), (390, 0, "0", 60), (390, 195, "0.5", 0),
     (390, 39, "0.5", 24), (0, 0, "0.5", 0)],
    ids=["half-day-halves", "whole-day-nothing", "no-leave-full", "half-day-plus-outage-rest",
         "half-day-and-a-short-outage", "no-calling-time"],
)
def test_leave_target(scheduled, lost, leave, target):
    assert q.leave_target(P, scheduled, lost, Decimal(leave)) == target


def test_a_half_day_leave_halves_the_seats_target(staffed):
    import datetime as dt

    day = dt.date(2026, 11, 19)
    staffed.attendance.record_leave("A001", day, "sick", Decimal("0.5"))
    agents = {a.staff_id: a for a in staffed.quota.floor_day(day).agents}
    assert agents["A001"].target == 30


def _rec(sid: str, hour, campaign: str, completed: int, orders: int = 0, talk=None) -> dict:
    return {"staff_id": sid, "date": "2026-11-20", "hour": hour, "campaign": campaign,
            "dialed": completed + 2, "connected": completed + 1, "completed": completed,
            "orders": orders, "talk_minutes": talk}


@pytest.mark.parametrize("records", [
    pytest.param([], id="no-calls"),
    pytest.param([_rec("A001", 9, "BB", 5, 1, 10), _rec("A001", 10, "BB", 7, 2, None)],
                 id="hours-summed-talk-partly-known"),
    pytest.param([_rec("A001", 9, "BB", 5), _rec("A001", None, "BB", 30, 4)],
                 id="daily-total-replaces-hours"),
    pytest.param([_rec("A001", 9, "BB", 5), _rec("A001", None, "5G", 30),
                  _rec("A001", 11, "5G", 3), _rec("A002", 9, "", 4, talk=None)],
                 id="total-of-one-campaign-leaves-the-other-hours"),
    pytest.param([_rec("A001", 9, "BB", 5, talk=None), _rec("A001", 10, "BB", 1, talk=None)],
                 id="talk-unknown-stays-unknown"),
])
def test_campaign_sums_are_the_day_counts_of_each_campaign(records) -> None:
    """The month reports' per-day digest (issue #18) sums as the entry rules do."""
    from floorapp.services.quota_counts import _entry

    sums = q.campaign_sums(records)
    entries = [_entry(r) for r in records]
    pairs = {(e.staff_id, e.campaign) for e in entries}
    assert {(s, c) for s, cs in sums.items() for c in cs} == pairs
    for sid, campaign in pairs:
        mine = [e for e in entries if (e.staff_id, e.campaign) == (sid, campaign)]
        assert sums[sid][campaign] == q.day_counts(mine)
    policy = Policy()
    coefficients = {"BB": Decimal("1.0"), "5G": Decimal("1.2")}
    for sid in sums:
        mine = [e for e in entries if e.staff_id == sid]
        assert q.weighted_from_sums(policy, sums[sid], coefficients) == \
            q.weighted_completed(policy, mine, coefficients)


@pytest.mark.parametrize("records", [
    pytest.param([], id="no-calls"),
    pytest.param([_rec("A001", 9, "BB", 5), _rec("A001", 10, "BB", 0), _rec("A001", 10, "5G", 3)],
                 id="hours-of-campaigns-summed-zero-hour-kept"),
    pytest.param([_rec("A001", 9, "BB", 5), _rec("A001", None, "BB", 30),
                  _rec("A001", 11, "5G", 3)], id="a-daily-total-takes-its-campaigns-hours-out"),
])
def test_the_hourly_digest_is_hourly_completed(records) -> None:
    """The day report's rushing check reads the day file's hourly digest (issue #18)."""
    from floorapp.services import digests
    from floorapp.services.quota_counts import _entry

    tables = {"calls": {str(n): {"key": f"k{n}", "v": 1, "at": "", "by": "", "data": r}
                        for n, r in enumerate(records)}}
    digest = digests.hourly(tables)
    for sid in {r["staff_id"] for r in records}:
        entries = [_entry(r) for r in records if r["staff_id"] == sid]
        assert {int(h): n for h, n in digest.get(sid, {}).items()} == \
            q.hourly_completed(entries)


# A day is judged (zero-score, dialed under its band, talk time, the staffing advice) on its
# whole counts, never on the counts so far [004 按天完成量 … 每天进行统计].
_T = dt.time
_AT_THE_END = dt.datetime(2026, 11, 20, 17, 30)


@pytest.mark.parametrize(
    "day, ends_at, now, final",
    [(dt.date(2026, 11, 20), _T(17, 30), dt.datetime(2026, 11, 20, 8, 7), False),
     (dt.date(2026, 11, 20), _T(17, 30), dt.datetime(2026, 11, 20, 17, 29, 59), False),
     (dt.date(2026, 11, 20), _T(17, 30), _AT_THE_END, True),
     (dt.date(2026, 11, 20), _T(17, 30), dt.datetime(2026, 11, 20, 23, 59), True),
     (dt.date(2026, 11, 20), None, dt.datetime(2026, 11, 20, 23, 59), False),
     (dt.date(2026, 11, 19), _T(17, 30), dt.datetime(2026, 11, 20, 0, 1), True),
     (dt.date(2026, 12, 31), _T(17, 30), dt.datetime(2027, 1, 1, 3, 0), True),
     (dt.date(2026, 11, 21), _T(9, 0), dt.datetime(2026, 11, 20, 23, 0), False)],
    ids=["today-morning", "a-second-before-the-end", "at-the-shift-end", "evening",
         "no-shift-today-till-midnight", "yesterday-just-after-midnight",
         "new-years-eve-seen-on-new-years-day", "tomorrow-typed-ahead"],
)
def test_counts_final(day, ends_at, now, final):
    assert q.counts_final(day, ends_at, now) is final


def test_counts_final_reads_a_zoned_now_as_its_local_time():
    import pendulum

    now = pendulum.datetime(2026, 11, 20, 17, 30, tz="Asia/Shanghai")
    assert q.counts_final(dt.date(2026, 11, 20), _T(17, 30), now) is True
    assert q.counts_final(dt.date(2026, 11, 20), _T(17, 31), now) is False


@pytest.mark.parametrize(
    "periods, end",
    [([(_T(8, 0), _T(12, 0)), (_T(14, 30), _T(17, 30))], _T(17, 30)),
     ([(_T(14, 30), _T(17, 30)), (_T(8, 0), _T(12, 0))], _T(17, 30)),
     ([], None)],
    ids=["two-periods", "periods-out-of-order", "rest-day"],
)
def test_day_end(periods, end):
    assert q.day_end(periods) == end


# The live quota screen judges a pace only once enough calling time has passed
# (live_judge_after_minutes, the centre's 60): at 08:07 nobody has dialed yet.
@pytest.mark.parametrize(
    "value, total, left, after, expected",
    [(0, 420, 420, 60, None),
     (20, 420, 361, 60, None),
     (20, 420, 360, 60, Decimal(140)),
     (35, 420, 0, 60, Decimal(35)),
     (35, 0, 0, 60, Decimal(35)),
     (5, 30, 10, 60, None),
     (5, 30, 0, 60, Decimal(5)),
     (0, 420, 420, 0, None),
     (3, 420, 419, 0, Decimal(1260))],
    ids=["before-calling-starts", "59-minutes-in", "60-minutes-in-projected", "shift-over",
         "no-calling-time", "short-shift-not-over", "short-shift-over", "judge-at-once-but-no-time",
         "judge-at-once-one-minute"],
)
def test_projected_waits_for_enough_calling_time(value, total, left, after, expected):
    assert q.projected(value, total, left, after) == expected


_D_WINTER = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 40), dt.time(17, 30))]


@pytest.mark.parametrize(
    "minutes, at",
    [(0, dt.time(8, 30)), (60, dt.time(9, 30)), (210, dt.time(12, 0)), (211, dt.time(14, 41)),
     (380, dt.time(17, 30)), (381, None)],
    ids=["at-once", "an-hour-in", "end-of-morning", "first-minute-after-lunch", "whole-shift",
         "longer-than-the-shift"],
)
def test_minutes_reached_at(minutes, at):
    assert q.minutes_reached_at(_D_WINTER, minutes) == at
