"""A call's identity across PBX restarts (issue #27 A): uniqueid/linkedid when the file has
them, else the channel within its own time span. Table tests over the three layouts cdr_csv
writes: 16 columns, uniqueid+userfield (18), and with newcdrcolumns (21)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest

from floorapp.formats import cdr
from floorapp.services import Floor
from floorapp.services.cdr import CdrService
from tests.conftest import STAFF
from tests.formats.test_cdr import master_row

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

THU, FRI = dt.date(2026, 11, 19), dt.date(2026, 11, 20)
LAYOUTS = pytest.mark.parametrize("extra", [0, 2, 5], ids=["16-columns", "uniqueid-18",
                                                          "linkedid-21"])


def rows_of(data: bytes) -> list[cdr.CdrRow]:
    text = data.decode("utf-8", errors="replace")
    return [cdr.parse_row(n, f) for n, f in enumerate(csv.reader(io.StringIO(text)), 1)]


def counted(data: bytes, extensions: set[str]) -> dict[tuple[str, dt.date], tuple[int, int]]:
    """{(extension, day): (calls, connected)} of the file."""
    out: dict[tuple[str, dt.date], tuple[int, int]] = {}
    for (extension, day, _hour), hour in cdr.tally(rows_of(data), extensions).hours.items():
        calls, connected = out.get((extension, day), (0, 0))
        out[(extension, day)] = (calls + hour.dialed, connected + hour.connected)
    return out


def call(channel: str, start: str, billsec: int, extra: int, *, dst: str = "SIP/trunk1-0000ff01",
         end: str = "", **ids: str) -> bytes:
    """One row of an agent's outbound call (answered when billsec > 0)."""
    answered = billsec > 0
    stamp = dt.datetime.strptime(start, "%Y-%m-%d %H:%M:%S")
    end = end or f"{stamp + dt.timedelta(seconds=billsec + 5):%Y-%m-%d %H:%M:%S}"
    return master_row("8001", "13800138000", b"<8001>", channel, dst, start,
                      start if answered else "", billsec,
                      "ANSWERED" if answered else "NO ANSWER", extra, end=end, **ids)


@LAYOUTS
def test_a_restart_inside_one_file_keeps_day_twos_calls(extra: int) -> None:
    """Day 1 the PBX runs up to channel 3; it restarts overnight and numbers from 1 again:
    the day-2 calls on the same channel names are new calls, not day 1's."""
    data = b"".join([
        call("SIP/8001-00000001", "2026-11-19 09:00:00", 60, extra),
        call("SIP/8001-00000002", "2026-11-19 09:10:00", 0, extra),
        call("SIP/8001-00000003", "2026-11-19 09:20:00", 30, extra),
        # restart: the same channel names, the next morning
        call("SIP/8001-00000001", "2026-11-20 09:00:00", 45, extra),
        call("SIP/8001-00000002", "2026-11-20 09:05:00", 0, extra),
        call("SIP/8001-00000003", "2026-11-20 09:06:00", 20, extra),
        call("SIP/8001-00000004", "2026-11-20 09:07:00", 0, extra),
    ])
    assert counted(data, {"8001"}) == {("8001", THU): (3, 2), ("8001", FRI): (4, 2)}


@LAYOUTS
def test_a_restart_minutes_later_still_splits_a_channel(extra: int) -> None:
    """A restart at 09:02 on one day: channel 1 ended 09:01:05, the new channel 1 starts
    09:03 (beyond the span and its slack): two calls."""
    data = (call("SIP/8001-00000001", "2026-11-19 09:00:00", 60, extra)
            + call("SIP/8001-00000001", "2026-11-19 09:03:00", 60, extra))
    assert counted(data, {"8001"}) == {("8001", THU): (2, 2)}


@LAYOUTS
def test_a_forked_dial_is_one_call(extra: int) -> None:
    """Dial(SIP/trunk1&SIP/trunk2): two rows of one channel (one uniqueid, one linkedid)."""
    data = (call("SIP/8001-0000000a", "2026-11-19 09:05:00", 180, extra,
                 dst="SIP/trunk1-0000000b")
            + call("SIP/8001-0000000a", "2026-11-19 09:05:00", 0, extra,
                   dst="SIP/trunk2-0000000c", end="2026-11-19 09:05:20"))
    counts = cdr.tally(rows_of(data), {"8001"})
    assert counts.calls == 1
    assert {k: (v.dialed, v.connected, v.talk_seconds) for k, v in counts.hours.items()} == {
        ("8001", THU, 9): (1, 1, 180)}


def queue_call(extra: int, rounds: int = 1) -> bytes:
    """An inbound call to queue 600 rung on 8001, 8002 and 8003 (ringall) through Local
    channels; 8002 answers in the last round. Party A of the trunk row is the trunk channel;
    every row carries the trunk's uniqueid as linkedid."""
    linked = f"{int(dt.datetime(2026, 11, 19, 10, 0, 0).timestamp())}.17"
    rows = [master_row("13500135000", "600", b"<13500135000>", "SIP/trunk1-00000011",
                       "Local/8002@from-queue-00000020;1", "2026-11-19 10:00:00",
                       "2026-11-19 10:00:30", 90, "ANSWERED", extra,
                       end="2026-11-19 10:02:00", linkedid=linked)]
    seq = 0x21
    for n in range(rounds):
        last = n == rounds - 1
        ring = f"2026-11-19 10:00:{n * 15:02d}"
        for extension in ("8001", "8002", "8003"):
            local = f"Local/{extension}@from-queue-{seq:08x};2"
            phone = f"SIP/{extension}-{seq + 1:08x}"
            seq += 2
            answered = last and extension == "8002"
            rows.append(master_row(
                "13500135000", extension, b"<13500135000>", local, phone, ring,
                "2026-11-19 10:00:30" if answered else "", 88 if answered else 0,
                "ANSWERED" if answered else "NO ANSWER", extra,
                end="2026-11-19 10:02:00" if answered else f"2026-11-19 10:00:{n * 15 + 14:02d}",
                linkedid=linked))
    return b"".join(rows)


@LAYOUTS
def test_a_queue_call_rung_on_several_phones(extra: int) -> None:
    """Each phone rung holds one call of its agent; only the one who answered connected."""
    assert counted(queue_call(extra), {"8001", "8002", "8003"}) == {
        ("8001", THU): (1, 0), ("8002", THU): (1, 1), ("8003", THU): (1, 0)}


@pytest.mark.parametrize("extra, calls", [(0, 2), (2, 2), (5, 1)],
                         ids=["16-columns-two-channels", "uniqueid-two-local-channels",
                              "linkedid-one-call"])
def test_a_queue_ringing_an_agent_twice(extra: int, calls: int) -> None:
    """A second ring round gives each phone a new channel. Only linkedid tells it is the
    same customer call; without it each ring is a call of the agent (a channel is a call)."""
    assert counted(queue_call(extra, rounds=2), {"8001"}) == {("8001", THU): (calls, 0)}


@pytest.mark.parametrize(
    "second_start, calls",
    [("2026-11-19 09:00:00", 1), ("2026-11-19 09:01:00", 1), ("2026-11-19 09:01:15", 1),
     ("2026-11-19 09:01:16", 2), ("2026-11-19 10:00:00", 2)],
    ids=["same-start", "inside-span", "at-end-plus-slack", "one-second-past-slack",
         "an-hour-later"])
def test_without_ids_a_row_joins_a_call_only_within_its_span(second_start: str,
                                                              calls: int) -> None:
    """16 columns: the first row spans 09:00:00–09:01:05; slack is CHANNEL_SPAN_SLACK."""
    assert cdr.CHANNEL_SPAN_SLACK == dt.timedelta(seconds=10)
    data = (call("SIP/8001-00000001", "2026-11-19 09:00:00", 60, 0)
            + call("SIP/8001-00000001", second_start, 0, 0))
    assert cdr.tally(rows_of(data), {"8001"}).calls == calls


def test_rows_out_of_order_join_the_same_call() -> None:
    """cdr_csv writes a row when a record ends, so a later-starting row can come first."""
    data = (call("SIP/8001-00000001", "2026-11-19 09:00:40", 0, 0)
            + call("SIP/8001-00000001", "2026-11-19 09:00:00", 60, 0))
    counts = cdr.tally(rows_of(data), {"8001"})
    assert counts.calls == 1 and counts.hours[("8001", THU, 9)].connected == 1


@pytest.mark.parametrize(
    "extra, expected",
    [([], {}),
     (["1763514300.17"], {"uniqueid": "1763514300.17"}),
     (["vip"], {"userfield": "vip"}),
     (["pbx1-1763514300.17", ""], {"uniqueid": "pbx1-1763514300.17", "userfield": ""}),
     (["", "1763514300.17", "4"], {"peeraccount": "", "linkedid": "1763514300.17",
                                   "sequence": "4"}),
     (["1763514300.18", "", "1763514300.17", "4"],
      {"uniqueid": "1763514300.18", "peeraccount": "", "linkedid": "1763514300.17",
       "sequence": "4"}),
     (["1763514300.18", "vip", "acct", "1763514300.17", "4"],
      {"uniqueid": "1763514300.18", "userfield": "vip", "peeraccount": "acct",
       "linkedid": "1763514300.17", "sequence": "4"})],
    ids=["16", "17-uniqueid", "17-userfield", "18-systemname", "19-newcdrcolumns",
         "20-uniqueid-newcdrcolumns", "21-all"])
def test_optional_columns_named_by_count_and_shape(extra: list[str],
                                                   expected: dict[str, str]) -> None:
    assert cdr.optional_columns([""] * cdr.MIN_FIELDS + extra) == expected


@pytest.mark.parametrize("extra, call_id", [(0, ""), (2, "1763514300.10"),
                                            (5, "1763514000.3")],
                         ids=["none", "uniqueid", "linkedid-first"])
def test_the_row_id_is_linkedid_else_uniqueid(extra: int, call_id: str) -> None:
    row = call("SIP/8001-0000000a", "2026-11-19 09:05:00", 10, extra,
               uniqueid="1763514300.10", linkedid="1763514000.3")
    assert rows_of(row)[0].call_id == call_id


def test_a_bad_end_time_is_refused_by_name() -> None:
    row = call("SIP/8001-00000001", "2026-11-19 09:00:00", 10, 0, end="yesterday")
    with pytest.raises(ValueError, match="end 'yesterday' is not a date and time"):
        rows_of(row)


# ------------------------------------------------------- the issue's case, through the import
def two_days_with_a_restart(extra: int) -> tuple[bytes, dict[tuple[str, dt.date], tuple]]:
    """A Master.csv of two days with a restart between them, as a working PBX writes it: per
    agent outbound calls, some forked to two trunks, some unanswered; the channel numbers of
    day 2 start again at 1. Returns the file and what its rows hold per (extension, day)."""
    rows: list[bytes] = []
    truth: dict[tuple[str, dt.date], list[int]] = {}
    for day in (THU, FRI):
        seq = 1  # each run numbers channels from 1
        for n in range(26):
            for extension in ("8001", "8002"):
                start = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=7 * n)
                channel = f"SIP/{extension}-{seq:08x}"
                seq += 1
                answered = n % 4 != (1 if extension == "8001" else 2)
                billsec = 40 + n if answered else 0
                text = f"{start:%Y-%m-%d %H:%M:%S}"
                rows.append(master_row(extension, "138", b"<x>", channel, "SIP/trunk1-000000f0",
                                       text, text if answered else "", billsec,
                                       "ANSWERED" if answered else "NO ANSWER", extra))
                if n % 5 == 0:  # forked to a second trunk, which did not answer
                    rows.append(master_row(extension, "138", b"<x>", channel,
                                           "SIP/trunk2-000000f1", text, "", 0, "NO ANSWER",
                                           extra))
                held = truth.setdefault((extension, day), [0, 0])
                held[0] += 1
                held[1] += int(answered)
    return b"".join(rows), {k: tuple(v) for k, v in truth.items()}


@pytest.fixture
def agents(staffed: Floor) -> Floor:
    staffed.save_staff(dataclasses.replace(STAFF[0], extension="8001"))
    staffed.save_staff(dataclasses.replace(STAFF[1], extension="8002"))
    return staffed


@LAYOUTS
def test_the_issues_case_each_day_holds_its_distinct_calls(agents: Floor, tmp_path: Path,
                                                           extra: int) -> None:
    data, truth = two_days_with_a_restart(extra)
    path = tmp_path / "Master.csv"
    path.write_bytes(data)
    CdrService(agents).import_cdr(path)
    people = {"8001": "A001", "8002": "A002"}
    got: dict[tuple[str, dt.date], tuple[int, int]] = {}
    for day in (THU, FRI):
        for entry in agents.quota.entries(day):
            calls, connected = got.get((entry.staff_id, day), (0, 0))
            got[(entry.staff_id, day)] = (calls + entry.counts.dialed,
                                          connected + entry.counts.connected)
    assert got == {(people[ext], day): held for (ext, day), held in truth.items()}
    # keyed by (extension, channel), day 2's calls were merged into day 1's channels
    assert got[("A001", FRI)] == (26, 19)


@LAYOUTS
def test_the_issues_case_reimport_changes_nothing(agents: Floor, tmp_path: Path,
                                                  extra: int) -> None:
    data, _truth = two_days_with_a_restart(extra)
    path = tmp_path / "Master.csv"
    path.write_bytes(data)
    CdrService(agents).import_cdr(path)
    before = agents.quota.entries(FRI)
    assert "0 hour(s) changed" in CdrService(agents).import_cdr(path)
    assert agents.quota.entries(FRI) == before
    assert all(e.counts.completed == 0 for e in before)


def test_the_demos_master_csv_gives_back_the_demos_counts(store_dir: Path) -> None:
    """The demo writes yesterday's typed dialed/connected as Master.csv rows (forked dials
    among them, one uniqueid per Party A channel): importing it gives the same figures."""
    from floorapp.cli.main import run
    from floorapp.services import open_floor

    assert run(["--store", str(store_dir), "demo", "--seats", "3", "--days", "2"]) == 0
    floor = open_floor(store_dir, user="tester")
    day = THU  # the demo's days end yesterday; the sample files are of that day
    typed = {(e.staff_id, e.hour): (e.counts.dialed, e.counts.connected)
             for e in floor.quota.entries(day) if e.hour is not None and e.counts.dialed}
    CdrService(floor).import_cdr(store_dir / "exports" / "Master.csv")
    imported = {(e.staff_id, e.hour): (e.counts.dialed, e.counts.connected)
                for e in floor.quota.entries(day) if e.hour is not None and e.counts.dialed}
    assert typed and imported == typed
