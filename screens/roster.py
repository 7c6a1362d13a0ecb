"""The roster section (Roster 排班). A placeholder until issue #6 lands."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from screens.base import FloorScreen


class RosterScreen(FloorScreen):
    SECTION = "roster"
    TITLE = "Roster 排班"
    CSS_PATH = "roster.tcss"

    def compose_body(self) -> ComposeResult:
        yield Static(id="body")

    def refresh_data(self) -> None:
        staff = self.floor.staff()
        self.query_one("#body", Static).update(
            f"{self.TITLE}\n\nThis section arrives with issue #6.\n"
            f"{len(staff)} staff on the register."
        )
