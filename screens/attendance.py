"""The attendance section (Attendance 考勤). A placeholder until issue #3 lands."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from screens.base import FloorScreen


class AttendanceScreen(FloorScreen):
    SECTION = "attendance"
    TITLE = "Attendance 考勤"
    CSS_PATH = "attendance.tcss"

    def compose_body(self) -> ComposeResult:
        yield Static(id="body")

    def refresh_data(self) -> None:
        staff = self.floor.staff()
        self.query_one("#body", Static).update(
            f"{self.TITLE}\n\nThis section arrives with issue #3.\n"
            f"{len(staff)} staff on the register."
        )
