"""A throwaway PostgreSQL cluster for the tests of the database store (issue #32).

``pg_cluster`` (session scope, one per xdist worker) runs ``initdb`` in a new temporary
directory, starts the server with its socket in that directory and no TCP
(``listen_addresses=''``), runs ``floor db init`` and stops the server at the end of the
session. Nothing is needed by hand: the binaries are found in ``/usr/lib/postgresql/*/bin``
or on ``PATH`` (``.ci/run`` installs Debian's ``postgresql`` when there are none); without them
the database tests are skipped, saying why.

PostgreSQL refuses to run as root. Run as root (CI, containers), the cluster belongs to
``nobody`` (uid 65534 on Debian), the one unprivileged account every such system has: the
directory is made ``0700`` for it and the binaries run under ``setpriv`` with its uid and
gid and no supplementary groups. No other host account or group is used. As any other user,
the cluster is that user's.

Authentication is ``trust`` on the socket: only the cluster's owner (and root) can reach the
socket, inside its ``0700`` directory. A test acts as a floor login by connecting as a login
role made in the cluster (``user=`` in the connection), so ``session_user`` is that login just
as peer authentication makes it on a floor host.

``peer_cluster`` is a second cluster with peer authentication only, as on a floor host
(``local all all peer``): the OS account a connection comes from is the only role it may be,
checked by the kernel. Its socket directory is ``0711`` so other accounts reach the socket
(the data directory stays ``0700``). A user map lets the account that runs the tests (and the
cluster's owner) be ``floor_admin`` too, the schema's owner; every other account is only its
own name. tests/store/test_db_peer.py connects from real OS accounts through it.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ADMIN = "floor_admin"  # the cluster's superuser, owner of the floor schema
# logins the tests use, with every floor right at every site (the suite's users)
TEST_LOGINS = ("tester", "alice", "bob")


def server_bindir() -> Path | None:
    """A directory with initdb, pg_ctl and postgres, the newest version first."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                        else 0, reverse=True)
    for found in candidates + [str(Path(p).parent) for p in
                               filter(None, [shutil.which("initdb")])]:
        if all((Path(found) / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return Path(found)
    return None


@dataclass
class Cluster:
    bindir: Path
    socket_dir: Path
    database: str = "floor"

    def address(self, database: str | None = None) -> str:
        return f"postgresql:///{database or self.database}?host={self.socket_dir}&user={ADMIN}"

    def login_address(self, login: str, database: str | None = None) -> str:
        return f"postgresql:///{database or self.database}?host={self.socket_dir}&user={login}"


def _as_owner() -> tuple[list[str], int | None, int | None]:
    """The command prefix to run the server's binaries as a non-root owner."""
    if os.geteuid() != 0:
        return [], None, None
    if not shutil.which("setpriv"):
        pytest.skip("running as root, the test cluster needs setpriv (util-linux) to run "
                    "PostgreSQL as nobody")
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root, the test cluster runs as nobody: there is no such "
                    "account here")
    return (["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}",
             "--clear-groups"], nobody.pw_uid, nobody.pw_gid)


def _peer_only(data: Path, owner: str, uid: int | None, gid: int | None) -> None:
    """pg_hba.conf and pg_ident.conf of a cluster with peer authentication only: each OS
    account is the role of its name; the account running the tests and the cluster's owner
    may also be floor_admin."""
    me = pwd.getpwuid(os.geteuid()).pw_name
    admins = sorted({me, owner})
    (data / "pg_hba.conf").write_text("local all all peer map=floor\n")
    (data / "pg_ident.conf").write_text(
        "".join(f"floor {name} {ADMIN}\n" for name in admins) + "floor /^(.*)$ \\1\n")
    for name in ("pg_hba.conf", "pg_ident.conf"):
        if uid is not None:
            os.chown(data / name, uid, gid)
        os.chmod(data / name, 0o600)


def start_cluster(peer: bool = False) -> tuple[Cluster, Path, list[str]]:
    bindir = server_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl, postgres): "
                    "install Debian's postgresql (.ci/run does)")
    prefix, uid, gid = _as_owner()
    # /tmp itself: the owner must reach its directory (a root-only $TMPDIR would not do) and
    # a socket's path must stay short
    home = Path(tempfile.mkdtemp(prefix="floor-pg-", dir="/tmp" if uid is not None else None))
    if uid is not None:
        os.chown(home, uid, gid)
    # peer: other accounts reach the socket (but cannot list the directory)
    os.chmod(home, 0o711 if peer else 0o700)
    data = home / "data"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}
    subprocess.run(prefix + [str(bindir / "initdb"), "-D", str(data), "-U", ADMIN,
                             "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"],
                   check=True, capture_output=True, env=env, cwd=home)
    if peer:
        _peer_only(data, pwd.getpwuid(uid if uid is not None else os.geteuid()).pw_name,
                   uid, gid)
    options = (f"-k {home} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
               f"-c full_page_writes=off -c max_connections=60")
    run = subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-s",
                                   "-l", str(home / "log"), "-o", options, "start"],
                         capture_output=True, env=env, cwd=home)
    if run.returncode != 0:
        log = (home / "log").read_text(errors="replace") if (home / "log").exists() else ""
        raise RuntimeError(f"the test cluster did not start: {run.stderr!r} {log[-2000:]}")
    _watch(home, prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-s", "-m", "immediate",
                           "stop"], env)
    cluster = Cluster(bindir, home)
    subprocess.run([str(bindir / "createdb"), "-h", str(home), "-U", ADMIN, cluster.database],
                   check=True, capture_output=True, env=env)
    return cluster, home, prefix


# A test run that is killed (kill -9, a timeout, a closed terminal) runs no finalizer: a
# watchdog of each cluster, in a session of its own, waits for the end of a pipe that only
# this process holds, then stops the cluster and removes its directory — no cluster outlives
# the run that started it.
_WATCHDOG = ("import shutil, subprocess, sys\n"
             "sys.stdin.buffer.read()\n"
             "subprocess.run(sys.argv[2:], capture_output=True)\n"
             "shutil.rmtree(sys.argv[1], ignore_errors=True)\n")
_watchdogs: dict[Path, subprocess.Popen] = {}


def _watch(home: Path, stop: list[str], env: dict[str, str]) -> None:
    _watchdogs[home] = subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(home), *stop],
                                        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, cwd="/", env=env,
                                        start_new_session=True)


def stop_cluster(home: Path, bindir: Path, prefix: list[str]) -> None:
    subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(home / "data"), "-s", "-m",
                             "immediate", "stop"], capture_output=True, cwd=home)
    shutil.rmtree(home, ignore_errors=True)
    watchdog = _watchdogs.pop(home, None)
    if watchdog is not None:
        watchdog.stdin.close()  # it finds the cluster stopped and gone
        watchdog.wait()


@pytest.fixture(scope="session")
def pg_cluster():
    """A running throwaway cluster with the floor schema and the test logins."""
    cluster, home, prefix = start_cluster()
    try:
        from store import pg_admin

        pg_admin.init(cluster.address())
        for login in TEST_LOGINS:
            for role in ("manager", "pay"):
                pg_admin.grant(cluster.address(), login, role)
        yield cluster
    finally:
        stop_cluster(home, cluster.bindir, prefix)


@pytest.fixture(scope="session")
def peer_cluster():
    """A running throwaway cluster with peer authentication only and the floor schema."""
    cluster, home, prefix = start_cluster(peer=True)
    try:
        from store import pg_admin

        pg_admin.init(cluster.address())
        yield cluster
    finally:
        stop_cluster(home, cluster.bindir, prefix)


_sites = itertools.count(1)


@pytest.fixture
def pg_site(pg_cluster: Cluster) -> str:
    """A site of its own for one test: the database is shared, the floors are not."""
    return f"t{os.getpid()}-{next(_sites)}"
