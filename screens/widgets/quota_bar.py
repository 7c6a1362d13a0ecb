"""Compact text bars for the quota screen: completed toward the target, dialed in its band.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""

from __future__ import annotations

from rich.text import Text

FULL, EMPTY = "█", "░"
PARTS = " ▏▎▍▌▋▊▉"


def progress_bar(done: int, target: int, band_max: int, width: int = 9,
                 behind: bool = False) -> Text:
    """``█████▌░░░ 37/60``: green when the target is met (bold above the band's top),
    yellow when behind an even pace."""
    if target <= 0:
        return Text(f"{'·' * width} {done}", style="dim")
    eighths = min(width * 8, done * width * 8 // target)
    bar = FULL * (eighths // 8)
    if eighths % 8 and len(bar) < width:
        bar += PARTS[eighths % 8]
    bar += EMPTY * (width - len(bar))
    if done >= target:
        style = "bold green" if done > band_max else "green"
    elif behind:
        style = "yellow"
    else:
        style = "dodger_blue2"
    return Text.assemble((bar, style), f" {done}/{target}")


def band_text(value: int, low: int, high: int, judged: float | None = None,
              judge: bool = True) -> Text:
    """A count against its band (dialed 70–100): ↓ below, ↑ above, plain inside. ``judged``:
    the figure the band is applied to when not the count itself (a projection mid-shift);
    ``judge`` False: too early to say, the count alone."""
    if not judge:
        return Text(f"{value}")
    judged = value if judged is None else judged
    if judged < low:
        return Text(f"{value}↓", style="yellow")
    if judged > high:
        return Text(f"{value}↑", style="cyan")
    return Text(f"{value}", style="green")
