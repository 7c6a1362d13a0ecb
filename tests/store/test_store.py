"""The store on its own: versions, audit, corruption, migrations, backups, journals."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tarfile
from pathlib import Path

import pytest

from store import CorruptFileError, Store, StoreError, StoreReadOnlyError
from store import backup, doctor, files
from store.migrations import SCHEMA_VERSION

DAY = "day/2026-11-20"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "s", user="alice").open()


def test_new_store_has_schema_and_group_shared_dir(store: Store) -> None:
    assert store.meta()["schema"] == SCHEMA_VERSION
    assert os.stat(store.root).st_mode & 0o2770 == 0o2770


def test_put_change_retire_keep_every_version_and_audit(store: Store) -> None:
    with store.transaction() as tx:
        tx.put(DAY, "calls", "A001", {"completed": 10})
    with store.transaction() as tx:
        tx.put(DAY, "calls", "A001", {"completed": 12})
    with store.transaction() as tx:
        tx.retire(DAY, "calls", "A001", "entered on the wrong seat")

    assert store.records(DAY, "calls") == []
    history = store.history(DAY, "calls", "A001")
    assert [h["completed"] for h in history] == [10, 12, 12]
    assert history[-1]["_retired"] is True
    ops = [(a["op"], a["by"]) for a in store.audit(DAY)]
    assert ops == [("add", "alice"), ("change", "alice"), ("retire", "alice")]
    assert store.audit(DAY)[1]["changes"] == {"completed": [10, 12]}
    assert store.audit(DAY)[2]["reason"] == "entered on the wrong seat"


def test_putting_the_same_value_writes_nothing(store: Store) -> None:
    with store.transaction() as tx:
        tx.put("ref", "staff", "A001", {"name": "x"})
    stamp = store.stamp()
    mtime = store.path("ref").stat().st_mtime_ns
    with store.transaction() as tx:
        assert tx.put("ref", "staff", "A001", {"name": "x"}) == 1
    assert store.path("ref").stat().st_mtime_ns == mtime
    assert store.stamp() == stamp


def test_an_exception_inside_a_transaction_writes_nothing(store: Store) -> None:
    with store.transaction() as tx:
        tx.put("ref", "staff", "A001", {"name": "x"})
    before = store.path("ref").read_bytes()
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.put("ref", "staff", "A002", {"name": "y"})
            tx.put(DAY, "calls", "A002", {"completed": 1})
            raise RuntimeError("validation failed half-way")
    assert store.path("ref").read_bytes() == before
    assert not store.path(DAY).exists()


def test_day_records_live_in_their_own_file(store: Store) -> None:
    with store.transaction() as tx:
        tx.put("day/2026-11-20", "calls", "A001", {"completed": 1})
        tx.put("day/2026-11-21", "calls", "A001", {"completed": 2})
        tx.put("roster/2026-11", "cells", "A001/2026-11-20", {"code": "D"})
    assert (store.root / "days" / "2026" / "2026-11-20.json").exists()
    assert (store.root / "days" / "2026" / "2026-11-21.json").exists()
    assert (store.root / "rosters" / "2026-11.json").exists()
    assert store.day_partitions(dt.date(2026, 11, 21)) == ["day/2026-11-21"]


def test_partition_names_cannot_escape_the_store(store: Store) -> None:
    with pytest.raises(StoreError):
        store.path("day/../../etc/passwd")


@pytest.mark.parametrize(
    "content, reason",
    [(b"", "is empty"), (b'{"calls": {', "is not valid JSON"), (b"\xff\xfe", "not UTF-8"),
     (b"[1, 2]", "does not hold a JSON object")],
    ids=["empty", "torn-json", "binary", "not-an-object"],
)
def test_a_corrupt_file_is_reported_and_never_overwritten(
    store: Store, content: bytes, reason: str
) -> None:
    path = store.path(DAY)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)

    with pytest.raises(CorruptFileError) as raised:
        store.records(DAY, "calls")
    assert str(path) in str(raised.value) and reason in str(raised.value)

    with pytest.raises(CorruptFileError):
        with store.transaction() as tx:
            tx.put(DAY, "calls", "A001", {"completed": 1})
    assert path.read_bytes() == content

    lenient = Store(store.root, strict=False).open()
    assert lenient.records(DAY, "calls") == []
    assert reason in lenient.problems[str(path)]
    with lenient.transaction() as tx:  # the rest of the store still takes writes
        tx.put("ref", "staff", "A001", {"name": "x"})
    assert lenient.get("ref", "staff", "A001")["name"] == "x"

    findings = doctor.examine(store.root, 1)
    assert any(f.level == "error" and f.path == str(path) and reason in f.message
               for f in findings)


def test_migrations_run_on_open_over_every_partition(tmp_path: Path) -> None:
    old = Store(tmp_path / "s", schema_version=1).open()
    with old.transaction() as tx:
        tx.put("ref", "staff", "A001", {"name": "x"})
        tx.put(DAY, "calls", "A001", {"completed": 3})

    def add_team(partition: str, data: dict) -> dict:
        for doc in data.get("staff", {}).values():
            doc["data"].setdefault("team", "T01")
        return data

    new = Store(tmp_path / "s", migrations={1: add_team}, schema_version=2).open()
    assert new.meta()["schema"] == 2
    assert new.get("ref", "staff", "A001")["team"] == "T01"
    assert new.records(DAY, "calls")[0]["completed"] == 3


def test_a_store_newer_than_the_code_is_read_only(tmp_path: Path) -> None:
    Store(tmp_path / "s", schema_version=SCHEMA_VERSION + 1).open()
    older = Store(tmp_path / "s").open()
    assert "newer than this floor" in older.read_only_reason
    with pytest.raises(StoreReadOnlyError):
        with older.transaction() as tx:
            tx.put("ref", "staff", "A001", {"name": "x"})


def test_a_committed_journal_is_finished_and_an_uncommitted_one_discarded(store: Store) -> None:
    with store.transaction() as tx:
        tx.put("ref", "staff", "A001", {"name": "old"})
    journal = store.root / files.JOURNAL_DIR / "0001"
    journal.mkdir(parents=True)
    new_ref = {"staff": {"1": {"key": "A001", "v": 1, "at": "", "by": "", "data": {"name": "new"}}}}
    body = json.dumps(new_ref).encode()
    (journal / "0.json").write_bytes(body)
    (journal / "manifest.json").write_text(json.dumps([{
        "target": "ref.json", "file": "0.json", "size": len(body),
        "sha256": hashlib.sha256(body).hexdigest()}]))
    uncommitted = store.root / files.JOURNAL_DIR / "0002"
    uncommitted.mkdir()
    (uncommitted / "0.json").write_text("{}")

    (journal / "COMMITTED").write_text("1")
    with store.transaction():
        pass
    assert store.get("ref", "staff", "A001")["name"] == "new"
    assert not (store.root / files.JOURNAL_DIR / "0002").exists()


def test_backup_holds_every_data_file_and_is_made_once_a_day(store: Store, tmp_path: Path) -> None:
    with store.transaction() as tx:
        tx.put("ref", "staff", "A001", {"name": "x"})
        tx.put(DAY, "calls", "A001", {"completed": 3})
    day = dt.date(2026, 11, 20)
    first = backup.ensure_daily_backup(store.root, day)
    assert first is not None and first.name == "floor-2026-11-20.tar.gz"
    assert backup.ensure_daily_backup(store.root, day) is None
    with tarfile.open(first) as tar:
        names = set(tar.getnames())
    assert {"meta.json", "ref.json", "days/2026/2026-11-20.json"} <= names
    target = backup.make_backup(store.root, day, tmp_path)
    assert target == tmp_path / "floor-2026-11-20.tar.gz" and target.exists()


def test_cached_reads_see_another_writers_change(tmp_path: Path) -> None:
    reader = Store(tmp_path / "s").open()
    writer = Store(tmp_path / "s").open()
    with writer.transaction() as tx:
        tx.put("ref", "staff", "A001", {"name": "x"})
    assert reader.get("ref", "staff", "A001")["name"] == "x"
    stamp = reader.stamp()
    with writer.transaction() as tx:
        tx.put("ref", "staff", "A001", {"name": "y"})
    assert reader.get("ref", "staff", "A001")["name"] == "y"
    assert reader.stamp() != stamp
