"""F1: every key that works here, read from the live bindings so it is always right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GUIDE = """\
Sections: F2 Monitor · F3 Attendance · F4 Roster · F5 Quota · F6 Summary
          (or 1–5 when no entry field has the cursor)
F9 opens the emergency checklist from anywhere.
F7: staff register.  F8: policy (every business number).
Ctrl+P: command palette, every action by name.  Ctrl+Q: quit.
Everything is saved the moment you confirm it; nothing is lost if the
connection drops. Other supervisors' changes appear within 2 seconds."""


class HelpScreen(ModalScreen[None]):
    """Keys of the screen underneath and of the whole console."""

    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("f1", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under
        self.rows = self.key_rows(under)

    @staticmethod
    def key_rows(screen: Screen) -> list[tuple[str, str]]:
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding: Binding = active.binding
            if not binding.description or binding.system or key in seen:
                continue
            if key.startswith("super+") or key in ("tab", "shift+tab", "ctrl+c"):
                continue
            seen.add(key)
            display = screen.app.get_key_display(binding)
            rows.append((display, binding.description))
        return rows

    def compose(self) -> ComposeResult:
        title = getattr(self.under, "TITLE", None) or "floor"
        keys = "\n".join(f"  {key:<10} {text}" for key, text in self.rows)
        with VerticalScroll(id="help"):
            yield Static(f"[b]Help — {title}[/b]\n\n{GUIDE}\n\n[b]Keys here[/b]\n{keys}\n\n"
                         "Esc closes this help.", markup=True)
