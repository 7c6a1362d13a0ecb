"""What every section screen shares: the floor, the chrome, and a refresh hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header

from screens.widgets.commands import ScreenKeyCommands
from screens.widgets.sectionbar import EMERGENCY_KEY, SectionBar

from floorapp.i18n import _

if TYPE_CHECKING:
    from floorapp.services import Floor


class FloorScreen(Screen):
    """A section of the console. Subclasses compose their body in ``compose_body``."""

    SECTION = ""
    COMMANDS = {ScreenKeyCommands}  # every key of the section also by name in Ctrl+P
    # The emergency key leads every section's footer, so it is never cut off at 80 columns
    # (the app's own F9 binding, of equal priority, is then not listed twice).
    BINDINGS = [Binding(EMERGENCY_KEY, "app.switch_mode('emergency')", _("EMERGENCY"),
                        priority=True)]

    @property
    def floor(self) -> Floor:
        return self.app.floor  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header(icon="☎")
        yield SectionBar(self.SECTION)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def refresh_data(self) -> None:
        """Re-read what the screen shows: called on resume and when the store changes."""

    def on_screen_resume(self) -> None:
        self.refresh_data()
