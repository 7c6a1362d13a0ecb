"""The store's smaller promises (issue #31 item 6): killed writes leave no temp files for good,
the lock note names the OS account, the audit's "when" is the real clock, a backup is refused
past a stated size before it is expanded, the demo's exports are shared like the store."""

from __future__ import annotations

import gzip
import io
import os
import pwd
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from store import Store, StoreError, backup, doctor, locking

ROOT = Path(__file__).resolve().parents[2]
DAY = "day/2026-11-20"


def floor(store: Path, *args: str, env: dict | None = None, umask: int | None = None
          ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "floor.py"), "--store", str(store), *args],
                          capture_output=True, text=True, env=dict(os.environ, **(env or {})),
                          timeout=120,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)


# ------------------------------------------------------------------------- temp files
def test_temp_files_of_killed_writes_are_removed_by_the_next_command(tmp_path: Path) -> None:
    store = Store(tmp_path / "s").open()
    with store.transaction() as tx:
        tx.put(DAY, "calls", "A001", {"completed": 1})
        tx.put("day/2026-11-21", "calls", "A001", {"completed": 2})
    root = store.root
    left = [root / ".ref.json.k3j_x9qa.tmp", root / "days" / "2026" / ".2026-11-20.json."
            "0123456789ab.tmp", root / "rosters" / ".2026-12.json.abcdefgh.tmp"]
    (root / "rosters").mkdir()
    for path in left:
        path.write_text('{"half": ')
    theirs = root / "days" / "2026" / "notes.tmp"  # not a temp name of floor's: kept
    theirs.write_text("x")
    found = {f.path for f in doctor.examine(root, 99) if "leftover temporary" in f.message}
    assert found == {str(p) for p in left}
    Store(root).open()  # the next command, holding the lock
    assert not [p for p in left if p.exists()] and theirs.exists()
    assert not [f for f in doctor.examine(root, 99) if "leftover temporary" in f.message]


# -------------------------------------------------------------------------- lock note
HOLDER = """
import sys, time
sys.path.insert(0, {root!r})
from store import locking
with locking.locked({store!r}):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes it
"""


def test_the_lock_note_names_the_os_account_not_logname(tmp_path: Path) -> None:
    store = Store(tmp_path / "s").open()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER.format(root=str(ROOT), store=str(store.root))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env=dict(os.environ, LOGNAME="mallory", USER="mallory"))
    try:
        assert holder.stdout.readline().strip() == "held"
        account = pwd.getpwuid(os.geteuid()).pw_name
        assert locking.lock_holder(store.root)["user"] == account
        staff = tmp_path / "staff.csv"  # a write waits for the lock (opening does not)
        staff.write_text("id,name,role,team,hired,base_pay\nA001,Li,agent,T01,2020-01-01,1200\n")
        waited = floor(store.root, "import", "staff", str(staff),
                       env={"FLOOR_LOCK_TIMEOUT": "0"})
        assert waited.returncode == 2 and f"held by {account} (process {holder.pid}" in \
            waited.stderr
        assert "mallory" not in waited.stderr
    finally:
        holder.stdin.close()
        holder.wait()


# ------------------------------------------------------------------------------ audit
def test_the_audit_when_is_the_real_clock_floor_now_pins_only_the_floor(tmp_path: Path
                                                                        ) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text("id,name,role,team,hired,base_pay\nA001,Li Wei,agent,T01,2000-01-01,1200\n")
    pinned = "2001-02-03T10:00:00"
    done = floor(tmp_path / "s", "import", "staff", str(staff), env={"FLOOR_NOW": pinned})
    assert done.returncode == 0, done.stderr
    store = Store(tmp_path / "s")
    entry = store.audit("ref")[-1]
    assert entry["table"] == "staff" and not entry["at"].startswith("2001-02-03")
    assert entry["at"].endswith("+00:00")  # the host's real time, in UTC
    # what the floor shows (the record's own stamp, its business date) is the pinned one
    assert store.get("ref", "staff", "A001")["_at"].startswith("2001-02-03T10:00:00")


# ----------------------------------------------------------------------- bounded input
def _backup(path: Path, members: dict[str, int]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, size in members.items():
            info = tarfile.TarInfo(name)
            info.size = size
            tar.addfile(info, io.BytesIO(b"{" + b" " * max(size - 2, 0) + b"}"))
    return path


def test_a_backup_past_the_size_of_a_file_is_refused_before_it_is_expanded(
        tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(backup, "MAX_MEMBER_BYTES", 1 << 20)
    archive = _backup(tmp_path / "b.tar.gz", {"meta.json": 20, "days/2026/2026-11-20.json":
                                              (1 << 20) + 1})
    with pytest.raises(StoreError, match="too big to be a floor backup") as raised:
        backup.restore(archive, tmp_path / "new")
    assert "'days/2026/2026-11-20.json' is 1,048,577 bytes" in str(raised.value)
    assert not (tmp_path / "new").exists()


def test_a_backup_past_the_size_in_all_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(backup, "MAX_BACKUP_BYTES", 1 << 20)
    archive = _backup(tmp_path / "b.tar.gz", {"meta.json": 20, **{
        f"days/2026/2026-11-{n:02d}.json": 400_000 for n in range(1, 4)}})
    with pytest.raises(StoreError, match="nothing restored"):
        backup.restore(archive, tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_a_small_backup_declaring_a_huge_file_is_refused_at_once(tmp_path: Path) -> None:
    """A 1.5 MB backup that expands to 1.5 GB: its header says so before any of it is read."""
    info = tarfile.TarInfo("days/2026/2026-11-20.json")
    info.size = 1_500_000_000
    meta = tarfile.TarInfo("meta.json")
    meta.size = 2
    raw = meta.tobuf() + b"{}".ljust(512, b"\0") + info.tobuf() + b"\0" * 1_500_000
    bomb = tmp_path / "bomb.tar.gz"
    bomb.write_bytes(gzip.compress(raw))
    assert bomb.stat().st_size < 100_000
    result = floor(tmp_path / "unused", "restore", str(bomb), str(tmp_path / "new"))
    assert result.returncode == 2 and "too big to be a floor backup" in result.stderr
    assert "1,500,000,000 bytes" in result.stderr
    assert not (tmp_path / "new").exists()


# ------------------------------------------------------------------------------- demo
def test_the_demos_exports_are_shared_like_the_store(tmp_path: Path) -> None:
    store = tmp_path / "s"
    done = floor(store, "demo", "--seats", "2", "--days", "2", umask=0o077)
    assert done.returncode == 0, done.stderr
    exports = store / "exports"
    assert stat.S_IMODE(exports.stat().st_mode) == 0o2770
    assert {stat.S_IMODE(p.stat().st_mode) for p in exports.iterdir()} == {0o660}
