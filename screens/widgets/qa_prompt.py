"""A one-line question in a modal: the dispute's reason, the revised marks."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from floorapp.i18n import _


class QaPrompt(ModalScreen[str | None]):
    """Ask for one line of text; Enter answers, Escape cancels (None)."""

    DEFAULT_CSS = """
    QaPrompt { align: center middle; }
    QaPrompt > Vertical {
        width: 64; height: auto; padding: 1 2;
        border: round $primary; background: $panel;
    }
    QaPrompt Label { width: 1fr; }
    QaPrompt .qa-hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, question: str, hint: str = "", value: str = "") -> None:
        super().__init__()
        self.question = question
        self.hint = hint
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            yield Input(value=self.value, id="qa-prompt-input")
            if self.hint:
                yield Label(self.hint, classes="qa-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
