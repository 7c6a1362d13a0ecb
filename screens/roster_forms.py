"""Small modal forms of the roster section: a few labelled inputs, Enter saves, Esc cancels.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from floorapp.errors import FloorError
from floorapp.i18n import _


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""


class RosterForm(ModalScreen[dict[str, str] | None]):
    """A titled form; dismisses with {field name: text} on Enter, None on Esc.

    ``check(values)`` (optional) saves them or raises FloorError: the form then stays open with
    everything typed and the error in it (a refused swap or call-in is corrected, not retyped).
    """

    CSS_PATH = "roster.tcss"
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, title: str, fields: list[Field], note: str = "",
                 check: Callable[[dict[str, str]], None] | None = None) -> None:
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.note = note
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="roster-form"):
            yield Static(f"[b]{self.form_title}[/b]", markup=True, id="form-title")
            if self.note:
                yield Static(self.note, id="form-note", markup=False)
            for field in self.fields:
                yield Label(field.label)
                yield Input(value=field.value, placeholder=field.placeholder,
                            id=f"field-{field.name}")
            yield Static("", id="form-error", markup=False)
            yield Static(_("Enter saves · Tab next field · Esc cancels"), classes="form-keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        values = {f.name: self.query_one(f"#field-{f.name}", Input).value for f in self.fields}
        if self.check is not None:
            try:
                self.check(values)
            except FloorError as exc:
                self.query_one("#form-error", Static).update(Text(str(exc), style="bold red"))
                return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """A yes/no question: y confirms, n or Esc declines."""

    CSS_PATH = "roster.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", _("Yes")),
        Binding("n", "answer(False)", _("No")),
        Binding("escape", "answer(False)", _("No"), show=False),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="roster-form"):
            yield Static(self.question, markup=False)
            yield Static(_("y yes · n no"), classes="form-keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TextPanel(ModalScreen[None]):
    """A scrollable list of lines (the month's violations)."""

    CSS_PATH = "roster.tcss"
    BINDINGS = [Binding("escape", "close", _("Close")),
                Binding("v", "close", _("Close"), show=False)]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self.panel_title = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        from textual.containers import VerticalScroll

        with VerticalScroll(id="roster-panel"):
            yield Static(f"[b]{self.panel_title}[/b]", markup=True)
            yield Static("\n".join(f"• {line}" for line in self.lines) or _("Every rule met."),
                         markup=False, id="panel-lines")
            yield Static(_("Esc closes"), classes="form-keys")

    def action_close(self) -> None:
        self.dismiss(None)
