"""A finished period's report kept on a database store (issue #32's speed, issue #30's memo):
per login in floor.digests, under the site's change counters; never stale."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from floorapp.cli import main as cli
from floorapp.cli import reports as cli_reports
from floorapp.services import open_floor
from store.pg import PgStore, connect
from store.pg_kept import MEMO_PART

OCTOBER = ["report", "month", "--month", "2026-10", "--format", "json"]
REPORTS = [OCTOBER,
           ["report", "qa", "--month", "2026-10", "--format", "json"],
           ["report", "day", "--date", "2026-10-14", "--format", "csv"]]


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import NOW

    root = tmp_path_factory.mktemp("dbmemo") / "store"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FLOOR_NOW", NOW)
        cli.run(["--store", str(root), "demo", "--seats", "4", "--days", "40"])
    return root


@pytest.fixture
def site(pg_cluster, pg_site, demo_files: Path) -> tuple[str, str]:
    address = pg_cluster.login_address("tester")
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.run(["store", "copy", str(demo_files), address, "--to-site", pg_site]) == 0
    return address, pg_site


def report(site: tuple[str, str], args: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.run(["--store", site[0], "--site", site[1], "--lang", "en", *args]) == 0
    return out.getvalue()


def kept_memos(site: tuple[str, str]) -> int:
    with connect(site[0]) as conn:
        return conn.execute("SELECT count(*) FROM floor.digests WHERE site = %s AND part = %s",
                            (site[1], MEMO_PART)).fetchone()[0]


def no_working_out(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("the report was worked out, not read from the memo")

    monkeypatch.setattr(cli_reports, "build_report", refuse)


@pytest.mark.parametrize("args", REPORTS, ids=lambda a: "-".join(a[1:]))
def test_a_finished_periods_report_is_read_back_unchanged(site, args: list[str],
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    first = report(site, args)
    assert kept_memos(site) == 1
    with monkeypatch.context() as patch:
        no_working_out(patch)
        assert report(site, args) == first


def test_a_changed_day_shows_in_the_next_report(site) -> None:
    before = json.loads(report(site, OCTOBER))
    floor = open_floor(site[0], site=site[1])
    agent = next(row["id"] for row in before["staff"] if row["id"].startswith("A"))
    day = next(f"2026-10-{n:02d}" for n in range(1, 32)
               if any(r["staff_id"] == agent and r["in"]
                      for r in floor.store.records(f"day/2026-10-{n:02d}", "punches")))
    with floor.store.transaction() as tx:
        record = next(r for r in tx.records(f"day/{day}", "punches")
                      if r["staff_id"] == agent and r["in"])
        data = {k: v for k, v in record.items() if not k.startswith("_")}
        start = int(data["in"][:2]) * 60 + int(data["in"][3:])
        data.update({"in": f"{(start + 20) // 60:02d}:{(start + 20) % 60:02d}", "reason": ""})
        tx.put(f"day/{day}", "punches", record["_key"], data)
    after = json.loads(report(site, OCTOBER))

    def row(report: dict, staff_id: str) -> dict:
        return next(r for r in report["staff"] if r["id"] == staff_id)

    assert row(after, agent) != row(before, agent)
    with connect(site[0]) as conn:  # what a fresh working out gives
        conn.execute("DELETE FROM floor.digests WHERE site = %s", (site[1],))
    assert json.loads(report(site, OCTOBER)) == after


def test_a_memo_follows_every_partition_and_listing_it_read(pg_cluster, pg_site) -> None:
    store = PgStore(pg_cluster.login_address("alice"), site=pg_site).open()
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
    # each login's own: bob does not read alice's
    bob = PgStore(pg_cluster.login_address("bob"), site=pg_site).open()
    assert bob.memo("slot", key) is None
    with store.transaction() as tx:  # a new day: the listing differs
        tx.put("day/2026-10-02", "calls", "A001/1", {"orders": 1})
    assert store.memo("slot", key) is None
    assert work_out() == ["day/2026-10-01", "day/2026-10-02"]
    assert store.memo("slot", key) == ["day/2026-10-01", "day/2026-10-02"]
    with store.transaction() as tx:  # a changed partition it read
        tx.put("day/2026-10-01", "calls", "A001/1", {"orders": 2})
    assert store.memo("slot", key) is None
    # a partition that moves while the block reads it: not kept
    with store.watching() as seen:
        store.signature("day/2026-10-01")
        with bob.transaction() as tx:
            tx.put("day/2026-10-01", "calls", "A001/1", {"orders": 3})
        store.signature("day/2026-10-01")
    store.keep_memo("moved", key, seen, "x")
    assert store.memo("moved", key) is None
    work_out()
    store.prune_cache()  # the memos are no digests this program dropped: kept
    assert store.memo("slot", key) == ["day/2026-10-01", "day/2026-10-02"]


def test_the_cache_prune_keeps_the_memos(site) -> None:
    report(site, OCTOBER)
    open_floor(site[0], site=site[1]).store.prune_cache()
    assert kept_memos(site) == 1


def test_a_save_reads_only_the_tables_it_writes(pg_cluster, pg_site,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = PgStore(pg_cluster.login_address("tester"), site=pg_site).open()
    with store.transaction() as tx:
        tx.put("day/2026-10-01", "calls", "A001/1", {"orders": 1})
        tx.put("day/2026-10-01", "punches", "A001", {"in": "08:00"})
    asked: list[tuple[str, str | None]] = []
    fetch = PgStore.fetch

    def counting(self, partition, conn=None, table=None):
        asked.append((partition, table))
        return fetch(self, partition, conn, table)

    monkeypatch.setattr(PgStore, "fetch", counting)
    with store.transaction() as tx:
        assert tx.put("day/2026-10-01", "calls", "A001/1", {"orders": 2}) == 2
        assert tx.get("day/2026-10-01", "calls", "A001/1")["orders"] == 2
    assert asked == [("day/2026-10-01", "calls")]
    assert store.get("day/2026-10-01", "calls", "A001/1")["orders"] == 2
    assert [h["orders"] for h in store.history("day/2026-10-01", "calls", "A001/1")] == [1, 2]
