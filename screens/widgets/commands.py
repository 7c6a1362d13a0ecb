"""Command palette entries read from a screen's bindings: every key's action is also reachable
by name (Ctrl+P), e.g. "Roster: Swap", "Attendance: Month". Every section screen has it."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from floorapp.i18n import _

_KEY_NAMES = {"left_square_bracket": "[", "right_square_bracket": "]", "slash": "/",
              "plus": "+", "equals_sign": "=", "space": "space", "escape": "esc"}


class ScreenKeyCommands(Provider):
    """One command per described binding of the screen the palette was opened on."""

    def _commands(self) -> list[tuple[str, str, str]]:
        screen = self.screen
        title = getattr(screen, "TITLE", "") or type(screen).__name__
        section = title.split()[0]
        out = []
        seen: set[str] = set()
        for binding in getattr(screen, "BINDINGS", []):
            description = getattr(binding, "description", "")
            if not description or binding.action in seen:
                continue
            seen.add(binding.action)
            key = binding.key_display or _KEY_NAMES.get(binding.key, binding.key)
            out.append((f"{section}: {description}", binding.action,
                        _("key {key}").format(key=key)))
        return out

    def _runner(self, action: str):  # noqa: ANN202 - a callback
        screen = self.screen

        async def run() -> None:
            await screen.run_action(action)

        return run

    async def discover(self) -> Hits:
        for name, action, help_text in self._commands():
            yield DiscoveryHit(name, self._runner(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._runner(action), help=help_text)
