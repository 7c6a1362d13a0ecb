"""The emergency section (Emergency 突发事件). A placeholder until issue #7 lands."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from screens.base import FloorScreen


class EmergencyScreen(FloorScreen):
    SECTION = "emergency"
    TITLE = "Emergency 突发事件"
    CSS_PATH = "emergency.tcss"

    def compose_body(self) -> ComposeResult:
        yield Static(id="body")

    def refresh_data(self) -> None:
        staff = self.floor.staff()
        self.query_one("#body", Static).update(
            f"{self.TITLE}\n\nThis section arrives with issue #7.\n"
            f"{len(staff)} staff on the register."
        )
