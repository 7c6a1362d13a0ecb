"""The demo and long readers in bounded memory (issue #30): a 1,000-seat demo peaked at 1.4 GB
holding a month of day files per transaction; the store kept six whole day files whatever
their size. (The figures themselves are measured by benchmarks/speed.py --demo, not here.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from floorapp.services import demo
from floorapp.services import open_floor
from store import Store, journal
from store import db as store_db


def test_the_demo_writes_one_day_file_at_a_time(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    commits: list[list[str]] = []
    commit_files = journal.commit_files

    def counted(root, contents):  # noqa: ANN001, ANN202 - as journal.commit_files
        commits.append(sorted(p.name for p in contents if p.parent.parent.name == "days"))
        return commit_files(root, contents)

    monkeypatch.setattr(store_db.journal, "commit_files", counted)
    floor = open_floor(tmp_path / "store")
    demo.generate(floor, seats=4, days=35)  # over two months
    assert len([c for c in commits if c]) > 35  # every step writes day files …
    # … a day at a time; only the few past incidents (a fire drill, an outage …) go in one
    assert [len(c) for c in commits if len(c) > 1] == [3], commits
    # and what the steps read is let go of at the end
    assert not floor.store._cache and not floor.store._derived


def test_whole_day_files_are_kept_by_size_too(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "s", user="alice").open()
    days = [f"day/2026-10-{n:02d}" for n in range(1, 6)]
    with store.transaction() as tx:
        for day in days:
            tx.put_many(day, "calls", [(f"A{n:04d}", {"staff_id": f"A{n:04d}", "orders": n})
                                       for n in range(200)], note="test")
    size = store.path(days[0]).stat().st_size
    monkeypatch.setattr(store_db, "DAY_BYTES_KEPT", int(size * 2.5))
    reader = Store(store.root, user="alice").open()
    for day in days:
        reader.read_partition(day)
    whole = [p.stem for p in reader._cache if p.parent.parent.name == "days"]
    assert whole == ["2026-10-04", "2026-10-05"]  # the most recent, within the size
    monkeypatch.setattr(store_db, "DAY_BYTES_KEPT", 1)
    reader.read_partition("day/2026-10-01")
    assert [p.stem for p in reader._cache if p.parent.parent.name == "days"] == ["2026-10-01"]
