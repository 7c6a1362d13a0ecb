"""Partitions of a file store: each one's file, the day and roster partitions that exist, and
the listings that find them without following a link.

May import: TinyDB, psycopg and the standard library; nothing of floorapp or screens.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from pathlib import Path

from store import files
from store.errors import CorruptFileError, StoreError

_PARTITION = re.compile(r"^(ref|pay|day/\d{4}-\d{2}-\d{2}|roster/\d{4}-\d{2})$")


class Partitions:
    """Where each partition of a store directory lives and which exist: for every reader that
    names a day, a roster month, ref or pay, and for the month reports that list them.

    A part of ``Store`` (store/db.py), which holds the directory, its caches and the lock."""

    def path(self, partition: str) -> Path:
        known = self._paths.get(partition)
        if known is not None:
            return known
        path = self._path(partition)
        self._paths[partition] = path
        return path

    def _path(self, partition: str) -> Path:
        if not _PARTITION.match(partition):
            raise StoreError(f"not a store partition: {partition!r}")
        if partition == "ref":
            return self.root / "ref.json"
        if partition == "pay":
            return self.root / "pay.json"
        kind, name = partition.split("/")
        if kind == "day":
            return self.root / "days" / name[:4] / f"{name}.json"
        return self.root / "rosters" / f"{name}.json"

    def readable(self, partition: str) -> bool:
        """Can this process read the partition (pay: a member of the pay group)?"""
        path = self.path(partition)
        return not path.exists() or os.access(path, os.R_OK)

    def describe(self) -> str:
        return str(self.root)

    def day_partitions(self, start: dt.date | None = None, end: dt.date | None = None) -> list[str]:
        """Names of the day partitions that exist, between start and end inclusive."""
        out = []
        for year in self._listing(["days"], r"\d{4}", directories=True):
            for file in self._listing(["days", year], r"\d{4}-\d{2}-\d{2}\.json"):
                name = file[: -len(".json")]
                if start and name < start.isoformat():
                    continue
                if end and name > end.isoformat():
                    continue
                out.append(f"day/{name}")
        return out

    def _listing(self, rel: list[str], pattern: str, directories: bool = False) -> list[str]:
        """Names in ``root/rel`` matching ``pattern`` that are real directories (or regular
        files), sorted; a link or a wrong kind is noted in ``problems``, never followed."""
        try:
            fd = files.open_dir(self.root, rel)
        except FileNotFoundError:
            self._saw(("listing", tuple(rel), pattern, directories), ())
            return []
        except CorruptFileError as exc:
            self.problems[str(exc.path)] = exc.reason
            return []
        except OSError:
            self._saw(("listing", tuple(rel), pattern, directories), None)  # never matches
            return []
        try:
            entries = [(name, mode) for name, mode in files.entry_modes(fd)
                       if re.fullmatch(pattern, name)]
        finally:
            os.close(fd)
        out = []
        for name, mode in sorted(entries):
            if (stat.S_ISDIR if directories else stat.S_ISREG)(mode):
                out.append(name)
            else:
                expected = "a directory" if directories else "a file"
                self.problems[str(self.root.joinpath(*rel, name))] = (
                    f"is {files.kind_of(mode)}, not {expected}; floor does not follow links "
                    f"or open special files inside the store")
        self._saw(("listing", tuple(rel), pattern, directories), tuple(out))
        return out

    def _roster_partitions(self) -> list[str]:
        return [f"roster/{name[: -len('.json')]}"
                for name in self._listing(["rosters"], r"\d{4}-\d{2}\.json")]

    def _partition_of(self, path: Path) -> str:
        rel = path.relative_to(self.root)
        if rel.name in ("ref.json", "pay.json"):
            return rel.stem
        if rel.parts[0] == "days":
            return f"day/{path.stem}"
        return f"roster/{path.stem}"
