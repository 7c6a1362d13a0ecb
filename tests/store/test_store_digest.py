"""Digests: figures worked out from a day file, kept in memory and under .cache/ while the
file is unchanged (issue #18). Never stale, never trusted when damaged, never data."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from store import Store, backup, doctor, files
from store.db import DAY_FILES_KEPT
from store.records import latest_data

DAY = "day/2026-11-20"
ORDERS = "test.orders"


def _orders(tables: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    for data in latest_data((tables.get("calls") or {}).values()):
        out[data["staff_id"]] = out.get(data["staff_id"], 0) + data["orders"]
    return out


def _store(root: Path, calls: list[dict] | None = None) -> Store:
    """A store with ORDERS registered (as a service registers its digest) and calls saved."""
    store = Store(root, user="alice").open()
    store.add_digest(ORDERS, _orders, stands_for=("calls",))
    if calls:
        with store.transaction() as tx:
            for number, data in enumerate(calls):
                tx.put(DAY, "calls", f"{data['staff_id']}/{number}", data)
    return store


def _cache_file(store: Store) -> Path:
    return store.cache_dir() / ORDERS / "2026-11-20.json"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return _store(tmp_path / "s", [{"staff_id": "A001", "orders": 2},
                                  {"staff_id": "A002", "orders": 5}])


def test_a_digest_is_worked_out_once_and_kept_on_disk_for_the_next_process(store: Store
                                                                          ) -> None:
    assert store.digest(DAY, ORDERS) == {"A001": 2, "A002": 5}
    kept = json.loads(_cache_file(store).read_text())
    assert kept["value"] == {"A001": 2, "A002": 5}
    # this user's own: nobody else can put a figure there
    assert oct(_cache_file(store).stat().st_mode & 0o777) == oct(files.PRIVATE_FILE_MODE)
    assert oct(store.cache_dir().stat().st_mode & 0o777) == oct(files.PRIVATE_DIR_MODE)
    # another process reads the cache without parsing the day file: prove it by making the
    # day file unreadable as JSON only for a reader that parses it (the signature is kept)
    fresh = _store(store.root)
    fresh.read_partition = None  # type: ignore[assignment]  # a parse would fail loudly
    assert fresh.digest(DAY, ORDERS) == {"A001": 2, "A002": 5}


def test_a_changed_day_file_is_worked_out_again_in_this_process_and_the_next(store: Store
                                                                             ) -> None:
    assert store.digest(DAY, ORDERS)["A001"] == 2
    other = _store(store.root)  # another supervisor's process saves a correction
    with other.transaction() as tx:
        tx.put(DAY, "calls", "A001/0", {"staff_id": "A001", "orders": 7})
    assert store.digest(DAY, ORDERS)["A001"] == 7
    assert _store(store.root).digest(DAY, ORDERS)["A001"] == 7


def test_a_cache_file_for_another_version_of_the_day_file_is_not_used(store: Store) -> None:
    store.digest(DAY, ORDERS)
    kept = json.loads(_cache_file(store).read_text())
    kept["signature"][1] -= 1  # as if written for the file before the last save
    kept["value"] = {"A001": 999}
    _cache_file(store).write_text(json.dumps(kept))
    assert _store(store.root).digest(DAY, ORDERS) == {"A001": 2, "A002": 5}


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[1, 2]", b'{"signature": 3}',
                                    b"\xff\xfe"], ids=["empty", "torn", "list", "odd", "bytes"])
def test_a_damaged_cache_file_is_ignored_and_replaced(store: Store, damage: bytes) -> None:
    store.digest(DAY, ORDERS)
    _cache_file(store).write_bytes(damage)
    fresh = _store(store.root)
    assert fresh.digest(DAY, ORDERS) == {"A001": 2, "A002": 5}
    assert json.loads(_cache_file(store).read_text())["value"] == {"A001": 2, "A002": 5}


def test_a_store_that_cannot_keep_a_cache_still_gives_the_figures(store: Store) -> None:
    (store.root / files.CACHE_DIR).write_text("in the way")  # mkdir under it fails
    fresh = _store(store.root)
    assert fresh.digest(DAY, ORDERS) == {"A001": 2, "A002": 5}
    assert fresh.digest(DAY, ORDERS) == {"A001": 2, "A002": 5}


def test_a_read_only_store_writes_no_cache(store: Store) -> None:
    fresh = _store(store.root)
    fresh.read_only_reason = "a test"
    assert fresh.digest(DAY, ORDERS) == {"A001": 2, "A002": 5}
    assert not _cache_file(store).exists()


def test_the_cache_is_not_data_backups_and_doctor_leave_it_out(store: Store, tmp_path: Path
                                                               ) -> None:
    store.digest(DAY, ORDERS)
    _cache_file(store).write_bytes(b"{damaged")
    assert not [f for f in doctor.examine(store.root, 99) if f.level == "error"
                and files.CACHE_DIR in f.path]
    target = backup.make_backup(store.root, __import__("datetime").date(2026, 11, 20),
                                tmp_path / "b")
    with tarfile.open(target) as tar:
        assert not [n for n in tar.getnames() if files.CACHE_DIR in n]
        assert "days/2026/2026-11-20.json" in tar.getnames()


def test_reading_a_month_of_day_files_keeps_only_a_few_whole(tmp_path: Path) -> None:
    store = _store(tmp_path / "s")
    days = [f"day/2026-10-{n:02d}" for n in range(1, 31)]
    with store.transaction() as tx:
        for n, day in enumerate(days):
            tx.put(day, "calls", "A001/0", {"staff_id": "A001", "orders": n})
            tx.put(day, "punches", "A001/1", {"staff_id": "A001", "in": "08:00"})
    reader = _store(store.root)
    assert [reader.digest(d, ORDERS)["A001"] for d in days] == list(range(30))
    assert [reader.records(d, "punches")[0]["in"] for d in days] == ["08:00"] * 30
    whole = [p for p in reader._cache if p.parent.parent.name == "days"]
    assert len(whole) == DAY_FILES_KEPT
    # the punches of every day were kept as records when the file was read: reading them
    # again parses nothing
    reader.read_partition = None  # type: ignore[assignment]
    assert [reader.records(d, "punches")[0]["in"] for d in days] == ["08:00"] * 30


def test_a_digest_name_is_a_plain_name(store: Store) -> None:
    with pytest.raises(Exception, match="not a digest name"):
        store.add_digest("../x", _orders)


def test_two_processes_working_out_the_same_digest_leave_a_whole_cache_file(store: Store
                                                                           ) -> None:
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from tests.store.test_store_digest import _store\n"
            "from pathlib import Path\n"
            "for _ in range(20):\n"
            "    s = _store(Path(%r)); s.digest(%r, %r)\n") % (
                str(Path(__file__).resolve().parents[2]), str(store.root), DAY, ORDERS)
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(3)]
    assert all(p.wait(60) == 0 for p in procs)
    assert json.loads(_cache_file(store).read_text())["value"] == {"A001": 2, "A002": 5}
    assert not list(_cache_file(store).parent.glob(".*.tmp"))


def test_a_report_follows_a_correction_made_by_another_process(staffed) -> None:
    """Reports read the digests; a punch corrected by another supervisor's process (a new
    version of the day file) is in the next report, in this process and in a new one."""
    import datetime as dt

    from floorapp.clock import fixed_clock
    from floorapp.services import open_floor
    from tests.conftest import NOW

    day = dt.date(2026, 11, 10)
    staffed.attendance.record_in("A001", day, dt.time(8, 20), period=1)
    staffed.attendance.record_out("A001", day, dt.time(12, 0), period=1)
    late = {r.staff_id: r.late_minutes for _s, r, _d in staffed.attendance.month_results(2026, 11)}
    assert late["A001"] == 20
    other = open_floor(staffed.store.root, clock=fixed_clock(NOW), user="tester")
    other.attendance.record_in("A001", day, dt.time(8, 5), period=1)  # corrected
    for reader in (staffed, open_floor(staffed.store.root, clock=fixed_clock(NOW), user="x")):
        late = {r.staff_id: r.late_minutes
                for _s, r, _d in reader.attendance.month_results(2026, 11)}
        assert late["A001"] == 5


def test_prune_clears_the_figures_of_digests_no_longer_registered(store: Store) -> None:
    assert store.digest(DAY, ORDERS) == {"A001": 2, "A002": 5}
    cache = store.cache_dir()
    old = cache / "test.orders.v0"  # what an older version of the program kept
    old.mkdir()
    (old / "2026-11-20.json").write_text("{}")
    stray = cache / "Not Ours"  # not a digest name: left alone
    stray.mkdir()
    shared = store.root / files.CACHE_DIR / "test.orders"  # the shared cache of older versions
    shared.mkdir()
    fresh = _store(store.root)
    fresh.read_only_reason = "a test"
    assert fresh.prune_cache() == [] and old.exists()  # a read-only store changes nothing
    assert store.prune_cache() == ["test.orders", "test.orders.v0"]
    assert not old.exists() and not shared.exists() and stray.exists()
    assert _cache_file(store).exists()
    assert store.digest(DAY, ORDERS) == {"A001": 2, "A002": 5}
    assert store.path(DAY).exists()  # the data untouched


def test_the_days_first_backup_prunes_the_cache(tmp_path: Path) -> None:
    from floorapp.clock import fixed_clock
    from floorapp.services import open_floor

    floor = open_floor(tmp_path / "s", clock=fixed_clock("2026-11-20T15:00"), user="tester")
    old = floor.store.root / files.CACHE_DIR / "quota.campaign_sums.v1"
    old.mkdir(parents=True)
    assert floor.ensure_daily_backup() is not None
    assert not old.exists()
    old.mkdir()
    assert floor.ensure_daily_backup() is None  # already backed up today: nothing more
    assert old.exists()
