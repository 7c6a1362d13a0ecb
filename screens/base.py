"""What every section screen shares: the floor, the chrome, and a refresh hook.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen
from textual.widgets import Header

from screens.widgets.commands import ScreenKeyCommands
from screens.widgets.footer import SteadyFooter
from screens.widgets.sectionbar import EMERGENCY_KEY, SectionBar

from floorapp.i18n import _

if TYPE_CHECKING:
    from floorapp.services import Floor


class RightsMixin:
    """Keys greyed when this login's role may not use them (issue #19); help says why.

    ``ACTION_RIGHTS`` maps a screen action to the rights action it needs (floorapp.rules.rights).
    The services refuse anyway; greying only saves a wasted keystroke.
    """

    ACTION_RIGHTS: ClassVar[dict[str, str]] = {}

    def refused(self, action: str) -> bool:
        need = self.ACTION_RIGHTS.get(action)
        return bool(need) and not self.floor.may(need)  # type: ignore[attr-defined]

    def why_disabled(self, action: str) -> str | None:
        """"only managers, leads may" for a key this login may not use, else None."""
        if not self.refused(action):
            return None
        return self.floor.access.only_who(self.ACTION_RIGHTS[action])  # type: ignore[attr-defined]

    def refuse_notice(self, action: str) -> None:
        """A refused key said as a notice (a refusal, not an error)."""
        need = self.ACTION_RIGHTS[action]
        self.notify(self.floor.access.why_not(need) or "", severity="warning")  # type: ignore

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.refused(action) else True


class FloorScreen(RightsMixin, Screen):
    """A section of the console. Subclasses compose their body in ``compose_body``."""

    SECTION = ""
    COMMANDS = {ScreenKeyCommands}  # every key of the section also by name in Ctrl+P
    # The emergency key leads every section's footer, so it is never cut off at 80 columns
    # (the app's own F9 binding, of equal priority, is then not listed twice).
    # "SOS" as on the section bar; help says it in full (the tooltip).
    BINDINGS = [Binding(EMERGENCY_KEY, "app.switch_mode('emergency')", _("SOS"),
                        priority=True, tooltip=_("EMERGENCY"))]

    @property
    def floor(self) -> Floor:
        return self.app.floor  # type: ignore[attr-defined]

    def footer_hidden(self) -> set[str]:
        """Actions left out of the footer just now (they still work, and F1 lists them): a
        section whose keys do not all fit at 80 columns shows those of the pane in use."""
        return set()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        bindings = super().active_bindings
        hidden = self.footer_hidden()
        if not hidden:
            return bindings
        return {key: active._replace(binding=replace(active.binding, show=False))
                if active.binding.action in hidden else active
                for key, active in bindings.items()}

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        yield SectionBar(self.SECTION)
        yield from self.compose_body()
        yield SteadyFooter(compact=True)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def refresh_data(self) -> None:
        """Re-read what the screen shows: called on resume and when the store changes."""

    def on_screen_resume(self) -> None:
        self.refresh_data()
