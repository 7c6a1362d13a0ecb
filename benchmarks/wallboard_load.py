"""The wallboard under a floor's load (issue #28): `floor wallboard` in its own process over a
demo floor, N pollers asking /figures.json every 2 s as the page does (with the ETag, so an
unchanged answer is a 304), and a supervisor saving a call count every 15 s through the CLI
(each save changes the store under the server). Prints the server's memory (RSS) and CPU
along the way and at the end, and the pollers' answer times.

    python benchmarks/wallboard_load.py [--clients 20] [--minutes 60] [--seats 40]

The clock is the machine's (not pinned): the pace and "behind" move with the minute, as on
the floor. Baseline (README): see "The wallboard" there.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLL_S = 2.0
SAVE_EVERY_S = 15.0
TICKS = os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


class Poller(threading.Thread):
    """One TV: one kept-alive connection, a GET every POLL_S with If-None-Match."""

    def __init__(self, port: int, stop: threading.Event, etag: bool = True) -> None:
        super().__init__(daemon=True)
        self.port, self.stop, self.use_etag = port, stop, etag
        self.times: list[float] = []
        self.errors = 0
        self.changed = 0

    def run(self) -> None:
        time.sleep(random.uniform(0, POLL_S))  # TVs switched on at different moments
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        etag = ""
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                conn.request("GET", "/figures.json", headers={"If-None-Match": etag} if etag
                             else {})
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    etag = response.getheader("ETag", "") if self.use_etag else ""
                    self.changed += 1
                elif response.status != 304:
                    self.errors += 1
            except (OSError, http.client.HTTPException):
                self.errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.times.append(time.perf_counter() - started)
            if len(self.times) > 100_000:
                del self.times[:50_000]
            self.stop.wait(POLL_S)
        conn.close()


def saver(store: Path, stop: threading.Event, saves: list[int]) -> None:
    """A supervisor typing a count now and then: `floor import calls` of one hourly row."""
    calls = store.parent / "calls.csv"
    while not stop.wait(SAVE_EVERY_S):
        now = time.localtime()
        agent = f"A{random.randint(1, 20):03d}"
        calls.write_text("staff_id,date,dialed,connected,completed,orders,hour\n"
                         f"{agent},{time.strftime('%Y-%m-%d', now)},"
                         f"{random.randint(5, 9)},4,{random.randint(1, 4)},1,{now.tm_hour}\n")
        done = subprocess.run([sys.executable, str(ROOT / "floor.py"), "--store", str(store),
                               "import", "calls", str(calls)], capture_output=True)
        saves.append(done.returncode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--seats", type=int, default=40)
    parser.add_argument("--every", type=float, default=60, help="report every N seconds")
    parser.add_argument("--no-etag", action="store_true",
                        help="pollers never send If-None-Match: every answer in full")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="floor-bench-wallboard-"))
    store = work / "store"
    env = dict(os.environ)
    env.pop("FLOOR_NOW", None)
    subprocess.run([sys.executable, str(ROOT / "floor.py"), "--store", str(store), "demo",
                    "--seats", str(args.seats), "--days", "30"], check=True, env=env,
                   capture_output=True)
    server = subprocess.Popen([sys.executable, str(ROOT / "floor.py"), "--store", str(store),
                               "--lang", "zh", "wallboard", "--port", "0"],
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = server.stdout.readline()  # type: ignore[union-attr]
        port = int(line.rsplit(":", 1)[1].split("/")[0])
        pid = server.pid
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/")
        conn.getresponse().read()
        conn.close()
        rss_start, cpu_start, started = rss_kib(pid), cpu_seconds(pid), time.monotonic()
        print(f"server pid {pid} on port {port}: {args.clients} pollers every {POLL_S:.0f} s, "
              f"{'without' if args.no_etag else 'with'} ETag, a save every {SAVE_EVERY_S:.0f} s, "
              f"{args.minutes:g} min, {args.seats} seats; "
              f"RSS at start {rss_start / 1024:.1f} MiB", flush=True)
        stop = threading.Event()
        pollers = [Poller(port, stop, not args.no_etag) for _n in range(args.clients)]
        saves: list[int] = []
        for p in pollers:
            p.start()
        threading.Thread(target=saver, args=(store, stop, saves), daemon=True).start()
        peak = rss_start
        end = started + args.minutes * 60
        last_cpu, last_at = cpu_seconds(pid), time.monotonic()
        while time.monotonic() < end:
            time.sleep(min(args.every, max(0.1, end - time.monotonic())))
            now_cpu, now_at = cpu_seconds(pid), time.monotonic()
            rss = rss_kib(pid)
            peak = max(peak, rss)
            print(f"{(now_at - started) / 60:6.1f} min  RSS {rss / 1024:6.1f} MiB  "
                  f"CPU {100 * (now_cpu - last_cpu) / (now_at - last_at):5.1f} %  "
                  f"threads {threads(pid)}  saves {len(saves)}", flush=True)
            last_cpu, last_at = now_cpu, now_at
        stop.set()
        for p in pollers:
            p.join(timeout=35)
        elapsed = time.monotonic() - started
        times = sorted(t for p in pollers for t in p.times)
        cpu = cpu_seconds(pid) - cpu_start
        print(f"\nran {elapsed / 60:.1f} min: {len(times)} polls "
              f"({sum(p.changed for p in pollers)} with new figures), "
              f"{sum(p.errors for p in pollers)} errors, {len(saves)} saves "
              f"({sum(1 for s in saves if s)} failed)")
        print(f"server RSS: start {rss_start / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, "
              f"end {rss_kib(pid) / 1024:.1f} MiB")
        print(f"server CPU: {cpu:.1f} s in {elapsed:.0f} s = {100 * cpu / elapsed:.2f} % of "
              f"one core")
        if times:
            print(f"answer time: median {1000 * statistics.median(times):.1f} ms, "
                  f"p95 {1000 * times[int(0.95 * (len(times) - 1))]:.1f} ms, "
                  f"max {1000 * times[-1]:.1f} ms")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
