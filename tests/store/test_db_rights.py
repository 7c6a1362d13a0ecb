"""Rights inside a day held by the database (issue #32): row-level security on
``floor.versions`` mirrors ``role_rights`` table by table (store.pg_schema.TABLE_ACTIONS), and
follows the site's policy when a manager changes ``role_rights``.

The logins are real LOGIN roles of the test cluster, connected to as themselves (tests/pg.py);
tests/store/test_db_peer.py proves the same with real OS accounts and peer authentication.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from floorapp import roles
from floorapp.clock import fixed_clock
from floorapp.rules.rights import NotAllowed
from floorapp.services import open_floor
from floorapp.services.shapes import SHAPES
from store import StoreError, pg_admin, pg_schema
from store.pg import connect
from tests.conftest import NOW, STAFF, TODAY

DAY = f"day/{TODAY.isoformat()}"
LOGINS = {"Q001": "rq_mon", "L001": "rq_lead", "M001": "rq_mgr"}
WRITE = ("INSERT INTO floor.versions (site, part, tbl, key, v, at, by, data) "
         "VALUES (%s, %s, %s, %s, 1, '2026-11-20T15:00:00+08:00', 'x', %s::jsonb)")
# a table of each kind a role may or may not write, with a record of its shape
PUNCH = ("day", "punches", {"staff_id": "A001", "date": "2026-11-20", "period": 1})
CALLS = ("day", "calls", {"staff_id": "A001", "date": "2026-11-20", "completed": 3})
EVALUATION = ("day", "qa_evaluations", {
    "date": "2026-11-20", "time": "10:00", "monitor_id": "Q001", "staff_id": "A001",
    "template": "T1", "score": "90", "max": "100", "passed": True})
LEAD_TABLES = [PUNCH, CALLS, ("day", "leave", {}), ("day", "clock", {}),
               ("day", "handovers", {}), ("day", "incidents", {}), ("day", "coaching", {}),
               ("roster", "cells", {}), ("ref", "campaigns", {})]


@pytest.fixture
def site(pg_cluster, pg_site: str) -> str:
    for staff_id, role in (("Q001", "monitor"), ("L001", "lead"), ("M001", "manager")):
        pg_admin.grant(pg_cluster.address(), LOGINS[staff_id], role, pg_site)
    pg_admin.grant(pg_cluster.address(), LOGINS["M001"], "pay")
    manager = _floor(pg_cluster, pg_site, "M001")
    for person in STAFF:
        manager.save_staff(person.__class__(**{**person.__dict__,
                                               "login": LOGINS.get(person.id, "")}))
    return pg_site


def _floor(cluster, site: str, staff_id: str):
    login = LOGINS[staff_id]
    return open_floor(cluster.login_address(login), clock=fixed_clock(NOW), user=login,
                      site=site)


def _part(kind: str) -> str:
    return {"day": DAY, "roster": "roster/2026-11", "ref": "ref"}[kind]


def _write(cluster, site: str, staff_id: str, kind: str, tbl: str, data: dict,
           key: str = "k1") -> None:
    """An INSERT of a version as the login of ``staff_id`` would send it with psql."""
    with connect(cluster.login_address(LOGINS[staff_id])) as conn:
        conn.execute(WRITE, (site, _part(kind), tbl, key, json.dumps(data)))


def _refused(cluster, site: str, staff_id: str, kind: str, tbl: str, data: dict) -> bool:
    import psycopg

    try:
        _write(cluster, site, staff_id, kind, tbl, data, key=f"{staff_id}-{tbl}")
    except psycopg.errors.InsufficientPrivilege as exc:
        assert "row-level security" in str(exc)
        return True
    return False


def test_the_databases_rights_are_floors(pg_cluster) -> None:
    """The tables the database holds are floor's rights: the default role_rights, the
    manager-only actions, known actions only, every table floor writes named."""
    assert {r: set(a) for r, a in pg_schema.DEFAULT_ROLE_RIGHTS.items()} == {
        r: set(a) for r, a in roles.default_role_rights().items()}
    assert set(pg_schema.MANAGER_ONLY) == set(roles.MANAGER_ONLY)
    assert {a for acts in pg_schema.TABLE_ACTIONS.values() for a in acts} <= set(roles.ACTIONS)
    assert {key for key in SHAPES if key[0] != "pay"} <= set(pg_schema.TABLE_ACTIONS)
    with connect(pg_cluster.address()) as conn:
        held = sorted(conn.execute("SELECT kind, tbl, action FROM floor.table_rights"))
    assert held == pg_schema.rights_rows()[0]


def test_a_monitor_with_psql_may_score_but_not_punch_count_or_roster(pg_cluster, site):
    assert not _refused(pg_cluster, site, "Q001", *EVALUATION)
    for kind, tbl, data in LEAD_TABLES:
        assert _refused(pg_cluster, site, "Q001", kind, tbl, data), tbl
    assert _refused(pg_cluster, site, "Q001", "day", "no_such_table", {})
    manager = _floor(pg_cluster, site, "M001")
    assert manager.store.get(DAY, "punches", "Q001-punches") is None
    assert manager.store.audit(DAY)[-1]["by"] == LOGINS["Q001"]


def test_a_lead_writes_a_day_but_not_the_policy_or_an_unknown_table(pg_cluster, site):
    for kind, tbl, data in LEAD_TABLES + [EVALUATION]:
        assert not _refused(pg_cluster, site, "L001", kind, tbl, data), tbl
    for kind, tbl in (("ref", "policy"), ("ref", "staff"), ("day", "no_such_table")):
        assert _refused(pg_cluster, site, "L001", kind, tbl, {})
    for kind, tbl in (("ref", "policy"), ("day", "no_such_table"), ("day", "punches")):
        assert not _refused(pg_cluster, site, "M001", kind, tbl, {"late_mode": "all"})


def test_the_database_follows_the_policys_role_rights(pg_cluster, site):
    manager = _floor(pg_cluster, site, "M001")
    table = roles.default_role_rights()
    table["monitor"] = ["attendance.record", "qa.feedback"]  # no qa.score: feedback only
    manager.set_policy_value("role_rights", json.dumps(table))
    assert not _refused(pg_cluster, site, "Q001", *PUNCH)
    assert not _refused(pg_cluster, site, "Q001", *EVALUATION)  # qa.feedback writes it
    assert _refused(pg_cluster, site, "Q001", "day", "qa_plan", {})
    table["monitor"] = []
    manager.set_policy_value("role_rights", json.dumps(table))
    assert _refused(pg_cluster, site, "Q001", *EVALUATION)
    # a policy table floor would refuse (a manager's psql): never a manager-only action
    with connect(pg_cluster.login_address(LOGINS["M001"])) as conn:
        conn.execute(WRITE.replace("'x', %s", "'x', %s").replace(", 1,", ", 99,"),
                     (site, "ref", "policy", "policy",
                      json.dumps({"role_rights": {"monitor": ["staff.change", "qa.score"]}})))
    assert _refused(pg_cluster, site, "Q001", "ref", "staff", {})
    assert not _refused(pg_cluster, site, "Q001", "day", "qa_plan", {})


def test_every_role_still_works_through_floor(pg_cluster, site):
    lead = _floor(pg_cluster, site, "L001")
    lead.roster.generate(TODAY.year, TODAY.month)
    lead.attendance.record_in("A001", TODAY, dt.time(8, 55))
    lead.roster.set_cell("A001", TODAY + dt.timedelta(days=1), "R")
    lead.roster.add_handover(TODAY, "18:00", "L001", "M001", "quiet day")
    lead.quota.add_completed("A001", 5)
    lead.emergency.start(lead.emergency.checklists()[0].id)
    lead.monitoring.save_evaluation("A002", "Q001", "live", "outbound-100", "")
    monitor = _floor(pg_cluster, site, "Q001")
    monitor.monitoring.ensure_plan(TODAY)
    record = monitor.monitoring.save_evaluation("A001", "Q001", "live", "outbound-100", "")
    monitor.monitoring.give_feedback(TODAY, record["_key"], "talked it through")
    with pytest.raises(NotAllowed):
        monitor.attendance.record_in("A002", TODAY, dt.time(8, 55))
    with pytest.raises(StoreError, match="refuses"):  # below floor, the database
        with monitor.store.transaction() as tx:
            tx.put(DAY, "punches", "A002/1", dict(PUNCH[2], staff_id="A002"))
    manager = _floor(pg_cluster, site, "M001")
    assert manager.store.get(DAY, "qa_evaluations", record["_key"])
    assert {e["by"] for e in manager.store.audit(DAY)} == {LOGINS["L001"], LOGINS["Q001"]}
    manager.set_policy_value("late_mode", "all")


def test_migrate_brings_a_schema_1_database_to_rights_per_table(pg_cluster, pg_site, capsys):
    """A database made by the previous floor (schema 1: rights by partition kind only)."""
    from floorapp.cli.main import run as main

    with connect(pg_cluster.address()) as conn:
        conn.execute("CREATE DATABASE floor_schema1")
    address = pg_cluster.address("floor_schema1")
    pg_admin.init(address)
    with connect(address) as conn:
        conn.execute(SCHEMA_1_MAY_WRITE)
        conn.execute("DROP TABLE floor.table_rights, floor.default_rights")
        conn.execute("UPDATE floor.meta SET value = '1' WHERE name = 'schema'")
    base = ["--store", address, "--site", pg_site]
    assert main([*base, "doctor"]) == 2
    out = capsys.readouterr().out
    assert "database schema 1" in out and "floor.table_rights: missing" in out
    assert main([*base, "db", "migrate"]) == 0
    assert main([*base, "db", "migrate"]) == 0  # again: nothing changes
    capsys.readouterr()
    assert main([*base, "doctor"]) == 0, capsys.readouterr().out
    pg_admin.grant(address, LOGINS["Q001"], "monitor", pg_site)
    with connect(pg_cluster.login_address(LOGINS["Q001"], "floor_schema1")) as conn:
        import psycopg

        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(WRITE, (pg_site, DAY, "punches", "k", "{}"))
        conn.execute(WRITE, (pg_site, DAY, "qa_evaluations", "k", "{}"))


def test_doctor_names_a_missing_rights_policy(pg_cluster, pg_site, capsys):
    from floorapp.cli.main import run as main

    with connect(pg_cluster.address()) as conn:
        conn.execute("CREATE DATABASE floor_norights")
    address = pg_cluster.address("floor_norights")
    pg_admin.init(address)
    with connect(address) as conn:
        conn.execute("DROP POLICY floor_write ON floor.versions")
        conn.execute("DELETE FROM floor.table_rights WHERE tbl = 'punches'")
    assert main(["--store", address, "--site", pg_site, "doctor"]) == 2
    out = capsys.readouterr().out
    assert "policy floor_write is missing" in out
    assert "day/punches/attendance.record" in out


SCHEMA_1_MAY_WRITE = """
CREATE OR REPLACE FUNCTION floor.may_write(p_site text, p_part text, p_tbl text)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM floor.grants g
        WHERE g.login = session_user AND g.site IN (p_site, '*')
          AND pg_has_role(session_user, 'floor_' || g.role, 'MEMBER')
          AND (g.role = 'manager'
               OR (split_part(p_part, '/', 1) = 'ref' AND p_tbl NOT IN ('policy', 'staff')
                   AND g.role IN ('lead', 'monitor'))
               OR (split_part(p_part, '/', 1) = 'roster' AND g.role = 'lead')
               OR (split_part(p_part, '/', 1) = 'day' AND g.role IN ('lead', 'monitor'))))
$$;
"""
