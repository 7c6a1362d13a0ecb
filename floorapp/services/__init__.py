"""Use-cases shared by the CLI and the TUI. Screens and commands call these, never the store."""

from floorapp.services.core import Floor, open_floor

__all__ = ["Floor", "open_floor"]
