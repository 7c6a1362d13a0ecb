"""Issue #31 case 3, lost updates: every read-modify-write happens under the store lock.

Ten real processes change ten different things at once (started together behind a barrier,
so each reads what it changes while the others do); afterwards every change is there. Before
the fix `floor policy set` read the policy before taking the lock and 2–5 of 10 values were
silently reverted.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from floorapp.services import open_floor
from tests.conftest import STAFF

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 10
# ten policy keys, each set to a value that is not its default
POLICY_CHANGES = [
    ("late_allowance_minutes", "11"), ("late_per_minute", "3"), ("early_leave_per_minute", "4"),
    ("full_attendance_bonus", "120"), ("daily_min_completed", "55"),
    ("guarantee_orders", "350"), ("rank_step_points", "3"), ("interview_months", "3"),
    ("new_hire_days", "40"), ("talk_minutes_min", "150"),
]
LEAD_RIGHTS = ["attendance.record", "quota.record"]


def _in_parallel(root: Path, target: Callable, jobs: list[tuple]) -> None:
    """Run ``target(root, barrier, *job)`` in one forked process per job, all released at
    once; every process must finish cleanly."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(jobs))
    procs = [context.Process(target=target, args=(str(root), barrier, *job)) for job in jobs]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [proc.exitcode for proc in procs] == [0] * len(procs)


def _set_policy(root: str, barrier, key: str, value: str) -> None:  # noqa: ANN001
    floor = open_floor(root, user="tester")
    floor.policy  # read first, as a screen has it, then change it with the others
    barrier.wait()
    floor.set_policy_value(key, value)


def test_case_3_ten_parallel_policy_sets_on_ten_keys_lose_none(store_dir: Path) -> None:
    open_floor(store_dir, user="tester")
    _in_parallel(store_dir, _set_policy, POLICY_CHANGES)
    stored = open_floor(store_dir, user="tester").policy.to_dict()
    assert {key: str(stored[key]) for key, _v in POLICY_CHANGES} == dict(POLICY_CHANGES)


def test_case_3_role_rights_changed_beside_nine_other_keys_is_kept(store_dir: Path) -> None:
    """A lost ``role_rights`` change would silently change who may do what."""
    open_floor(store_dir, user="tester")
    jobs = [("role_rights", json.dumps({"lead": LEAD_RIGHTS}))] + POLICY_CHANGES[:9]
    _in_parallel(store_dir, _set_policy, jobs)
    policy = open_floor(store_dir, user="tester").policy
    assert policy.role_rights["lead"] == LEAD_RIGHTS
    stored = policy.to_dict()
    assert {key: str(stored[key]) for key, _v in POLICY_CHANGES[:9]} == dict(POLICY_CHANGES[:9])


def test_case_3_ten_parallel_floor_policy_set_commands_lose_none(store_dir: Path) -> None:
    """The issue's own reproduction: ten `floor policy set` processes at once, all exit 0."""
    open_floor(store_dir, user="tester")
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, str(ROOT / "floor.py"), "--store",
                               str(store_dir), "policy", "set", key, value],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for key, value in POLICY_CHANGES]
    results = [proc.communicate(timeout=60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * WORKERS, results
    stored = open_floor(store_dir, user="tester").policy.to_dict()
    assert {key: str(stored[key]) for key, _v in POLICY_CHANGES} == dict(POLICY_CHANGES)


def _save_person(root: str, barrier, index: int) -> None:  # noqa: ANN001
    floor = open_floor(root, user="tester")
    person = STAFF[0]
    floor.staff()
    barrier.wait()
    import dataclasses

    floor.save_staff(dataclasses.replace(person, id=f"N{index:03d}", name=f"new {index}",
                                         extension=f"9{index:03d}"))


def test_case_3_ten_parallel_register_saves_lose_none(staffed, store_dir: Path) -> None:
    _in_parallel(store_dir, _save_person, [(i,) for i in range(WORKERS)])
    floor = open_floor(store_dir, user="tester")
    assert {f"N{i:03d}" for i in range(WORKERS)} <= {s.id for s in floor.staff()}


def _save_twin(root: str, barrier, index: int) -> None:  # noqa: ANN001
    """Ten people saved at once on one extension: the check runs under the lock."""
    import dataclasses

    from floorapp.errors import FloorError

    floor = open_floor(root, user="tester")
    floor.staff()
    barrier.wait()
    try:
        floor.save_staff(dataclasses.replace(STAFF[0], id=f"T{index:03d}", extension="7777"))
    except FloorError:
        pass


def test_case_3_one_extension_saved_ten_times_at_once_goes_to_one_person(
        staffed, store_dir: Path) -> None:
    _in_parallel(store_dir, _save_twin, [(i,) for i in range(WORKERS)])
    owners = [s.id for s in open_floor(store_dir, user="tester").staff()
              if s.extension == "7777"]
    assert len(owners) == 1


def _set_campaign(root: str, barrier, index: int) -> None:  # noqa: ANN001
    floor = open_floor(root, user="tester")
    floor.quota.campaigns()
    barrier.wait()
    floor.quota.save_campaign(f"K{index}", f"campaign {index}", f"1.{index}")


def test_case_3_ten_parallel_campaign_sets_lose_none(store_dir: Path) -> None:
    open_floor(store_dir, user="tester")
    _in_parallel(store_dir, _set_campaign, [(i,) for i in range(WORKERS)])
    campaigns = open_floor(store_dir, user="tester").quota.campaigns()
    assert {c: str(campaigns[c].coefficient) for c in campaigns} == {
        f"K{i}": f"1.{i}" for i in range(WORKERS)}
