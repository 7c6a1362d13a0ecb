"""Typed ahead is typed: keys that arrive together are handed out one at a time.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.

Textual forwards each key to whatever has focus *when the app reads it*. Over a laggy SSH link
keys arrive in one burst, so the app reads the keys after an Enter before the screen has acted on
that Enter: the focus moves (``widget.focus()`` is scheduled, not immediate), a field is cleared,
a dialog is pushed or its widgets are still being mounted — and the next keys land in the old
field or are lost. ``TypeAhead`` queues every key the terminal sends and releases the next one
only when everything the previous key set off has been handled: no message waiting or being
handled in any widget of the open screens, nothing else queued on the app (a scheduled focus
move, a dismissed dialog's callback). A key never waits more than ``MAX_HOLD_SECONDS``, so a
screen that stays busy (an animation) cannot swallow the keyboard.
"""

from __future__ import annotations

import asyncio
from collections import deque
from time import monotonic

from textual import events, messages
from textual.app import App
from textual.message_pump import MessagePump
from textual.widgets import Footer, Header

MAX_HOLD_SECONDS = 2.0  # longest a typed-ahead key waits for the screen to settle
# Repainting moves no focus and changes no value: a key need not wait for it.
PAINTING = (messages.Update, messages.Layout, messages.UpdateScroll, messages.Prompt)


def _busy(pump: MessagePump) -> bool:
    """A message waits for this widget, or it is half-way through handling one."""
    if pump._closing or pump._closed:
        return False
    queue = pump._message_queue
    pending = [*queue.values, pump._pending_message, *pump._next_callbacks]
    if any(m is not None and not isinstance(m, PAINTING) for m in pending):
        return True
    # A running widget with nothing to do sits waiting on its queue; one that is not is still
    # inside a handler (an async one can pause half-way, its message no longer queued).
    return pump._task is not None and not queue.values and not queue.ready_event._waiters


class TypeAhead(App):
    """An App whose keys are released one by one, each after the last one's effects."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._typed_ahead: deque[events.Key] = deque()
        self._key_in_flight = False
        self._key_released_at = 0.0
        self._watcher: asyncio.Task[None] | None = None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._typed_ahead.append(event)
            if not self._key_in_flight:
                await self._release_key()
            return
        await super().on_event(event)

    async def _release_key(self) -> None:
        if not self._typed_ahead:
            self._key_in_flight = False
            return
        self._key_in_flight = True
        self._key_released_at = monotonic()
        await super().on_event(self._typed_ahead.popleft())
        self._watch()

    def _settled(self) -> bool:
        if self._message_queue.qsize() or self._next_callbacks:
            return False  # e.g. a focus move scheduled by the last key
        pumps: list[MessagePump] = list(self.screen_stack)
        while pumps:
            pump = pumps.pop()
            if _busy(pump):
                return False
            # The footer and header only show things; they rebuild on every focus move.
            pumps.extend(child for child in pump._nodes if not isinstance(child, (Footer, Header)))
        return True

    def _watch(self) -> None:
        self._watcher = asyncio.get_running_loop().create_task(self._wait_until_settled())

    async def _wait_until_settled(self) -> None:
        """Beside the app's own task, so its queue drains meanwhile. It yields on every turn
        of the event loop rather than sleeping: the app is working, not idle, until the key
        is handed out (Pilot, like a user, waits for that)."""
        while not self._settled() and monotonic() - self._key_released_at <= MAX_HOLD_SECONDS:
            await asyncio.sleep(0)
        self.call_later(self._when_settled)  # decide on the app's own task

    async def _when_settled(self) -> None:
        if self._settled() or monotonic() - self._key_released_at > MAX_HOLD_SECONDS:
            await self._release_key()
            return
        self._watch()
