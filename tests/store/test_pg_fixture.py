"""The suite's throwaway PostgreSQL cluster (tests/pg.py) never outlives the run that started
it, even one killed without running its finalizers (kill -9, a timeout)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pg import server_bindir

ROOT = Path(__file__).resolve().parents[2]
STARTS = ("import sys\n"
          "from tests.pg import start_cluster\n"
          "cluster, home, prefix = start_cluster()\n"
          "print(home, flush=True)\n"
          "sys.stdin.read()\n")


def _postmaster(home: Path) -> int | None:
    pid = home / "data" / "postmaster.pid"
    try:
        return int(pid.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another owner's (nobody's): it exists
        return True
    return True


@pytest.mark.skipif(server_bindir() is None, reason="no PostgreSQL server binaries")
def test_a_killed_run_leaves_no_cluster_behind() -> None:
    run = subprocess.Popen([sys.executable, "-c", STARTS], cwd=ROOT, stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)
    home = Path(run.stdout.readline().strip())
    postmaster = _postmaster(home)
    assert postmaster is not None and _alive(postmaster)
    run.send_signal(signal.SIGKILL)  # no finalizer, no atexit
    run.wait()
    deadline = time.monotonic() + 60
    while (home.exists() or _alive(postmaster)) and time.monotonic() < deadline:
        time.sleep(0.1)  # the watchdog's pg_ctl stop, outside this process
    assert not _alive(postmaster), "the killed run's cluster is still running"
    assert not home.exists(), f"{home} was left behind"
