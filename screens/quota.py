"""The quota section (Quota 外呼量). A placeholder until issue #4 lands."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from screens.base import FloorScreen


class QuotaScreen(FloorScreen):
    SECTION = "quota"
    TITLE = "Quota 外呼量"
    CSS_PATH = "quota.tcss"

    def compose_body(self) -> ComposeResult:
        yield Static(id="body")

    def refresh_data(self) -> None:
        staff = self.floor.staff()
        self.query_one("#body", Static).update(
            f"{self.TITLE}\n\nThis section arrives with issue #4.\n"
            f"{len(staff)} staff on the register."
        )
