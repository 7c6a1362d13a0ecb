"""Small modal dialogs of the emergency screen: a one-line prompt, a pick list, the log.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from floorapp.rules import emergency as rules
from floorapp.i18n import _
from screens.text import plain
from screens.widgets.tables import FixedTable


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text. Enter answers, Esc cancels (answers None)."""

    CSS_PATH = "emergency.tcss"
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, title: str, hint: str = "", value: str = "",
                 placeholder: str = "", required: bool = True) -> None:
        super().__init__()
        self.required = required
        self.title_text = title
        self.hint = hint
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="emergency-dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.hint:
                yield Static(self.hint, classes="dialog-hint", markup=False)
            yield Input(value=self.value, placeholder=self.placeholder, id="answer")
            yield Static(_("Enter: save   Esc: cancel"), classes="dialog-hint", id="prompt-help")

    def on_mount(self) -> None:
        answer = self.query_one("#answer", Input)
        answer.focus()
        if self.value:
            answer.select_all()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.required and not event.value.strip():
            # Stay open: keys typed after a dismissed prompt would act on the screen below.
            self.query_one("#prompt-help", Static).update(
                "[b red]" + _("This cannot be empty") + "[/] — "
                + _("type it, or Esc to cancel"))
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickScreen(ModalScreen[str | None]):
    """Pick one of a list (arrows + Enter, or type the first letters). Esc cancels."""

    CSS_PATH = "emergency.tcss"
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, title: str, options: list[tuple[str, str]], empty: str) -> None:
        super().__init__()
        self.title_text = title
        self.options = options
        self.empty = empty

    def compose(self) -> ComposeResult:
        with Vertical(classes="emergency-dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.options:
                yield OptionList(*[Option(label, id=key) for key, label in self.options],
                                 id="pick")
                yield Static(_("↑↓ choose   Enter: pick   Esc: cancel"), classes="dialog-hint")
            else:
                yield Static(self.empty, classes="dialog-hint", markup=False)
                yield Static(_("Esc: back"), classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class LogScreen(ModalScreen[None]):
    """The incident log: every incident, newest first; Enter shows its timeline."""

    CSS_PATH = "emergency.tcss"
    BINDINGS = [Binding("escape", "dismiss", _("Close")), Binding("l", "dismiss", _("Close"),
                                                               show=False)]

    def __init__(self, rows: list[dict], timeline) -> None:  # noqa: ANN001 - id -> text
        super().__init__()
        self.rows = rows
        self.timeline = timeline

    def compose(self) -> ComposeResult:
        with Vertical(classes="emergency-dialog", id="log-dialog"):
            yield Static(_("Incident log ({n}) — Enter: timeline   Esc: close").format(
                n=len(self.rows)), classes="dialog-title")
            table: DataTable = FixedTable(cursor_type="row", zebra_stripes=True, id="log")
            table.add_columns(_("id"), _("kind"), _("started"), _("status"), _("title"))
            for row in self.rows:
                table.add_row(row["id"], rules.word(rules.KIND_WORDS, row["kind"]),
                              row["started"][5:16].replace("T", " "),
                              rules.word(rules.STATUS_WORDS, row["status"]),
                              plain(rules.incident_title(row)), key=row["id"])
            if not self.rows:
                yield Static(_("No incident recorded yet."), classes="dialog-hint")
            yield table

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.app.push_screen(TextScreen(self.timeline(event.row_key.value)))


class TextScreen(ModalScreen[None]):
    """A scrollable text (an incident's timeline)."""

    CSS_PATH = "emergency.tcss"
    BINDINGS = [Binding("escape", "dismiss", _("Close"))]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="emergency-dialog", id="timeline"):
            yield Static(self.text, markup=False)
            yield Static(_("Esc: close"), classes="dialog-hint")
