"""A finished period's report kept as its text (issue #30): read back while every file it was
worked out from is unchanged, never stale, never trusted when tampered with."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from floorapp.cli import main as cli
from floorapp.cli import reports as cli_reports
from floorapp.services import open_floor
from store import Store
from store.memo import MEMO_DIR

OCTOBER = ["report", "month", "--month", "2026-10", "--format", "json"]
REPORTS = [OCTOBER,
           ["report", "month", "--month", "2026-10"],
           ["report", "qa", "--month", "2026-10", "--format", "json"],
           ["report", "day", "--date", "2026-10-14", "--format", "csv"]]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import NOW

    root = tmp_path_factory.mktemp("memo") / "store"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FLOOR_NOW", NOW)
        cli.run(["--store", str(root), "demo", "--seats", "6", "--days", "45"])
    return root


@pytest.fixture
def root(demo_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(demo_store, copy, symlinks=True)
    shutil.rmtree(copy / ".cache", ignore_errors=True)
    return copy


def report(root: Path, args: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.run(["--store", str(root), "--lang", "en", *args]) == 0
    return out.getvalue()


def memo_files(root: Path) -> list[Path]:
    return sorted(Store(root).cache_dir().glob(f"{MEMO_DIR}/*.json"))


def no_working_out(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("the report was worked out, not read from the memo")

    monkeypatch.setattr(cli_reports, "build_report", refuse)


@pytest.mark.parametrize("args", REPORTS, ids=lambda a: "-".join(a[1:]))
def test_a_finished_periods_report_is_read_back_unchanged(root: Path, args: list[str],
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    first = report(root, args)
    assert len(memo_files(root)) == 1
    with monkeypatch.context() as patch:
        no_working_out(patch)
        assert report(root, args) == first


def test_a_changed_day_file_shows_in_the_next_report(root: Path) -> None:
    before = json.loads(report(root, OCTOBER))
    floor = open_floor(root)
    agent = next(row["id"] for row in before["staff"] if row["id"].startswith("A"))
    day = next(f"2026-10-{n:02d}" for n in range(1, 32)
               if any(r["staff_id"] == agent and r["in"]
                      for r in floor.store.records(f"day/2026-10-{n:02d}", "punches")))
    with floor.store.transaction() as tx:  # as a correction by another process would
        record = next(r for r in tx.records(f"day/{day}", "punches")
                      if r["staff_id"] == agent and r["in"])
        data = {k: v for k, v in record.items() if not k.startswith("_")}
        start = int(data["in"][:2]) * 60 + int(data["in"][3:])
        data.update({"in": f"{(start + 20) // 60:02d}:{(start + 20) % 60:02d}", "reason": ""})
        tx.put(f"day/{day}", "punches", record["_key"], data)
    after = json.loads(report(root, OCTOBER))
    def row(report: dict, staff_id: str) -> dict:
        return next(r for r in report["staff"] if r["id"] == staff_id)

    assert row(after, agent) != row(before, agent)  # 20 minutes later in: late, or absent
    shutil.rmtree(root / ".cache")
    assert json.loads(report(root, OCTOBER)) == after  # what a fresh working out gives


def test_a_tampered_memo_is_not_used(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    honest = report(root, OCTOBER)
    [kept] = memo_files(root)
    data = json.loads(kept.read_text())
    data["value"] = data["value"].replace('"late_minutes":', '"late_minutes": 1 +', 1)
    kept.write_text(json.dumps(data))
    assert report(root, OCTOBER) == honest


def test_the_running_month_and_today_are_always_worked_out(root: Path) -> None:
    report(root, ["report", "month", "--month", "2026-11", "--format", "json"])
    report(root, ["report", "day", "--format", "json"])
    report(root, ["report", "day", "--date", "2026-11-20", "--format", "json"])
    assert memo_files(root) == []


def test_a_memo_follows_every_file_and_listing_it_read(tmp_path: Path) -> None:
    store = Store(tmp_path / "s", user="alice").open()
    with store.transaction() as tx:
        tx.put("day/2026-10-01", "calls", "A001/1", {"orders": 1})
    key = ["k"]

    def work_out() -> list[str]:
        with store.watching() as seen:
            found = store.day_partitions()
            store.read_partition("day/2026-10-01")
        store.keep_memo("slot", key, seen, found)
        return found

    assert work_out() == ["day/2026-10-01"]
    assert store.memo("slot", key) == ["day/2026-10-01"]
    assert store.memo("slot", ["another key"]) is None
    with store.transaction() as tx:  # a new day file: the listing differs
        tx.put("day/2026-10-02", "calls", "A001/1", {"orders": 1})
    assert store.memo("slot", key) is None
    assert work_out() == ["day/2026-10-01", "day/2026-10-02"]
    with store.transaction() as tx:  # a changed file it read
        tx.put("day/2026-10-01", "calls", "A001/1", {"orders": 2})
    assert store.memo("slot", key) is None


def test_the_cache_prune_keeps_the_memos(root: Path) -> None:
    report(root, OCTOBER)
    assert MEMO_DIR not in open_floor(root).store.prune_cache()
    assert len(memo_files(root)) == 1


def test_the_daily_prune_keeps_the_newest_memos_under_their_cap(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A memo per past day visited adds up over a year: past MEMO_BYTES_KEPT the ones written
    longest ago go; the newest stay readable, and a file that is not a memo is left alone."""
    import os

    from store import memo

    store = Store(tmp_path / "s", user="alice").open()
    with store.transaction() as tx:
        tx.put("day/2026-10-01", "calls", "A001/1", {"orders": 1})
    for n in range(6):
        with store.watching() as seen:
            store.read_partition("day/2026-10-01")
        store.keep_memo(f"day {n}", ["k"], seen, "x" * 1000)
    files = {f.name: f for f in (store.cache_dir() / MEMO_DIR).iterdir()}
    by_slot = {n: files[memo._memo_file(f"day {n}")] for n in range(6)}
    for n, path in by_slot.items():  # day 0 written longest ago, day 5 last
        os.utime(path, ns=(n * 10**9, n * 10**9))
    stranger = store.cache_dir() / MEMO_DIR / "notes.txt"
    stranger.write_text("mine")
    # planted under memo names: a link (to a file outside the store) and a FIFO; never
    # followed, opened or counted, and the link's target untouched
    outside = tmp_path / "outside.json"
    outside.write_text("x" * 100_000)
    link = store.cache_dir() / MEMO_DIR / ("a" * 40 + ".json")
    link.symlink_to(outside)
    fifo = store.cache_dir() / MEMO_DIR / ("b" * 40 + ".json")
    os.mkfifo(fifo)
    size = by_slot[0].stat().st_size
    monkeypatch.setattr(memo, "MEMO_BYTES_KEPT", 3 * size)
    assert MEMO_DIR in store.prune_cache()
    assert [n for n, path in by_slot.items() if path.exists()] == [3, 4, 5]
    assert store.memo("day 5", ["k"]) == "x" * 1000 and store.memo("day 0", ["k"]) is None
    assert stranger.read_text() == "mine"
    assert link.is_symlink() and outside.stat().st_size == 100_000 and fifo.is_fifo()
    assert MEMO_DIR not in store.prune_cache()  # under the cap: nothing more goes
