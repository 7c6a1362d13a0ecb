"""Keys pressed in the wrong place never crash the console (a seeded random walk per section).

Every key a supervisor might hit — letters, digits, Enter, Esc, arrows, brackets, +, /, =,
Ctrl chords — in a random order on every section of a small demo floor. The app must still
be running at the end, with no exception raised by any handler.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from floorapp.services import demo
from floorapp.app import FloorApp
from floorapp.clock import fixed_clock
from floorapp.services import open_floor

NOW = "2026-11-20T15:00:00"
KEYS = (list("abcdefghijklmnopqrstuvwxyz0123456789")
        + ["enter", "escape", "up", "down", "left", "right", "tab", "space", "backspace",
           "left_square_bracket", "right_square_bracket", "plus", "slash", "equals_sign",
           "minus", "ctrl+t", "ctrl+o", "ctrl+n", "ctrl+z", "ctrl+r", "ctrl+l", "ctrl+s",
           "f1", "home", "end", "pageup", "pagedown"])


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("monkey") / "store"
    demo.generate(open_floor(root, clock=fixed_clock(NOW)), seats=12, days=8, seed=5)
    return root


@pytest.mark.parametrize("section", ["f2", "f3", "f4", "f5", "f6", "f9"],
                         ids=["monitoring", "attendance", "roster", "quota", "summary",
                              "emergency"])
async def test_random_keys_never_crash_a_section(demo_store: Path, tmp_path: Path,
                                                 section: str) -> None:
    root = tmp_path / "store"
    shutil.copytree(demo_store, root)
    floor = open_floor(root, clock=fixed_clock(NOW), strict=False)
    app = FloorApp(floor, backup=False)
    rng = random.Random(section)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(section)
        await pilot.pause()
        for _ in range(120):
            await pilot.press(rng.choice(KEYS))
        await pilot.pause()
        assert app.is_running
        assert app.return_code is None
    # whatever was saved on the way is readable and audited
    assert not floor.store.problems
