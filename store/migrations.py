"""Schema versions of the store and the migrations between them.

``MIGRATIONS[n]`` turns a partition written under schema ``n`` into schema ``n + 1``. They run on
open, under the store lock, all files in one journalled commit, so a crash mid-migration leaves
the store wholly at the old schema or wholly at the new one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Migration = Callable[[str, dict[str, Any]], dict[str, Any]]
"""(partition name, raw tables) -> raw tables at the next schema."""

SCHEMA_VERSION = 1

MIGRATIONS: dict[int, Migration] = {}
