"""Save cost with an empty store vs a year of a 300-seat floor (target: ratio <= 1.5).

A save is one confirmed action: a record written to today's day file, or a reference change
(policy). Each is a locked read-modify-write with an atomic replace.
"""

from __future__ import annotations

import itertools

from common import empty_store, measure, store_size, year_store

counter = itertools.count()


def day_save(floor) -> None:  # noqa: ANN001
    day = f"day/{floor.today().isoformat()}"
    with floor.store.transaction() as tx:
        tx.put(day, "bench", f"k{next(counter)}", {"completed": 1})


def ref_save(floor) -> None:  # noqa: ANN001
    with floor.store.transaction() as tx:
        tx.put("ref", "bench", "policy-like", {"n": next(counter)})


def main() -> None:
    year = year_store()
    empty = empty_store()
    files, megabytes = store_size(year.store.root)
    print(f"year store: {files} files, {megabytes:.1f} MB")
    for name, action in (("save to today's day file", day_save), ("save to reference", ref_save)):
        empty_s = measure(lambda: action(empty))
        year_s = measure(lambda: action(year))
        print(f"{name:28} empty {empty_s * 1000:7.2f} ms   year {year_s * 1000:7.2f} ms   "
              f"ratio {year_s / empty_s:4.2f}")


if __name__ == "__main__":
    main()
