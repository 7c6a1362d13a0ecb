"""Snapshots of the foundation's screens at 80×24 (regenerate with --snapshot-update)."""

from __future__ import annotations

import pytest

from floorapp.app import FloorApp
from floorapp.services import Floor


@pytest.fixture
def shell_app(staffed: Floor) -> FloorApp:
    return FloorApp(staffed, backup=False)


def test_staff_register_snapshot(snap_compare, shell_app: FloorApp) -> None:
    async def open_register(pilot) -> None:
        await pilot.press("f7")
        await pilot.pause()

    assert snap_compare(shell_app, terminal_size=(80, 24), run_before=open_register)


def test_help_snapshot(snap_compare, shell_app: FloorApp) -> None:
    async def open_help(pilot) -> None:
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(shell_app, terminal_size=(80, 24), run_before=open_help)
