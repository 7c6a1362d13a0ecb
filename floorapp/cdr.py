"""Asterisk call records (``cdr_csv`` ``Master.csv``) counted per agent and hour (SPEC §11).
Pure rules.

``Master.csv`` has no header; each row is accountcode, src, dst, dcontext, clid, channel,
dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags,
then (by configuration) uniqueid, userfield and more. One call of an agent is one channel of
their extension (``SIP/8001-0000abcd``, ``PJSIP/8001-00000012``) in ``channel`` (the agent
dialed) or ``dstchannel`` (the call was delivered to them): a forked or queued dial writes
several rows naming the same channel, and they are one call. ``Local/…`` channels are
Asterisk's plumbing between two real channels, never an agent's phone, so they are not counted.

Per agent and hour of the call's start (the earliest row's start, in the centre's time as
Asterisk writes it): dialed = the calls; connected = the calls with a row ANSWERED and
billsec > 0; talk = Σ of each connected call's longest billsec.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from floorapp.i18n import _

MIN_FIELDS = 16  # up to amaflags; uniqueid, userfield … are optional
MAX_BILLSEC = 86400  # input bound: no call lasts more than a day (a longer one is a typo)
CHANNEL, DSTCHANNEL, START, BILLSEC, DISPOSITION = 5, 6, 9, 13, 14
_START = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
# technology/resource-sequence; the resource may carry @context (PJSIP/8001@trunk-…)
_CHANNEL = re.compile(r"^(?P<tech>[A-Za-z0-9]+)/(?P<resource>.+)-(?P<seq>[0-9A-Fa-f]+)"
                      r"(?:;\d+)?(?:<[A-Z]+>)?$")


@dataclass(frozen=True)
class CdrRow:
    line: int
    channel: str
    dstchannel: str
    start: dt.datetime
    answered: bool
    billsec: int


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


@dataclass
class _Call:
    start: dt.datetime
    connected: bool = False
    longest: int = 0


@dataclass
class Tally:
    """What a CDR file adds up to: {(extension, date, hour): HourCalls}, and the rows of
    extensions floor does not know."""

    hours: dict[tuple[str, dt.date, int], HourCalls] = field(default_factory=dict)
    unknown_rows: int = 0
    unknown_extensions: set[str] = field(default_factory=set)
    calls: int = 0


def parse_row(line: int, fields: list[str]) -> CdrRow:
    """A Master.csv row; ValueError says what is wrong with it."""
    if len(fields) < MIN_FIELDS:
        raise ValueError(_("expected at least {n} fields (accountcode … amaflags), found "
                           "{found}").format(n=MIN_FIELDS, found=len(fields)))
    start_text = fields[START].strip()
    if not _START.match(start_text):
        raise ValueError(_("start {text!r} is not a date and time (YYYY-MM-DD HH:MM:SS)").format(
            text=start_text))
    try:
        start = dt.datetime.strptime(start_text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise ValueError(_("start {text} is not a real date and time").format(
            text=start_text)) from None
    billsec_text = fields[BILLSEC].strip()
    if not billsec_text.isdigit():
        raise ValueError(_("billsec {text!r} is not a whole number of seconds").format(
            text=billsec_text))
    if len(billsec_text) > 6 or int(billsec_text) > MAX_BILLSEC:
        raise ValueError(_("billsec {text} is more than a day ({most} seconds)").format(
            text=billsec_text[:12] + ("…" if len(billsec_text) > 12 else ""), most=MAX_BILLSEC))
    return CdrRow(line, fields[CHANNEL].strip(), fields[DSTCHANNEL].strip(), start,
                  fields[DISPOSITION].strip().upper() == "ANSWERED", int(billsec_text))


def channel_extension(channel: str) -> str | None:
    """The extension of a phone's channel (``SIP/8001-0000abcd`` → ``8001``); None for a
    Local channel or anything that is not a channel name."""
    match = _CHANNEL.match(channel.strip())
    if not match or match.group("tech").lower() == "local":
        return None
    return match.group("resource").split("@")[0]


def tally(rows: list[CdrRow], extensions: set[str]) -> Tally:
    """Count the calls of every known extension by the date and hour they started."""
    result = Tally()
    calls: dict[tuple[str, str], _Call] = {}  # (extension, channel) -> call
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
            call = calls.setdefault((extension, channel), _Call(row.start))
            call.start = min(call.start, row.start)
            if row.answered and row.billsec > 0:
                call.connected = True
                call.longest = max(call.longest, row.billsec)
        if not known:
            result.unknown_rows += 1
    for (extension, _channel), call in calls.items():
        hour = result.hours.setdefault(
            (extension, call.start.date(), call.start.hour), HourCalls())
        hour.dialed += 1
        if call.connected:
            hour.connected += 1
            hour.talk_seconds += call.longest
    result.calls = len(calls)
    return result
