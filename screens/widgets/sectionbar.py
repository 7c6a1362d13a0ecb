"""The line under the header naming every section and its key; the current one highlighted.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""

from __future__ import annotations

from textual.widgets import Static

from floorapp.i18n import N_, _

SECTIONS = [
    ("f2", "monitoring", N_("Monitor")),
    ("f3", "attendance", N_("Attendance")),
    ("f4", "roster", N_("Roster")),
    ("f5", "quota", N_("Quota")),
    ("f6", "summary", N_("Summary")),
]
EMERGENCY_KEY = "f9"


class SectionBar(Static):
    DEFAULT_CSS = """
    SectionBar { height: 1; background: $panel; color: $text-muted; }
    """

    def __init__(self, current: str) -> None:
        super().__init__(self.line(current), markup=True)

    @staticmethod
    def line(current: str) -> str:
        parts = []
        for key, mode, label in SECTIONS:
            text = f"{key.upper()} {_(label)}"
            parts.append(f"[reverse b]{text}[/]" if mode == current else text)
        sos_label = _("SOS")
        sos = f"{EMERGENCY_KEY.upper()} {sos_label}"
        parts.append(f"[reverse b red]{sos}[/]" if current == "emergency" else f"[b red]{sos}[/]")
        return " " + "  ".join(parts)
