"""`floor import staff` of 16,000 rows: into a new store, then the same file again.

Quadratic before (2k rows 1.2 s, 8k 18 s, 16k 83 s); a transaction now costs O(rows)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(rows: int = 16000) -> None:
    work = Path(tempfile.mkdtemp(prefix="floor-bench-staff-"))
    csv = work / "staff.csv"
    lines = [f"A{n:05d},Person {n},agent,T{n % 40:02d},2024-01-01,1200" for n in range(rows)]
    csv.write_text("id,name,role,team,hired,base_pay\n" + "\n".join(lines) + "\n")
    for label in ("new store", "again"):
        started = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "floor.py"), "--store", str(work / "s"),
                        "import", "staff", str(csv)], check=True, capture_output=True)
        print(f"{rows} staff, {label}: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 16000)
