"""Asterisk call records (``cdr_csv`` ``Master.csv``) counted per agent and hour (SPEC §11).
Pure rules.

May import: the basics and the rules; never services, the CLI, screens, the store, TinyDB or
Textual.

``Master.csv`` has no header; each row is accountcode, src, dst, dcontext, clid, channel,
dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags,
then, as ``cdr.conf`` [csv] says, uniqueid (``loguniqueid``), userfield (``loguserfield``) and
peeraccount, linkedid, sequence (``newcdrcolumns``). A call of an agent is a channel of their
extension (``SIP/8001-0000abcd``, ``PJSIP/8001-00000012``) in ``channel`` (the agent dialed) or
``dstchannel`` (the call was delivered to them): a forked or queued dial writes several rows
naming the same channel, and they are one call. ``Local/…`` channels are Asterisk's plumbing
between two real channels, never an agent's phone, so they are not counted.

Asterisk numbers channels per run: after a restart ``SIP/8001-00000004`` names another call.
So a call's identity is, per agent:
- the row's ``linkedid`` (every row of one call carries it), else its ``uniqueid``, when the
  file has them: they hold the PBX's epoch time and never repeat across runs;
- without them (a 16-column file), the channel within its own time span: a row joins an
  earlier call of the same channel only if it starts within that call's start … end plus
  ``CHANNEL_SPAN_SLACK``; otherwise it is a new call.

Per agent and hour of the call's start (the earliest row's start, in the centre's time as
Asterisk writes it): dialed = the calls; connected = the calls with a row ANSWERED and
billsec > 0; talk = Σ of each connected call's longest billsec. A call belongs to one campaign
(the first of its rows whose campaign field names a known campaign), or to none.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from floorapp.i18n import _

MIN_FIELDS = 16  # up to amaflags; uniqueid, userfield … are optional
MAX_BILLSEC = 86400  # input bound: no call lasts more than a day (a longer one is a typo)
ACCOUNTCODE, DCONTEXT, CHANNEL, DSTCHANNEL = 0, 3, 5, 6
START, END, BILLSEC, DISPOSITION = 9, 11, 13, 14
# rows of one channel are written with whole-second times, and a channel's next record (after
# a transfer, a second Dial) starts as the previous one ends: a few seconds bridge that gap,
# while a channel name repeated by a restarted PBX starts minutes or days later
CHANNEL_SPAN_SLACK = dt.timedelta(seconds=10)
_START = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
# technology/resource-sequence; the resource may carry @context (PJSIP/8001@trunk-…)
_CHANNEL = re.compile(r"^(?P<tech>[A-Za-z0-9]+)/(?P<resource>.+)-(?P<seq>[0-9A-Fa-f]+)"
                      r"(?:;\d+)?(?:<[A-Z]+>)?$")
# uniqueid / linkedid: epoch seconds.sequence, with the systemname in front when one is set
_CALL_ID = re.compile(r"^(?:\S+-)?\d{9,}\.\d+$")


@dataclass(frozen=True)
class CdrRow:
    line: int
    channel: str
    dstchannel: str
    start: dt.datetime
    answered: bool
    billsec: int
    end: dt.datetime | None = None  # None (not written): taken as start + billsec
    call_id: str = ""  # linkedid, else uniqueid; "" when the file has neither
    campaign_code: str = ""  # the value of the policy's cdr_campaign_field

    @property
    def until(self) -> dt.datetime:
        """The row's end; never before its start (a clock set back mid-call)."""
        if self.end is None:
            return self.start + dt.timedelta(seconds=self.billsec)
        return max(self.end, self.start)


@dataclass
class HourCalls:
    """One agent's hour: dialed and connected calls, talk seconds."""

    dialed: int = 0
    connected: int = 0
    talk_seconds: int = 0

    @property
    def talk_minutes(self) -> int:
        """Rounded half-up once, for the hour (the unit the quota keeps)."""
        return int((Decimal(self.talk_seconds) / 60).quantize(Decimal(1), ROUND_HALF_UP))

    def add(self, other: HourCalls) -> None:
        self.dialed += other.dialed
        self.connected += other.connected
        self.talk_seconds += other.talk_seconds


@dataclass
class _Call:
    start: dt.datetime
    end: dt.datetime
    first: tuple[dt.datetime, int]  # (start, line) of the row that names the campaign
    connected: bool = False
    longest: int = 0
    campaign: str | None = None

    def take(self, row: CdrRow, campaign: str | None) -> None:
        self.start = min(self.start, row.start)
        self.end = max(self.end, row.until)
        if row.answered and row.billsec > 0:
            self.connected = True
            self.longest = max(self.longest, row.billsec)
        if campaign is not None and (self.campaign is None
                                     or (row.start, row.line) < self.first):
            self.campaign, self.first = campaign, (row.start, row.line)


@dataclass
class Tally:
    """What a CDR file adds up to: {(extension, date, hour): HourCalls}, the same split by
    campaign ({…: {campaign or None: HourCalls}}), and the rows of extensions floor does not
    know."""

    hours: dict[tuple[str, dt.date, int], HourCalls] = field(default_factory=dict)
    campaigns: dict[tuple[str, dt.date, int], dict[str | None, HourCalls]] = field(
        default_factory=dict)
    unknown_rows: int = 0
    unknown_extensions: set[str] = field(default_factory=set)
    calls: int = 0


def optional_columns(fields: list[str]) -> dict[str, str]:
    """The columns after amaflags, named: ``uniqueid``, ``userfield`` (each when logged) and
    ``peeraccount``, ``linkedid``, ``sequence`` (newcdrcolumns). cdr_csv writes them in that
    order and only those switched on, so the count and the shape of the values tell which."""
    extra = [f.strip() for f in fields[MIN_FIELDS:]]
    out: dict[str, str] = {}
    if len(extra) >= 3 and extra[-1].isdigit() and _CALL_ID.match(extra[-2]):
        out.update(peeraccount=extra[-3], linkedid=extra[-2], sequence=extra[-1])
        extra = extra[:-3]
    if len(extra) == 2:
        out["userfield"] = extra[1]
        if _CALL_ID.match(extra[0]):
            out["uniqueid"] = extra[0]
    elif len(extra) == 1:
        out["uniqueid" if _CALL_ID.match(extra[0]) else "userfield"] = extra[0]
    return out


def _time(text: str, end: bool = False) -> dt.datetime:
    """The start (or end) time of a row; ValueError names which and why."""
    if not _START.match(text):
        raise ValueError((_("end {text!r} is not a date and time (YYYY-MM-DD HH:MM:SS)") if end
                          else _("start {text!r} is not a date and time (YYYY-MM-DD "
                                 "HH:MM:SS)")).format(text=text))
    try:  # the shape is checked above; the fields by hand: strptime is slow on 10k rows
        return dt.datetime(int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]),
                           int(text[14:16]), int(text[17:19]))
    except ValueError:
        raise ValueError((_("end {text} is not a real date and time") if end
                          else _("start {text} is not a real date and time")).format(
            text=text)) from None


def parse_row(line: int, fields: list[str], campaign_field: str = "accountcode") -> CdrRow:
    """A Master.csv row; ValueError says what is wrong with it."""
    if len(fields) < MIN_FIELDS:
        raise ValueError(_("expected at least {n} fields (accountcode … amaflags), found "
                           "{found}").format(n=MIN_FIELDS, found=len(fields)))
    start = _time(fields[START].strip())
    end_text = fields[END].strip()
    end = _time(end_text, end=True) if end_text else None
    billsec_text = fields[BILLSEC].strip()
    if not billsec_text.isdigit():
        raise ValueError(_("billsec {text!r} is not a whole number of seconds").format(
            text=billsec_text))
    if len(billsec_text) > 6 or int(billsec_text) > MAX_BILLSEC:
        raise ValueError(_("billsec {text} is more than a day ({most} seconds)").format(
            text=billsec_text[:12] + ("…" if len(billsec_text) > 12 else ""), most=MAX_BILLSEC))
    optional = optional_columns(fields)
    named = {"accountcode": fields[ACCOUNTCODE], "dcontext": fields[DCONTEXT], **optional}
    return CdrRow(line, fields[CHANNEL].strip(), fields[DSTCHANNEL].strip(), start,
                  fields[DISPOSITION].strip().upper() == "ANSWERED", int(billsec_text), end,
                  optional.get("linkedid") or optional.get("uniqueid", ""),
                  named.get(campaign_field, "").strip())


def channel_extension(channel: str) -> str | None:
    """The extension of a phone's channel (``SIP/8001-0000abcd`` → ``8001``); None for a
    Local channel or anything that is not a channel name."""
    match = _CHANNEL.match(channel.strip())
    if not match or match.group("tech").lower() == "local":
        return None
    return match.group("resource").split("@")[0]


def tally(rows: list[CdrRow], extensions: set[str],
          campaigns: frozenset[str] | set[str] = frozenset()) -> Tally:
    """Count the calls of every known extension by the date and hour they started, each call
    once, on the campaign its rows name when that is one of ``campaigns``."""
    result = Tally()
    by_id: dict[tuple[str, str], _Call] = {}  # (extension, linkedid or uniqueid) -> call
    by_channel: dict[tuple[str, str], list[CdrRow]] = {}  # rows without an id
    for row in rows:
        known = False
        for channel in {row.channel, row.dstchannel}:
            extension = channel_extension(channel)
            if extension is None:
                continue
            if extension not in extensions:
                result.unknown_extensions.add(extension)
                continue
            known = True
            if row.call_id:
                campaign = row.campaign_code if row.campaign_code in campaigns else None
                call = by_id.setdefault((extension, row.call_id),
                                        _Call(row.start, row.until, (row.start, row.line)))
                call.take(row, campaign)
            else:
                by_channel.setdefault((extension, channel), []).append(row)
        if not known:
            result.unknown_rows += 1
    calls = [(extension, call) for (extension, _id), call in by_id.items()]
    for (extension, _channel), channel_rows in by_channel.items():
        calls.extend((extension, call) for call in _spans(channel_rows, campaigns))
    for extension, call in calls:
        slot = (extension, call.start.date(), call.start.hour)
        one = HourCalls(1, int(call.connected), call.longest if call.connected else 0)
        result.hours.setdefault(slot, HourCalls()).add(one)
        result.campaigns.setdefault(slot, {}).setdefault(call.campaign, HourCalls()).add(one)
    result.calls = len(calls)
    return result


def _spans(rows: list[CdrRow], campaigns: frozenset[str] | set[str]) -> list[_Call]:
    """The calls of one channel name in a file without ids: in order of start, a row starting
    within the current call's start … end + slack is that call; any later one a new call."""
    out: list[_Call] = []
    for row in sorted(rows, key=lambda r: (r.start, r.line)):
        campaign = row.campaign_code if row.campaign_code in campaigns else None
        if not out or row.start > out[-1].end + CHANNEL_SPAN_SLACK:
            out.append(_Call(row.start, row.until, (row.start, row.line)))
        out[-1].take(row, campaign)
    return out
