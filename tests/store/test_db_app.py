"""The console on a database store (issue #32): another supervisor's change reaches an open
console through LISTEN/NOTIFY, without waiting for the poll."""

from __future__ import annotations

import asyncio
import dataclasses
import threading

import pytest

from floorapp import app as app_module
from floorapp.app import FloorApp
from floorapp.clock import fixed_clock
from floorapp.services import Floor, open_floor
from tests.conftest import NOW, STAFF


@pytest.fixture
def floor(pg_cluster, pg_site: str) -> Floor:
    return open_floor(pg_cluster.login_address("tester"), clock=fixed_clock(NOW), user="tester",
                      site=pg_site)


async def test_another_supervisors_commit_is_heard_at_once(staffed: Floor, pg_cluster,
                                                           monkeypatch) -> None:
    monkeypatch.setattr(app_module, "POLL_SECONDS", 3600.0)  # only the listener can refresh
    app = FloorApp(staffed, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        refreshed = threading.Event()
        original = screen.refresh_data
        screen.refresh_data = lambda: (refreshed.set(), original())[1]  # type: ignore[method-assign]
        other = open_floor(pg_cluster.login_address("bob"), user="bob",
                           site=staffed.store.site)
        other.save_staff(dataclasses.replace(STAFF[0], seat="S099"))
        heard = await asyncio.get_running_loop().run_in_executor(None, refreshed.wait, 30)
        assert heard
        assert staffed.get_staff("A001").seat == "S099"


async def test_waiting_for_what_a_key_started_does_not_wait_for_the_listener(
        staffed: Floor) -> None:
    """The listener lasts as long as the app: waiting for the workers a key started (as the
    console's tests and the palette do) must return, and the listener ends with the app."""
    app = FloorApp(staffed, backup=False)
    before = set(threading.enumerate())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        (listener,) = [t for t in threading.enumerate()
                       if t.name == "floor-listen" and t not in before]
        assert listener.is_alive()
        await pilot.press("f3", "[")
        await asyncio.wait_for(app.workers.wait_for_complete(), 30)
    listener.join(30)
    assert not listener.is_alive()
