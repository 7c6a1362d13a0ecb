"""F7: the staff register — find, add, edit and retire staff by keyboard.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen, Screen
from textual.suggester import SuggestFromList
from textual.widgets import DataTable, Header, Input, Label, Static

from floorapp.formats import csvio
from floorapp.errors import FloorError
from floorapp.i18n import N_, _
from floorapp.services import Floor
from floorapp.services.staff import staff_from_row
from floorapp.roles import ROLES
from floorapp.rules.staff import Staff
from screens.base import RightsMixin
from screens.text import plain
from screens.widgets.footer import SteadyFooter
from screens.widgets.tables import FixedTable

# (field, label): the label's part before ':' names the field, all of it is the placeholder
FIELDS = [("id", N_("staff id")), ("name", N_("name")), ("role", N_("role: {roles}")),
          ("team", N_("team")), ("seat", N_("seat")), ("login", N_("OS login: gives the role")),
          ("hired", N_("hired YYYY-MM-DD")), ("base_pay", N_("monthly base pay")),
          ("clock_id", N_("clock id: empty = the staff id")),
          ("extension", N_("phone extension"))]


# a role in the table and the counts as people say it (the store and the form keep the codes)
ROLE_SHORT = {"agent": N_("agent"), "complaint": N_("complaint"), "monitor": N_("monitor"),
              "lead": N_("lead"), "manager": N_("manager")}


def role_short(role: str) -> str:
    return _(ROLE_SHORT[role]) if role in ROLE_SHORT else role


def field_label(label: str) -> str:
    """A FIELDS label in the interface language, the roles filled in."""
    return _(label).format(roles=" | ".join(ROLES))


class StaffScreen(RightsMixin, Screen[None]):
    """The register: type to filter, a adds, Enter edits, r retires (with a reason)."""

    ACTION_RIGHTS = {"add": "staff.change", "edit": "staff.change", "retire": "staff.change"}
    TITLE = _("Staff register 员工")
    CSS_PATH = "staff.tcss"
    BINDINGS = [
        Binding("escape", "close", _("Back")),
        Binding("a", "add", _("Add")),
        Binding("enter", "edit", _("Edit"), show=False),
        Binding("e", "edit", _("Edit")),
        Binding("r", "retire", _("Retire")),
        Binding("slash", "filter", _("Filter")),
        Binding("l", "toggle_leavers", _("Leavers")),
    ]

    def __init__(self, floor: Floor) -> None:
        super().__init__()
        self.floor = floor
        self.with_leavers = False  # l: retired staff listed too, marked with the day they left

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        yield Input(id="filter", placeholder=_("filter: part of an id or a name"))
        yield FixedTable(id="staff", cursor_type="row", zebra_stripes=True)
        yield Static(id="counts")
        yield SteadyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#staff", DataTable)
        table.add_columns(_("id"), _("name"), _("role"), _("team"), _("seat"), _("login"),
                          _("hired"), _("base pay"))
        self.refresh_data()
        table.focus()

    def refresh_data(self) -> None:
        text = self.query_one("#filter", Input).value.strip()
        everyone = self.floor.staff(include_retired=self.with_leavers)
        people = [s for s in everyone if s.left is None]
        shown = [s for s in everyone if not text or s.matches(text)]
        table = self.query_one("#staff", DataTable)
        row = table.cursor_row
        table.clear()
        for s in shown:
            left = _("left {day}").format(day=s.left.isoformat()) if s.left else ""
            table.add_row(s.id, plain(s.name), role_short(s.role), plain(s.team),
                          left or plain(s.seat),
                          s.login, s.hired.isoformat(),
                          "—" if s.base_pay is None else str(s.base_pay), key=s.id)
        if row is not None and shown:
            table.move_cursor(row=min(row, len(shown) - 1))
        counts: dict[str, int] = {}
        for s in people:
            counts[s.role] = counts.get(s.role, 0) + 1
        self.query_one("#counts", Static).update(
            _("{shown} of {total} shown").format(shown=len(shown), total=len(people)) + " · "
            + " · ".join(f"{role_short(role)} {counts.get(role, 0)}" for role in ROLES)
            + (" · " + _("with {n} leaver(s) (l hides)").format(n=len(everyone) - len(people))
               if self.with_leavers else " · " + _("l lists leavers")))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.refresh_data()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.query_one("#staff", DataTable).focus()

    def selected(self) -> Staff | None:
        table = self.query_one("#staff", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.floor.staff_by_id().get(str(key))

    def action_toggle_leavers(self) -> None:
        self.with_leavers = not self.with_leavers
        self.refresh_data()

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_close(self) -> None:
        if self.query_one("#filter", Input).has_focus:
            self.query_one("#staff", DataTable).focus()
            return
        self.dismiss()

    def action_add(self) -> None:
        self.app.push_screen(StaffForm(self.floor, None), self._saved)

    def action_edit(self) -> None:
        person = self.selected()
        if person is not None:
            self.app.push_screen(StaffForm(self.floor, person), self._saved)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if self.refused("edit"):
            self.refuse_notice("edit")
            return
        self.action_edit()

    def _saved(self, person: Staff | None) -> None:
        if person is not None:
            self.notify(_("{id} saved").format(id=person.id))
            self.refresh_data()

    def action_retire(self) -> None:
        person = self.selected()
        if person is not None:
            self.app.push_screen(RetireForm(person), self._retire)

    def _retire(self, answer: tuple[str, str, str] | None) -> None:
        if not answer:
            return
        staff_id, reason, last = answer
        try:
            last_day = csvio.parse_date(last, _("last day")) if last else None
            self.floor.retire_staff(staff_id, reason, last_day)
        except (FloorError, ValueError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(_("{id} retired: kept in every report of the days they worked").format(
            id=staff_id))
        self.refresh_data()


class StaffForm(ModalScreen[Staff | None]):
    """Add or edit one person. Tab/Enter moves on; Enter on the last field (or Ctrl+S) saves."""

    BINDINGS = [
        Binding("escape", "cancel", _("Cancel")),
        Binding("ctrl+s", "save", _("Save")),
        Binding("down", "app.focus_next", _("Next field"), show=False),
        Binding("up", "app.focus_previous", _("Previous field"), show=False),
    ]

    def __init__(self, floor: Floor, person: Staff | None) -> None:
        super().__init__()
        self.floor = floor
        self.person = person

    def compose(self) -> ComposeResult:
        values = self.person.to_record() if self.person else {"role": "agent"}
        if self.person and self.person.base_pay is not None:
            values["base_pay"] = str(self.person.base_pay)
        with Vertical(id="form"):
            yield Label(_("Edit {id}").format(id=self.person.id) if self.person
                        else _("New staff member"), id="title")
            with Grid(id="fields"):
                for name, label in FIELDS:
                    shown = field_label(label)
                    yield Label(shown.split(":")[0].split("：")[0])
                    field = Input(value=str(values.get(name, "")), placeholder=shown, id=name,
                                  suggester=SuggestFromList(ROLES) if name == "role" else None)
                    if name == "id" and self.person:
                        field.disabled = True
                    yield field
            yield Label(_("↓/Enter: next · ↑: back · Enter on the last or Ctrl+S: save"),
                        id="hint")
        yield SteadyFooter(compact=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        names = [n for n, _label in FIELDS]
        index = names.index(event.input.id or "id")
        if index == len(names) - 1:
            self.action_save()
        else:
            self.query_one(f"#{names[index + 1]}", Input).focus()

    def action_save(self) -> None:
        row = {name: self.query_one(f"#{name}", Input).value for name, _label in FIELDS}
        try:
            person = staff_from_row(row)
            if self.person is None and person.id in self.floor.staff_by_id():
                raise FloorError(_("staff id {id} is already on the register").format(
                    id=person.id))
            self.floor.save_staff(person)
        except (ValueError, FloorError) as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        self.dismiss(person)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RetireForm(ModalScreen[tuple[str, str, str] | None]):
    """Retiring needs a reason; nothing is deleted."""

    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, person: Staff) -> None:
        super().__init__()
        self.person = person

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Label(_("Retire {id} {name}? Their history stays.").format(
                id=self.person.id, name=self.person.name))
            yield Input(id="reason", placeholder=_("reason (required), Enter confirms"))
            yield Input(id="last-day", placeholder=_(
                "last day at work YYYY-MM-DD (empty: yesterday)"))
        yield SteadyFooter(compact=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.notify(_("a reason is required to retire someone"), severity="error")
            self.query_one("#reason", Input).focus()
            return
        if event.input.id == "reason":
            self.query_one("#last-day", Input).focus()
            return
        self.dismiss((self.person.id, reason, self.query_one("#last-day", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
