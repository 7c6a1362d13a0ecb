"""The layout is the architecture (STYLE.md, issue #29): prove it on the source, like Harlequin
does, so the tree cannot silently decay.

Each folder is a layer, and a layer imports only from the layers below it:

    store/                      TinyDB and psycopg; nothing of floorapp or screens
    floorapp/ basics            policy, roles, i18n, clock, money, errors, text: each other only
    floorapp/rules/             + the basics: pure, no I/O
    floorapp/formats/           + the rules: the outside world's files, report rendering
    floorapp/services/          + formats and the store's API: the use-cases
    screens/                    + services and Textual; never the store
    floorapp/cli/, wallboard.py + services (the CLI also the store's errors and the app)
    floorapp/app.py             the Textual app over the screens

A module's first lines say what it holds and, in one sentence, what it may import (its layer's
``May import:``); no module is over 500 lines, no class over 400.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    p for folder in ("floorapp", "screens", "store") for p in (ROOT / folder).rglob("*.py")
)

UI = {"textual", "rich"}

# layer -> the layers its modules may import (besides the standard library and third parties
# not named here); every layer may import itself
MAY_IMPORT: dict[str, set[str]] = {
    "store": {"tinydb", "psycopg"},
    "basics": set(),
    "rules": {"basics"},
    "formats": {"basics", "rules"},
    "services": {"basics", "rules", "formats", "store"},
    "screens": {"basics", "rules", "formats", "services", "ui"},
    "cli": {"basics", "rules", "formats", "services", "store", "app", "wallboard"},
    "wallboard": {"basics", "rules", "formats", "services"},
    "app": {"basics", "rules", "formats", "services", "screens", "ui"},
}

# the sentence each layer's modules carry in their first lines
SENTENCES: dict[str, str] = {
    "store": "May import: TinyDB, psycopg and the standard library; nothing of floorapp or "
             "screens.",
    "basics": "May import: other basics only (policy, roles, i18n, clock, money, errors, text); "
              "never rules, formats, services, the CLI, screens, the store or Textual.",
    "rules": "May import: the basics (policy, roles, i18n, clock, money, errors, text) and other "
             "rules; never formats, services, the CLI, screens, the store, TinyDB or Textual.",
    "formats": "May import: the basics and the rules; never services, the CLI, screens, the "
               "store, TinyDB or Textual.",
    "services": "May import: the store's API, rules, formats and the basics; never the CLI, "
                "screens, the app or Textual.",
    "screens": "May import: Textual, widgets, services, rules, formats and the basics; never the "
               "store, TinyDB or the CLI.",
    "cli": "May import: services, formats, rules, the basics and the store's errors; the app "
           "only to start the console; never screens or Textual.",
    "wallboard": "May import: services, formats, rules and the basics; never the CLI, screens, "
                 "the store or Textual.",
    "app": "May import: Textual, the screens, services, rules, formats and the basics; never the "
           "store, TinyDB or the CLI.",
}

MODULE_LINES = 500
CLASS_LINES = 400


def layer_of(where: str) -> str:
    """The layer of a source file, by its path relative to the project root."""
    parts = where.split("/")
    if parts[0] in ("store", "screens"):
        return parts[0]
    if parts[1] in ("rules", "formats", "services", "cli"):
        return parts[1]
    if parts[1] in ("app.py", "wallboard.py"):
        return parts[1].removesuffix(".py")
    return "basics"


def layer_of_module(name: str) -> str | None:
    """The layer of an imported module; None outside the project (standard library, others)."""
    parts = name.split(".")
    if parts[0] in UI:
        return "ui"
    if parts[0] in ("store", "screens", "tinydb", "psycopg"):
        return parts[0]
    if parts[0] != "floorapp":
        return None
    if len(parts) == 1:
        return "basics"  # floorapp itself: its version and its folder
    if parts[1] in ("rules", "formats", "services", "cli", "app", "wallboard"):
        return parts[1]
    return "basics"


def imported(source: str) -> set[str]:
    """Every module a source imports, anywhere in it (inside functions and TYPE_CHECKING too);
    ``from floorapp import x`` counts as ``floorapp.x``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in ("floorapp", "floorapp.rules", "floorapp.formats",
                               "floorapp.services", "floorapp.cli"):
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
    return names


def violations(where: str, source: str) -> list[str]:
    """What the source at ``where`` imports from a layer it may not."""
    layer = layer_of(where)
    allowed = MAY_IMPORT[layer] | {layer}
    return sorted(f"{where} ({layer}) imports {name} ({other})"
                  for name in imported(source)
                  if (other := layer_of_module(name)) is not None and other not in allowed)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_a_module_imports_only_from_the_layers_below(path: Path) -> None:
    assert violations(rel(path), path.read_text("utf-8")) == []


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_a_module_says_first_what_it_holds_and_what_it_may_import(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"))
    docstring = ast.get_docstring(tree, clean=False)
    assert docstring, f"{rel(path)}: no docstring saying what it holds"
    first = docstring.strip().splitlines()
    assert first[0].strip(), f"{rel(path)}: the docstring's first line is empty"
    sentence = SENTENCES[layer_of(rel(path))]
    head = " ".join(line.strip() for line in first[:16])
    assert sentence in head, f"{rel(path)}: its first lines lack {sentence!r}"


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_no_room_over_the_limits(path: Path) -> None:
    source = path.read_text("utf-8")
    lines = source.count("\n")
    assert lines <= MODULE_LINES, f"{rel(path)}: {lines} lines (limit {MODULE_LINES})"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            size = node.end_lineno - node.lineno + 1
            assert size <= CLASS_LINES, \
                f"{rel(path)}: class {node.name} is {size} lines (limit {CLASS_LINES})"


@pytest.mark.parametrize(("where", "source", "found"), [
    ("floorapp/rules/quota.py", "from floorapp.services import quota", "services"),
    ("floorapp/rules/quota.py", "from floorapp.formats import reports", "formats"),
    ("floorapp/rules/quota.py", "def f():\n    import textual", "ui"),
    ("floorapp/formats/xlsx.py", "from floorapp.services.board import day_sheets", "services"),
    ("floorapp/services/quota.py", "from screens.quota import QuotaScreen", "screens"),
    ("floorapp/services/quota.py", "from floorapp import cli", "cli"),
    ("floorapp/services/quota.py", "import tinydb", "tinydb"),
    ("screens/quota.py", "from store.db import Store", "store"),
    ("floorapp/policy.py", "from floorapp.rules.staff import ROLES", "rules"),
    ("store/db.py", "from floorapp.errors import FloorError", "basics"),
    ("floorapp/cli/main.py", "from screens.quota import QuotaScreen", "screens"),
    ("floorapp/wallboard.py", "from store import files", "store"),
], ids=lambda value: value if isinstance(value, str) and "/" not in value and " " not in value
    else None)
def test_the_check_finds_an_import_that_runs_back_up(where: str, source: str, found: str) -> None:
    found_here = violations(where, source)
    assert len(found_here) == 1 and found_here[0].endswith(f"({found})"), found_here


@pytest.mark.parametrize(("where", "source"), [
    ("floorapp/rules/quota.py", "from floorapp import i18n\nfrom floorapp.rules import roster"),
    ("floorapp/formats/reports.py", "from floorapp.rules.quota import Counts"),
    ("floorapp/services/quota.py", "from store import StoreError\nfrom floorapp.formats import csvio"),
    ("screens/quota.py", "from textual.app import App\nfrom floorapp.services import Floor"),
    ("store/db.py", "from tinydb import TinyDB\nimport os"),
])
def test_the_check_lets_a_layer_import_those_below(where: str, source: str) -> None:
    assert violations(where, source) == []


def test_the_check_sees_the_whole_tree() -> None:
    wheres = {rel(p) for p in SOURCES}
    assert {"store/tx.py", "floorapp/app.py", "floorapp/rules/quota.py",
            "floorapp/cli/main.py", "screens/quota.py"} <= wheres
    assert "tinydb" in imported((ROOT / "store" / "tx.py").read_text("utf-8"))
    assert "textual" in {name.split(".")[0] for name in
                         imported((ROOT / "floorapp" / "app.py").read_text("utf-8"))}
    assert {layer_of(w) for w in wheres} == set(MAY_IMPORT)
