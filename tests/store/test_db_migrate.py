"""Data migrations of a database store (issue #32): `floor db migrate` runs the file store's
steps (store.migrations) over every site, in one transaction, recorded in the audit,
idempotent; a database newer than this floor is refused."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest

from floorapp.cli.main import run
from floorapp.services import open_floor
from store import atomic, files, pg_admin
from store.db import Store
from store.migrations import SCHEMA_VERSION
from store.pg import PgStore, connect

_databases = itertools.count(1)


@pytest.fixture
def database(pg_cluster) -> str:
    """A database of its own (its data schema is every site's: never the shared one's)."""
    name = f"mig{os.getpid()}_{next(_databases)}"
    with connect(pg_cluster.address()) as owner:
        owner.execute(f"CREATE DATABASE {name}")
    address = pg_cluster.address(name)
    pg_admin.init(address)
    return address


def _set_data_schema(address: str, version: int) -> None:
    with connect(address) as owner:
        owner.execute("UPDATE floor.meta SET value = to_jsonb(%s::int) "
                      "WHERE name = 'data_schema'", (version,))


def _leave_into_roster_cells(store) -> list[tuple[str, str, str]]:
    """What a schema-2 floor kept: leave as a roster cell's code (two cells of the month)."""
    part = "roster/2026-11"
    cells = sorted(store.records(part, "cells"), key=lambda c: (c["date"], c["staff_id"]))
    worked = [c for c in cells if c["code"] not in ("R",)][:2]
    with store.transaction() as tx:
        for cell, code in zip(worked, ("sick", "personal")):
            tx.put(part, "cells", cell["_key"], {**{k: v for k, v in cell.items()
                                                    if not k.startswith("_")}, "code": code})
    return [(part, c["staff_id"], c["date"]) for c in worked]


def _current(store, partition: str, table: str) -> list[dict]:
    return sorted(({k: v for k, v in r.items() if k not in ("_at", "_by")}
                   for r in store.records(partition, table, include_retired=True)),
                  key=lambda r: r["_key"])


def _versions_and_audit(address: str) -> tuple[int, int, object]:
    with connect(address) as owner:
        versions = owner.execute("SELECT count(*) FROM floor.versions").fetchone()[0]
        audit = owner.execute("SELECT count(*) FROM floor.audit").fetchone()[0]
        changes = owner.execute("SELECT sum(changes) FROM floor.changes").fetchone()[0]
    return versions, audit, changes


def test_db_migrate_runs_the_data_steps_as_the_file_store_does(database, tmp_path: Path,
                                                               capsys) -> None:
    root = tmp_path / "s"
    assert run(["--store", str(root), "demo", "--seats", "4", "--days", "3"]) == 0
    assert run(["store", "copy", str(root), database, "--to-site", "north"]) == 0
    # the same schema-2 records on both stores
    moved = _leave_into_roster_cells(Store(root).open())
    db = PgStore(database, site="north").open()
    assert _leave_into_roster_cells(db) == moved
    db.close()
    meta = json.loads((root / "meta.json").read_text())
    atomic.write_in_store(root, "meta.json", files.dumps(dict(meta, schema=2)))
    _set_data_schema(database, 2)
    older = PgStore(database, site="north").open()
    assert "run `floor db migrate`" in older.read_only_reason
    older.close()
    capsys.readouterr()
    # init and doctor say the data schema found and what to do, not floor's own number
    assert run(["--store", database, "db", "init"]) == 0
    assert "data schema 2 (this floor's is 3: `floor db migrate`)" in capsys.readouterr().out
    assert run(["--store", database, "--site", "north", "doctor"]) == 2
    assert "data schema 2, expected 3: `floor db migrate`" in capsys.readouterr().out

    assert open_floor(root).store.meta()["schema"] == SCHEMA_VERSION  # the file store's path
    assert run(["--store", database, "db", "migrate"]) == 0
    said = capsys.readouterr().out
    assert "site north: data schema 2 → 3" in said
    assert "2 day(s) of leave moved" in said

    migrated = PgStore(database, site="north").open()
    assert migrated.read_only_reason is None
    mine = Store(root).open()
    for part, staff_id, day in moved:
        leave = _current(migrated, f"day/{day}", "leave")
        assert leave == _current(mine, f"day/{day}", "leave")
        assert any(r["staff_id"] == staff_id and r["type"] in ("sick", "personal")
                   for r in leave)
        cells = _current(migrated, part, "cells")
        assert cells == _current(mine, part, "cells")
        assert not any(c["code"] in ("sick", "personal") for c in cells)
        # recorded in the audit by the database, with the step's own description
        notes = [e for e in migrated.audit(f"day/{day}") if e.get("table") == "leave"]
        assert notes and notes[-1]["note"] == "schema 3: moved from the roster"
    reports = {}
    for name, store in (("files", str(root)), ("database", database)):
        site = ["--site", "north"] if name == "database" else []
        for report in (["report", "day", "--date", moved[0][2], "--format", "json"],
                       ["report", "staff", "--format", "json"]):
            assert run(["--store", store, *site, *report]) == 0
            reports.setdefault(" ".join(report), []).append(capsys.readouterr().out)
    for outputs in reports.values():
        assert outputs[0] == outputs[1]

    # a second migrate changes nothing
    before = _versions_and_audit(database)
    assert run(["--store", database, "db", "migrate"]) == 0
    assert f"data schema {SCHEMA_VERSION}: up to date" in capsys.readouterr().out
    assert _versions_and_audit(database) == before


def test_a_migration_that_fails_leaves_every_site_as_it_was(database, tmp_path: Path) -> None:
    from store import pg_migrate
    from store.errors import StoreError

    root = tmp_path / "s"
    assert run(["--store", str(root), "demo", "--seats", "3", "--days", "2"]) == 0
    for site in ("north", "south"):
        assert run(["store", "copy", str(root), database, "--to-site", site]) == 0
    _set_data_schema(database, 2)
    before = _versions_and_audit(database)
    calls: list[str] = []
    fail = [True]

    def step(partitions):
        calls.append("x")
        if fail[0] and len(calls) == 2:  # the second site's step fails: the first's too
            raise StoreError("step failed")
        ref = partitions["ref"]
        for doc in ref["staff"].values():
            doc["data"] = dict(doc["data"], team="T9")
        return partitions

    with pytest.raises(StoreError, match="step failed"):
        pg_migrate.migrate_data(database, store_migrations={2: step})
    assert _versions_and_audit(database) == before
    with connect(database) as owner:
        assert pg_migrate.data_schema(owner) == 2
    # and the step, when it succeeds, rewrites versions in place with an audit row each
    fail[0] = False
    lines = pg_migrate.migrate_data(database, store_migrations={2: step})
    assert lines[-1] == "data schema 3: migrated"
    store = PgStore(database, site="north").open()
    assert {r["team"] for r in store.records("ref", "staff")} == {"T9"}
    assert any(e["op"] == "migrate" and e["table"] == "staff" for e in store.audit("ref"))


def test_a_database_newer_than_this_floor_is_refused(database, tmp_path: Path,
                                                     capsys) -> None:
    root = tmp_path / "s"
    assert run(["--store", str(root), "demo", "--seats", "3", "--days", "2"]) == 0
    assert run(["store", "copy", str(root), database, "--to-site", "main"]) == 0
    _set_data_schema(database, SCHEMA_VERSION + 1)
    before = _versions_and_audit(database)
    capsys.readouterr()
    assert run(["--store", database, "db", "migrate"]) == 2
    err = capsys.readouterr().err
    assert f"data schema {SCHEMA_VERSION + 1} is newer than this floor" in err
    assert "Traceback" not in err
    staff = tmp_path / "staff.csv"
    assert run(["--store", str(root), "report", "staff", "--format", "csv",
                "--output", str(staff)]) == 0
    capsys.readouterr()
    assert run(["--store", database, "import", "staff", str(staff)]) == 2
    err = capsys.readouterr().err
    assert "newer than this floor" in err and "upgrade floor" in err
    assert run(["--store", database, "report", "staff"]) == 0  # reads still work, as on files
    assert _versions_and_audit(database) == before


def test_schema_1_pay_leaves_the_register_as_on_a_store_directory(database,
                                                                   tmp_path: Path) -> None:
    """1 → 2: base pay moves from ref's staff to pay, every version and audit entry of it."""
    def fill(store) -> None:
        with store.transaction() as tx:
            tx.put("ref", "staff", "A001", {"id": "A001", "name": "Li", "base_pay": "3000"})
            tx.put("ref", "staff", "A002", {"id": "A002", "name": "Wu", "base_pay": "3200"})
        with store.transaction() as tx:
            tx.put("ref", "staff", "A001", {"id": "A001", "name": "Li", "base_pay": "3100"})

    fill(Store(tmp_path / "s", schema_version=1).open())
    fill(PgStore(database, site="north").open())
    _set_data_schema(database, 1)
    assert run(["--store", database, "db", "migrate"]) == 0
    mine, theirs = Store(tmp_path / "s").open(), PgStore(database, site="north").open()
    assert mine.meta()["schema"] == SCHEMA_VERSION and theirs.read_only_reason is None
    for partition, table in (("ref", "staff"), ("pay", "base_pay")):
        assert _current(theirs, partition, table) == _current(mine, partition, table)
    assert [h["base_pay"] for h in theirs.history("pay", "base_pay", "A001")] == ["3000", "3100"]
    assert all("base_pay" not in h for h in theirs.history("ref", "staff", "A001"))
    # nothing of pay stays in the register's audit; the pay audit has it
    assert "base_pay" not in json.dumps(theirs.audit("ref"))
    assert {e["key"] for e in theirs.audit("pay") if e.get("table") == "base_pay"} \
        == {"A001", "A002"}
