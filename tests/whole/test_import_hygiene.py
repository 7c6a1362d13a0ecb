"""The layout is the architecture (STYLE.md): prove it on the source, like Harlequin does.

- TinyDB is imported only in store/.
- Rules, services, the CLI and the store never import Textual (only floorapp/app.py and
  screens/ do), so the CLI, reports and rules work without a UI.
- Screens never touch the store: they call floorapp services. Rule modules neither.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    p for folder in ("floorapp", "screens", "store") for p in (ROOT / folder).rglob("*.py")
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_layout_rules(path: Path) -> None:
    modules = imported_modules(path)
    where = rel(path)
    if not where.startswith("store/"):
        assert "tinydb" not in modules, f"{where} imports tinydb: only store/ may"
    ui_allowed = where.startswith("screens/") or where == "floorapp/app.py"
    if not ui_allowed:
        assert "textual" not in modules, f"{where} imports textual: only screens/ and app.py may"
        assert "rich" not in modules, f"{where} imports rich"
    if where.startswith("floorapp/") and where.count("/") == 1 and where not in (
        "floorapp/cli/main.py", "floorapp/app.py", "floorapp/services/demo.py"
    ):
        # rules, policy, reports: plain data in, plain data out
        assert "store" not in modules, f"{where} imports store: only services/ may"
    if where.startswith("screens/"):
        assert "store" not in modules, f"{where} imports store: screens call floorapp services"
        assert "tinydb" not in modules


def test_the_check_sees_the_whole_tree() -> None:
    assert any(rel(p) == "store/tx.py" for p in SOURCES)
    assert "tinydb" in imported_modules(ROOT / "store" / "tx.py")
    assert "textual" in imported_modules(ROOT / "floorapp" / "app.py")
