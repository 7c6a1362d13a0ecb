"""A centre's own emergency checklist read from its JSON file (`floor import checklist`, SPEC
§8): the JSON parsed with every failure named, then checked by the rules' ``parse_checklist``.

May import: the basics and the rules; never services, the CLI, screens, the store, TinyDB or Textual.
"""

from __future__ import annotations

import json

from floorapp.errors import FloorError
from floorapp.formats import csvio
from floorapp.i18n import _
from floorapp.rules.checklists import Checklist, parse_checklist


def load_checklist_json(text: str, taken_keys: dict[str, str], where: str) -> Checklist:
    try:
        data = csvio.loads_json(text, where)
    except json.JSONDecodeError as exc:
        raise FloorError(_("{where}:{line}: not valid JSON ({reason})").format(
            where=where, line=exc.lineno, reason=exc.msg)) from None
    checklist, errors = parse_checklist(data, taken_keys, where)
    if errors:
        from floorapp.errors import ImportRejected

        raise ImportRejected(errors)
    return checklist
