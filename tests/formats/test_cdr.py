"""`floor import cdr`: Asterisk cdr_csv Master.csv counted per agent extension and hour
(SPEC §11) — the rules table-driven, the import on a file written the way Asterisk writes it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from floorapp.formats import cdr
from floorapp.cli.main import run
from floorapp.errors import FloorError, ImportRejected
from floorapp.rules.quota import Counts
from floorapp.services import Floor
from floorapp.services.cdr import CdrService
from tests.conftest import STAFF

THU = dt.date(2026, 11, 19)


def master_row(src: str, dst: str, clid: bytes, channel: str, dstchannel: str, start: str,
               answer: str, billsec: int, disposition: str, extra: int = 2, *,
               end: str = "", uniqueid: str = "", linkedid: str = "",
               accountcode: str = "", userfield: str = "") -> bytes:
    """One line as cdr_csv writes it: every text field quoted, quotes doubled, numbers bare;
    ``extra`` optional columns after amaflags: 2 = uniqueid, userfield (loguniqueid,
    loguserfield); 5 = those and peeraccount, linkedid, sequence (newcdrcolumns). The uniqueid
    is Party A's (``channel``): the epoch of the start and the channel's sequence number, as
    Asterisk makes it, unless given."""
    def q(text: str | bytes) -> bytes:
        raw = text.encode() if isinstance(text, str) else text
        return b'"' + raw.replace(b'"', b'""') + b'"'

    end = end or start[:-2] + "59"
    if not uniqueid:
        epoch = int(dt.datetime.strptime(start, "%Y-%m-%d %H:%M:%S").timestamp())
        uniqueid = f"{epoch}.{int(channel.split(';')[0].rsplit('-', 1)[-1], 16)}"
    fields = [q(accountcode), q(src), q(dst), q("from-internal"), q(clid), q(channel),
              q(dstchannel), q("Dial"), q(f"SIP/trunk/{dst},60"), q(start), q(answer), q(end),
              str(billsec + 5).encode(), str(billsec).encode(), q(disposition),
              q("DOCUMENTATION")]
    fields += [q(uniqueid), q(userfield), q(""), q(linkedid or uniqueid), b"1"][:extra]
    return b",".join(fields) + b"\n"


MASTER = b"".join([
    # 1-2: A001 dials out; a forked dial to two trunks: one call, answered, longest 180
    master_row("8001", "13800138000", '"Ouyang, Nana" <8001>'.encode(), "SIP/8001-0000000a",
               "SIP/trunk1-0000000b", "2026-11-19 09:05:00", "2026-11-19 09:05:07", 180,
               "ANSWERED"),
    master_row("8001", "13800138000", '"Ouyang, Nana" <8001>'.encode(), "SIP/8001-0000000a",
               "SIP/trunk2-0000000c", "2026-11-19 09:05:00", "", 0, "NO ANSWER"),
    # 3: unanswered, the caller id in GBK (not UTF-8), empty answer time, 16 columns only
    master_row("8001", "13900139000", '"欧阳" <8001>'.encode("gbk"), "SIP/8001-0000000d",
               "SIP/trunk1-0000000e", "2026-11-19 09:15:00", "", 0, "NO ANSWER", extra=0),
    # 4: answered but billsec 0 (dropped at once): dialed, not connected
    master_row("8001", "13700137000", b"<8001>", "SIP/8001-0000000f", "SIP/trunk1-00000010",
               "2026-11-19 09:40:00", "2026-11-19 09:40:01", 0, "ANSWERED"),
    # 5-7: a queue call delivered to 8002 through a Local channel: one call of A002 (10:xx)
    master_row("13500135000", "600", b"<13500135000>", "SIP/trunk1-00000011",
               "Local/8002@from-queue-00000012;1", "2026-11-19 10:00:05",
               "2026-11-19 10:00:09", 120, "ANSWERED"),
    master_row("13500135000", "8002", b"<13500135000>", "Local/8002@from-queue-00000012;2",
               "PJSIP/8002-00000013", "2026-11-19 10:00:06", "2026-11-19 10:00:09", 118,
               "ANSWERED"),
    master_row("13500135000", "8002", b"<13500135000>", "Local/8002@from-queue-00000012;2",
               "PJSIP/8002-00000013", "2026-11-19 10:00:06", "2026-11-19 10:00:09", 117,
               "ANSWERED", extra=2),
    # 8: trunk to trunk: no agent's extension
    master_row("02155550000", "999", b"", "SIP/trunk1-00000014", "SIP/trunk2-00000015",
               "2026-11-19 11:00:00", "2026-11-19 11:00:01", 50, "ANSWERED"),
    # 9: an internal call 8001 -> 8002: one call each
    master_row("8001", "8002", b'"A, B" <8001>', "SIP/8001-00000016", "PJSIP/8002-00000017",
               "2026-11-19 10:59:30", "2026-11-19 10:59:35", 29, "ANSWERED"),
])


@pytest.mark.parametrize(
    "channel, extension",
    [("SIP/8001-0000abcd", "8001"), ("PJSIP/8001-00000012", "8001"),
     ("PJSIP/8001@office-00000012", "8001"), ("IAX2/agent07-1234", "agent07"),
     ("SIP/trunk-provider-0000001a", "trunk-provider"), ("SIP/8001-0000abcd<ZOMBIE>", "8001"),
     ("Local/8001@from-queue-00000012;1", None), ("", None), ("SIP/8001", None)],
    ids=["sip", "pjsip", "pjsip-at-context", "iax2-named", "dash-in-resource", "zombie",
         "local-is-plumbing", "empty", "no-sequence"],
)
def test_channel_extension(channel: str, extension: str | None) -> None:
    assert cdr.channel_extension(channel) == extension


def _rows(data: bytes) -> list[cdr.CdrRow]:
    import csv
    import io

    text = data.decode("utf-8", errors="replace")
    return [cdr.parse_row(n, f) for n, f in enumerate(csv.reader(io.StringIO(text)), 1)]


def test_tally_forks_local_channels_and_internal_calls() -> None:
    counted = cdr.tally(_rows(MASTER), {"8001", "8002"})
    hours = {k: (v.dialed, v.connected, v.talk_seconds) for k, v in counted.hours.items()}
    assert hours == {
        ("8001", THU, 9): (3, 1, 180),  # fork = one call; billsec 0 = not connected
        ("8001", THU, 10): (1, 1, 29),
        ("8002", THU, 10): (2, 2, 118 + 29),  # the queue call's longest row, the internal
    }
    assert counted.unknown_rows == 2  # trunk to trunk; trunk to the queue's Local channel
    assert counted.calls == 6


@pytest.mark.parametrize(
    "seconds, minutes", [(0, 0), (29, 0), (30, 1), (89, 1), (90, 2), (3 * 3600, 180)],
    ids=["none", "29s-rounds-down", "30s-half-up", "89s", "90s-half-up", "three-hours"])
def test_talk_minutes_rounded_half_up_per_hour(seconds: int, minutes: int) -> None:
    assert cdr.HourCalls(1, 1, seconds).talk_minutes == minutes


@pytest.fixture
def extensions(staffed: Floor) -> Floor:
    staffed.save_staff(dataclasses.replace(STAFF[0], extension="8001"))
    staffed.save_staff(dataclasses.replace(STAFF[1], extension="8002"))
    return staffed


def entries(floor: Floor) -> dict[tuple[str, int | None, str], Counts]:
    return {(e.staff_id, e.hour, e.campaign): e.counts for e in floor.quota.entries(THU)}


def test_import_keeps_completed_and_orders(extensions: Floor, tmp_path: Path) -> None:
    extensions.quota.record_counts("A001", Counts(10, 8, 1, 1), day=THU, hour=9)
    path = tmp_path / "Master.csv"
    path.write_bytes(MASTER)
    summary = CdrService(extensions).import_cdr(path)
    assert entries(extensions) == {
        ("A001", 9, ""): Counts(3, 1, 1, 1, talk_minutes=3),
        ("A001", 10, ""): Counts(1, 1, 0, 0, talk_minutes=0),
        ("A002", 10, ""): Counts(2, 2, 0, 0, talk_minutes=2),
    }
    assert "9 record(s), 6 call(s) of 2 agent(s) over 1 day(s); 3 hour(s) changed" in summary
    assert "2 record(s) name no agent's extension" in summary
    part = extensions.store.path("day/2026-11-19")
    before = part.read_bytes()
    assert "0 hour(s) changed" in CdrService(extensions).import_cdr(path)
    assert part.read_bytes() == before  # re-importing changes nothing


def test_a_day_total_takes_the_days_sums(extensions: Floor, tmp_path: Path) -> None:
    extensions.quota.record_counts("A001", Counts(90, 70, 1, 0), day=THU, daily_total=True)
    path = tmp_path / "Master.csv"
    path.write_bytes(MASTER)
    CdrService(extensions).import_cdr(path)
    assert entries(extensions)[("A001", None, "")] == Counts(4, 2, 1, 0, talk_minutes=3)


def test_completed_above_connected_is_left_and_listed(extensions: Floor, tmp_path: Path) -> None:
    extensions.quota.record_counts("A001", Counts(10, 8, 5, 2), day=THU, hour=9)
    path = tmp_path / "Master.csv"
    path.write_bytes(MASTER)
    summary = CdrService(extensions).import_cdr(path)
    assert entries(extensions)[("A001", 9, "")] == Counts(10, 8, 5, 2)
    assert "A001 2026-11-19 09:00: completed 5 is more than connected 1" in summary


def test_bad_rows_refused_with_their_line_nothing_written(
    extensions: Floor, tmp_path: Path, capsys
) -> None:
    path = tmp_path / "Master.csv"
    short = b'"","8001","1","ctx","","SIP/8001-00000001","","Dial","","2026-11-19 09:00:00"\n'
    bad_billsec = master_row("8001", "1", b"", "SIP/8001-00000002", "", "2026-11-19 09:00:00",
                             "", 0, "NO ANSWER").replace(b",5,0,", b",5,x,")
    future = master_row("8001", "1", b"", "SIP/8001-00000003", "", "2026-11-21 09:00:00", "",
                        0, "NO ANSWER")
    path.write_bytes(MASTER + short + bad_billsec + future)
    assert run(["--store", str(extensions.store.root), "import", "cdr", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (f"{path}:10: expected at least 16 fields (accountcode … amaflags), "
                      "found 10")
    assert err[1] == f"{path}:11: billsec 'x' is not a whole number of seconds"
    assert err[2] == f"{path}:12: start 2026-11-21 09:00:00 is in the future"
    assert entries(extensions) == {}


def test_unknown_extensions_are_counted_not_errors(staffed: Floor, tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_bytes(MASTER)
    summary = CdrService(staffed).import_cdr(path)  # nobody has an extension yet
    assert "0 call(s) of 0 agent(s)" in summary
    assert "9 record(s) name no agent's extension" in summary


def test_the_pbxs_dialed_and_connected_are_not_typed_over(extensions: Floor,
                                                          tmp_path: Path) -> None:
    """Issue #27: once the PBX gave an hour's dialed and connected, a hand entry may add
    completed and orders but not change those two; a correction with a reason may, audited."""
    path = tmp_path / "Master.csv"
    path.write_bytes(MASTER)
    CdrService(extensions).import_cdr(path)
    quota = extensions.quota
    assert quota.counts_source(THU) == ("pbx", None)
    with pytest.raises(FloorError, match="dialed and connected of 09:00 come from the phone "
                                         r"system \(3/1\)"):
        quota.record_counts("A001", Counts(5, 5, 0, 0), day=THU, hour=9)
    quota.record_counts("A001", Counts(completed=1, orders=1), day=THU, hour=9)
    assert entries(extensions)[("A001", 9, "")] == Counts(3, 1, 1, 1, talk_minutes=3)
    quota.record_counts("A001", Counts(dialed=1), day=THU, hour=9,
                        note="the PBX missed a call on trunk 3")
    record = extensions.store.get("day/2026-11-19", "calls", "A001/h09/")
    assert (record["dialed"], record["source"], record["correction"]) == (
        4, "pbx", "the PBX missed a call on trunk 3")
    assert quota.counts_source(dt.date(2026, 11, 18)) == ("typed", None)


def test_a_calls_file_cannot_type_over_or_hide_the_pbxs_hours(extensions: Floor,
                                                              tmp_path: Path) -> None:
    """`floor import calls` after the PBX: completed and orders may be added to its hours;
    other dialed/connected, or a day total that would hide its hours, are refused with the
    file's line, and nothing of the file is written."""
    path = tmp_path / "Master.csv"
    path.write_bytes(MASTER)
    CdrService(extensions).import_cdr(path)
    before = entries(extensions)
    header = "staff_id,date,dialed,connected,completed,orders,hour,campaign\n"
    bad = tmp_path / "calls.csv"
    bad.write_text(header
                   + "A001,2026-11-19,3,1,1,1,9,\n"       # keeps the PBX's 3/1: fine
                   + "A002,2026-11-19,9,9,5,1,10,\n"      # 10:00 of A002 is the PBX's
                   + "A001,2026-11-19,50,40,30,5,,\n")    # a day total over its hours
    with pytest.raises(ImportRejected) as caught:
        extensions.quota.import_calls(bad)
    assert [e.split(": ", 1)[0] for e in caught.value.errors] == [f"{bad}:3", f"{bad}:4"]
    assert "come from the phone system (" in caught.value.errors[0]
    assert "a day total would hide them" in caught.value.errors[1]
    assert entries(extensions) == before
    good = tmp_path / "completed.csv"
    good.write_text(header + "A001,2026-11-19,3,1,1,1,9,\n")
    extensions.quota.import_calls(good)
    record = extensions.store.get("day/2026-11-19", "calls", "A001/h09/")
    assert (record["completed"], record["orders"], record["source"]) == (1, 1, "pbx")
    assert record["talk_minutes"] == before[("A001", 9, "")].talk_minutes
