"""The store directory is shared ground (SPEC §3 rev. 12-2026b, issue #31 item 1): a member of
the floor group can put a link or a FIFO under any name in it. floor never follows one, never
opens a special file, writes and deletes nothing outside the store, and says which path and
why. Real `floor` processes, as a supervisor would run them."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from store import Store, files

ROOT = Path(__file__).resolve().parents[2]
STAFF_CSV = ("id,name,role,team,hired,base_pay\n"
             "A001,Li Wei,agent,T01,2024-01-01,1200\n"
             "A002,王芳,agent,T01,2024-01-01,1300\n")
ATTENDANCE_CSV = ("staff_id,date,period,in,out,reason\n"
                  "A001,2026-11-18,1,08:00,,\n"
                  "A001,2026-11-19,1,08:05,,\n")


def floor(store: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    # a guard against a hang, never a measure: every command here answers at once
    return subprocess.run([sys.executable, str(ROOT / "floor.py"), "--store", str(store), *args],
                          capture_output=True, text=True, env=dict(os.environ, **(env or {})),
                          timeout=120)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    return result.stderr


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store with staff (and so pay.json) and two day files."""
    root = tmp_path / "s"
    (tmp_path / "staff.csv").write_text(STAFF_CSV, encoding="utf-8")
    (tmp_path / "att.csv").write_text(ATTENDANCE_CSV, encoding="utf-8")
    ok(floor(root, "import", "staff", str(tmp_path / "staff.csv")))
    ok(floor(root, "import", "attendance", str(tmp_path / "att.csv")))
    return root


@pytest.fixture
def users_files(tmp_path: Path) -> Path:
    """A supervisor's own directory outside the store, with work in it."""
    home = tmp_path / "mgr1-work"
    (home / "projects").mkdir(parents=True)
    (home / "projects" / "plan.txt").write_text("mine")
    (home / "notes.txt").write_text("mine too")
    os.chmod(home / "notes.txt", 0o600)
    return home


def tree(path: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(path)): (stat.S_IMODE(p.lstat().st_mode),
                                       p.read_bytes() if p.is_file() else b"")
            for p in [path, *path.rglob("*")]}


# ------------------------------------------------------------- nothing outside the store
def test_a_cache_linked_to_a_users_directory_deletes_nothing_of_it(store: Path,
                                                                   users_files: Path) -> None:
    from floorapp.clock import fixed_clock
    from floorapp.services import open_floor

    before = tree(users_files)
    cache = store / files.CACHE_DIR
    if cache.exists():
        import shutil

        shutil.rmtree(cache)
    cache.symlink_to(users_files, target_is_directory=True)
    ok(floor(store, "report", "month", "--month", "2026-11"))  # reads and would keep figures
    # opening the app: the day's first backup, then the cache pruned
    opened = open_floor(store, clock=fixed_clock("2026-11-20T15:00"), user="mgr1")
    assert opened.ensure_daily_backup() is not None
    assert opened.store.prune_cache() == []
    assert tree(users_files) == before
    assert cache.is_symlink()


def test_a_lock_holder_note_linked_to_a_users_file_is_never_written_through(
        store: Path, users_files: Path) -> None:
    victim = users_files / "notes.txt"
    (store / files.LOCK_HOLDER).unlink(missing_ok=True)
    (store / files.LOCK_HOLDER).symlink_to(victim)
    ok(floor(store, "report", "staff"))
    ok(floor(store, "import", "staff", str(store.parent / "staff.csv")))
    assert victim.read_text() == "mine too"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o600
    assert not (store / files.LOCK_HOLDER).is_symlink()  # replaced by a note of its own


def test_a_lock_file_linked_outside_is_refused_and_left_alone(store: Path,
                                                              users_files: Path) -> None:
    victim = users_files / "notes.txt"
    (store / files.LOCK).unlink()
    (store / files.LOCK).symlink_to(victim)
    err = refused(floor(store, "import", "staff", str(store.parent / "staff.csv")),
                  str(store / files.LOCK), "symbolic link")
    assert "does not follow links" in err
    assert victim.read_text() == "mine too" and stat.S_IMODE(victim.stat().st_mode) == 0o600


def test_a_link_in_the_journal_is_set_aside_with_a_reason_and_writes_go_on(
        store: Path, users_files: Path) -> None:
    before = tree(users_files)
    planted = store / files.JOURNAL_DIR / "0001"
    planted.parent.mkdir(exist_ok=True)
    planted.symlink_to(users_files, target_is_directory=True)
    doctor = floor(store, "doctor").stdout
    assert f"{planted}: is a symbolic link, not a journal" in doctor
    ok(floor(store, "import", "staff", str(store.parent / "staff.csv")))
    ok(floor(store, "import", "attendance", str(store.parent / "att.csv")))
    assert not os.path.lexists(planted)
    aside = store / files.DAMAGED_JOURNAL_DIR / "0001"
    assert aside.is_symlink()  # kept for a person to look at, never followed
    assert f"{aside}: a symbolic link found in the journal set aside" in floor(store,
                                                                               "doctor").stdout
    assert tree(users_files) == before


def test_a_year_linked_to_the_store_root_puts_nothing_more_in_a_backup(store: Path,
                                                                       tmp_path: Path) -> None:
    (store / "days" / "2099").symlink_to(store, target_is_directory=True)
    out = ok(floor(store, "backup", "--to", str(tmp_path)))
    archive = Path(out.split(": ", 1)[1].strip())
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        assert all(m.isfile() for m in tar.getmembers())
    assert not [n for n in names if n.startswith("days/2099")]
    assert "pay.json" not in names  # pay goes only to the pay archive, in the pay group
    assert sorted(names) == ["days/2026/2026-11-18.json", "days/2026/2026-11-19.json",
                             "meta.json", "ref.json"]
    with tarfile.open(archive.with_name(f"pay-{archive.name}")) as tar:
        assert tar.getnames() == ["pay.json"]


def test_a_data_file_that_is_a_dangling_link_is_named_and_never_replaced(store: Path,
                                                                         tmp_path: Path) -> None:
    ref = store / "ref.json"
    ref.unlink()
    ref.symlink_to(tmp_path / "elsewhere.json")
    assert "symbolic link" in floor(store, "doctor").stdout
    refused(floor(store, "import", "staff", str(tmp_path / "staff.csv")), str(ref),
            "symbolic link")
    assert ref.is_symlink() and not (tmp_path / "elsewhere.json").exists()


# ------------------------------------------------------------------------------ doctor
def _doctor_error(store: Path, path: Path, words: str) -> None:
    result = floor(store, "doctor")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert f"{path}: {words}" in result.stdout, result.stdout


def test_doctor_names_a_partition_that_is_a_directory(store: Path) -> None:
    day = store / "days" / "2026" / "2026-11-19.json"
    day.unlink()
    day.mkdir()
    _doctor_error(store, day, "is a directory, not a file")
    refused(floor(store, "report", "day", "--date", "2026-11-19"), str(day), "directory")


def test_doctor_names_a_year_that_is_a_file(store: Path) -> None:
    year = store / "days" / "2025"
    year.write_text("{}")
    _doctor_error(store, year, "is a regular file, not a directory")
    year.unlink()
    import shutil

    shutil.rmtree(store / "days" / "2026")
    (store / "days" / "2026").write_text("{}")
    refused(floor(store, "report", "day", "--date", "2026-11-19"), str(store / "days" / "2026"),
            "not a directory")


def test_doctor_names_a_fifo_and_no_command_hangs_on_it(store: Path) -> None:
    day = store / "days" / "2026" / "2026-11-19.json"
    day.unlink()
    os.mkfifo(day)
    _doctor_error(store, day, "is a named pipe (FIFO), not a file")
    refused(floor(store, "report", "day", "--date", "2026-11-19"), str(day), "named pipe")
    assert stat.S_ISFIFO(day.lstat().st_mode)  # kept as it is


def test_doctor_names_a_link_to_a_device_and_exits_2_not_1(store: Path) -> None:
    day = store / "days" / "2026" / "2026-11-19.json"
    day.unlink()
    day.symlink_to("/dev/zero")
    _doctor_error(store, day, "is a symbolic link, not a file")
    refused(floor(store, "report", "day", "--date", "2026-11-19"), str(day), "symbolic link")


def test_a_fifo_read_through_the_store_api_is_refused_at_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "s").open()
    os.mkfifo(store.root / "ref.json")
    with pytest.raises(files.CorruptFileError, match="named pipe"):
        store.records("ref", "staff")
    lenient = Store(store.root, strict=False).open()
    assert lenient.records("ref", "staff") == []
    assert "named pipe" in lenient.problems[str(store.root / "ref.json")]
