"""The services' tests again, on the database store (issue #32): the same floor, kept in the
test cluster's database (tests/pg.py), one site per test.

The tests are the services' own, imported: pytest collects them here, where ``floor`` is a
floor on the database, so every one of them proves the same behaviour on both stores.
"""

from __future__ import annotations

import inspect
import re
import sys

import pytest

from floorapp.clock import fixed_clock
from floorapp.services import Floor, open_floor
from tests.conftest import NOW
from tests.test_attendance_service import *  # noqa: F403
from tests.test_core import *  # noqa: F403
from tests.test_emergency_service import *  # noqa: F403
from tests.test_lost_updates import *  # noqa: F403
from tests.test_monitoring_service import *  # noqa: F403
from tests.test_pay_service import *  # noqa: F403
from tests.test_roster_service import *  # noqa: F403


# Left to the file store: tests that name its directory (``store_dir``, ``--store DIR`` on a
# command line, through the modules' ``run``/``args`` helpers) and tests that act as other
# OS logins (on the database each is a role of its own: tests/test_db_roles.py).
_FILE_ONLY = re.compile(r'store_dir|--store|\bargs\(|\brun\(|\bmain\(|user="(?!tester")')



def _file_only(test) -> bool:
    """Does the test, or a helper of its module that it calls, name the file store?"""
    source = inspect.getsource(test)
    if _FILE_ONLY.search(source):
        return True
    module = sys.modules[test.__module__]
    return any(re.search(rf"\b{name}\(", source) and _FILE_ONLY.search(inspect.getsource(f))
               for name, f in vars(module).items()
               if inspect.isfunction(f) and not name.startswith("test_")
               and f.__module__ == module.__name__)


for _name, _test in list(globals().items()):
    if _name.startswith("test_") and inspect.isfunction(_test) and _file_only(_test):
        del globals()[_name]


@pytest.fixture
def floor(pg_cluster, pg_site: str, monkeypatch: pytest.MonkeyPatch) -> Floor:
    """An empty floor at NOW on the database store, as the login ``tester``; the store the
    environment names, so a test that opens the floor again (``open_floor(None)``) finds it."""
    address = pg_cluster.login_address("tester")
    monkeypatch.setenv("FLOOR_STORE", address)
    monkeypatch.setenv("FLOOR_SITE", pg_site)
    return open_floor(address, clock=fixed_clock(NOW), user="tester", site=pg_site)
