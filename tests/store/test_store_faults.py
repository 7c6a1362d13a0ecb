"""The store's promises under faults (SPEC §3 rev. 12-2026), with real processes: a restrictive
umask and a second OS user of the group, a full disk (injected ENOSPC and a small tmpfs), damaged
journals, a held lock, wrong-shape JSON, backups and restore, a 16k-row staff import."""

from __future__ import annotations

import errno
import grp
import hashlib
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import pytest

from store import Store, atomic, files
from store import journal as store_journal
from store.errors import StoreError

ROOT = Path(__file__).resolve().parents[2]
PEER, GROUP = "i15peer", "i15floor"

STAFF_CSV = ("id,name,role,team,hired,base_pay\n"
             "A001,Li Wei,agent,T01,2024-01-01,1200\n"
             "A002,王芳,agent,T01,2024-01-01,1200\n")
ATTENDANCE_CSV = ("staff_id,date,period,in,out,reason\n"
                  "A001,2026-11-18,1,08:00,,\n"
                  "A001,2026-11-19,1,08:05,,\n")


def floor(store: Path, *args: str, umask: int | None = None, user: str | None = None,
          env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real `floor` command (as another OS user and/or under a umask)."""
    command = [sys.executable, str(ROOT / "floor.py"), "--store", str(store), *args]
    if user:
        command = ["setpriv", f"--reuid={user}", f"--regid={GROUP}", "--init-groups", *command]
    full_env = dict(os.environ, **(env or {}))
    if user:
        full_env["HOME"] = str(store.parent)
    return subprocess.run(command, capture_output=True, text=True, env=full_env, timeout=timeout,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stderr
    return result


def refused(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    return result.stderr


def fill(store: Path, tmp: Path, **kw) -> None:
    (tmp / "staff.csv").write_text(STAFF_CSV, encoding="utf-8")
    (tmp / "att.csv").write_text(ATTENDANCE_CSV, encoding="utf-8")
    ok(floor(store, "import", "staff", str(tmp / "staff.csv"), **kw))
    ok(floor(store, "import", "attendance", str(tmp / "att.csv"), **kw))  # two days: a journal


def modes(root: Path) -> dict[str, int]:
    """The mode of everything in the store but the users' own caches (``.cache/<uid>/``,
    0700 and 0600 by design, checked by ``private_caches``)."""
    out = {}
    for path in [root, *root.rglob("*")]:
        rel = path.relative_to(root)
        if rel.parts[:1] == (files.CACHE_DIR,) and len(rel.parts) > 1:
            continue
        out[str(rel)] = stat.S_IMODE(path.lstat().st_mode)
    return out


def private_caches(root: Path) -> None:
    for path in (root / files.CACHE_DIR).glob("*/**/*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.lstat().st_mode) == expected, path


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files.data_files(root)}


# ------------------------------------------------------------------ permissions
def test_every_directory_2770_and_file_0660_under_umask_077(tmp_path: Path) -> None:
    store = tmp_path / "s"
    fill(store, tmp_path, umask=0o077)
    ok(floor(store, "backup", umask=0o077))
    ok(floor(store, "roster", "generate", "--month", "2026-12", umask=0o077))
    found = modes(store)
    for name in ("days", "days/2026", "rosters", "backups"):
        assert found[name] == 0o2770, (name, oct(found[name]))
    for name, mode in found.items():
        if (store / name).is_file():
            assert mode == 0o660, (name, oct(mode))
    private_caches(store)


def test_a_journal_directory_is_2770_and_its_files_0660(tmp_path: Path, monkeypatch) -> None:
    store = Store(tmp_path / "s").open()
    monkeypatch.setattr(store_journal, "_apply", lambda root, name, checked: None)  # "killed" here
    old = os.umask(0o077)
    try:
        with store.transaction() as tx:
            tx.put("day/2026-11-18", "calls", "A001", {"completed": 1})
            tx.put("day/2026-11-19", "calls", "A001", {"completed": 2})
    finally:
        os.umask(old)
    (journal,) = (store.root / files.JOURNAL_DIR).iterdir()
    assert stat.S_IMODE(journal.stat().st_mode) == 0o2770
    assert stat.S_IMODE((store.root / files.JOURNAL_DIR).stat().st_mode) == 0o2770
    assert {stat.S_IMODE(p.stat().st_mode) for p in journal.iterdir()} == {0o660}


@pytest.fixture
def shared_dir():
    """A group-owned 2770 directory under /tmp (pytest's tmp dirs are 0700) and a second OS
    user in the group. Needs root (useradd, setpriv)."""
    if os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("setpriv"):
        pytest.skip("needs root with useradd and setpriv to make a second OS user")
    try:
        grp.getgrnam(GROUP)
    except KeyError:
        subprocess.run(["groupadd", GROUP], check=True)
    try:
        pwd.getpwnam(PEER)
    except KeyError:
        subprocess.run(["useradd", "-M", "-G", GROUP, PEER], check=True)
    base = Path(tempfile.mkdtemp(prefix="i15-shared-", dir="/tmp"))
    os.chmod(base, 0o755)
    store = base / "store"
    store.mkdir()
    shutil.chown(store, group=GROUP)
    os.chmod(store, 0o2770)
    yield store
    shutil.rmtree(base, ignore_errors=True)


def test_a_second_supervisor_in_the_group_can_do_everything(shared_dir: Path) -> None:
    store = shared_dir
    work = store.parent
    os.chmod(work, 0o755)
    # the first supervisor (root here) works under a restrictive umask
    fill(store, work, umask=0o077)
    ok(floor(store, "backup", umask=0o077))
    for path in [store, *store.rglob("*")]:
        assert path.stat().st_gid == grp.getgrnam(GROUP).gr_gid, path
    # the second one, another OS user in the group, under the same umask
    peer = dict(user=PEER, umask=0o077)
    more = work / "more.csv"
    more.write_text("staff_id,date,period,in,out,reason\n"
                    "A002,2026-11-18,1,08:10,,\nA002,2026-11-19,1,08:20,,\n", encoding="utf-8")
    os.chmod(more, 0o644)
    for name in ("staff.csv", "att.csv"):
        os.chmod(work / name, 0o644)
    ok(floor(store, "import", "attendance", str(more), **peer))
    ok(floor(store, "import", "staff", str(work / "staff.csv"), **peer))
    ok(floor(store, "report", "day", "--date", "2026-11-19", **peer))
    ok(floor(store, "report", "month", "--month", "2026-11", **peer))
    ok(floor(store, "roster", "generate", "--month", "2026-12", **peer))
    ok(floor(store, "backup", **peer))
    assert "error" not in ok(floor(store, "doctor", **peer)).stdout
    # and the first one can still write what the second one created
    ok(floor(store, "roster", "generate", "--month", "2026-12", "--replace", umask=0o077))
    for name, mode in modes(store).items():
        if (store / name).is_dir():
            assert mode == 0o2770, (name, oct(mode))
        else:
            assert mode == 0o660, (name, oct(mode))


# ------------------------------------------------------------- wrong-shape JSON
@pytest.mark.parametrize("name,content", [
    ("days/2026/2026-11-19.json", {"calls": 5}),
    ("days/2026/2026-11-19.json", {"calls": {"1": {"key": "A001", "v": "1", "data": {}}}}),
    ("ref.json", {"staff": 5}),
    ("ref.json", {"staff": {"1": {"key": "A001", "v": 1}}}),
], ids=["table-not-object", "version-not-int", "ref-table-not-object", "record-without-data"])
def test_valid_json_of_the_wrong_shape_is_corrupt(tmp_path: Path, name: str, content) -> None:
    store = tmp_path / "s"
    fill(store, tmp_path)
    bad = store / name
    bad.write_text(json.dumps(content))
    before = bad.read_bytes()
    doctor = floor(store, "doctor")
    assert doctor.returncode == 2 and f"{bad}: has the wrong shape" in doctor.stdout
    if name == "ref.json":
        refused(floor(store, "report", "staff"), str(bad), "wrong shape")
        refused(floor(store, "import", "staff", str(tmp_path / "staff.csv")), str(bad))
    else:
        refused(floor(store, "report", "day", "--date", "2026-11-19"), str(bad), "wrong shape")
        refused(floor(store, "import", "attendance", str(tmp_path / "att.csv")), str(bad))
    assert bad.read_bytes() == before
    # the app's store reads around it: the file is a problem, the rest is readable
    lenient = Store(store, strict=False).open()
    partition = "ref" if name == "ref.json" else "day/2026-11-19"
    assert lenient.records(partition, "staff" if partition == "ref" else "calls") == []
    assert str(bad) in lenient.problems
    if partition != "ref":
        assert lenient.records("day/2026-11-18", "punches")


# ------------------------------------------------------------------- disk full
def _enospc_after(monkeypatch, calls: int):
    """Every file written after the first ``calls`` (the lock's holder note aside) meets a
    full disk."""
    real = atomic.stage
    count = {"n": 0}

    def failing(root, rel, data, group=None, **kw):
        if str(rel) != files.LOCK_HOLDER:
            count["n"] += 1
            if count["n"] > calls:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(rel))
        return real(root, rel, data, group, **kw)

    monkeypatch.setattr(atomic, "stage", failing)
    return lambda: monkeypatch.setattr(atomic, "stage", real)  # the space is back


@pytest.mark.parametrize("calls", [0, 1, 3, 4, 5],
                         ids=["journal-file", "second-journal-file", "commit-marker",
                              "first-apply", "second-apply"])
def test_disk_full_says_so_exits_2_and_tears_nothing(tmp_path: Path, monkeypatch, capsys,
                                                     calls: int) -> None:
    from floorapp.cli.main import run

    store = tmp_path / "s"
    fill(store, tmp_path)
    before = snapshot(store)
    (tmp_path / "att2.csv").write_text("staff_id,date,period,in,out,reason\n"
                                       "A002,2026-11-18,1,08:10,,\nA002,2026-11-19,1,08:20,,\n")
    space_back = _enospc_after(monkeypatch, calls)
    assert run(["--store", str(store), "import", "attendance", str(tmp_path / "att2.csv")]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "internal error" not in err
    committed = calls >= 4  # the marker is the 4th write: after it, the change is kept
    # every file is whole (old or new) and, with the space back, the next command finishes it
    space_back()
    assert run(["--store", str(store), "report", "day", "--date", "2026-11-19",
                "--format", "json"]) == 0
    after = snapshot(store)
    for name, data in after.items():
        json.loads(data)
    changed = {n for n in after if after[n] != before.get(n)}
    if committed:
        assert {"days/2026/2026-11-18.json", "days/2026/2026-11-19.json"} <= changed
    else:
        assert changed == set()
        assert not any((store / files.JOURNAL_DIR).iterdir())


def _disk_fills_at_day_file(monkeypatch, nth: int):
    """The disk fills while the ``nth`` new day file is being put in place: its fsync fails
    (where a full disk shows on a filesystem that allocates late), whatever writes it."""
    real = os.fsync
    seen = {"n": 0}

    def fsync(fd: int) -> None:
        try:
            name = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            name = ""
        parts = Path(name).parts
        if "days" in parts and files.JOURNAL_DIR not in parts and parts[-1].endswith(".tmp"):
            seen["n"] += 1
            if seen["n"] >= nth:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return lambda: monkeypatch.setattr(os, "fsync", real)  # the space is back


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name an fd")
@pytest.mark.parametrize("nth", [1, 2, 3], ids=["first-day", "second-day", "third-day"])
def test_a_multi_file_import_is_seen_all_at_once_or_not_at_all_when_the_disk_fills(
        tmp_path: Path, monkeypatch, capsys, nth: int) -> None:
    """Issue #31 item 5: with 300 KB free an import said "nothing was torn" while 4 of 10 day
    files were already replaced. Readers right after the failure see every file old."""
    from floorapp.cli.main import run

    store = tmp_path / "s"
    fill(store, tmp_path)
    before = snapshot(store)
    (tmp_path / "att3.csv").write_text("staff_id,date,period,in,out,reason\n"
                                       "A002,2026-11-17,1,08:10,,\nA002,2026-11-18,1,08:10,,\n"
                                       "A002,2026-11-19,1,08:20,,\n")
    space_back = _disk_fills_at_day_file(monkeypatch, nth)
    assert run(["--store", str(store), "import", "attendance", str(tmp_path / "att3.csv")]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "internal error" not in err
    assert "nothing of it shows yet" in err and "the next command finishes it" in err
    assert snapshot(store) == before  # not one day file of the import is visible yet
    space_back()
    # the space is back: the next command finishes the change, every file new at once
    assert run(["--store", str(store), "report", "day", "--date", "2026-11-19"]) == 0
    after = snapshot(store)
    assert {n for n in after if after[n] != before.get(n)} == {
        "days/2026/2026-11-17.json", "days/2026/2026-11-18.json", "days/2026/2026-11-19.json"}


def test_a_committed_journal_that_cannot_be_applied_leaves_commands_working(
        tmp_path: Path, monkeypatch, capsys) -> None:
    from floorapp.cli.main import run

    store = tmp_path / "s"
    fill(store, tmp_path)
    (tmp_path / "att2.csv").write_text("staff_id,date,period,in,out,reason\n"
                                       "A002,2026-11-18,1,08:10,,\nA002,2026-11-19,1,08:20,,\n")
    _enospc_after(monkeypatch, 4)
    assert run(["--store", str(store), "import", "attendance", str(tmp_path / "att2.csv")]) == 2
    # still full: reads and doctor work; a write says why it cannot be done
    capsys.readouterr()
    assert run(["--store", str(store), "report", "day", "--date", "2026-11-19"]) == 0
    assert run(["--store", str(store), "doctor"]) == 0
    assert "committed change not yet finished" in capsys.readouterr().out
    assert run(["--store", str(store), "import", "staff", str(tmp_path / "staff.csv")]) == 2
    assert "No space left" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_real_full_disk_small_tmpfs(tmp_path: Path) -> None:
    mount = Path(tempfile.mkdtemp(prefix="i15-tmpfs-", dir="/tmp"))
    try:
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                          capture_output=True).returncode != 0:
            pytest.skip("cannot mount a tmpfs here")
        store = mount / "s"
        fill(store, tmp_path)
        before = snapshot(store)
        big = tmp_path / "big.csv"
        rows = [f"A{n:05d},Person {n} {'x' * 60},agent,T01,2024-01-01,1200" for n in range(4000)]
        big.write_text("id,name,role,team,hired,base_pay\n" + "\n".join(rows) + "\n")
        err = refused(floor(store, "import", "staff", str(big)), "No space left on device")
        assert str(store) in err
        assert snapshot(store) == before  # nothing torn, nothing half-imported
        ok(floor(store, "report", "staff"))
        assert "error" not in floor(store, "doctor").stdout
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
        shutil.rmtree(mount, ignore_errors=True)


# -------------------------------------------------------------- damaged journals
def _journal(store: Path, name: str, target: str, body: bytes, **damage) -> Path:
    journal = store / files.JOURNAL_DIR / name
    journal.mkdir(parents=True)
    (journal / "0.json").write_bytes(body)
    entry = {"target": target, "file": "0.json", "size": len(body),
             "sha256": hashlib.sha256(body).hexdigest()}
    entry.update(damage.get("entry", {}))
    manifest = damage.get("manifest", json.dumps([entry]))
    (journal / "manifest.json").write_text(manifest)
    if damage.get("truncate"):
        (journal / "0.json").write_bytes(body[: len(body) // 2])
    if damage.get("missing"):
        (journal / "0.json").unlink()
    (journal / "COMMITTED").write_text("1")
    return journal


GOOD_REF = json.dumps({"staff": {"1": {"key": "Z001", "v": 1, "at": "", "by": "", "data": {"id": "Z001",
    "name": "z", "role": "agent", "team": "", "hired": "2024-01-01", "base_pay": "1",
    "seat": ""}}}}).encode()


@pytest.mark.parametrize("damage", [
    {"missing": True}, {"truncate": True}, {"manifest": '[{"target": "ref.json"'},
    {"manifest": "{}"}, {"entry": {"sha256": "0" * 64}}, {"entry": {"target": "../../x.json"}},
    {"entry": {"target": "/tmp/x.json"}}, {"entry": {"target": "days/../../x.json"}},
], ids=["file-missing", "file-truncated", "manifest-broken", "manifest-not-a-list",
        "checksum-differs", "path-dotdot", "path-absolute", "path-inside-dotdot"])
def test_a_damaged_journal_is_never_applied(tmp_path: Path, damage: dict) -> None:
    store = tmp_path / "s"
    fill(store, tmp_path)
    before = snapshot(store)
    journal = _journal(store, "0001", "ref.json", GOOD_REF, **damage)
    doctor = floor(store, "doctor")
    assert doctor.returncode == 2 and "damaged committed journal" in doctor.stdout
    assert journal.exists()  # doctor only reads
    ok(floor(store, "report", "staff"))
    ok(floor(store, "import", "staff", str(tmp_path / "staff.csv")))
    after = snapshot(store)
    assert after["ref.json"] == before["ref.json"] or b"Z001" not in after["ref.json"]
    assert not (tmp_path / "x.json").exists() and not Path("/tmp/x.json").exists()
    assert not journal.exists()
    assert (store / files.DAMAGED_JOURNAL_DIR / "0001" / "manifest.json").exists()
    assert "set aside" in floor(store, "doctor").stdout


def test_a_whole_checksummed_journal_is_finished(tmp_path: Path) -> None:
    store = tmp_path / "s"
    fill(store, tmp_path)
    _journal(store, "0001", "ref.json", GOOD_REF)
    assert "not yet finished" in floor(store, "doctor").stdout
    assert "Z001" in ok(floor(store, "report", "staff")).stdout


# -------------------------------------------------------------------------- doctor
def test_doctor_only_reads(tmp_path: Path) -> None:
    mistyped = tmp_path / "no-such-store"
    refused_out = floor(mistyped, "doctor")
    assert refused_out.returncode == 2 and "does not exist" in refused_out.stdout
    assert not mistyped.exists()
    store = tmp_path / "s"
    fill(store, tmp_path)
    (store / "meta.json").unlink()
    result = floor(store, "doctor")
    assert result.returncode == 2 and "meta.json: missing" in result.stdout
    assert not (store / "meta.json").exists()
    # and the other commands do not recreate it either: read-only, saying why
    refused(floor(store, "import", "staff", str(tmp_path / "staff.csv")), "meta.json is missing")
    assert not (store / "meta.json").exists()


@pytest.mark.parametrize("schema", [0, "1", None, True, 99],
                         ids=["schema-0", "schema-string", "schema-null", "schema-bool",
                              "schema-newer"])
def test_doctor_names_a_bad_schema(tmp_path: Path, schema) -> None:
    store = tmp_path / "s"
    fill(store, tmp_path)
    (store / "meta.json").write_text(json.dumps({"schema": schema}))
    result = floor(store, "doctor")
    assert result.returncode == 2, result.stdout
    assert "meta.json" in result.stdout and "Traceback" not in result.stderr
    ok(floor(store, "report", "staff"))  # reads still work
    refused(floor(store, "import", "staff", str(tmp_path / "staff.csv")), "read-only")


# ------------------------------------------------------------------------ backups
def test_backup_into_the_store_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "s"
    fill(store, tmp_path)
    before = snapshot(store)
    for dest in (store / "ref.json", store, store / "days" / "2026"):
        refused(floor(store, "backup", "--to", str(dest)), "inside the store")
    assert snapshot(store) == before


def test_backups_keep_each_one_and_restore_into_an_empty_dir(tmp_path: Path) -> None:
    store = tmp_path / "s"
    fill(store, tmp_path)
    first = Path(ok(floor(store, "backup", "--to", str(tmp_path))).stdout.split(": ", 1)[1]
                 .strip())
    second = Path(ok(floor(store, "backup", "--to", str(tmp_path))).stdout.split(": ", 1)[1]
                  .strip())
    assert first != second and first.exists() and second.exists()
    with tarfile.open(first) as tar:
        assert "days/2026/2026-11-19.json" in tar.getnames()
    restored = tmp_path / "restored"
    result = ok(floor(tmp_path / "unused", "restore", str(second), str(restored)))
    assert "error" not in result.stdout
    assert snapshot(restored) == {k: v for k, v in snapshot(store).items()
                                  if not k.startswith("backups")}
    assert "Li Wei" in ok(floor(restored, "report", "staff")).stdout
    refused(floor(tmp_path / "unused", "restore", str(second), str(restored)), "not an empty")


def test_a_linked_year_is_not_followed_named_by_doctor_and_left_out_of_backups(
        tmp_path: Path) -> None:
    """A year moved to another disk and linked back is a link inside the store: floor does
    not follow it (SPEC §3 rev. 12-2026b); doctor names it, a report of it names it."""
    store = tmp_path / "s"
    fill(store, tmp_path)
    elsewhere = tmp_path / "disk2" / "2026"
    elsewhere.parent.mkdir()
    shutil.move(store / "days" / "2026", elsewhere)
    (store / "days" / "2026").symlink_to(elsewhere, target_is_directory=True)
    doctor = floor(store, "doctor")
    assert doctor.returncode == 2
    assert f"{store / 'days' / '2026'}: is a symbolic link, not a directory" in doctor.stdout
    refused(floor(store, "report", "day", "--date", "2026-11-19"), str(store / "days" / "2026"),
            "symbolic link")
    backup = Path(ok(floor(store, "backup", "--to", str(tmp_path))).stdout.split(": ", 1)[1]
                  .strip())
    with tarfile.open(backup) as tar:
        assert not [n for n in tar.getnames() if n.startswith("days/")]


def test_restore_refuses_an_archive_with_foreign_paths(tmp_path: Path) -> None:
    evil = tmp_path / "evil.tar.gz"
    payload = tmp_path / "payload"
    payload.write_text("{}")
    with tarfile.open(evil, "w:gz") as tar:
        tar.add(payload, arcname="meta.json")
        tar.add(payload, arcname="../escape.json")
    refused(floor(tmp_path / "x", "restore", str(evil), str(tmp_path / "new")),
            "not a store file")
    assert not (tmp_path / "new").exists() and not (tmp_path / "escape.json").exists()


# ------------------------------------------------------------------------- lock
HOLDER = """
import sys, time
sys.path.insert(0, {root!r})
from store import locking
with locking.locked({store!r}):
    print("held", flush=True)
    time.sleep(30)
"""


def test_a_long_lock_wait_names_the_holder_and_exits_2(tmp_path: Path) -> None:
    store = tmp_path / "s"
    fill(store, tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER.format(root=str(ROOT),
                                                                   store=str(store))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        err = refused(floor(store, "import", "staff", str(tmp_path / "staff.csv"),
                            env={"FLOOR_LOCK_TIMEOUT": "1"}), "store is busy",
                      f"process {holder.pid}")
        assert "Timeout" not in err
        # a reader does not wait for the writer (issue #31)
        ok(floor(store, "report", "staff", env={"FLOOR_LOCK_TIMEOUT": "1"}))
        assert time.monotonic() - started < 25
    finally:
        holder.kill()
        holder.wait()
    ok(floor(store, "import", "staff", str(tmp_path / "staff.csv")))


# ---------------------------------------------------------------------- import size
def test_a_16k_row_staff_import_takes_seconds(tmp_path: Path) -> None:
    big = tmp_path / "staff16k.csv"
    rows = [f"A{n:05d},Person {n},agent,T{n % 40:02d},2024-01-01,1200" for n in range(16000)]
    big.write_text("id,name,role,team,hired,base_pay\n" + "\n".join(rows) + "\n")
    store = tmp_path / "s"
    started = time.monotonic()
    ok(floor(store, "import", "staff", str(big)))
    first = time.monotonic() - started
    started = time.monotonic()
    ok(floor(store, "import", "staff", str(big)))  # again: every row compared, none changed
    again = time.monotonic() - started
    # quadratic took 83 s for the first; linear is a few seconds (loose bound: a loaded CI box)
    assert first < 45 and again < 45, (first, again)
