"""F1: every key that works here, read from the live bindings so it is always right.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from floorapp.i18n import N_, _

# shown as _(GUIDE)
GUIDE = N_("""\
Sections: F2 Monitor · F3 Attendance · F4 Roster · F5 Quota · F6 Summary
          (or 1–5 when no entry field has the cursor)
F9 opens the emergency checklist from anywhere.
F7: staff register.  F8: policy (every business number).
Ctrl+P: command palette, every action by name.  Ctrl+Q: quit.
Everything is saved the moment you confirm it; nothing is lost if the
connection drops. Other supervisors' changes appear within 2 seconds.""")


# Textual's own key descriptions (data tables, inputs, scrolling …), listed for the catalogue and
# translated where the help shows them.
TEXTUAL_KEYS = (
    N_("Select"), N_("Cursor up"), N_("Cursor down"), N_("Cursor left"), N_("Cursor right"),
    N_("Page up"), N_("Page down"), N_("Page Up"), N_("Page Down"), N_("Page Left"),
    N_("Page Right"), N_("Top"), N_("Bottom"), N_("Home"), N_("End"), N_("Up"), N_("Down"),
    N_("First"), N_("Last"), N_("Scroll Up"), N_("Scroll Down"), N_("Scroll Left"),
    N_("Scroll Right"), N_("Scroll Home"), N_("Scroll End"), N_("Move cursor left"),
    N_("Move cursor right"), N_("Move cursor left a word"), N_("Move cursor right a word"),
    N_("Go to start"), N_("Go to end"), N_("Delete character left"),
    N_("Delete character right"), N_("Delete all to the right"), N_("Select all"),
    N_("Copy selected text"), N_("Cut selected text"), N_("Paste text from the clipboard"),
    N_("Submit"), N_("Toggle"), N_("Press button"), N_("Show menu"), N_("Next tab"),
    N_("Previous tab"), N_("Focus Next"), N_("Focus Previous"), N_("palette"),
)


class HelpScreen(ModalScreen[None]):
    """Keys of the screen underneath and of the whole console."""

    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "dismiss", _("Close")),
        Binding("f1", "dismiss", _("Close"), show=False),
        Binding("q", "dismiss", _("Close"), show=False),
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
            # the footer's word is short; a binding's tooltip says it in full for the help
            text = _(binding.tooltip or binding.description)
            why = getattr(screen, "why_disabled", None)
            reason = why(binding.action.split("(")[0]) if why and not active.enabled else None
            if reason:  # a key this login's role may not use: say why (issue #19)
                text = _("{key} (not for you: {why})").format(key=text, why=reason)
            rows.append((display, text))
        return rows

    def compose(self) -> ComposeResult:
        title = getattr(self.under, "TITLE", None) or "floor"
        # plain text, not markup: "[" and "]" are keys here ("[ … ]" swallowed the lines between)
        keys = "\n".join(f"  {key:<10} {text}" for key, text in self.rows)
        heading = _("Help — {title}").format(title=title)
        guide, here, close = _(GUIDE), _("Keys here"), _("Esc closes this help.")
        floor = getattr(self.under.app, "floor", None)
        if floor is not None:  # who you are decides which keys work (issue #19)
            you = _("You: {who}").format(who=floor.access.describe())
            guide = f"{you}\n{guide}"
        note = getattr(self.under, "HELP_NOTE", "")  # how to move about this section
        if note:
            keys = f"  {_(note)}\n".replace("\n", "\n  ").rstrip() + "\n" + keys
        with VerticalScroll(id="help"):
            yield Static(Text.assemble((heading, "bold"), f"\n\n{guide}\n\n", (here, "bold"),
                                       f"\n{keys}\n\n{close}"))
