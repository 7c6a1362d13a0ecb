"""The campaign of a PBX call (issue #27 B): from the CDR field the centre names (policy
cdr_campaign_field, default accountcode) when it holds a `floor campaign` id, else the agent's
hour entry as before; every call counted once."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from floorapp.cli.main import run
from floorapp.errors import FloorError
from floorapp.policy import Policy
from floorapp.rules.quota import Counts
from floorapp.services import Floor
from floorapp.services.cdr import CdrService
from tests.conftest import STAFF
from tests.formats.test_cdr import master_row

THU = dt.date(2026, 11, 19)


def dial(seq: int, start: str, billsec: int, code: str = "", *, field: str = "accountcode",
         channel: str = "") -> bytes:
    """An outbound call of 8001 (answered when billsec > 0) with ``code`` in ``field``."""
    answered = billsec > 0
    return master_row("8001", "138", b"<8001>", channel or f"SIP/8001-{seq:08x}",
                      f"SIP/trunk1-{seq + 0x100:08x}", start, start if answered else "",
                      billsec, "ANSWERED" if answered else "NO ANSWER",
                      **{field: code})


@pytest.fixture
def floor(staffed: Floor) -> Floor:
    staffed.save_staff(dataclasses.replace(STAFF[0], extension="8001"))
    staffed.quota.save_campaign("loan", "Loans", "1.2")
    staffed.quota.save_campaign("card", "Cards", "1.0")
    return staffed


def imported(floor: Floor, tmp_path: Path, data: bytes) -> dict[tuple[int | None, str], Counts]:
    path = tmp_path / "Master.csv"
    path.write_bytes(data)
    CdrService(floor).import_cdr(path)
    return {(e.hour, e.campaign): e.counts for e in floor.quota.entries(THU)
            if e.staff_id == "A001"}


def test_two_campaigns_in_one_hour_each_take_their_own_calls(floor: Floor,
                                                             tmp_path: Path) -> None:
    """The open rule of the last round: with both campaigns typed in the 9:00 hour, the calls
    went to the one with the most completed; now each call goes to the campaign it names."""
    floor.quota.record_counts("A001", Counts(9, 9, 1, 1), day=THU, hour=9, campaign="loan")
    floor.quota.record_counts("A001", Counts(9, 9, 2, 0), day=THU, hour=9, campaign="card")
    data = b"".join([dial(1, "2026-11-19 09:01:00", 60, "loan"),
                     dial(2, "2026-11-19 09:10:00", 0, "loan"),
                     dial(3, "2026-11-19 09:20:00", 90, "card"),
                     dial(4, "2026-11-19 09:30:00", 30, "card"),
                     dial(5, "2026-11-19 09:40:00", 0, "card")])
    assert imported(floor, tmp_path, data) == {
        (9, "loan"): Counts(2, 1, 1, 1, talk_minutes=1),
        (9, "card"): Counts(3, 2, 2, 0, talk_minutes=2),
    }


def test_an_unknown_code_goes_to_the_hours_entry_as_before(floor: Floor,
                                                            tmp_path: Path) -> None:
    """'LOAN' is not a campaign id (ids are exact), '' is none: both go where an untagged call
    goes, the hour's entry with the most completed; a known code still goes to its own."""
    floor.quota.record_counts("A001", Counts(9, 9, 1, 0), day=THU, hour=9, campaign="card")
    data = b"".join([dial(1, "2026-11-19 09:01:00", 60, "LOAN"),
                     dial(2, "2026-11-19 09:10:00", 0, ""),
                     dial(3, "2026-11-19 09:20:00", 30, "loan")])
    assert imported(floor, tmp_path, data) == {
        (9, "card"): Counts(2, 1, 1, 0, talk_minutes=1),
        (9, "loan"): Counts(1, 1, 0, 0, talk_minutes=1),
    }


def test_no_entry_yet_a_known_code_makes_its_campaigns_hour(floor: Floor,
                                                             tmp_path: Path) -> None:
    data = dial(1, "2026-11-19 10:01:00", 60, "card") + dial(2, "2026-11-19 10:05:00", 0, "x")
    assert imported(floor, tmp_path, data) == {
        (10, "card"): Counts(1, 1, 0, 0, talk_minutes=1),
        (10, ""): Counts(1, 0, 0, 0, talk_minutes=0),
    }


def test_a_campaigns_day_total_takes_its_calls_of_every_hour(floor: Floor,
                                                              tmp_path: Path) -> None:
    floor.quota.record_counts("A001", Counts(9, 9, 1, 0), day=THU, daily_total=True,
                              campaign="loan")
    data = b"".join([dial(1, "2026-11-19 09:01:00", 60, "loan"),
                     dial(2, "2026-11-19 11:01:00", 60, "loan"),
                     dial(3, "2026-11-19 11:05:00", 30, "card")])
    assert imported(floor, tmp_path, data) == {
        (None, "loan"): Counts(2, 2, 1, 0, talk_minutes=2),
        (11, "card"): Counts(1, 1, 0, 0, talk_minutes=1),
    }


def test_a_call_whose_rows_name_two_campaigns_counts_once(floor: Floor,
                                                          tmp_path: Path) -> None:
    """A forked dial whose second row carries another code: one call, on its first row's
    campaign; the agent's day holds one dialed in all."""
    data = (dial(1, "2026-11-19 09:01:00", 60, "loan")
            + dial(1, "2026-11-19 09:01:00", 0, "card", channel="SIP/8001-00000001"))
    got = imported(floor, tmp_path, data)
    assert got == {(9, "loan"): Counts(1, 1, 0, 0, talk_minutes=1)}
    assert sum(c.dialed for c in got.values()) == 1


def test_the_centre_names_another_field(floor: Floor, tmp_path: Path, store_dir: Path) -> None:
    assert run(["--store", str(store_dir), "policy", "set", "cdr_campaign_field",
                "userfield"]) == 0
    data = (dial(1, "2026-11-19 09:01:00", 60, "card", field="userfield")
            + dial(2, "2026-11-19 09:05:00", 60, "loan"))  # accountcode: not looked at now
    assert imported(floor, tmp_path, data) == {
        (9, "card"): Counts(1, 1, 0, 0, talk_minutes=1),
        (9, ""): Counts(1, 1, 0, 0, talk_minutes=1),
    }


def test_no_campaign_field_keeps_the_old_rule(floor: Floor, tmp_path: Path,
                                              store_dir: Path) -> None:
    assert run(["--store", str(store_dir), "policy", "set", "cdr_campaign_field", ""]) == 0
    data = dial(1, "2026-11-19 09:01:00", 60, "loan")
    assert imported(floor, tmp_path, data) == {(9, ""): Counts(1, 1, 0, 0, talk_minutes=1)}


def test_reimporting_changes_nothing(floor: Floor, tmp_path: Path) -> None:
    data = b"".join([dial(1, "2026-11-19 09:01:00", 60, "loan"),
                     dial(2, "2026-11-19 09:10:00", 0, "card")])
    first = imported(floor, tmp_path, data)
    path = tmp_path / "Master.csv"
    assert "0 hour(s) changed" in CdrService(floor).import_cdr(path)
    assert imported(floor, tmp_path, data) == first


@pytest.mark.parametrize("value", ["src", "linkedid", "ACCOUNTCODE"],
                         ids=["not-a-campaign-field", "an-id-field", "case-matters"])
def test_the_policy_refuses_a_field_that_cannot_name_a_campaign(value: str) -> None:
    with pytest.raises(FloorError, match="cdr_campaign_field must be one of accountcode, "
                                         "dcontext, userfield, peeraccount or empty"):
        Policy().with_value("cdr_campaign_field", value)
