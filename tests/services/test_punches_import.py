"""`floor import punches`: a ZKTeco attlog.dat or a clock_id,time table, paired to the shift,
all-or-nothing, idempotent, strays and repeats listed (SPEC §11)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from floorapp.cli.main import run
from floorapp.errors import ImportRejected
from floorapp.services import Floor, open_floor
from floorapp.services.punches import PunchService
from tests.conftest import STAFF

pytestmark = pytest.mark.both_stores  # and on the database (tests/db_twin.py)

THU = dt.date(2026, 11, 19)  # winter D: 08:00–12:00, 14:30–17:30


def attlog(*rows: tuple[str, str]) -> bytes:
    """As a ZKTeco device writes it: the user id right-aligned in 9, tab-separated, CRLF."""
    return b"".join(f"{clock_id:>9}\t{moment}\t1\t{n % 2}\t1\t0\r\n".encode()
                    for n, (clock_id, moment) in enumerate(rows))


DAY_FILE = attlog(
    ("1001", "2026-11-19 07:52:10"),
    ("1001", "2026-11-19 07:52:41"),  # pressed twice
    ("1001", "2026-11-19 12:01:05"),
    ("A002", "2026-11-19 08:12:00"),
    ("1001", "2026-11-19 14:20:00"),
    ("A002", "2026-11-19 12:00:30"),
    ("1001", "2026-11-19 17:31:00"),
    ("1001", "2026-11-19 23:59:00"),  # nothing ends at midnight: a stray
    ("1001", "2026-11-20 00:03:00"),  # after midnight: today's, before any period: a stray
    ("1001", "2026-11-19 17:31:00"),  # the same punch again (overlapping exports)
)


@pytest.fixture
def clocked(staffed: Floor) -> Floor:
    staffed.save_staff(dataclasses.replace(STAFF[0], clock_id="1001"))
    return staffed


def punches(floor: Floor, staff_id: str, day: dt.date = THU) -> dict[int, tuple[str, str]]:
    return {n: (p.time_in.strftime("%H:%M") if p.time_in else "",
                p.time_out.strftime("%H:%M") if p.time_out else "")
            for n, p in floor.attendance.punches_on(day).get(staff_id, {}).items()}


def test_attlog_paired_to_the_shift_with_strays_and_repeats_listed(
    clocked: Floor, tmp_path: Path
) -> None:
    path = tmp_path / "attlog.dat"
    path.write_bytes(DAY_FILE)
    summary = PunchService(clocked).import_punches(path)
    assert punches(clocked, "A001") == {1: ("07:52", "12:01"), 2: ("14:20", "17:31")}
    assert punches(clocked, "A002") == {1: ("08:12", "12:00")}
    assert "10 punch(es) read, 9 new; 6 in/out time(s) set for 2 person-day(s)" in summary
    assert "A001 2026-11-19 23:59:00 line 8 · no period starts or ends near it" in summary
    assert "A001 2026-11-20 00:03:00 line 9 · no period starts or ends near it" in summary
    assert "A001 2026-11-19 07:52:41 line 2" in summary  # the second press
    assert "clock id 1001 2026-11-19 17:31:00 on lines 7, 10 (kept once)" in summary
    statuses = clocked.attendance.day_statuses(THU)
    assert (statuses["A001"], statuses["A002"]) == ("on_time", "absent")


def test_reimporting_the_same_file_changes_nothing(clocked: Floor, tmp_path: Path) -> None:
    path = tmp_path / "attlog.dat"
    path.write_bytes(DAY_FILE)
    service = PunchService(clocked)
    service.import_punches(path)
    part = clocked.store.path("day/2026-11-19")
    before = part.read_bytes()
    again = service.import_punches(path)
    assert "0 new; 0 in/out time(s) set" in again
    assert part.read_bytes() == before


def test_a_hand_correction_survives_a_reimport_but_not_a_new_punch(
    clocked: Floor, tmp_path: Path
) -> None:
    path = tmp_path / "attlog.dat"
    path.write_bytes(DAY_FILE)
    service = PunchService(clocked)
    service.import_punches(path)
    clocked.attendance.record_in("A001", THU, dt.time(8, 0), period=1)  # approved by the lead
    service.import_punches(path)
    assert punches(clocked, "A001")[1] == ("08:00", "12:01")
    later = tmp_path / "later.dat"
    later.write_bytes(attlog(("1001", "2026-11-19 12:09:00")))  # a later out for p1
    service.import_punches(later)
    assert punches(clocked, "A001")[1] == ("08:00", "12:09")


def test_unknown_clock_id_refused_with_its_line_nothing_written(
    clocked: Floor, tmp_path: Path
) -> None:
    path = tmp_path / "attlog.dat"
    path.write_bytes(DAY_FILE + attlog(("  4242", "2026-11-19 08:00:00")))
    with pytest.raises(ImportRejected) as caught:
        PunchService(clocked).import_punches(path)
    assert caught.value.errors == [
        f"{path}:11: clock id '4242' is no one's: set it as a staff member's clock_id, "
        "or use --skip-unknown"]
    assert punches(clocked, "A001") == {}
    assert clocked.store.records("day/2026-11-19", "clock") == []


def test_skip_unknown_lists_them(clocked: Floor, tmp_path: Path, capsys) -> None:
    path = tmp_path / "attlog.dat"
    path.write_bytes(DAY_FILE + attlog(("4242", "2026-11-19 08:00:00"),
                                       ("4242", "2026-11-19 12:00:00")))
    store = str(clocked.store.root)
    assert run(["--store", store, "import", "punches", str(path)]) == 2
    assert "nothing imported (1 problem(s))" not in capsys.readouterr().err  # 2 lines
    assert run(["--store", store, "import", "punches", str(path), "--skip-unknown"]) == 0
    out = capsys.readouterr().out
    assert "skipped the punches of 1 unknown clock id(s):" in out
    assert "clock id 4242: line(s) 11, 12" in out
    assert punches(open_floor(store), "A001")[2] == ("14:20", "17:31")


def test_bad_lines_all_named(clocked: Floor, tmp_path: Path) -> None:
    path = tmp_path / "attlog.dat"
    path.write_bytes(attlog(("1001", "2026-11-19 07:52:10"), ("1001", "2026-11-19 25:00:00"),
                            ("1001", "2026-11-21 08:00:00")) + b"1001 2026-11-19 08:00\n"
                    + attlog(("\x1b[2J1001", "2026-11-19 08:00:00")))
    with pytest.raises(ImportRejected) as caught:
        PunchService(clocked).import_punches(path)
    found = {e.split(": ", 1)[0]: e for e in caught.value.errors}
    assert sorted(found) == [f"{path}:2", f"{path}:3", f"{path}:4", f"{path}:5"]
    assert "clock id '\\x1b[2J1001' holds characters that are not text" in found[f"{path}:5"]
    assert "not a real date and time" in found[f"{path}:2"]
    assert "is in the future" in found[f"{path}:3"]
    assert "expected a clock user id, a tab" in found[f"{path}:4"]


def test_csv_clock_id_time_in_gbk_and_xlsx(clocked: Floor, tmp_path: Path) -> None:
    csv_path = tmp_path / "打卡.csv"
    csv_path.write_bytes("clock_id,time\n1001,2026/11/19 7:55\nA002,2026-11-19 08:01:30\n"
                         .encode("gbk"))
    PunchService(clocked).import_punches(csv_path)
    assert punches(clocked, "A001") == {1: ("07:55", "")}
    assert punches(clocked, "A002") == {1: ("08:01", "")}
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["clock_id", "time"])
    sheet.append([1001, dt.datetime(2026, 11, 19, 12, 3, 0)])
    sheet.append(["0001001", dt.datetime(2026, 11, 19, 17, 40, 0)])  # zero-padded: the same
    xlsx_path = tmp_path / "punches.xlsx"
    book.save(xlsx_path)
    summary = PunchService(clocked).import_punches(xlsx_path)
    assert "2 punch(es) read, 2 new" in summary
    assert punches(clocked, "A001") == {1: ("07:55", "12:03"), 2: ("", "17:40")}


def test_a_rest_day_punch_is_a_stray(clocked: Floor, tmp_path: Path) -> None:
    path = tmp_path / "attlog.dat"
    path.write_bytes(attlog(("1001", "2026-11-15 09:00:00")))  # Sunday: R
    summary = PunchService(clocked).import_punches(path)
    assert "A001 2026-11-15 09:00:00 line 1 · not on shift (R)" in summary
    assert punches(clocked, "A001", dt.date(2026, 11, 15)) == {}
