"""Issue #31 case 6, the smaller findings: input past its bounds is refused with exit 2 and a
message naming what and where, never an internal error (exit 1) or a value kept wrong."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from floorapp.formats import csvio, import_files
from floorapp.app import FloorApp
from floorapp.cli.main import run
from floorapp.errors import FloorError
from floorapp.rules.quota import Counts
from floorapp.services import Floor, open_floor
from store import locking
from tests.conftest import STAFF, TODAY, days_after_today
from tests.formats.test_cdr import master_row

ROOT = Path(__file__).resolve().parents[2]


def _cli(store: Path, *args: str) -> int:
    return run(["--store", str(store), *args])


def test_case_6_a_30_digit_billsec_is_refused_with_its_line(
        staffed: Floor, store_dir: Path, tmp_path: Path, capsys) -> None:
    staffed.save_staff(dataclasses.replace(STAFF[0], extension="8001"))
    path = tmp_path / "Master.csv"
    path.write_bytes(master_row("8001", "13800138000", b"<8001>", "SIP/8001-0000000a",
                                "SIP/trunk1-0000000b", "2026-11-19 09:05:00",
                                "2026-11-19 09:05:07", 10**29, "ANSWERED"))
    assert _cli(store_dir, "import", "cdr", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}:1:" in err and "billsec" in err and "internal error" not in err


@pytest.mark.parametrize("month", ["0000-01", "9999-12"], ids=["year-0", "year-9999"])
def test_case_6_report_month_of_year_0_is_refused(staffed: Floor, store_dir: Path, capsys,
                                                  month: str) -> None:
    assert _cli(store_dir, "report", "month", "--month", month) == 2
    assert "out of range" in capsys.readouterr().err


@pytest.mark.parametrize("population", ["9999999999999999999999", "9" * 400],
                         ids=["22-digits", "400-digits"])
def test_case_6_sample_size_of_a_huge_population_is_refused(
        store_dir: Path, capsys, population: str) -> None:
    assert _cli(store_dir, "sample-size", "--population", population) == 2
    assert "population must be at most" in capsys.readouterr().err


def test_case_6_a_control_character_in_a_name_does_not_stop_xlsx_exports(
        staffed: Floor, store_dir: Path, tmp_path: Path) -> None:
    staffed.save_staff(dataclasses.replace(STAFF[0], name="Bell\x07\x1bName"))
    staffed.quota.record_counts("A001", Counts(80, 66, 61, 19), daily_total=True)
    for report, arg in (("month", f"{TODAY:%Y-%m}"), ("day", TODAY.isoformat())):
        out = tmp_path / f"{report}.xlsx"
        flag = "--month" if report == "month" else "--date"
        assert _cli(store_dir, "report", report, flag, arg, "--format", "xlsx",
                    "--output", str(out)) == 0
        cells = [c for row in openpyxl.load_workbook(out).worksheets[0].iter_rows(
            values_only=True) for c in row]
        if report == "day":
            assert "Bell\\x07\\x1bName" in cells  # seen as its escape, never raw


async def test_case_6_x_on_summary_with_a_control_character_in_a_name_exports(
        staffed: Floor, tmp_path: Path) -> None:
    staffed.save_staff(dataclasses.replace(STAFF[0], name="Bell\x07Name"))
    staffed.quota.record_counts("A001", Counts(80, 66, 61, 19), daily_total=True)
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("f6")
        await pilot.pause(0.1)
        await pilot.press("X")
        await pilot.pause()
        path = tmp_path / "home" / "floor-exports" / "floor-day-2026-11-20.xlsx"
        assert any(str(path) in n.message for n in app._notifications)
    assert app.return_code in (None, 0)
    assert path.exists()


@pytest.mark.parametrize(("column", "first", "second"),
                         [("clock_id", "17", "017"), ("extension", "8001", "8001")],
                         ids=["clock-id", "extension"])
def test_case_6_a_duplicate_device_in_a_staff_import_names_its_line(
        store_dir: Path, write_file, capsys, column: str, first: str, second: str) -> None:
    path = write_file("staff.csv", f"""
        id,name,role,team,hired,base_pay,{column}
        A001,Zhou,agent,T01,2024-01-01,1200,{first}
        A002,Wang,agent,T01,2024-01-01,1200,{second}
        """)
    assert _cli(store_dir, "import", "staff", str(path)) == 2
    err = capsys.readouterr().err
    assert f"{path}:3: {column}" in err and "also on line 2" in err
    assert open_floor(store_dir).staff() == []


@pytest.mark.parametrize("text", ["1e3", "1E+3", "12e2"])
def test_case_6_base_pay_with_an_exponent_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a plain amount"):
        csvio.parse_money(text, "base_pay")
    assert csvio.parse_money("1000", "base_pay") == 1000


def test_case_6_base_pay_1e3_in_a_staff_import_is_refused_with_its_line(
        store_dir: Path, write_file, capsys) -> None:
    path = write_file("staff.csv", """
        id,name,role,team,hired,base_pay
        A001,Zhou,agent,T01,2024-01-01,1e3
        """)
    assert _cli(store_dir, "import", "staff", str(path)) == 2
    assert f"{path}:2: base_pay '1e3' is not a plain amount" in capsys.readouterr().err


def test_case_6_coaching_dated_after_today_is_refused(
        staffed: Floor, store_dir: Path, write_file, capsys) -> None:
    tomorrow = days_after_today(1)
    with pytest.raises(FloorError, match="a record of the future"):
        staffed.pay.record_coaching("A001", TODAY + dt.timedelta(days=1),
                                    "verbal")
    path = write_file("coaching.csv", f"""
        staff_id,date,kind,note
        A001,{tomorrow},verbal,too early
        """)
    assert _cli(store_dir, "import", "coaching", str(path)) == 2
    assert f"{path}:2:" in capsys.readouterr().err
    assert staffed.pay.record_coaching("A001", TODAY, "verbal")  # today is fine


@pytest.mark.parametrize("coefficient", ["1e400", "1E+1", "101", "Infinity"])
def test_case_6_a_campaign_coefficient_must_be_plain_and_bounded(
        store_dir: Path, capsys, coefficient: str) -> None:
    assert _cli(store_dir, "campaign", "set", "X", "name", coefficient) == 2
    assert "coefficient" in capsys.readouterr().err
    assert open_floor(store_dir).quota.campaigns() == {}
    assert _cli(store_dir, "campaign", "set", "X", "name", "1.2") == 0


@pytest.mark.parametrize("value", ["02-30", "02-29", "04-31"])
def test_case_6_policy_summer_start_must_be_a_real_day(store_dir: Path, capsys,
                                                       value: str) -> None:
    assert _cli(store_dir, "policy", "set", "summer_start", value) == 2
    assert "not a day of the year" in capsys.readouterr().err
    assert open_floor(store_dir).policy.summer_start == "05-01"


def test_case_6_roster_seats_past_the_register_are_refused(
        staffed: Floor, store_dir: Path, capsys) -> None:
    assert _cli(store_dir, "roster", "generate", "--month", "2026-12",
                "--seats", "99999999999") == 2
    assert "more than the 8 people on the register" in capsys.readouterr().err
    assert not staffed.roster.has_roster(2026, 12)


def _bomb(path: Path, unpacked: int) -> Path:
    """A workbook whose one sheet unpacks to ``unpacked`` bytes of blanks (a few hundred KB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b" " * (1 << 20)
            for _ in range(unpacked >> 20):
                sheet.write(chunk)
    return path


def test_case_6_an_xlsx_bomb_is_refused_before_it_is_unpacked(
        store_dir: Path, tmp_path: Path, capsys) -> None:
    path = _bomb(tmp_path / "staff.xlsx", import_files.XLSX_MAX_BYTES + (1 << 20))
    assert path.stat().st_size < 1 << 20  # small on disk
    assert _cli(store_dir, "import", "staff", str(path)) == 2
    err = capsys.readouterr().err
    assert "unpacks to" in err and "at most" in err


def test_case_6_an_xlsx_of_too_many_parts_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(import_files.XLSX_MAX_MEMBERS + 1):
            archive.writestr(f"x/{n}", "")
    with pytest.raises(FloorError, match="parts in the workbook"):
        import_files.check_xlsx_size(tmp_path / "many.xlsx", buffer.getvalue())


def test_case_6_report_day_reads_while_a_writer_holds_the_lock(
        staffed: Floor, store_dir: Path) -> None:
    """Opening the store takes the lock only to finish a journal or migrate: a reader never
    waits for a writer (it exited 2 after the lock timeout)."""
    env = dict(os.environ, FLOOR_LOCK_TIMEOUT="1")
    with locking.locked(store_dir):
        done = subprocess.run([sys.executable, str(ROOT / "floor.py"), "--store",
                               str(store_dir), "report", "day", "--date", TODAY.isoformat(),
                               "--format", "json"], env=env, capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 0, done.stderr
    assert '"A001"' in done.stdout
