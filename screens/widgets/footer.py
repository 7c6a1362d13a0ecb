"""The console's footer: Textual's compact Footer, rebuilt only when the keys it shows change.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

Textual's Footer rebuilds its keys (a dozen widgets, each styled) whenever the screen's
bindings are refreshed: on mount, on every focus change, after every action. The keys it
shows rarely change, and the start-up rebuilt them four times before the first screen showed
(issue #18). Here a refresh that would show the same keys, greyed the same, does nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen


class SteadyFooter(Footer):
    def __init__(self, **kwargs) -> None:  # noqa: ANN003 - Footer's own arguments
        super().__init__(**kwargs)
        self._shown: tuple | None = None

    def _keys(self) -> tuple:
        """Everything of the bindings that Footer.compose puts on the screen."""
        app = self.app
        return (self.compact, self.show_command_palette, tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action,
             binding.show, binding.group, enabled, tooltip, binding.tooltip)
            for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show or binding.key == app.COMMAND_PALETTE_BINDING))

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys()
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if (self._shown is not None and self.is_attached and screen is self.screen
                and self._keys() == self._shown):
            return
        super().bindings_changed(screen)
