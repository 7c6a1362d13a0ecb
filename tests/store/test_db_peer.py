"""Peer authentication with real OS accounts (issue #32): on a floor host the OS login is the
database role, checked by the kernel, and the database's grants hold against that login
whatever program it runs (here ``psql``).

``peer_cluster`` (tests/pg.py) accepts local connections by peer authentication only. Run as
root (CI), the tests connect from ``daemon``, ``bin`` and ``sys``, accounts Debian's
base-passwd gives every system (uid 1, 2, 3; /usr/share/base-passwd/passwd.master), through
``setpriv`` with no supplementary groups: no host account or group is made or changed, and
only the cluster's roles of those names get floor roles. As another user those tests are
skipped, and peer authentication is proven for that user alone.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess

import pytest

from floorapp.cli.main import run as floor_cli
from store import pg_admin
from store.pg import connect
from tests.pg import ADMIN, peer_cluster  # noqa: F401 - the fixture

# Debian's base-passwd: name -> (uid, gid), the same on every Debian system
BASE_ACCOUNTS = {"daemon": (1, 1), "bin": (2, 2), "sys": (3, 3)}
MONITOR, LEAD, MANAGER = "daemon", "bin", "sys"
DAY = "day/2026-11-20"
WRITE = ("INSERT INTO floor.versions (site, part, tbl, key, v, at, by, data) "
         "VALUES ('{site}', '{part}', '{tbl}', '{key}', 1, '2026-11-20T15:00:00+08:00', "
         "'{by}', '{{}}'::jsonb)")
_sites = itertools.count(1)


def _site() -> str:
    return f"peer{os.getpid()}-{next(_sites)}"


def _me() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


def _accounts() -> None:
    """Skip (saying why) unless the tests may act as Debian's base accounts."""
    if os.geteuid() != 0:
        pytest.skip("connecting from other OS accounts needs root (CI runs as root); as "
                    f"{_me()} only the current user's peer authentication is tested")
    if not shutil.which("setpriv"):
        pytest.skip("connecting from other OS accounts needs setpriv (util-linux)")
    for name, ids in BASE_ACCOUNTS.items():
        try:
            found = pwd.getpwnam(name)
        except KeyError:
            pytest.skip(f"no account {name}: not a Debian base system")
        if (found.pw_uid, found.pw_gid) != ids:
            pytest.skip(f"account {name} is uid {found.pw_uid}, not Debian's {ids[0]}")


def _psql(cluster, account: str, sql: str, role: str | None = None) -> subprocess.CompletedProcess:
    """``psql`` run by the OS ``account`` (no supplementary groups), as the role its login
    names unless ``role`` asks for another."""
    uid, gid = BASE_ACCOUNTS[account]
    psql = cluster.bindir / "psql"
    if not psql.exists():
        psql = shutil.which("psql")
        if psql is None:
            pytest.skip("no psql (Debian: postgresql-client)")
    argv = [str(psql), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h",
            str(cluster.socket_dir), "-d", cluster.database, "-c", sql]
    if role is not None:
        argv += ["-U", role]
    return subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                           *argv], capture_output=True, text=True, cwd="/",
                          env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": "/"})


@pytest.fixture
def floor_site(peer_cluster) -> str:
    """A site where daemon is a monitor, bin a lead and sys a manager (``floor db grant``),
    with the policy and a punch written by the manager."""
    _accounts()
    site = _site()
    base = ["--store", peer_cluster.address(), "--site", site, "db", "grant"]
    for login, role in ((MONITOR, "monitor"), (LEAD, "lead"), (MANAGER, "manager"),
                        (MANAGER, "pay")):
        assert floor_cli([*base, login, role]) == 0
    for part, tbl, key in (("ref", "policy", "policy"), (DAY, "punches", "A001/1")):
        run = _psql(peer_cluster, MANAGER,
                    WRITE.format(site=site, part=part, tbl=tbl, key=key, by=MANAGER))
        assert run.returncode == 0, run.stderr
    with connect(peer_cluster.address()) as conn:
        conn.execute("INSERT INTO floor_pay.versions (site, part, tbl, key, v, at, by, data) "
                     "VALUES (%s, 'pay', 'base_pay', 'A001', 1, 'x', 'x', "
                     "'{\"base_pay\": \"1200\"}')", (site,))
    return site


def test_an_os_account_is_its_own_role_and_no_other(peer_cluster, floor_site):
    run = _psql(peer_cluster, MONITOR, "SELECT session_user, current_user")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "daemon|daemon"
    for other in (LEAD, ADMIN, "postgres"):  # a role it names: refused by the kernel's word
        run = _psql(peer_cluster, MONITOR, "SELECT session_user", role=other)
        assert run.returncode != 0
        assert f'Peer authentication failed for user "{other}"' in run.stderr
    import psycopg

    with pytest.raises(psycopg.OperationalError, match="Peer authentication failed"):
        psycopg.connect(peer_cluster.login_address(MONITOR))  # root is not daemon either


def test_a_monitors_psql_cannot_change_the_policy(peer_cluster, floor_site):
    run = _psql(peer_cluster, MONITOR, f"UPDATE floor.versions SET data = '{{}}' "
                                       f"WHERE site = '{floor_site}' AND tbl = 'policy'")
    assert run.returncode != 0 and "permission denied for table versions" in run.stderr
    run = _psql(peer_cluster, MONITOR, WRITE.format(site=floor_site, part="ref", tbl="policy",
                                                    key="policy", by=MANAGER).replace(
        ", 1,", ", 2,"))
    assert run.returncode != 0 and "row-level security" in run.stderr
    run = _psql(peer_cluster, MONITOR, WRITE.format(site=floor_site, part=DAY, tbl="punches",
                                                    key="A002/1", by=MONITOR))
    assert run.returncode != 0 and "row-level security" in run.stderr  # not a monitor's
    with connect(peer_cluster.address()) as conn:
        rows = conn.execute("SELECT tbl, v, by FROM floor.versions WHERE site = %s "
                            "ORDER BY tbl", (floor_site,)).fetchall()
    assert rows == [("policy", 1, MANAGER), ("punches", 1, MANAGER)]


def test_a_leads_psql_cannot_read_pay(peer_cluster, floor_site):
    run = _psql(peer_cluster, LEAD, "SELECT data FROM floor_pay.versions")
    assert run.returncode != 0 and "permission denied for schema floor_pay" in run.stderr
    assert "1200" not in run.stdout
    run = _psql(peer_cluster, MANAGER, f"SELECT data->>'base_pay' FROM floor_pay.versions "
                                       f"WHERE site = '{floor_site}'")
    assert (run.returncode, run.stdout.strip()) == (0, "1200")
    run = _psql(peer_cluster, LEAD, WRITE.format(site=floor_site, part=DAY, tbl="punches",
                                                 key="A002/1", by=MANAGER))
    assert run.returncode == 0, run.stderr  # a lead records attendance


def test_the_audit_names_the_os_login(peer_cluster, floor_site):
    run = _psql(peer_cluster, MONITOR, WRITE.format(  # claiming to be the manager
        site=floor_site, part=DAY, tbl="qa_evaluations", key="E1", by=MANAGER))
    assert run.returncode == 0, run.stderr
    with connect(peer_cluster.address()) as conn:
        version = conn.execute("SELECT by FROM floor.versions WHERE site = %s AND key = 'E1'",
                               (floor_site,)).fetchone()
        audit = conn.execute("SELECT by FROM floor.audit WHERE site = %s AND key = 'E1'",
                             (floor_site,)).fetchall()
    assert version == (MONITOR,) and audit == [(MONITOR,)]
    run = _psql(peer_cluster, MONITOR, f"DELETE FROM floor.audit WHERE site = '{floor_site}'")
    assert run.returncode != 0 and "permission denied" in run.stderr


def test_peer_authentication_for_the_user_running_the_tests(peer_cluster):
    """As any user (root included): the current OS login connects as its own role, and as
    a role of another name it is refused."""
    import psycopg

    me, site = _me(), _site()
    if not pg_admin._LOGIN.match(me):
        pytest.skip(f"the OS login {me!r} is not a name floor grants")
    pg_admin.grant(peer_cluster.address(), me, "monitor", site)
    pg_admin.grant(peer_cluster.address(), "floor_peer_other", "manager", site)
    with connect(peer_cluster.login_address(me)) as conn:
        assert conn.execute("SELECT session_user").fetchone() == (me,)
        conn.execute(WRITE.format(site=site, part=DAY, tbl="qa_evaluations", key="E1",
                                  by="floor_peer_other"))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(WRITE.format(site=site, part="ref", tbl="policy", key="policy",
                                      by="floor_peer_other"))
    with pytest.raises(psycopg.OperationalError, match="Peer authentication failed"):
        psycopg.connect(peer_cluster.login_address("floor_peer_other"))
    with connect(peer_cluster.address()) as conn:
        assert conn.execute("SELECT by FROM floor.audit WHERE site = %s",
                            (site,)).fetchall() == [(me,)]
