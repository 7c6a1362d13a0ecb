"""Raw clock punches paired to shift periods (SPEC §11): table-driven, edges in the ids."""

from __future__ import annotations

import datetime as dt

import pytest

from floorapp.policy import Policy
from floorapp.rules.punches import pair_day, parse_attlog_line, parse_moment

DAY = dt.date(2026, 11, 19)
WINTER_D = [(dt.time(8, 0), dt.time(12, 0)), (dt.time(14, 30), dt.time(17, 30))]
C1 = [(dt.time(8, 0), dt.time(14, 30))]


def at(text: str) -> dt.datetime:
    hours, minutes, *seconds = (int(p) for p in text.split(":"))
    return dt.datetime.combine(DAY, dt.time(hours, minutes, *(seconds or [0])))


def t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


@pytest.mark.parametrize(
    "periods, punches, ins, outs, repeats, strays",
    [
        (WINTER_D, ["07:52:10", "12:01:05", "14:20:00", "17:31:00"],
         {1: "07:52", 2: "14:20"}, {1: "12:01", 2: "17:31"}, [], []),
        (WINTER_D, ["08:12:40", "11:40:00", "14:30:59", "17:30:00"],
         {1: "08:12", 2: "14:30"}, {1: "11:40", 2: "17:30"}, [], []),
        (WINTER_D, ["07:52:10", "07:52:40", "17:31:00", "17:35:00"],
         {1: "07:52"}, {2: "17:35"}, ["07:52:40", "17:31:00"], []),
        (WINTER_D, ["07:55:00", "23:59:00"], {1: "07:55"}, {}, [], ["23:59:00"]),
        (WINTER_D, ["00:03:00", "07:58:00"], {1: "07:58"}, {}, [], ["00:03:00"]),
        (WINTER_D, ["06:59:59", "07:00:00"], {1: "07:00"}, {}, [], ["06:59:59"]),
        (WINTER_D, ["13:40:00"], {2: "13:40"}, {}, [], []),
        (WINTER_D, ["13:14:00"], {}, {1: "13:14"}, [], []),
        (C1, ["07:58:00", "14:31:00"], {1: "07:58"}, {1: "14:31"}, [], []),
        (C1, ["11:15:00"], {}, {}, [], ["11:15:00"]),
        ([], ["08:00:00", "17:30:00"], {}, {}, [], ["08:00:00", "17:30:00"]),
        (WINTER_D, ["09:59:00"], {1: "09:59"}, {}, [], []),
        (WINTER_D, ["10:00:00"], {1: "10:00"}, {}, [], []),
    ],
    ids=["four-punches-on-time", "late-and-early-seconds-dropped",
         "double-press-in-first-out-last", "punch-at-23-59-is-stray",
         "punch-after-midnight-is-stray-of-its-own-day", "window-opens-60-min-before",
         "lunch-gap-nearer-p2-start-is-in", "lunch-gap-nearer-p1-end-is-out",
         "one-period-shift", "mid-period-outside-every-window", "rest-day-all-stray",
         "nearer-start-is-in", "tie-between-start-and-end-goes-to-the-earlier"],
)
def test_pair_day(periods, punches, ins, outs, repeats, strays) -> None:
    result = pair_day(Policy(), periods, [at(p) for p in punches])
    assert {n: v.strftime("%H:%M") for n, v in result.ins.items()} == ins
    assert {n: v.strftime("%H:%M") for n, v in result.outs.items()} == outs
    assert result.repeats == [at(p) for p in repeats]
    assert result.strays == [at(p) for p in strays]


def test_windows_are_the_policy() -> None:
    policy = Policy(punch_in_before_minutes=15, punch_out_after_minutes=30)
    result = pair_day(policy, WINTER_D, [at("07:40:00"), at("07:50:00"), at("17:59:00"),
                                         at("18:01:00")])
    assert result.strays == [at("07:40:00"), at("18:01:00")]
    assert result.ins == {1: t("07:50")} and result.outs == {2: t("17:59")}


@pytest.mark.parametrize(
    "line, clock_id, moment, extra",
    [
        ("     1001\t2026-11-19 07:52:10\t1\t0\t1\t0\n", "1001",
         dt.datetime(2026, 11, 19, 7, 52, 10), ["1", "0", "1", "0"]),
        ("        7\t2026-11-19 23:59:59\t15\t1\t0\t0\t\r\n", "7",
         dt.datetime(2026, 11, 19, 23, 59, 59), ["15", "1", "0", "0", ""]),
        ("A001\t2026-11-20 00:00:01", "A001", dt.datetime(2026, 11, 20, 0, 0, 1), []),
    ],
    ids=["zkteco-padded", "crlf-trailing-tab-last-second", "bare-two-fields"],
)
def test_attlog_line(line: str, clock_id: str, moment: dt.datetime, extra: list[str]) -> None:
    assert parse_attlog_line(line) == (clock_id, moment, extra)


@pytest.mark.parametrize(
    "line, message",
    [("1001 2026-11-19 07:52:10", "expected a clock user id, a tab"),
     ("1001\t2026-11-19 25:00:00", "not a real date and time"),
     ("1001\t19/11/2026 07:52", "not a date and time")],
    ids=["spaces-not-tab", "hour-25", "day-first"],
)
def test_attlog_line_refused(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_attlog_line(line)


def test_moment_as_excel_csv_writes_it() -> None:
    assert parse_moment("2026/11/19 8:05") == dt.datetime(2026, 11, 19, 8, 5)
