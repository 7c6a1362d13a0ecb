"""FloorApp: one Textual mode per section, global keys, command palette, live refresh.

May import: Textual, the screens, services, rules, formats and the basics; never the store, TinyDB
or the CLI.

The app reads the store through the same services as the CLI. It polls the store's change
stamp every second, so another supervisor's change shows within 2 s without a restart.
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections.abc import Iterable
from pathlib import Path

from rich.cells import cell_len
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen

from floorapp.i18n import N_, _, fmt_date, language
from floorapp.rules.schedule import shift_line
from floorapp.services import Floor, open_floor
from screens.base import FloorScreen
from screens.help import HelpScreen
from screens.widgets.sectionbar import EMERGENCY_KEY, SECTIONS
from screens.widgets.typeahead import TypeAhead

# the header's icon (8 cells) on the left and its clock space on the right, with a cell spare
HEADER_SIDES = 20


def fit_shifts(line: str, room: int) -> str:
    """The header's shift line in ``room`` cells: whole spans ("D/A 08:00–12:00") and "+N"
    for those left out, never a span cut in the middle ("D/A 08:…")."""
    if cell_len(line) <= room:
        return line
    spans = line.split(", ")
    for keep in range(len(spans) - 1, 0, -1):
        shown = ", ".join(spans[:keep]) + f" +{len(spans) - keep}"
        if cell_len(shown) <= room:
            return shown
    return f"+{len(spans)}" if len(spans) > 1 else ""


# Textual's own palette commands, listed for the catalogue; translated in get_system_commands.
TEXTUAL_COMMANDS = (
    N_("Bell"), N_("Ring the bell"), N_("Theme"), N_("Change the current theme"), N_("Quit"),
    N_("Quit the application as soon as possible"), N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"), N_("Minimize"),
    N_("Minimize the widget and restore to normal size"), N_("Maximize"),
    N_("Maximize the focused widget"), N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)
POLL_SECONDS = 1.0
LISTEN_SECONDS = 1.0  # how often the listener looks whether the app is closing
CLOCK_SECONDS = 15.0
# The day's first start backs the store up once the first screen is shown: compressing a year
# of files in a thread while the screen is being built would slow the start (issue #18).
BACKUP_AFTER_SECONDS = 2.0

# Binding descriptions are translated when this module is imported: the CLI imports it only
# after choosing the language (like screens/).
_SECTIONS_GROUP = Binding.Group(_("Sections"), compact=True)


def _section_bindings() -> list[Binding]:
    out = []
    for number, (key, mode, label) in enumerate(SECTIONS, start=1):
        # not in the footer: the section bar under the header names them (help lists them)
        out.append(Binding(key, f"switch_mode('{mode}')", _(label), group=_SECTIONS_GROUP,
                           show=False))
        # Digits too, for terminals that eat function keys; inputs keep their digits.
        out.append(Binding(str(number), f"switch_mode('{mode}')", _(label), show=False))
    return out


class LazyScreen:
    """A section's screen class, imported when the section is first shown (start-up loads
    only the first section's code; issue #18). Called like the class; ``screen_class`` is the
    class itself (the palette reads its bindings)."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    @property
    def screen_class(self) -> type[Screen]:
        return getattr(importlib.import_module(self.module), self.name)

    def __call__(self) -> Screen:
        return self.screen_class()


class FloorApp(TypeAhead):
    """The supervisor's floor console."""

    TITLE = "floor"
    CSS_PATH = "app.tcss"
    MODES = {
        "monitoring": LazyScreen("screens.monitoring", "MonitoringScreen"),
        "attendance": LazyScreen("screens.attendance", "AttendanceScreen"),
        "roster": LazyScreen("screens.roster", "RosterScreen"),
        "quota": LazyScreen("screens.quota", "QuotaScreen"),
        "summary": LazyScreen("screens.summary", "SummaryScreen"),
        "emergency": LazyScreen("screens.emergency", "EmergencyScreen"),
    }
    DEFAULT_MODE = "attendance"
    BINDINGS = [
        Binding("f1", "help", _("Help")),
        Binding("question_mark", "help", _("Help"), show=False),
        *_section_bindings(),
        Binding(EMERGENCY_KEY, "switch_mode('emergency')", _("SOS"), priority=True,
                tooltip=_("EMERGENCY")),
        Binding("f7", "staff", _("Staff"), show=False),
        Binding("f8", "policy", _("Policy"), show=False),
        Binding("ctrl+q", "quit", _("Quit"), show=False, priority=True),
        # Textual's own palette key, with its footer word in the interface language
        Binding("ctrl+p", "command_palette", _("palette"), show=False, priority=True,
                tooltip=_("Open the command palette")),
    ]

    def __init__(self, floor: Floor, *, backup: bool = True) -> None:
        super().__init__()
        self.floor = floor
        self._backup = backup
        self._stamp = floor.store.stamp()
        self._known_problems: set[str] = set()
        self._codes: tuple[tuple, list[str]] | None = None
        self._stop_listening = threading.Event()

    # --------------------------------------------------------------- start
    @staticmethod
    def _settle_heap() -> None:
        """What the start built lives as long as the app: left out of the collector's full
        passes, which otherwise walk it all again on a later key (a 1,000-seat floor's
        register made Attendance's day change ~50 ms slower, issue #30). The young
        generations are collected first (a few ms); a full collection here would cost as much
        as the pass it saves, paid at every start."""
        gc.collect(1)
        gc.freeze()

    def on_mount(self) -> None:
        self.call_after_refresh(self._settle_heap)
        self.update_clock()
        self.set_interval(CLOCK_SECONDS, self.update_clock)
        self.set_interval(POLL_SECONDS, self.poll_store)
        store = self.floor.store
        if hasattr(store, "wait_for_change"):  # a database store tells of changes at once
            # a thread of its own, not a Textual worker: it lasts as long as the app, and
            # waiting for the workers (what a command started) must not wait for it
            threading.Thread(target=self.listen_for_changes, args=(self._stop_listening,),
                             name="floor-listen", daemon=True).start()
        if store.read_only_reason:
            self.notify(_("Read-only: {reason}").format(reason=store.read_only_reason),
                        severity="error", timeout=30)
        elif self._backup:
            self.set_timer(BACKUP_AFTER_SECONDS, self.daily_backup)
        self.report_problems()
        if store.migration_notices:
            self.notify("\n".join(store.migration_notices), title=_("Store migrated"),
                        markup=False, timeout=30)
        access = self.floor.access
        if access.read_only and not store.read_only_reason:
            self.notify(access.describe(), title=_("Read-only"), severity="warning", timeout=30)
        from screens.emergency_notice import notify_open_incidents

        notify_open_incidents(self)
        if not self.floor.has_data() and not store.problems:
            self.notify(_("No staff on the register yet: F7 adds people, or import a list with "
                          "`floor import staff FILE.csv`. To look around first: "
                          "`floor --store DIR demo` into a new directory."),
                        title=_("A new store"), timeout=30)

    def listen_for_changes(self, stop: threading.Event) -> None:
        """Other supervisors' changes, heard through LISTEN/NOTIFY (issue #32): the screen is
        refreshed as soon as one is committed. If the listening connection fails, the poll
        (``POLL_SECONDS``) goes on doing the same. Ends within ``LISTEN_SECONDS`` of ``stop``
        (the app's unmount)."""
        while not stop.is_set():
            try:
                changed = self.floor.store.wait_for_change(LISTEN_SECONDS)
            except Exception:  # a lost connection: the poll is still there
                return
            if changed and not stop.is_set():
                try:
                    self.call_from_thread(self.poll_store)
                except RuntimeError:  # the app is no longer running
                    return

    def on_unmount(self) -> None:
        self._stop_listening.set()
        gc.unfreeze()  # what the start built is collected as usual once the app ends

    @work(thread=True, exclusive=True, group="backup")
    def daily_backup(self) -> None:
        try:
            path = self.floor.ensure_daily_backup()
        except Exception as exc:  # a backup failure must not stop the floor
            self.call_from_thread(self.notify, _("Daily backup failed: {reason}").format(
                reason=exc), severity="warning")
            return
        if path is not None:
            self.call_from_thread(self.notify, _("Daily backup written: {name}").format(
                name=path.name), timeout=4)

    # ------------------------------------------------------------- refresh
    def update_clock(self) -> None:
        now = self.floor.now()
        policy = self.floor.policy
        # who is on shift today: the floor-day's answer (a Sunday the roster schedules is
        # no rest day), asked again only when the day or the store changes
        key = (now.date(), self.floor.store.stamp())
        if self._codes is None or self._codes[0] != key:
            self._codes = (key, self.floor.day.shift_codes(now.date()))
        codes = self._codes[1]
        access = self.floor.access
        if self.floor.store.read_only_reason or access.read_only:
            prefix = _("READ-ONLY") + " · "
        elif access.bootstrap:  # no manager login yet: everyone may do everything (issue #19)
            prefix = _("SETUP") + " · "
        else:
            prefix = ""
        if language() == "zh":
            moment = f"{now:%Y}年{fmt_date(now.date())} {now:%H:%M}"
        else:
            moment = f"{now:%a %Y-%m-%d %H:%M}"
        head = f"{prefix}{moment}"
        room = self.size.width - HEADER_SIDES - cell_len(head) - 3
        shifts = fit_shifts(shift_line(policy, codes, now), room)
        self.sub_title = f"{head} · {shifts}" if shifts else head

    def format_title(self, title: str, sub_title: str):  # noqa: ANN201 - textual Content
        """The header: the section's name only when the date, time and shifts fit beside it
        (the section bar names the section anyway); the time is never cut (issue 26 item 2)."""
        if title and sub_title and \
                cell_len(f"{title} — {sub_title}") > self.size.width - HEADER_SIDES:
            return Content(sub_title)
        return super().format_title(title, sub_title)

    def on_resize(self) -> None:
        # this runs before App's own handler has taken the new size: look once it has
        self.call_later(self._resized)

    def _resized(self) -> None:
        """The header for the new width: its shifts, and the section's name when they leave
        room (a header formats its title when the title changes, not when the width does:
        120 → 80 columns kept the name and cut the shifts)."""
        from textual.widgets import Header
        from textual.widgets._header import HeaderTitle

        self.update_clock()
        for header in self.screen.query(Header):
            try:
                header.query_one(HeaderTitle).update(header.format_title())
            except NoMatches:  # not composed yet
                pass

    def poll_store(self) -> None:
        if not self.is_running:
            return  # closing: nothing left to show a change on
        self.report_problems()  # a damaged record is found when a screen reads it
        stamp = self.floor.store.stamp()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        self.refresh_screen()

    def refresh_screen(self) -> None:
        if not self.is_running or not self.screen_stack:
            return  # the app is closing: its screens are going or gone (the poll fires on)
        screen = self.screen
        # A section still being built refreshes itself when it is mounted (on_screen_resume).
        if isinstance(screen, FloorScreen) and screen.is_mounted:
            try:
                screen.refresh_data()
            except NoMatches:
                # The section is mounted but its widgets are not all there yet (a store change
                # arrived mid-switch, seen on a loaded machine): it refreshes itself once they
                # are, on mount / screen resume, so nothing is missed.
                pass
        self.update_clock()
        self.report_problems()

    def report_problems(self) -> None:
        for path, reason in self.floor.store.problems.items():
            if path not in self._known_problems:
                self._known_problems.add(path)
                self.notify(_("{path}: {reason}. Kept as it is; shown as empty. "
                              "Run `floor doctor`.").format(path=path, reason=reason),
                            severity="error", timeout=30)

    # ------------------------------------------------------------- actions
    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(self.screen))

    def action_staff(self) -> None:
        from screens.staff import StaffScreen

        if not isinstance(self.screen, StaffScreen):
            self.push_screen(StaffScreen(self.floor))

    def action_policy(self) -> None:
        from screens.policy import PolicyScreen

        if not isinstance(self.screen, PolicyScreen):
            self.push_screen(PolicyScreen(self.floor))

    def action_pay(self) -> None:
        from screens.pay import PayScreen

        if not isinstance(self.screen, PayScreen):
            today = self.floor.today()
            self.push_screen(PayScreen(self.floor, today.year, today.month))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for key, mode, label in SECTIONS:
            name = _(label)
            yield SystemCommand(_("Go to {section}").format(section=name),
                                _("Switch to the {section} section ({key})").format(
                                    section=name if language() == "zh" else name.lower(),
                                    key=key.upper()),
                                lambda m=mode: self.switch_mode(m))
        yield SystemCommand(_("EMERGENCY checklist"), _("Open the emergency screen ({key})")
                            .format(key=EMERGENCY_KEY.upper()),
                            lambda: self.switch_mode("emergency"))
        yield SystemCommand(_("Help"), _("Keys of this screen and the whole console (F1)"),
                            self.action_help)
        yield SystemCommand(_("Staff register"), _("Find, add, edit or retire staff (F7)"),
                            self.action_staff)
        yield SystemCommand(_("Policy settings"), _("Every business number of this centre; "
                                                    "edit by keyboard (F8)"),
                            self.action_policy)
        yield SystemCommand(_("Pay sheet"), _("The month's pay: tiers, money and why, "
                                              "special circumstances to confirm"),
                            self.action_pay)
        yield SystemCommand(_("Backup now"), _("Write a dated backup of the store"),
                            self.backup_now)
        yield SystemCommand(_("Refresh"), _("Re-read the store now"), self.refresh_screen)
        for command in super().get_system_commands(screen):
            yield command._replace(title=_(command.title), help=_(command.help))

    def backup_now(self) -> None:
        try:
            path = self.floor.backup()
        except Exception as exc:
            self.notify(_("Backup failed: {reason}").format(reason=exc), severity="error")
            return
        self.notify(_("Backup written: {path}").format(path=path))


    def _fatal_error(self) -> None:
        """An unhandled error ends the app with one line, never Textual's traceback with
        locals (they hold names and pay, SPEC §3); FLOOR_DEBUG=1 shows a traceback, without
        locals."""
        import os

        from rich.text import Text
        from rich.traceback import Traceback

        self.bell()
        error = self._exception
        if os.environ.get("FLOOR_DEBUG") and error is not None:
            shown = Traceback.from_exception(type(error), error, error.__traceback__,
                                             show_locals=False)
        else:
            kind = type(error).__name__ if error is not None else "error"
            shown = Text(_("floor: internal error ({kind}); run again with FLOOR_DEBUG=1 for "
                           "the details and report it").format(kind=kind))
        self._exit_renderables.append(shown)
        self._close_messages_no_wait()


def run_app(store_dir: str | Path | None = None, site: str | None = None) -> int:
    floor = open_floor(store_dir, strict=False, site=site)
    app = FloorApp(floor)
    app.run()
    return app.return_code or 0
