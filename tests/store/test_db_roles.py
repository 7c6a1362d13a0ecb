"""Rights that hold against a colleague with psql (issue #32): the database refuses what a
login's floor role may not do, whatever program sends it, and its audit names the login.

Each login is a real LOGIN role of the test cluster (tests/pg.py), connected to as itself, so
``session_user`` is that login, as peer authentication makes it on a floor host (peer
authentication itself, with real OS accounts: tests/store/test_db_peer.py).
"""

from __future__ import annotations

import json

import pytest

from floorapp.clock import fixed_clock
from floorapp.errors import FloorError
from floorapp.services import open_floor
from store import StoreError, pg_admin
from store.pg import connect
from tests.conftest import NOW, STAFF

DAY = "day/2026-11-20"
LOGINS = {"Q001": "mon_q001", "L001": "lead_l001", "M001": "mgr_m001"}
EVALUATION = {"date": "2026-11-20", "time": "10:00", "monitor_id": "Q001", "staff_id": "A001",
              "template": "T1", "score": "100", "max": "100", "passed": True}


@pytest.fixture
def site(pg_cluster, pg_site: str) -> str:
    """A floor whose monitor, lead and manager each have their own login, granted at this
    site only; the register and pay written by the manager."""
    for staff_id, role in (("Q001", "monitor"), ("L001", "lead"), ("M001", "manager")):
        pg_admin.grant(pg_cluster.address(), LOGINS[staff_id], role, pg_site)
    pg_admin.grant(pg_cluster.address(), LOGINS["M001"], "pay")
    manager = _floor(pg_cluster, pg_site, LOGINS["M001"])
    for person in STAFF:
        manager.save_staff(person.__class__(**{**person.__dict__,
                                               "login": LOGINS.get(person.id, "")}))
    return pg_site


def _floor(cluster, site: str, login: str):
    return open_floor(cluster.login_address(login), clock=fixed_clock(NOW), user=login,
                      site=site)


def _psql(cluster, login: str):
    """A connection as ``login``, as a colleague's psql would have."""
    return connect(cluster.login_address(login))


def _insert(conn, site: str, part: str, tbl: str, key: str, v: int, data: str,
            by: str = "someone-else") -> None:
    conn.execute("INSERT INTO floor.versions (site, part, tbl, key, v, at, by, data) "
                 "VALUES (%s, %s, %s, %s, %s, '2026-11-20T15:00:00+08:00', %s, %s::jsonb)",
                 (site, part, tbl, key, v, by, data))


def test_a_monitor_with_psql_cannot_change_the_policy_or_the_register(pg_cluster, site):
    import psycopg

    with _psql(pg_cluster, LOGINS["Q001"]) as conn:
        for tbl, key in (("policy", "policy"), ("staff", "Q001")):
            with pytest.raises(psycopg.errors.InsufficientPrivilege,
                               match="row-level security"):
                _insert(conn, site, "ref", tbl, key, 9, '{"role": "manager"}')
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE floor.versions SET data = '{}' WHERE site = %s", (site,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM floor.versions WHERE site = %s", (site,))
    manager = _floor(pg_cluster, site, LOGINS["M001"])
    assert manager.get_staff("Q001").role == "monitor"
    assert manager.store.get("ref", "policy", "policy") is None


def test_nobody_but_the_owner_changes_or_writes_the_audit(pg_cluster, site):
    import psycopg

    for login in LOGINS.values():
        with _psql(pg_cluster, login) as conn:
            for sql in ("UPDATE floor.audit SET by = 'x'", "DELETE FROM floor.audit",
                        "INSERT INTO floor.audit (site, part, tbl, key, v, by, at) "
                        "VALUES ('main', 'ref', 'staff', 'x', 1, 'x', now())",
                        "TRUNCATE floor.audit"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
    audit = _floor(pg_cluster, site, LOGINS["M001"]).store.audit("ref")
    assert audit and {a["by"] for a in audit} == {LOGINS["M001"]}


def test_the_monitor_the_app_and_the_database_refuse_alike(pg_cluster, site):
    monitor = _floor(pg_cluster, site, LOGINS["Q001"])
    assert monitor.access.role == "monitor"
    with pytest.raises(FloorError):
        monitor.set_policy_value("late_mode", "all")  # floor refuses first
    with pytest.raises(StoreError, match="refuses"):  # and the database below it
        with monitor.store.transaction() as tx:
            tx.put("ref", "policy", "policy", {"late_mode": "all"})
    with pytest.raises(StoreError, match="refuses"):  # rosters are the leads'
        with monitor.store.transaction() as tx:
            tx.put("roster/2026-12", "cells", "A001/2026-12-01", {"code": "D"})
    lead = _floor(pg_cluster, site, LOGINS["L001"])
    with lead.store.transaction() as tx:
        tx.put("roster/2026-12", "cells", "A001/2026-12-01", {"code": "D"})
    assert lead.store.audit("roster/2026-12")[-1]["by"] == LOGINS["L001"]


def test_a_lead_cannot_read_pay(pg_cluster, site):
    import psycopg

    with _psql(pg_cluster, LOGINS["L001"]) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT data FROM floor_pay.versions")
    lead = _floor(pg_cluster, site, LOGINS["L001"])
    assert not lead.store.readable("pay")
    assert not lead.pay_visible()
    assert lead.get_staff("A001").base_pay is None
    manager = _floor(pg_cluster, site, LOGINS["M001"])
    assert manager.get_staff("A001").base_pay == STAFF[0].base_pay


def test_the_audit_names_the_login_whatever_the_program_claims(pg_cluster, site):
    with _psql(pg_cluster, LOGINS["Q001"]) as conn:  # psql, claiming to be the manager
        _insert(conn, site, DAY, "qa_evaluations", "E1", 1, json.dumps(EVALUATION),
                by=LOGINS["M001"])
    manager = _floor(pg_cluster, site, LOGINS["M001"])
    assert manager.store.history(DAY, "qa_evaluations", "E1")[0]["_by"] == LOGINS["Q001"]
    entry = manager.store.audit(DAY)[-1]
    assert (entry["op"], entry["by"], entry["key"]) == ("sql", LOGINS["Q001"], "E1")
    monitor = _floor(pg_cluster, site, LOGINS["Q001"])
    with monitor.store.transaction() as tx:
        tx.put(DAY, "qa_evaluations", "E1", {**EVALUATION, "score": "90"})
    entry = manager.store.audit(DAY)[-1]
    assert (entry["op"], entry["by"], entry["changes"]) == (
        "change", LOGINS["Q001"], {"score": ["100", "90"]})


def test_a_grant_at_one_site_is_not_a_grant_at_another(pg_cluster, site):
    import psycopg

    with _psql(pg_cluster, LOGINS["L001"]) as conn:
        _insert(conn, site, DAY, "calls", "A001", 1, '{"completed": 1}')
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _insert(conn, site + "-other", DAY, "calls", "A001", 1, '{"completed": 1}')


def test_db_init_and_grant_are_idempotent(pg_cluster, site):
    assert pg_admin.init(pg_cluster.address())
    pg_admin.grant(pg_cluster.address(), LOGINS["Q001"], "monitor", site)
    with pytest.raises(StoreError, match="not a floor role"):
        pg_admin.grant(pg_cluster.address(), LOGINS["Q001"], "superuser", site)
    with pytest.raises(StoreError, match="not a login name"):
        pg_admin.grant(pg_cluster.address(), "Robert'); DROP", "monitor", site)
    monitor = _floor(pg_cluster, site, LOGINS["Q001"])
    with pytest.raises(StoreError, match="refuses"):
        with monitor.store.transaction() as tx:
            tx.put("ref", "policy", "policy", {"late_mode": "all"})
