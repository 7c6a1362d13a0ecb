"""Who may do what (issue #19): OS login → staff member → role → the actions it may do.

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual.

Pure: the login, the register and the policy's ``role_rights`` table in, an ``Access`` out. The
services call ``floor.require(ACTION)`` at the top of every entry point that writes (or shows
pay), so the CLI and the TUI refuse alike; screens ask ``floor.access.may(ACTION)`` to grey keys.

- A manager may do everything; only managers change the policy, the staff register, the pay
  sheet's special circumstances and its published mark, and see pay (``MANAGER_ONLY``: the
  table cannot give them to another role).
- A login mapped to no one (or to a leaver) may only read.
- Bootstrap: while no login is mapped to a manager, everyone may do everything (a new floor
  must be able to import its staff); the app's header and ``floor whoami`` say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from floorapp.errors import FloorError
from floorapp.i18n import N_, _
from floorapp.roles import ACTIONS, MANAGER, MANAGER_ONLY, ROLE_NAMES


class NotAllowed(FloorError):
    """An action this login's role may not do. Nothing was written; it is a refusal, not an
    error of the program (the CLI exits 2, the app shows a notice)."""

    def __init__(self, message: str, action: str) -> None:
        super().__init__(message)
        self.action = action


@dataclass(frozen=True)
class Person:
    """What rights need of a staff member (kept apart from Staff: this module stays small)."""

    id: str
    name: str
    role: str
    login: str


@dataclass(frozen=True)
class Access:
    """What the process's login may do on this floor."""

    login: str
    person: Person | None
    actions: frozenset[str]
    bootstrap: bool
    table: Mapping[str, list[str]]

    @property
    def role(self) -> str | None:
        return self.person.role if self.person else None

    @property
    def read_only(self) -> bool:
        return not self.actions

    def may(self, action: str) -> bool:
        if action not in ACTIONS:
            raise KeyError(action)  # a typo in the code, not a user's problem
        return action in self.actions

    def who_may(self, action: str) -> list[str]:
        """The roles that may do ``action``, managers first."""
        return [MANAGER] + [r for r, acts in self.table.items() if action in acts]

    def only_who(self, action: str) -> str:
        """"only managers, leads may": who may do ``action``."""
        return _("only {roles} may").format(
            roles=", ".join(_(role_word(r)) for r in self.who_may(action)))

    def why_not(self, action: str) -> str | None:
        """Why this login may not do ``action`` (None when it may): who may, and who you are."""
        if self.may(action):
            return None
        return _("{login} may not {what}: {only} ({you})").format(
            login=self.login, what=_(ACTIONS[action]), only=self.only_who(action),
            you=self.describe())

    def require(self, action: str) -> None:
        reason = self.why_not(action)
        if reason is not None:
            raise NotAllowed(reason, action)

    def describe(self) -> str:
        """One line: who this login is on the floor."""
        if self.bootstrap:
            return _("setup: no login is mapped to a manager yet, everyone has full rights")
        if self.person is None:
            return _("login {login} is mapped to no one on the staff register: read-only").format(
                login=self.login)
        return _("{id} {name}, {role}").format(id=self.person.id, name=self.person.name,
                                                role=_(ROLE_NAMES.get(self.person.role,
                                                                      self.person.role)))


# shown as _(ROLE_WORDS[role]); plural-free so it reads in a list
ROLE_WORDS = {"agent": N_("agents"), "complaint": N_("complaint handlers"),
              "monitor": N_("monitors"), "lead": N_("leads"), "manager": N_("managers")}


def role_word(role: str) -> str:
    return ROLE_WORDS.get(role, role)


def access_for(login: str, people: Iterable[Person], table: Mapping[str, list[str]]) -> Access:
    """The rights of ``login`` given the current register (leavers left out) and the table."""
    people = list(people)
    managed = any(p.login and p.role == MANAGER for p in people)
    person = next((p for p in people if p.login and p.login == login), None)
    if not managed:
        return Access(login, person, frozenset(ACTIONS), True, table)
    if person is None:
        actions: frozenset[str] = frozenset()
    elif person.role == MANAGER:
        actions = frozenset(ACTIONS)
    else:
        actions = frozenset(table.get(person.role, ())) - MANAGER_ONLY
    return Access(login, person, actions, False, table)
