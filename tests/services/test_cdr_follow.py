"""`floor import cdr --follow` (issue #27 C): whole lines only, rotation by rename or truncate,
restarts and kill -9 without a call counted twice or lost, bad rows logged and skipped; a
followed file gives the totals of a one-shot import of the same rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from floorapp.rules.quota import Counts
from floorapp.services import Floor
from floorapp.services.cdr import CdrService
from floorapp.services.cdr_follow import CdrFollower, bad_rows, last_applied
from tests.conftest import STAFF, TODAY
from tests.formats.test_cdr import master_row
from tests.formats.test_cdr_identity import THU, two_days_with_a_restart

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0  # seconds a polled condition may take on a loaded machine (not a timing claim)


@pytest.fixture
def agents(staffed: Floor) -> Floor:
    staffed.save_staff(dataclasses.replace(STAFF[0], extension="8001"))
    staffed.save_staff(dataclasses.replace(STAFF[1], extension="8002"))
    return staffed


def lines_of_two_days() -> list[bytes]:
    data, _truth = two_days_with_a_restart(2)
    return data.splitlines(keepends=True)


def totals(floor: Floor) -> dict[tuple[str, dt.date, int | None, str], Counts]:
    return {(e.staff_id, day, e.hour, e.campaign): e.counts
            for day in (THU, TODAY) for e in floor.quota.entries(day)}


def append(path: Path, *chunks: bytes) -> None:
    with path.open("ab") as handle:
        for chunk in chunks:
            handle.write(chunk)


def look_until_read(follower: CdrFollower) -> int:
    """Look until the file is read to its end (a long file takes several looks)."""
    kept = 0
    for _n in range(1000):
        applied, at_end = follower.look()
        kept += applied.rows
        if at_end:
            return kept
    raise AssertionError("the file was never read to its end")


def test_a_half_written_line_waits_for_its_end(agents: Floor, tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    first = lines_of_two_days()[0]
    path.write_bytes(first[:40])  # Asterisk mid-write
    follower = CdrFollower(agents, path)
    assert look_until_read(follower) == 0
    assert totals(agents) == {}
    append(path, first[40:])
    assert look_until_read(follower) == 1
    assert totals(agents) == {("A001", THU, 9, ""): Counts(1, 1, 0, 0, talk_minutes=1)}


def test_rename_and_recreate_lose_nothing(agents: Floor, tmp_path: Path) -> None:
    lines = lines_of_two_days()
    path = tmp_path / "Master.csv"
    path.write_bytes(b"".join(lines[:30]))
    follower = CdrFollower(agents, path)
    assert look_until_read(follower) == 30
    append(path, *lines[30:40])  # written before the rename, not yet read
    path.rename(tmp_path / "Master.csv.1")
    path.write_bytes(b"".join(lines[40:]))
    assert look_until_read(follower) == len(lines) - 30
    whole = tmp_path / "whole.csv"
    whole.write_bytes(b"".join(lines))
    followed = totals(agents)
    assert "0 hour(s) changed" in CdrService(agents).import_cdr(whole)
    assert totals(agents) == followed


def test_a_file_truncated_in_place_is_read_from_its_start(agents: Floor,
                                                         tmp_path: Path) -> None:
    lines = lines_of_two_days()
    path = tmp_path / "Master.csv"
    path.write_bytes(b"".join(lines[:60]))
    follower = CdrFollower(agents, path)
    look_until_read(follower)
    path.write_bytes(b"".join(lines[60:70]))  # copytruncate, then ten new rows (shorter)
    assert look_until_read(follower) == 10
    append(path, *lines[70:])
    look_until_read(follower)
    whole = tmp_path / "whole.csv"
    whole.write_bytes(b"".join(lines))
    followed = totals(agents)
    assert "0 hour(s) changed" in CdrService(agents).import_cdr(whole)
    assert totals(agents) == followed


def test_a_bad_row_is_logged_with_its_line_skipped_and_counted_once(agents: Floor,
                                                                     tmp_path: Path) -> None:
    lines = lines_of_two_days()
    path = tmp_path / "Master.csv"
    bad = b'"","8001","1","ctx","","SIP/8001-00000001","","Dial","","2026-11-19 09:00:00"\n'
    path.write_bytes(lines[0] + bad + lines[1])
    logged: list[str] = []
    follower = CdrFollower(agents, path, log=logged.append)
    assert look_until_read(follower) == 2
    assert logged == [f"{path}:2: expected at least 16 fields (accountcode … amaflags), found 10"]
    append(path, lines[2])  # the follow goes on
    assert look_until_read(follower) == 1
    assert bad_rows(agents, TODAY) == 1
    again: list[str] = []
    assert look_until_read(CdrFollower(agents, path, log=again.append)) == 0  # a restart
    assert bad_rows(agents, TODAY) == 1 and again == []
    assert last_applied(agents, TODAY) == "2026-11-20T15:00:00+08:00"


def test_a_restarted_follower_counts_nothing_twice(agents: Floor, tmp_path: Path) -> None:
    lines = lines_of_two_days()
    path = tmp_path / "Master.csv"
    path.write_bytes(b"".join(lines[:50]))
    look_until_read(CdrFollower(agents, path))
    half = totals(agents)
    assert look_until_read(CdrFollower(agents, path)) == 0
    assert totals(agents) == half
    append(path, *lines[50:])
    assert look_until_read(CdrFollower(agents, path)) == len(lines) - 50
    whole = tmp_path / "whole.csv"
    whole.write_bytes(b"".join(lines))
    followed = totals(agents)
    assert "0 hour(s) changed" in CdrService(agents).import_cdr(whole)
    assert totals(agents) == followed


# ------------------------------------------------------------------- a real process
def start_follower(store: Path, path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "floor.py"), "--store", str(store), "import", "cdr",
         "--follow", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition: Callable[[], bool], process: subprocess.Popen) -> None:
    """Poll the store until ``condition`` holds (the follower runs on its own)."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the follower ended: {process.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError("the store never showed the rows")
        time.sleep(0.05)  # between polls of the store; the assertion is on its content


def dialed(floor: Floor) -> int:
    return sum(c.dialed for c in totals(floor).values())


def test_a_real_follower_killed_restarted_and_rotated_matches_one_import(
        agents: Floor, store_dir: Path, tmp_path: Path) -> None:
    lines = lines_of_two_days()
    _data, truth = two_days_with_a_restart(2)
    calls_in = {n: sum(1 for line in lines[:n] if b'"SIP/trunk1-' in line) for n in
                (40, 80, len(lines))}  # each call has exactly one trunk1 row
    path = tmp_path / "Master.csv"
    path.write_bytes(b"")
    process = start_follower(store_dir, path)
    try:
        append(path, *lines[:40])
        wait_for(lambda: dialed(agents) == calls_in[40], process)
        process.send_signal(signal.SIGKILL)
        process.wait()
        append(path, *lines[40:80])  # while no follower runs
        path.rename(tmp_path / "Master.csv.1")
        path.write_bytes(lines[80])
        process = start_follower(store_dir, path)
        append(path, *lines[81:])
        # the restarted follower reads the new file only: rows 40-80 went with the old one
        wait_for(lambda: dialed(agents) >= calls_in[len(lines)] - (calls_in[80]
                                                                    - calls_in[40]), process)
        rotated = subprocess.Popen(  # the rotated file, followed once, fills the gap
            [sys.executable, str(ROOT / "floor.py"), "--store", str(store_dir), "import", "cdr",
             "--follow", str(tmp_path / "Master.csv.1")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: dialed(agents) == calls_in[len(lines)], rotated)
        finally:
            rotated.send_signal(signal.SIGTERM)
            assert rotated.wait(timeout=DEADLINE) == 0
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=DEADLINE)
        assert process.returncode == 0, err
        assert "stopped;" in out and "Traceback" not in err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    whole = tmp_path / "whole.csv"
    whole.write_bytes(b"".join(lines))
    followed = totals(agents)
    assert "0 hour(s) changed" in CdrService(agents).import_cdr(whole)
    assert totals(agents) == followed
    held = {("A001", THU): truth[("8001", THU)], ("A002", THU): truth[("8002", THU)]}
    for (staff_id, day), (calls, connected) in held.items():
        mine = [c for (s, d, _h, _c), c in followed.items() if (s, d) == (staff_id, day)]
        assert (sum(c.dialed for c in mine), sum(c.connected for c in mine)) == (calls,
                                                                                  connected)


def test_follow_is_for_cdr_and_needs_the_file(store_dir: Path, agents: Floor,
                                              tmp_path: Path, capsys) -> None:
    from floorapp.cli.main import run

    assert run(["--store", str(store_dir), "import", "punches", "--follow",
                str(tmp_path / "x")]) == 2
    assert "--follow is for `floor import cdr`" in capsys.readouterr().err
    assert run(["--store", str(store_dir), "import", "cdr", "--follow",
                str(tmp_path / "missing.csv")]) == 2
    assert f"{tmp_path / 'missing.csv'}: no such file to follow" in capsys.readouterr().err


def test_doctor_says_when_the_follow_last_applied_a_row(agents: Floor, store_dir: Path,
                                                        tmp_path: Path, capsys) -> None:
    from floorapp.cli.main import run

    assert run(["--store", str(store_dir), "doctor"]) == 0
    assert "follow" not in capsys.readouterr().out
    path = tmp_path / "Master.csv"
    path.write_bytes(b"".join(lines_of_two_days()[:3]))
    look_until_read(CdrFollower(agents, path))
    assert run(["--store", str(store_dir), "doctor"]) == 0
    assert ("the phone system's follow (floor import cdr --follow) last applied a row at "
            "2026-11-20T15:00:00+08:00") in capsys.readouterr().out


# ------------------------------------------------------------------------------ load
SUPERVISOR = """
import sys
from floorapp.rules.quota import Counts
from floorapp.services import open_floor
floor = open_floor(sys.argv[1], user="tester")
for n in range(int(sys.argv[3])):
    floor.quota.record_counts(sys.argv[2], Counts(1, 1, 1, 1), day=__import__("datetime").date(
        2026, 11, 19), hour=20)
"""


def ten_thousand_rows() -> list[bytes]:
    """A day of 10,000 rows: 8001 and 8002 calling every 3 s, every seventh call forked to a
    second trunk, every fourth unanswered."""
    rows = []
    for n in range(9000):
        start = dt.datetime(2026, 11, 19, 8) + dt.timedelta(seconds=3 * n)
        extension = "8001" if n % 2 else "8002"
        text = f"{start:%Y-%m-%d %H:%M:%S}"
        answered = n % 4 != 0
        channel = f"SIP/{extension}-{n:08x}"
        rows.append(master_row(extension, "138", b"<x>", channel, f"SIP/trunk1-{n:08x}", text,
                               text if answered else "", 20 + n % 90 if answered else 0,
                               "ANSWERED" if answered else "NO ANSWER"))
        if n % 9 == 0 and len(rows) < 10_000:
            rows.append(master_row(extension, "138", b"<x>", channel, f"SIP/trunk2-{n:08x}",
                                   text, "", 0, "NO ANSWER"))
    assert len(rows) == 10_000
    return rows


def test_ten_thousand_rows_followed_while_two_supervisors_write_the_day(
        agents: Floor, store_dir: Path, tmp_path: Path) -> None:
    """The follower (a real process) takes 10,000 rows appended in bursts while two
    supervisors (real processes) record orders on the same day: no write is lost, and the
    PBX counts equal a one-shot import of the same file into a fresh store."""
    from floorapp.clock import fixed_clock
    from floorapp.services import open_floor
    from tests.conftest import NOW

    rows = ten_thousand_rows()
    path = tmp_path / "Master.csv"
    path.write_bytes(b"")
    follower = start_follower(store_dir, path)
    supervisors = [subprocess.Popen([sys.executable, "-c", SUPERVISOR, str(store_dir), who,
                                     "40"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
                   for who in ("A001", "A003")]
    try:
        for start in range(0, len(rows), 1000):
            append(path, *rows[start:start + 1000])
        for supervisor in supervisors:
            _out, err = supervisor.communicate(timeout=DEADLINE * 5)
            assert supervisor.returncode == 0, err
        expected_rows = len(rows)
        wait_for(lambda: len(agents.store.records("day/2026-11-19", "pbx_rows"))
                 == expected_rows, follower)
    finally:
        follower.send_signal(signal.SIGTERM)
        follower.communicate(timeout=DEADLINE)
        for supervisor in supervisors:
            if supervisor.poll() is None:
                supervisor.kill()
                supervisor.wait()
    followed = {k: v for k, v in totals(agents).items() if k[1] == THU}
    # no supervisor's write was lost (typed into 20:00, an hour the PBX has no calls in)
    assert followed[("A001", THU, 20, "")] == Counts(40, 40, 40, 40)
    assert followed[("A003", THU, 20, "")] == Counts(40, 40, 40, 40)
    fresh = open_floor(tmp_path / "fresh", clock=fixed_clock(NOW), user="tester")
    fresh.store.clock = lambda: "2026-01-01T00:00:00+08:00"
    for person in STAFF:
        extension = {"A001": "8001", "A002": "8002"}.get(person.id, "")
        fresh.save_staff(dataclasses.replace(person, extension=extension))
    whole = tmp_path / "whole.csv"
    whole.write_bytes(b"".join(rows))
    CdrService(fresh).import_cdr(whole)

    def pbx(floor_totals: dict) -> dict:
        return {k: (c.dialed, c.connected, c.talk_minutes) for k, c in floor_totals.items()
                if k[0] in ("A001", "A002") and k[2] != 20}

    assert pbx(followed) == pbx({k: v for k, v in totals(fresh).items() if k[1] == THU})
    assert sum(c for c, _n, _t in pbx(followed).values()) == 9000
