"""Which tests of a module that runs on both stores (issue #32) are the file store's alone.

A module marked ``pytestmark = pytest.mark.both_stores`` has each of its tests that takes a
floor (``floor``, or ``staffed`` and the like built on it) run twice by the conftest's
parametrised ``store_kind``: on a store directory and on the test cluster's database (one site
per test), each with its own module's fixtures. A test that names the file store is left to it.
"""

from __future__ import annotations

import inspect
import re
import sys
from typing import Any

# Left to the file store: tests that name its directory (``store_dir``, ``--store DIR`` on a
# command line, through the modules' ``run``/``args`` helpers, a partition's file through
# ``store.path``) and tests that act as other OS logins (on the database each is a role of its
# own: tests/store/test_db_roles.py).
_FILE_ONLY = re.compile(r'store_dir|--store|\bargs\(|\brun\(|\bmain\(|user="(?!tester")'
                        r'|\.path\(')


def file_only(test: Any) -> bool:
    """Does the test, or a helper of its module that it calls, name the file store?"""
    source = inspect.getsource(test)
    if _FILE_ONLY.search(source):
        return True
    module = sys.modules[test.__module__]
    return any(re.search(rf"\b{name}\(", source) and _FILE_ONLY.search(inspect.getsource(f))
               for name, f in vars(module).items()
               if inspect.isfunction(f) and not name.startswith("test_")
               and f.__module__ == module.__name__)
