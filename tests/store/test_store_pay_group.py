"""Pay stays the pay group's, and the cache cannot change a figure (issue #31 item 2).

The pay group is named by ``$FLOOR_PAY_GROUP`` (conftest names one the host does not have);
a test that needs one names the test process's own group, so nothing here depends on the
host's groups or accounts."""

from __future__ import annotations

import grp
import hashlib
import json
import os
import stat
import tarfile
from pathlib import Path

import pytest

from floorapp.cli.main import run
from floorapp.services.digests import CAMPAIGN_SUMS
from store import CorruptFileError, Store, files
from tests.services.test_pay_service import args, sheet_json

OWN_GROUP = grp.getgrgid(os.getegid()).gr_name
DAY = "2026-10-12"  # the day the october fixture's orders are on


@pytest.fixture
def own_pay_group(monkeypatch) -> int:
    monkeypatch.setenv("FLOOR_PAY_GROUP", OWN_GROUP)
    return os.getegid()


@pytest.fixture
def october(staffed):
    from tests.services.test_pay_service import set_orders

    set_orders(staffed, "A001", 400)
    set_orders(staffed, "A002", 399)
    staffed.set_policy_value("commission_per_order", "2")
    return staffed


def gross(floor, capsys) -> dict[str, str]:
    return {s["id"]: s["gross"] for s in sheet_json(floor, capsys)["staff"]}


# --------------------------------------------------------------------------------- cache
def _planted(path: Path, day_file: Path, value, new_format: bool) -> None:
    """A cache file as another writer would leave it: right signature, figures of its own."""
    st = day_file.stat()
    signature = [st.st_ino, st.st_mtime_ns, st.st_size]
    body = {"signature": signature, "value": value}
    if new_format:
        body["signature"] = signature + [st.st_ctime_ns]
        body["check"] = hashlib.sha256(files.dumps(value)).hexdigest()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body))


def _own_cache_file(root: Path) -> Path:
    """The figures this process kept for the day (wherever this version keeps them)."""
    (found,) = (root / files.CACHE_DIR).glob(f"**/{CAMPAIGN_SUMS}/{DAY}.json")
    return found


def test_a_planted_cache_figure_never_changes_the_pay_sheet(october, capsys) -> None:
    before = gross(october, capsys)
    root = october.store.root
    day_file = october.store.path(f"day/{DAY}")
    mine = _own_cache_file(root)
    value = json.loads(mine.read_text())["value"]
    for campaigns in value["A001"].values():
        campaigns[3] = 10_000  # orders, as the issue's forger edited them
    # where every writer kept figures before, and another user's own cache
    _planted(root / files.CACHE_DIR / CAMPAIGN_SUMS / f"{DAY}.json", day_file, value, False)
    _planted(root / files.CACHE_DIR / "54321" / CAMPAIGN_SUMS / f"{DAY}.json", day_file, value,
             True)
    assert gross(october, capsys) == before
    # this user's own cache, edited by hand (not by floor): its checksum no longer matches
    body = json.loads(mine.read_text())
    body["value"] = value
    mine.write_text(json.dumps(body))
    assert gross(october, capsys) == before


def test_a_cache_dir_open_to_others_is_not_used(october, capsys) -> None:
    before = gross(october, capsys)
    target = _own_cache_file(october.store.root)
    body = json.loads(target.read_text())
    for campaigns in body["value"]["A001"].values():
        campaigns[3] = 10_000
    body["check"] = hashlib.sha256(files.dumps(body["value"])).hexdigest()
    target.write_text(json.dumps(body))
    os.chmod(target.parent.parent, 0o777)  # anyone could have put that there
    assert gross(october, capsys) == before


@pytest.mark.parametrize("damage", ["value-5", "dir-is-a-file", "unreadable-link"])
def test_a_cache_problem_is_never_an_error_only_a_recompute(october, capsys, damage) -> None:
    before = gross(october, capsys)
    target = _own_cache_file(october.store.root)
    cache = target.parent.parent
    if damage == "value-5":
        body = json.loads(target.read_text())
        body["value"] = 5
        target.write_text(json.dumps(body))
    elif damage == "dir-is-a-file":
        import shutil

        shutil.rmtree(cache)
        cache.write_text("5")
    else:
        target.unlink()
        target.symlink_to("/dev/zero")
    assert gross(october, capsys) == before


# ----------------------------------------------------------------------------- pay files
def test_pay_files_are_the_pay_groups_whatever_the_umask(tmp_path: Path, own_pay_group) -> None:
    store = Store(tmp_path / "s").open()
    old = os.umask(0o077)
    try:
        with store.transaction() as tx:
            tx.put("pay", "base_pay", "A001", {"id": "A001", "base_pay": "1200"})
    finally:
        os.umask(old)
    st = (store.root / "pay.json").stat()
    assert st.st_gid == own_pay_group and stat.S_IMODE(st.st_mode) == 0o660


def test_a_pay_file_open_to_others_is_damaged_named_and_not_used(staffed, capsys) -> None:
    pay = staffed.store.path("pay")
    os.chmod(pay, 0o664)  # as a member who replaced it would leave it
    assert run(args(staffed, "report", "staff")) == 2
    err = capsys.readouterr().err
    assert str(pay) in err and "open to everyone (mode 0664)" in err
    with pytest.raises(CorruptFileError, match="not used"):
        Store(staffed.store.root).open().records("pay", "base_pay")
    assert run(args(staffed, "doctor")) == 2
    assert f"{pay}: is open to everyone" in capsys.readouterr().out


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another group needs root")
def test_a_pay_file_of_another_group_is_damaged(staffed, capsys, own_pay_group) -> None:
    pay = staffed.store.path("pay")
    other = next(g.gr_gid for g in grp.getgrall() if g.gr_gid != own_pay_group)
    os.chown(pay, -1, other)
    assert run(args(staffed, "report", "staff")) == 2
    assert f"not to the pay group {OWN_GROUP}" in capsys.readouterr().err


def test_a_planted_journal_of_pay_open_to_others_is_never_installed(staffed) -> None:
    root = staffed.store.root
    before = (root / "pay.json").read_bytes()
    body = json.dumps({"base_pay": {"1": {"key": "A001", "v": 9, "at": "", "by": "x",
                                          "data": {"id": "A001", "base_pay": "99999"}}}}).encode()
    journal = root / files.JOURNAL_DIR / "0001"
    journal.mkdir(parents=True)
    (journal / "0.json").write_bytes(body)
    os.chmod(journal / "0.json", 0o666)  # a member outside the pay group wrote it
    (journal / "manifest.json").write_text(json.dumps([{
        "target": "pay.json", "file": "0.json", "size": len(body),
        "sha256": hashlib.sha256(body).hexdigest()}]))
    (journal / "COMMITTED").write_text("1")
    staffed.set_policy_value("commission_per_order", "3")  # the manager's next command
    assert (root / "pay.json").read_bytes() == before
    assert (root / files.DAMAGED_JOURNAL_DIR / "0001").is_dir()


@pytest.mark.parametrize("fmt,name", [("csv", "pay.csv"), ("json", "pay.json"),
                                      ("table", "pay.txt"), ("xlsx", "pay.xlsx")])
def test_a_pay_export_is_never_open_to_others(october, tmp_path: Path, fmt, name) -> None:
    out = tmp_path / "exports" / name
    out.parent.mkdir()
    old = os.umask(0o022)
    try:
        assert run(args(october, "report", "pay", "--month", "2026-10", "--format", fmt,
                        "--output", str(out))) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # no pay group on this host: owner only


def test_a_pay_export_goes_to_the_pay_group(october, tmp_path: Path, own_pay_group) -> None:
    out = tmp_path / "pay.csv"
    old = os.umask(0o022)
    try:
        assert run(args(october, "report", "pay", "--month", "2026-10", "--format", "csv",
                        "--output", str(out))) == 0
    finally:
        os.umask(old)
    st = out.stat()
    assert st.st_gid == own_pay_group and stat.S_IMODE(st.st_mode) == 0o660
    assert "A001" in out.read_text(encoding="utf-8-sig")


# ------------------------------------------------------------------------------- restore
def test_a_restore_without_the_pay_archive_says_so(staffed, tmp_path: Path, capsys) -> None:
    assert run(args(staffed, "backup", "--to", str(tmp_path / "b"))) == 0
    archive = Path(capsys.readouterr().out.split(": ", 1)[1].strip())
    pay_archive = archive.with_name(f"pay-{archive.name}")
    with tarfile.open(pay_archive) as tar:
        assert tar.getnames() == ["pay.json"]
    with_pay = tmp_path / "with-pay"
    assert run(["restore", str(archive), str(with_pay)]) == 0
    assert "is not restored" not in capsys.readouterr().out
    assert (with_pay / "pay.json").exists()
    pay_archive.unlink()
    without = tmp_path / "without-pay"
    assert run(["restore", str(archive), str(without)]) == 0
    out = capsys.readouterr().out
    assert f"{pay_archive}: is missing: pay (base pay, the pay sheet's own data) is not " \
           f"restored (the store held 1 pay files)" in out
    assert not (without / "pay.json").exists()


# --------------------------------------------------------- backups from before the pay split
def _archive_with(path: Path, ref: dict) -> None:
    body = json.dumps(ref).encode()
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("ref.json")
        info.size = len(body)
        archive.addfile(info, fileobj=__import__("io").BytesIO(body))


@pytest.mark.parametrize("pay_group", [False, True], ids=["no-pay-group", "own-pay-group"])
def test_backups_from_before_the_pay_split_go_to_the_pay_group(tmp_path, request, pay_group):
    """Issue #31: backups made before the pay split still held everyone's base pay, readable
    by the whole floor group. The store's migration hands them to the pay group."""
    gid = request.getfixturevalue("own_pay_group") if pay_group else None
    old = Store(tmp_path / "s", schema_version=1, user="old").open()
    with old.transaction() as tx:
        tx.put("ref", "staff", "A001", {"id": "A001", "name": "甲", "role": "agent",
                                        "team": "T", "hired": "2023-03-01", "base_pay": "1200"})
    backups = old.root / "backups"
    backups.mkdir(exist_ok=True)
    before, after = backups / "floor-2026-01-05.tar.gz", backups / "floor-2026-11-02.tar.gz"
    _archive_with(before, {"staff": {"1": {"key": "A001", "v": 1, "at": "", "by": "",
                                           "data": {"base_pay": "1200"}}}})
    _archive_with(after, {"staff": {"1": {"key": "A001", "v": 1, "at": "", "by": "",
                                          "data": {"name": "甲"}}}})
    for path in (before, after):
        os.chmod(path, 0o664)  # as an older floor could leave them: others may read
    store = Store(tmp_path / "s", user="new").open()
    assert store.meta()["schema"] >= 3
    mode = stat.S_IMODE(before.stat().st_mode)
    if pay_group:
        assert mode == 0o660 and before.stat().st_gid == gid
    else:
        assert mode == 0o600
    assert stat.S_IMODE(after.stat().st_mode) == 0o664  # no pay in it: left as it was
    assert any("from before pay had its own file" in n for n in store.migration_notices)
