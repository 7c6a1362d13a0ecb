"""`floor demo --seats 300 --days 365` wall time (target: well under a minute)."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from common import store_size

from floorapp.services import demo
from floorapp.services import open_floor


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="floor-bench-demo-"))
    started = time.perf_counter()
    print(demo.generate(open_floor(root), seats=300, days=365))
    elapsed = time.perf_counter() - started
    files, megabytes = store_size(root)
    print(f"demo 300 seats x 365 days: {elapsed:.1f} s, {files} files, {megabytes:.1f} MB")
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
