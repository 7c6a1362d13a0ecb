"""Use-cases shared by the CLI and the TUI. Screens and commands call these, never the store.

May import: the store's API, rules, formats and the basics; never the CLI, screens, the app or
Textual.
"""

from floorapp.services.core import Floor, open_floor

__all__ = ["Floor", "open_floor"]
