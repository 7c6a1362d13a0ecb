"""Command palette entries for the quota and summary screens, read from their bindings so
every key's action is also reachable by name (Ctrl+P)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenKeyCommands(Provider):
    """One command per described binding of the screen the palette was opened on."""

    def _commands(self) -> list[tuple[str, str, object]]:
        screen = self.screen
        title = getattr(screen, "TITLE", "") or type(screen).__name__
        out = []
        for binding in getattr(screen, "BINDINGS", []):
            if not binding.description:
                continue
            key = binding.key_display or binding.key
            name = f"{title.split()[0]}: {binding.description}"
            out.append((name, f"key {key}", partial(screen.run_action, binding.action)))
        return out

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
