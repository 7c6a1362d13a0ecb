"""Who may do what (issue #19): the rule table, the services' refusals, and real OS accounts.

The OS-account tests make throw-away accounts with ``useradd`` and run ``floor`` as them in a
subprocess, so the identity really is the process's uid; they need root and are skipped (with
the reason) otherwise.
"""

from __future__ import annotations

import dataclasses
import grp
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from floorapp.app import FloorApp
from floorapp.clock import fixed_clock
from floorapp.errors import FloorError
from floorapp.roles import ACTIONS, MANAGER_ONLY
from floorapp.rules.rights import NotAllowed, Person, access_for
from floorapp.services import Floor, open_floor
from screens.help import HelpScreen
from store import db as store_db
from tests.conftest import NOW, STAFF

ROOT = Path(__file__).resolve().parents[2]
TABLE = {"monitor": ["qa.score", "qa.feedback", "qa.dispute"],
         "lead": ["attendance.record", "roster.edit", "qa.score"]}
PEOPLE = [Person("Q001", "刘洋", "monitor", "qmon"), Person("L001", "赵敏", "lead", "llead"),
          Person("M001", "周杰", "manager", "mmgr")]


# ------------------------------------------------------------------ the rule, pure
@pytest.mark.parametrize(("login", "people", "action", "allowed"), [
    ("qmon", PEOPLE, "qa.score", True),
    ("qmon", PEOPLE, "policy.change", False),
    ("qmon", PEOPLE, "roster.edit", False),
    ("llead", PEOPLE, "roster.edit", True),
    ("llead", PEOPLE, "qa.score", True),
    ("llead", PEOPLE, "pay.view", False),
    ("mmgr", PEOPLE, "policy.change", True),
    ("mmgr", PEOPLE, "pay.publish", True),
    ("stranger", PEOPLE, "qa.score", False),
    ("stranger", PEOPLE[:2], "policy.change", True),  # no manager login yet: bootstrap
    ("qmon", PEOPLE[:2], "pay.view", True),
], ids=["monitor-scores", "monitor-no-policy", "monitor-no-roster", "lead-roster",
        "lead-has-monitors-part", "lead-no-pay", "manager-policy", "manager-publish",
        "unmapped-read-only", "bootstrap-no-manager-login", "bootstrap-pay"])
def test_access_for(login: str, people: list[Person], action: str, allowed: bool) -> None:
    access = access_for(login, people, TABLE)
    assert access.may(action) is allowed
    if not allowed:
        with pytest.raises(NotAllowed) as caught:
            access.require(action)
        assert "managers" in str(caught.value)  # says who may


def test_a_manager_only_action_cannot_be_given_to_another_role(floor: Floor) -> None:
    for action in sorted(MANAGER_ONLY):
        with pytest.raises(FloorError, match="only managers"):
            floor.set_policy_value("role_rights", f'{{"lead": ["{action}"]}}')
    with pytest.raises(FloorError, match="unknown action"):
        floor.set_policy_value("role_rights", '{"lead": ["roster.edti"]}')
    assert floor.store.get("ref", "policy", "policy") is None  # nothing written


def test_the_refusal_names_the_roles_that_may() -> None:
    access = access_for("qmon", PEOPLE, TABLE)
    reason = access.why_not("roster.edit")
    assert reason is not None
    assert "managers, leads" in reason and "qmon" in reason and "Q001" in reason


def with_logins(floor: Floor, logins: dict[str, str]) -> Floor:
    for person in STAFF:
        floor.save_staff(dataclasses.replace(person, login=logins.get(person.id, "")))
    return floor


# ------------------------------------------------------------------ services, in-process
def as_user(floor: Floor, login: str) -> Floor:
    return open_floor(floor.store.root, clock=fixed_clock(NOW), user=login)


def test_services_refuse_and_write_nothing(floor: Floor) -> None:
    with_logins(floor, {"Q001": "qmon", "L001": "llead", "M001": "mmgr"})
    before = floor.store.path("ref").read_bytes()
    monitor = as_user(floor, "qmon")
    with pytest.raises(NotAllowed, match="only managers may"):
        monitor.set_policy_value("late_per_minute", "5")
    with pytest.raises(NotAllowed):
        monitor.save_staff(dataclasses.replace(STAFF[0], name="x"))
    with pytest.raises(NotAllowed):
        monitor.retire_staff("A001", "left")
    with pytest.raises(NotAllowed, match="leads"):
        monitor.roster.generate(2026, 12)
    with pytest.raises(NotAllowed):
        monitor.attendance.record_in("A001", monitor.today(), NOW_TIME)
    assert floor.store.path("ref").read_bytes() == before
    assert not floor.store.path("roster/2026-12").exists()
    lead = as_user(floor, "llead")
    lead.roster.generate(2026, 12)
    lead.attendance.record_in("A001", lead.today(), NOW_TIME)
    assert floor.store.audit("roster/2026-12")[-1]["by"] == "llead"


NOW_TIME = __import__("datetime").time(8, 5)


def test_a_login_is_one_persons(floor: Floor) -> None:
    with_logins(floor, {"A001": "ana"})
    with pytest.raises(FloorError, match="already A001's"):
        floor.save_staff(dataclasses.replace(STAFF[1], login="ana"))
    with pytest.raises(FloorError, match="not an OS account name"):
        floor.save_staff(dataclasses.replace(STAFF[1], login="Bad Name"))


def test_import_staff_with_a_login_column_ends_bootstrap(floor: Floor, write_file) -> None:
    assert floor.access.bootstrap
    path = write_file("staff.csv", """\
        id,name,role,team,hired,base_pay,login
        M001,周杰,manager,manager,2019-08-08,5000,mmgr
        L001,赵敏,lead,lead,2020-02-02,3500,
        """)
    assert floor.import_staff(path) == (2, 0)
    assert floor.get_staff("M001").login == "mmgr"
    assert not floor.access.bootstrap
    assert floor.access.read_only  # "tester" is no one now
    assert as_user(floor, "mmgr").may("policy.change")


def test_pay_is_in_its_own_file_and_only_managers_see_it(floor: Floor) -> None:
    with_logins(floor, {"L001": "llead", "M001": "mmgr"})
    ref = floor.store.path("ref").read_text("utf-8")
    assert "base_pay" not in ref and "3500" not in ref
    assert "3500" in floor.store.path("pay").read_text("utf-8")
    lead, manager = as_user(floor, "llead"), as_user(floor, "mmgr")
    assert lead.get_staff("L001").base_pay is None
    assert manager.get_staff("L001").base_pay == 3500
    from floorapp.formats import reports

    assert "3500" not in reports.render(reports.staff_report(lead), "csv")
    assert "3500" in reports.render(reports.staff_report(manager), "csv")


def test_month_report_omits_pay_money_for_those_who_may_not_see_pay(floor: Floor) -> None:
    with_logins(floor, {"L001": "llead", "M001": "mmgr"})
    manager, lead = as_user(floor, "mmgr"), as_user(floor, "llead")
    day = manager.today().replace(day=2)  # a Monday, D shift, nobody came: absent all day
    manager.attendance.record_leave("A001", day, "personal", 1)
    full = manager.attendance.month_report(2026, 11)
    shown = lead.attendance.month_report(2026, 11)
    a001 = next(r for r in full.data["staff"] if r["id"] == "A001")
    # (800 tier + 200 seniority raise) / 21.75: the month base reached it (SPEC §4 rev.)
    assert a001["personal_leave_deduction"] == "45.98"
    lead_row = next(r for r in shown.data["staff"] if r["id"] == "A001")
    assert "personal_leave_deduction" not in lead_row and "total_deduction" not in lead_row
    assert lead_row["late_minutes"] == a001["late_minutes"]
    assert len(shown.tables[0].headers) == len(full.tables[0].headers) - 4
    assert any("only managers see pay" in note for note in shown.notes)


async def test_screens_grey_the_keys_a_role_may_not_use_and_help_says_why(floor: Floor) -> None:
    with_logins(floor, {"Q001": "qmon", "M001": "mmgr"})
    monitor = as_user(floor, "qmon")
    app = FloorApp(monitor, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.current_mode == "attendance"
        assert app.screen.check_action("entry", ("in",)) is None  # greyed, will not run
        await pilot.press("a")  # greyed: no entry line opens
        await pilot.pause()
        assert app.focused is None or app.focused.id != "att-entry"
        assert floor.attendance.punches_on(floor.today()) == {}
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(t for _k, t in app.screen.rows)
        assert "not for you" in text and "only managers, leads may" in text
        await pilot.press("escape", "f2")
        await pilot.pause(0.2)
        assert app.screen.check_action("feedback", ()) is not None  # a monitor's own part


async def test_the_header_says_setup_and_read_only(floor: Floor) -> None:
    with_logins(floor, {})
    app = FloorApp(floor, backup=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.sub_title.startswith("SETUP")
    with_logins(floor, {"M001": "mmgr"})
    stranger = as_user(floor, "nobody-here")
    app = FloorApp(stranger, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert app.sub_title.startswith("READ-ONLY")
        assert any("mapped to no one" in str(n.message) for n in app._notifications)


# ------------------------------------------------------------------ identity
def test_identity_is_the_os_account_whatever_the_environment(monkeypatch) -> None:
    me = pwd.getpwuid(os.getuid()).pw_name
    monkeypatch.setenv("LOGNAME", "manager")
    monkeypatch.setenv("USER", "manager")
    if os.getuid() != 0:
        monkeypatch.setenv("SUDO_USER", "manager")
    assert store_db.current_user() == me


@pytest.mark.skipif(os.getuid() != 0, reason="SUDO_USER is honoured only when running as root")
def test_sudo_user_is_trusted_only_as_root_and_only_for_a_real_account(monkeypatch) -> None:
    monkeypatch.setenv("SUDO_USER", "no-such-account-19")
    assert store_db.current_user() == "root"
    monkeypatch.setenv("SUDO_USER", "nobody")
    assert store_db.current_user() == "nobody"


# ------------------------------------------------------------------ real OS accounts
needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("useradd") is None,
    reason="real OS accounts need root and useradd (they run floor as throw-away users)")

SUFFIX = f"{os.getpid() % 100000}"
USERS = {"mon": f"f19m{SUFFIX}", "lead": f"f19l{SUFFIX}", "mgr": f"f19g{SUFFIX}",
         "stranger": f"f19s{SUFFIX}"}
GROUP, PAY_GROUP = f"f19floor{SUFFIX}", f"f19pay{SUFFIX}"


@pytest.fixture(scope="module")
def accounts() -> Iterator[dict[str, str]]:
    made_groups, made_users = [], []
    try:
        for group in (GROUP, PAY_GROUP):
            subprocess.run(["groupadd", group], check=True, capture_output=True)
            made_groups.append(group)
        for role, name in USERS.items():
            groups = GROUP + (f",{PAY_GROUP}" if role == "mgr" else "")
            subprocess.run(["useradd", "--no-create-home", "-G", groups, name], check=True,
                           capture_output=True)
            made_users.append(name)
        yield USERS
    finally:
        for name in made_users:
            subprocess.run(["userdel", name], capture_output=True)
        for group in made_groups:
            subprocess.run(["groupdel", group], capture_output=True)


@pytest.fixture
def shared_store(accounts) -> Iterator[Path]:
    """A store directory of the floor group (setgid), outside root's private tmp dirs."""
    base = Path(tempfile.mkdtemp(prefix="floor19-", dir="/tmp"))
    os.chmod(base, 0o755)
    root = base / "store"
    root.mkdir()
    os.chown(root, -1, grp.getgrnam(GROUP).gr_gid)
    os.chmod(root, 0o2770)
    yield root
    shutil.rmtree(base, ignore_errors=True)


def _open_to_all(path: Path) -> bool:
    """Can any account run ``path`` (every directory on the way searchable by others)?"""
    path = path.resolve()
    return all(p.stat().st_mode & 0o001 for p in [path, *path.parents])


def python_for_others() -> tuple[str, dict[str, str]]:
    """An interpreter a throw-away account may run, with what it needs to import floor.

    The test's own interpreter may live under root's home (pyenv); then the system's python of
    the same version runs floor from the source tree with this venv's packages.
    """
    if _open_to_all(Path(sys.executable)):
        return sys.executable, {}
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(version, path="/usr/bin:/usr/local/bin:/bin")
    if system is None or not _open_to_all(Path(system)):
        pytest.skip(f"no {version} that other accounts may run")
    packages = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    return system, {"PYTHONPATH": os.pathsep.join([str(ROOT), *packages])}


def run_as(user: str, store: Path, *args: str, env: dict[str, str] | None = None,
           ) -> subprocess.CompletedProcess[str]:
    entry = pwd.getpwnam(user)
    python, extra = python_for_others()
    environment = dict(os.environ, HOME="/tmp", **extra)
    environment.pop("SUDO_USER", None)
    environment.update(env or {})
    return subprocess.run(
        [python, str(ROOT / "floor.py"), "--store", str(store), *args],
        user=entry.pw_uid, group=entry.pw_gid,
        extra_groups=os.getgrouplist(user, entry.pw_gid), env=environment,
        capture_output=True, text=True, timeout=120, cwd="/tmp")


def staffed_store(store: Path, logins: dict[str, str], monkeypatch) -> Floor:
    """The register written by root in bootstrap, pay in the test's pay group."""
    monkeypatch.setenv("FLOOR_PAY_GROUP", PAY_GROUP)
    floor = open_floor(store, clock=fixed_clock(NOW), user="setup")
    return with_logins(floor, logins)


def mapped(accounts: dict[str, str]) -> dict[str, str]:
    return {"Q001": accounts["mon"], "L001": accounts["lead"], "M001": accounts["mgr"]}


@needs_root
def test_a_monitor_is_refused_a_policy_change(accounts, shared_store, monkeypatch) -> None:
    floor = staffed_store(shared_store, mapped(accounts), monkeypatch)
    before = floor.store.path("ref").read_bytes()
    done = run_as(accounts["mon"], shared_store, "policy", "set", "late_per_minute", "5")
    assert done.returncode == 2, done.stderr
    assert "only managers may" in done.stderr and "Traceback" not in done.stderr
    assert floor.store.path("ref").read_bytes() == before


@needs_root
def test_a_lead_may_change_the_roster(accounts, shared_store, monkeypatch) -> None:
    floor = staffed_store(shared_store, mapped(accounts), monkeypatch)
    done = run_as(accounts["lead"], shared_store, "roster", "generate", "--month", "2026-12")
    assert done.returncode == 0, done.stderr
    assert {a["by"] for a in floor.store.audit("roster/2026-12")} == {accounts["lead"]}
    refused = run_as(accounts["lead"], shared_store, "policy", "set", "late_per_minute", "5")
    assert refused.returncode == 2


@needs_root
def test_a_manager_may_change_the_policy_and_sees_pay(accounts, shared_store,
                                                      monkeypatch) -> None:
    floor = staffed_store(shared_store, mapped(accounts), monkeypatch)
    done = run_as(accounts["mgr"], shared_store, "policy", "set", "late_per_minute", "5")
    assert done.returncode == 0, done.stderr
    assert floor.store.audit("ref")[-1]["by"] == accounts["mgr"]
    assert floor.policy.late_per_minute == 5
    report = run_as(accounts["mgr"], shared_store, "report", "staff", "--format", "csv")
    assert "3500" in report.stdout


@needs_root
def test_pay_file_is_the_pay_groups_and_others_cannot_read_it(accounts, shared_store,
                                                              monkeypatch) -> None:
    staffed_store(shared_store, mapped(accounts), monkeypatch)
    pay = shared_store / "pay.json"
    assert pay.stat().st_gid == grp.getgrnam(PAY_GROUP).gr_gid
    assert oct(pay.stat().st_mode & 0o777) == "0o660"
    assert (shared_store / "ref.json").stat().st_gid == grp.getgrnam(GROUP).gr_gid
    cat = subprocess.run(["cat", str(pay)], user=accounts["lead"],
                         extra_groups=[grp.getgrnam(GROUP).gr_gid], capture_output=True)
    assert cat.returncode != 0  # the OS refuses: pay is safe even from someone reading files
    report = run_as(accounts["lead"], shared_store, "report", "month", "--month", "2026-11")
    assert report.returncode == 0, report.stderr
    assert "only managers see pay" in report.stdout
    doctor = run_as(accounts["lead"], shared_store, "doctor")
    assert doctor.returncode == 0, doctor.stdout


@needs_root
def test_logname_spoofing_is_ignored(accounts, shared_store, monkeypatch) -> None:
    floor = staffed_store(shared_store, mapped(accounts), monkeypatch)
    fake = {"LOGNAME": accounts["mgr"], "USER": accounts["mgr"], "SUDO_USER": accounts["mgr"]}
    done = run_as(accounts["mon"], shared_store, "policy", "set", "late_per_minute", "5",
                  env=fake)
    assert done.returncode == 2
    who = run_as(accounts["mon"], shared_store, "whoami", env=fake)
    assert who.stdout.splitlines()[0].split()[-1] == accounts["mon"]
    assert "Q001" in who.stdout and "monitor" in who.stdout
    assert floor.policy.late_per_minute == 1


@needs_root
def test_an_unmapped_login_is_read_only(accounts, shared_store, monkeypatch) -> None:
    floor = staffed_store(shared_store, mapped(accounts), monkeypatch)
    who = run_as(accounts["stranger"], shared_store, "whoami")
    assert who.returncode == 0
    assert "mapped to no one" in who.stdout and "read-only" in who.stdout
    done = run_as(accounts["stranger"], shared_store, "roster", "generate", "--month", "2026-12")
    assert done.returncode == 2 and "may not" in done.stderr
    assert not floor.store.path("roster/2026-12").exists()
    shown = run_as(accounts["stranger"], shared_store, "report", "staff")
    assert shown.returncode == 0 and "刘洋" in shown.stdout


@needs_root
def test_bootstrap_everyone_has_full_rights(accounts, shared_store, monkeypatch) -> None:
    floor = staffed_store(shared_store, {"L001": accounts["lead"]}, monkeypatch)
    who = run_as(accounts["stranger"], shared_store, "whoami")
    assert "setup" in who.stdout and "policy.change" in who.stdout
    done = run_as(accounts["stranger"], shared_store, "policy", "set", "late_per_minute", "3")
    assert done.returncode == 0, done.stderr
    assert floor.store.audit("ref")[-1]["by"] == accounts["stranger"]


def test_every_action_has_a_description() -> None:
    assert MANAGER_ONLY <= set(ACTIONS)
    assert {"pay.special", "pay.publish", "pay.view", "coaching.record"} <= set(ACTIONS)


def test_an_old_store_moves_pay_out_of_the_register_with_its_history(tmp_path: Path) -> None:
    from store import Store

    old = Store(tmp_path / "s", schema_version=1, user="old").open()
    with old.transaction() as tx:
        tx.put("ref", "staff", "A001", {"id": "A001", "name": "欧阳娜娜", "role": "agent",
                                        "team": "T01", "hired": "2023-03-01",
                                        "base_pay": "1200", "seat": ""})
    with old.transaction() as tx:
        tx.put("ref", "staff", "A001", {"id": "A001", "name": "欧阳娜娜", "role": "agent",
                                        "team": "T01", "hired": "2023-03-01",
                                        "base_pay": "1300", "seat": ""})
    floor = open_floor(tmp_path / "s", clock=fixed_clock(NOW), user="tester")
    assert floor.store.meta()["schema"] == 3  # through 2 (pay out of ref) to 3 (#24's leave)
    assert "base_pay" not in floor.store.path("ref").read_text("utf-8")
    assert [v["base_pay"] for v in floor.store.history("pay", "base_pay", "A001")] == [
        "1200", "1300"]
    assert [a["op"] for a in floor.store.audit("pay")] == ["add", "change"]
    assert floor.get_staff("A001").base_pay == 1300
    assert floor.get_staff("A001").name == "欧阳娜娜"


def test_the_demo_floor_keeps_pay_in_the_pay_file(floor: Floor) -> None:
    from floorapp.services import demo

    demo.generate(floor, seats=4, days=2, seed=7)
    assert "base_pay" not in floor.store.path("ref").read_text("utf-8")
    assert all(person.base_pay for person in floor.staff())


async def test_pay_is_not_shown_to_a_lead_and_nothing_breaks(floor: Floor) -> None:
    """p is greyed for a lead; the palette's "Pay sheet" opens a screen that says why, never a
    worker crash, and no money reaches the screen."""
    from screens.pay import PayScreen

    with_logins(floor, {"L001": "llead", "M001": "mmgr"})
    lead = as_user(floor, "llead")
    app = FloorApp(lead, backup=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert app.screen.check_action("pay", ()) is None
        assert app.screen.check_action("coach", ()) is not None  # a lead coaches
        app.push_screen(PayScreen(lead, 2026, 11))
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PayScreen)
        detail = str(app.screen.query_one("#pay-detail").render())
        assert "only managers" in detail
        assert app.screen.query_one("#pay-sheet").row_count == 0
