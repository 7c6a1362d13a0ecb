"""Running a command from the command palette in a Pilot test, as a supervisor does: Ctrl+P,
the words, Enter. The palette searches in a worker: the test waits for that search to end
instead of sleeping a guessed time (a loaded machine made fixed sleeps too short)."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.pilot import Pilot


async def run_from_palette(pilot: Pilot, words: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*words)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()  # the search for the words has ended
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()  # what the command started
    await pilot.pause()
