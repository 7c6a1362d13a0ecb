"""Shared fixtures: a fresh store per test, a pinned clock, a small staff."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from floorapp import i18n
from floorapp.clock import fixed_clock
from floorapp.services import Floor, open_floor
from floorapp.rules.staff import Staff
from tests.pg import pg_cluster, pg_site  # noqa: F401 - the database store's fixtures

# No test times anything (speed is measured in benchmarks/): Hypothesis's per-example deadline
# and its "too slow" health check are timings, and failed a rules test on a loaded machine.
settings.register_profile("floor", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("floor")

# A winter Friday afternoon; D's second period (14:30–17:30) is running.
NOW = "2026-11-20T15:00:00"
TODAY = dt.date.fromisoformat(NOW[:10])
NO_PAY_GROUP = "floor-test-no-such-group"


def days_after_today(days: int) -> str:
    """An ISO date relative to the pinned today (never the machine's date)."""
    return (TODAY + dt.timedelta(days=days)).isoformat()


@pytest.fixture(autouse=True, scope="session")
def _screens_imported_in_english():
    """Key descriptions are translated when a screen's class is made (the app runs in one
    language per process). A test that runs the app in Chinese must not be the first to import
    a screen, or every later test in that worker sees Chinese keys: import them all first."""
    import importlib
    import pkgutil

    import screens

    i18n.set_language("en")
    importlib.import_module("floorapp.app")
    for module in pkgutil.walk_packages(screens.__path__, "screens."):
        importlib.import_module(module.name)
    yield


@pytest.fixture(autouse=True, scope="session")
def _pilot_samples_idleness_finely():
    """Textual's pilot waits, after each key it presses and in ``pause()``, until the app is
    idle: it sleeps SLEEP_GRANULARITY (20 ms) at a time until the process used under 1/20 of
    that sleep in CPU. Sampled every 2 ms instead (idle: still under 1/20 of the sample), every
    key is still handled before the next and every pause still waits for the app to be idle,
    without 20–40 ms asleep after each key (a third of the app tests' time)."""
    import textual._wait as wait

    saved = wait.SLEEP_GRANULARITY, wait.SLEEP_IDLE
    wait.SLEEP_GRANULARITY = 0.002
    wait.SLEEP_IDLE = wait.SLEEP_GRANULARITY / 20
    yield
    wait.SLEEP_GRANULARITY, wait.SLEEP_IDLE = saved


@pytest.fixture(autouse=True, scope="session")
def _css_parsed_once_per_worker():
    """Textual parses an app's stylesheets (its own, every screen's and every widget's
    default CSS) again for each App made, in a cache of that App's: about a sixth of an app
    test's time, for the same text every time. The parsed rules are kept for the worker
    instead, keyed by everything the parse reads (the text, where it came from, its scope and
    the theme's variables), so what each app is styled with is what a fresh parse gives; a
    CSS error still raises (nothing that failed is kept). The app itself parses once per
    process anyway."""
    from textual.css.stylesheet import Stylesheet

    parse_rules = Stylesheet._parse_rules
    parsed: dict[tuple, list] = {}

    def kept(self: Stylesheet, css: str, read_from, is_default_rules: bool = False,  # noqa: ANN001
             tie_breaker: int = 0, scope: str = "") -> list:
        key = (css, read_from, is_default_rules, tie_breaker, scope,
               tuple(sorted(self._variables.items())))
        rules = parsed.get(key)
        if rules is None:
            rules = parsed[key] = parse_rules(self, css, read_from, is_default_rules,
                                              tie_breaker, scope)
        return rules

    Stylesheet._parse_rules = kept  # type: ignore[method-assign]
    yield
    Stylesheet._parse_rules = parse_rules  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("FLOOR_STORE", raising=False)
    # No test reads the wall clock: the CLI, the app and every subprocess a test starts see
    # NOW unless the test pins another moment (the suite must pass on any date, at any hour).
    monkeypatch.setenv("FLOOR_NOW", NOW)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    # The suite never depends on the host's groups: pay files go to a pay group only where a
    # test names one (a host with `floor-pay` would otherwise hand them to it).
    monkeypatch.setenv("FLOOR_PAY_GROUP", NO_PAY_GROUP)
    # English unless a test asks for Chinese, whatever the machine's locale says
    monkeypatch.setenv("FLOOR_LANG", "en")
    i18n.set_language("en")
    yield
    i18n.set_language("en")
    # A test that called monkeypatch.undo() undid the lines above too, and went on against the
    # host's clock and groups (a host with `floor-pay` then refused the test's pay file):
    # patch for a while with a MonkeyPatch of its own (pytest.MonkeyPatch.context()) instead.
    import os

    assert "FLOOR_NOW" in os.environ and "FLOOR_PAY_GROUP" in os.environ, (
        "the test undid the suite's environment (monkeypatch.undo()): use a MonkeyPatch of "
        "its own for a temporary patch")


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_stores: run each test that takes a floor on the "
                            "store directory and again on the database (tests/db_twin.py)")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (the README's command): one worker more than the cores this process may
    run on. An app test waits for its app to be idle after each key and each pause, so with
    a worker per core a third of the cores' time went unused; a third worker on 2 cores
    uses it. Measured on 2 cores, 2,369 tests: 5 min 27 s with 2 workers, 4 min 32 s with
    3, 4 min 50 s with 4."""
    import os

    return len(os.sched_getaffinity(0)) + 1


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Issue #32: the services' tests prove the same behaviour on both stores."""
    from tests.db_twin import file_only

    # (a module's fixture overriding one of these by its own name, staffed(staffed), hides
    # the floor from pytest's closure: such a fixture takes the floor itself)
    if (metafunc.definition.get_closest_marker("both_stores") and "floor" in
            metafunc.fixturenames and not file_only(metafunc.function)):
        metafunc.parametrize("store_kind", ["files", "database"], indirect=True)


@pytest.fixture
def store_kind(request: pytest.FixtureRequest) -> str:
    """``files`` unless a both-stores module's test asks for ``database`` too."""
    return getattr(request, "param", "files")


@pytest.fixture
def floor(store_dir: Path, store_kind: str, request: pytest.FixtureRequest,
          monkeypatch: pytest.MonkeyPatch) -> Floor:
    """An empty floor at NOW (Asia/Shanghai), as the login ``tester``: in a store directory,
    or (``store_kind`` database) on a site of its own in the test cluster's database, the store
    the environment names, so a test that opens the floor again (``open_floor(None)``) finds
    it."""
    if store_kind == "database":
        cluster = request.getfixturevalue("pg_cluster")
        site = request.getfixturevalue("pg_site")
        address = cluster.login_address("tester")
        monkeypatch.setenv("FLOOR_STORE", address)
        monkeypatch.setenv("FLOOR_SITE", site)
        return open_floor(address, clock=fixed_clock(NOW), user="tester", site=site)
    return open_floor(store_dir, clock=fixed_clock(NOW), user="tester")


STAFF = [
    Staff("A001", "欧阳娜娜", "agent", "T01", dt.date(2023, 3, 1), Decimal("1200"), "S001"),
    Staff("A002", "Li Wei", "agent", "T01", dt.date(2025, 6, 15), Decimal("1200"), "S002"),
    Staff("A003", "王芳", "agent", "T01", dt.date(2026, 11, 2), Decimal("1200"), "S003"),
    Staff("C001", "张强", "complaint", "complaint", dt.date(2022, 1, 10), Decimal("2400")),
    Staff("C002", "陈静", "complaint", "complaint", dt.date(2024, 9, 1), Decimal("2400")),
    Staff("Q001", "刘洋", "monitor", "monitor", dt.date(2021, 5, 20), Decimal("3000")),
    Staff("L001", "赵敏", "lead", "lead", dt.date(2020, 2, 2), Decimal("3500")),
    Staff("M001", "周杰", "manager", "manager", dt.date(2019, 8, 8), Decimal("5000")),
]


@pytest.fixture
def staffed(floor: Floor) -> Floor:
    """The floor with STAFF on the register."""
    return put_staff_on(floor)


def put_staff_on(floor: Floor) -> Floor:
    """STAFF on the register, since the start of the year."""
    # On the register since the start of the year: not backdated hires (those are not charged
    # for days before their entry, SPEC §4 rev. 12-2026).
    clock = floor.store.clock
    floor.store.clock = lambda: "2026-01-01T00:00:00+08:00"
    try:
        for person in STAFF:
            floor.save_staff(person)
    finally:
        floor.store.clock = clock
    return floor


@pytest.fixture
def write_file(tmp_path: Path):
    """write_file("name.csv", text) -> path, dedented."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write
