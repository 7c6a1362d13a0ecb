"""The store under real processes: concurrent writers and kill -9 at any moment."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from store import Store, files

ROOT = Path(__file__).resolve().parents[2]


def _increment(root: str, worker: int, times: int) -> None:
    store = Store(Path(root), user=f"w{worker}").open()
    for n in range(times):
        with store.transaction() as tx:
            current = tx.get("ref", "counters", "shared")
            value = current["value"] + 1 if current else 1
            tx.put("ref", "counters", "shared", {"value": value})
            tx.put("day/2026-11-20", "calls", f"w{worker}-{n}", {"completed": n})


def test_concurrent_writers_lose_no_update(tmp_path: Path) -> None:
    Store(tmp_path / "s").open()
    workers, times = 4, 25
    context = multiprocessing.get_context("fork")
    procs = [context.Process(target=_increment, args=(str(tmp_path / "s"), w, times))
             for w in range(workers)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0

    store = Store(tmp_path / "s").open()
    assert store.get("ref", "counters", "shared")["value"] == workers * times
    assert len(store.records("day/2026-11-20", "calls")) == workers * times
    # every change was audited, by the process that made it
    audit = store.audit("ref")
    assert len(audit) == workers * times
    assert {a["by"] for a in audit} == {f"w{w}" for w in range(workers)}


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from store import Store

    store = Store(Path({store!r})).open()
    while True:
        with store.transaction() as tx:
            current = tx.get("ref", "counters", "n")
            n = current["value"] + 1 if current else 1
            # one change spread over three files: all of them or none
            for day in ("2026-11-18", "2026-11-19", "2026-11-20"):
                tx.put("day/" + day, "calls", "A001", {{"completed": n}})
            tx.put("ref", "counters", "n", {{"value": n}})
        print(n, flush=True)
    """
)


def test_kill_9_at_any_moment_leaves_every_file_whole_and_changes_all_or_nothing(
    tmp_path: Path,
) -> None:
    root = tmp_path / "s"
    Store(root).open()
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT), store=str(root)))
    rng = random.Random(9)
    last_seen = 0
    for _round in range(8):
        proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        proc.stdout.readline()  # it has started writing
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()

        # Every file parses, before any recovery ran.
        for path in root.rglob("*.json"):
            if files.JOURNAL_DIR not in path.parts:
                assert files.read_json(root, path.relative_to(root)) is not None, path
        # Opening the store finishes or discards the interrupted change: all three day files
        # agree with each other and with the counter.
        store = Store(root).open()
        values = {store.get(f"day/{d}", "calls", "A001")["completed"]
                  for d in ("2026-11-18", "2026-11-19", "2026-11-20")}
        counter = store.get("ref", "counters", "n")["value"]
        assert values == {counter}
        assert counter >= last_seen
        last_seen = counter
    assert last_seen > 0
