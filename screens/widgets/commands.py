"""Command palette entries read from the sections' bindings: every key's action is also reachable
by name (Ctrl+P) from anywhere, e.g. "Roster: Swap", "Attendance: Month", "Summary: Export CSV"
from the attendance screen (another section's command switches to it first).

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from floorapp.i18n import _

_KEY_NAMES = {"left_square_bracket": "[", "right_square_bracket": "]", "slash": "/",
              "plus": "+", "equals_sign": "=", "space": "space", "escape": "esc"}


class ScreenKeyCommands(Provider):
    """One command per described binding of the screen the palette was opened on, then of every
    other section (mode) of the app."""

    def _commands(self) -> list[tuple[str, str, str, str | None]]:
        """(name, action, help, mode to switch to first — None: the screen it was opened on)."""
        screen = self.screen
        sources: list[tuple[object, str | None]] = [(screen, None)]
        modes = getattr(self.app, "MODES", {})
        for mode, screen_type in modes.items():
            screen_type = getattr(screen_type, "screen_class", screen_type)  # a lazy section
            if mode != self.app.current_mode and isinstance(screen_type, type):
                sources.append((screen_type, mode))
        out = []
        for source, mode in sources:
            title = getattr(source, "TITLE", "") or getattr(source, "__name__", "") \
                or type(source).__name__
            section = title.split()[0]
            seen: set[str] = set()
            for binding in getattr(source, "BINDINGS", []):
                if not getattr(binding, "description", "") or binding.action in seen \
                        or binding.action.startswith("app."):
                    continue
                # the full words (the tooltip) where the footer's are short ("Go to date")
                description = binding.tooltip or binding.description
                seen.add(binding.action)
                key = binding.key_display or _KEY_NAMES.get(binding.key, binding.key)
                where = "" if mode is None else " · " + _("switches to {section}").format(
                    section=section)
                out.append((f"{section}: {description}", binding.action,
                            _("key {key}").format(key=key) + where, mode))
        return out

    def _runner(self, action: str, mode: str | None):  # noqa: ANN202 - a callback
        screen = self.screen
        app = self.app

        async def run() -> None:
            if mode is None:
                await screen.run_action(action)
                return
            await app.switch_mode(mode)
            await app.screen.run_action(action)

        return run

    async def discover(self) -> Hits:
        for name, action, help_text, mode in self._commands():
            yield DiscoveryHit(name, self._runner(action, mode), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text, mode in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._runner(action, mode),
                          help=help_text)
