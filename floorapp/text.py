"""Text a user typed, made safe to print to a terminal (SPEC §3 rev.: never sent raw).

May import: other basics only (policy, roles, i18n, clock, money, errors, text); never rules,
formats, services, the CLI, screens, the store or Textual.

Names, notes and reasons may hold anything a CSV or a keyboard can carry: an escape sequence,
a bell, a bidi override that reverses what follows. ``terminal_safe`` shows each such character
as its escape (``\\x1b``, ``\\u202e``) so it is read, not obeyed. Screens use
``screens.text.markup_safe``, which adds Textual markup escaping on top of this.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks, line/paragraph
# separators: everything a terminal would act on instead of showing.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str, keep: str = "\t") -> str:
    """``text`` with every control character shown as its escape (those in ``keep`` left)."""
    if not text:
        return text
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)


def terminal_safe_output(text: str) -> str:
    """A whole printed output: lines (LF or CRLF) and tabs kept, every other control escaped."""
    if not text:
        return text
    return _UNSAFE.sub(lambda m: _escape(m) if m.group() not in "\t\n" and not (
        m.group() == "\r" and text.startswith("\n", m.end())) else m.group(), text)
