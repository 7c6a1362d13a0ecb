"""The CLI on a database store (issue #32): ``--store postgresql://… --site``, ``floor db``,
``floor store copy``; exit 2 with a clear message for what the user can fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from floorapp.cli.main import run


def test_db_init_twice_then_grant(pg_cluster, capsys) -> None:
    address = pg_cluster.address()
    assert run(["--store", address, "db", "init"]) == 0
    assert run(["--store", address, "db", "init"]) == 0
    assert "floor_monitor" in capsys.readouterr().out
    assert run(["--store", address, "--site", "north", "db", "grant", "cli_lead", "lead"]) == 0
    assert capsys.readouterr().out.strip() == "cli_lead: lead at site north"
    with pytest.raises(SystemExit) as exited:  # argparse names the choices
        run(["--store", address, "db", "grant", "cli_lead", "owner"])
    assert exited.value.code == 2


def test_db_on_a_directory_is_refused_with_exit_2(tmp_path: Path, capsys) -> None:
    assert run(["--store", str(tmp_path / "s"), "db", "init"]) == 2
    assert "needs a database store" in capsys.readouterr().err


def test_a_database_without_the_schema_says_what_to_run(pg_cluster, capsys) -> None:
    address = pg_cluster.address("postgres")
    assert run(["--store", address, "report", "staff"]) == 2
    err = capsys.readouterr().err
    assert "no floor schema" in err and "db init" in err and "Traceback" not in err


def test_an_unreachable_database_is_exit_2(tmp_path: Path, capsys) -> None:
    assert run(["--store", f"postgresql:///floor?host={tmp_path}", "report", "staff"]) == 2
    assert "cannot reach the database" in capsys.readouterr().err


def test_demo_and_reports_on_a_database_site(pg_cluster, pg_site, capsys) -> None:
    address = pg_cluster.login_address("tester")
    base = ["--store", address, "--site", pg_site]
    assert run([*base, "demo", "--seats", "6", "--days", "3"]) == 0
    capsys.readouterr()
    assert run([*base, "report", "day", "--date", "2026-11-19", "--format", "json"]) == 0
    day = json.loads(capsys.readouterr().out)
    assert len(day["agents"]) == 6 and any(a["completed"] for a in day["agents"])
    assert run([*base, "demo", "--seats", "6", "--days", "3"]) == 2  # not into a full site
    assert "already holds staff" in capsys.readouterr().err
    # another site of the same database is another floor
    assert run(["--store", address, "--site", pg_site + "b", "report", "staff",
                "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"staff": []}


def test_store_copy_into_a_full_store_is_refused(pg_cluster, pg_site, tmp_path: Path,
                                                 capsys) -> None:
    address = pg_cluster.login_address("tester")
    files = tmp_path / "s"
    assert run(["--store", str(files), "demo", "--seats", "3", "--days", "3"]) == 0
    assert run(["store", "copy", str(files), address, "--to-site", pg_site]) == 0
    capsys.readouterr()
    assert run(["store", "copy", str(files), address, "--to-site", pg_site]) == 2
    assert "already holds a floor" in capsys.readouterr().err


def test_doctor_checks_triggers_grants_and_records(pg_cluster, pg_site, capsys) -> None:
    from store.pg import connect

    address = pg_cluster.login_address("tester")
    base = ["--store", address, "--site", pg_site]
    assert run([*base, "demo", "--seats", "3", "--days", "3"]) == 0
    assert run([*base, "doctor"]) == 0
    assert "triggers and grants checked" in capsys.readouterr().out
    with connect(pg_cluster.address()) as owner:
        owner.execute("ALTER TABLE floor.versions DISABLE TRIGGER version_audit")
        owner.execute("GRANT UPDATE ON floor.audit TO floor_lead")
        owner.execute("INSERT INTO floor.versions (site, part, tbl, key, v, at, by, data) "
                      "VALUES (%s, 'ref', 'staff', 'ZZ1', 1, 'x', 'x', '{\"hired\": 5}')",
                      (pg_site,))
        try:
            assert run([*base, "doctor"]) == 2
        finally:
            owner.execute("ALTER TABLE floor.versions ENABLE TRIGGER version_audit")
            owner.execute("REVOKE UPDATE ON floor.audit FROM floor_lead")
    out = capsys.readouterr().out
    assert "trigger version_audit is disabled" in out
    assert "floor_lead may UPDATE" in out
    assert "record 'ZZ1'" in out


def test_db_migrate_brings_the_schema_up_to_date(pg_cluster, capsys) -> None:
    assert run(["--store", pg_cluster.address(), "db", "migrate"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_backup_with_pg_dump_and_restore_into_a_new_database(pg_cluster, pg_site, tmp_path,
                                                             capsys) -> None:
    from store.pg import connect

    owner = pg_cluster.address()  # pg_dump reads every table: the owner's job
    assert run(["--store", owner, "--site", pg_site, "demo", "--seats", "4", "--days", "3"]) == 0
    report = ["report", "month", "--month", "2026-11", "--format", "json"]
    assert run(["--store", owner, "--site", pg_site, *report]) == 0
    capsys.readouterr()
    assert run(["--store", owner, "--site", pg_site, "backup"]) == 2
    assert "--to" in capsys.readouterr().err
    assert run(["--store", owner, "--site", pg_site, *report]) == 0
    before = capsys.readouterr().out
    assert run(["--store", owner, "--site", pg_site, "backup", "--to", str(tmp_path)]) == 0
    dump = tmp_path / "floor-2026-11-20.dump"
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert run(["--store", owner, "backup", "--to", str(tmp_path)]) == 2  # never overwritten
    database = f"restored_{pg_site.replace('-', '_')}"
    with connect(owner) as conn:
        conn.execute(f"CREATE DATABASE {database}")
    target = pg_cluster.address(database)
    capsys.readouterr()
    assert run(["--site", pg_site, "restore", str(dump), target]) == 0
    assert "triggers and grants checked" in capsys.readouterr().out
    assert run(["--store", target, "--site", pg_site, *report]) == 0
    assert capsys.readouterr().out == before
    assert run(["--site", pg_site, "restore", str(dump), target]) == 2  # not over a floor
    assert "already holds floor's schema" in capsys.readouterr().err


def test_a_copy_by_the_owner_keeps_each_versions_author(pg_cluster, pg_site, tmp_path,
                                                        capsys) -> None:
    """Only the owner keeps the authors a copy gives; anyone else's copy is theirs (the audit
    names the login that copied either way)."""
    from store.db import Store, open_store

    files = Store(tmp_path / "s", user="zhoujie").open()
    with files.transaction() as tx:
        tx.put("ref", "policy", "policy", {"late_mode": "all"})
    assert run(["store", "copy", str(tmp_path / "s"), pg_cluster.address(),
                "--to-site", pg_site]) == 0
    assert run(["store", "copy", str(tmp_path / "s"), pg_cluster.login_address("tester"),
                "--to-site", pg_site + "t"]) == 0
    by_owner = open_store(pg_cluster.address(), site=pg_site)
    by_tester = open_store(pg_cluster.login_address("tester"), user="tester",
                           site=pg_site + "t")
    assert by_owner.history("ref", "policy", "policy")[0]["_by"] == "zhoujie"
    assert by_tester.history("ref", "policy", "policy")[0]["_by"] == "tester"
    assert by_owner.audit("ref")[-1]["by"] == "floor_admin"
    assert by_tester.audit("ref")[-1]["by"] == "tester"
