"""The monitoring section (Monitoring 监控/质检). A placeholder until issue #5 lands."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from screens.base import FloorScreen


class MonitoringScreen(FloorScreen):
    SECTION = "monitoring"
    TITLE = "Monitoring 监控/质检"
    CSS_PATH = "monitoring.tcss"

    def compose_body(self) -> ComposeResult:
        yield Static(id="body")

    def refresh_data(self) -> None:
        staff = self.floor.staff()
        self.query_one("#body", Static).update(
            f"{self.TITLE}\n\nThis section arrives with issue #5.\n"
            f"{len(staff)} staff on the register."
        )
