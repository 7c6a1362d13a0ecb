"""Every version of a day-file table kept as a digest (issue #30): a person's punch history on
a past day of a big floor is read without parsing the whole day file, and is never stale."""

from __future__ import annotations

from pathlib import Path

from store import Store

DAY = "day/2026-10-14"


def _store(root: Path) -> Store:
    store = Store(root, user="alice").open()
    store.keep_versions("punches")
    return store


def test_history_and_retired_records_come_from_the_kept_versions(tmp_path: Path) -> None:
    store = _store(tmp_path / "s")
    with store.transaction() as tx:
        tx.put(DAY, "punches", "A001/1", {"staff_id": "A001", "in": "08:00"})
        tx.put(DAY, "punches", "A002/1", {"staff_id": "A002", "in": "08:05"})
        tx.put(DAY, "calls", "A001/0", {"staff_id": "A001", "orders": 3})
    with store.transaction() as tx:
        tx.put(DAY, "punches", "A001/1", {"staff_id": "A001", "in": "08:20"})
        tx.retire(DAY, "punches", "A002/1", "typed twice")
    _store(store.root).digest(DAY, "versions.v1.punches")  # a reader worked them out
    fresh = _store(store.root)
    fresh.read_partition = None  # type: ignore[assignment]  # a parse would fail loudly
    assert [r["in"] for r in fresh.history(DAY, "punches", "A001/1")] == ["08:00", "08:20"]
    kept = {r["_key"]: r.get("_retired", False)
            for r in fresh.records(DAY, "punches", include_retired=True)}
    assert kept == {"A001/1": False, "A002/1": True}


def test_a_correction_shows_in_the_next_history(tmp_path: Path) -> None:
    store = _store(tmp_path / "s")
    with store.transaction() as tx:
        tx.put(DAY, "punches", "A001/1", {"staff_id": "A001", "in": "08:00"})
    reader = _store(store.root)
    assert len(reader.history(DAY, "punches", "A001/1")) == 1
    with store.transaction() as tx:  # another process corrects it
        tx.put(DAY, "punches", "A001/1", {"staff_id": "A001", "in": "08:30"})
    assert [r["in"] for r in reader.history(DAY, "punches", "A001/1")] == ["08:00", "08:30"]
    assert [r["in"] for r in _store(store.root).history(DAY, "punches", "A001/1")] == \
        ["08:00", "08:30"]
