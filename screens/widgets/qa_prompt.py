"""A one-line question in a modal: the dispute's reason, the revised marks.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from floorapp.errors import FloorError
from floorapp.i18n import _


class QaPrompt(ModalScreen[str | None]):
    """Ask for one line of text; Enter answers, Escape cancels (None).

    ``check(text)`` (optional) saves the answer and returns a message, or raises FloorError: the
    prompt then stays open with what was typed and the error under it. ``preview(text)``
    (optional) is shown under the line on every key (the revised score)."""

    DEFAULT_CSS = """
    QaPrompt { align: center middle; }
    QaPrompt > Vertical {
        width: 64; height: auto; padding: 1 2;
        border: round $primary; background: $panel;
    }
    QaPrompt Label { width: 1fr; }
    QaPrompt .qa-hint { color: $text-muted; }
    QaPrompt #qa-prompt-status { height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, question: str, hint: str = "", value: str = "",
                 check: Callable[[str], str] | None = None,
                 preview: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self.question = question
        self.hint = hint
        self.value = value
        self.check = check
        self.preview = preview

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            # not selected on focus: one Backspace must not wipe the marks being reviewed
            yield Input(value=self.value, id="qa-prompt-input", select_on_focus=False)
            if self.hint:
                yield Label(self.hint, classes="qa-hint")
            yield Label("", id="qa-prompt-status")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.show_preview(self.value)

    def show_preview(self, text: str) -> None:
        if self.preview is not None:
            self.query_one("#qa-prompt-status", Label).update(Text(self.preview(text)))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.show_preview(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.check is None:
            self.dismiss(event.value)
            return
        try:
            message = self.check(event.value)
        except FloorError as exc:
            self.query_one("#qa-prompt-status", Label).update(Text(str(exc), style="bold red"))
            return
        self.app.notify(message)
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
