"""The catalogue workflow (needs Babel, a test/dev dependency; the app itself only reads .mo):

    python -m floorapp.i18n_tools update [DOMAIN …]   extract _() strings into the .po files,
                                                       keeping existing translations
    python -m floorapp.i18n_tools compile              write every .mo from its .po
    python -m floorapp.i18n_tools missing              list strings without a translation

May import: other basics only (policy, roles, i18n, clock, money, errors, text); never rules,
formats, services, the CLI, screens, the store or Textual.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from floorapp.i18n import DOMAINS, LOCALE_DIR, domain_of

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
LOCALE = "zh_CN"


def po_path(domain: str) -> Path:
    return LOCALE_DIR / LOCALE / "LC_MESSAGES" / f"{domain}.po"


def sources() -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {d: [] for d in DOMAINS}
    for folder in ("floorapp", "screens"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            if rel.startswith("floorapp/i18n"):
                continue
            domain = domain_of(rel)
            if domain:
                out[domain].append(path)
    return out


def extract(domain: str) -> Catalog:
    """Every message the domain's source files pass to _(), N_() or ngettext()."""
    template = Catalog(domain=domain, project="floor", charset="utf-8")
    for path in sources()[domain]:
        for lineno, message, comments, context in extract_from_file(
            "python", str(path), keywords=KEYWORDS, strip_comment_tags=True
        ):
            template.add(message, None, [(str(path.relative_to(ROOT)), lineno)],
                         auto_comments=comments, context=context)
    return template


def load(domain: str) -> Catalog:
    path = po_path(domain)
    if not path.exists():
        return Catalog(locale=LOCALE, domain=domain, project="floor", charset="utf-8")
    with path.open("rb") as handle:
        return read_po(handle, locale=LOCALE, domain=domain)


def save(domain: str, catalog: Catalog) -> None:
    path = po_path(domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    # sorted, without source locations: branches that add strings then merge cleanly
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=True,
             no_location=True, include_previous=False)
    path.write_bytes(buffer.getvalue())


def compiled(domain: str) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, load(domain), use_fuzzy=False)
    return buffer.getvalue()


def update(domains: list[str]) -> None:
    for domain in domains:
        catalog = load(domain)
        created = catalog.creation_date
        catalog.update(extract(domain), no_fuzzy_matching=True)
        catalog.creation_date = created  # a fixed header: no merge conflict on every update
        catalog.obsolete.clear()
        save(domain, catalog)
        print(f"{po_path(domain).relative_to(ROOT)}: {len(catalog)} messages")


def compile_all() -> None:
    for domain in DOMAINS:
        if po_path(domain).exists():
            po_path(domain).with_suffix(".mo").write_bytes(compiled(domain))


def missing(domain: str) -> list[str]:
    """Messages used in the sources that the domain's catalogue does not translate."""
    catalog = load(domain)
    out = []
    for message in extract(domain):
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        found = catalog.get(message.id)
        text = found.string if found is not None else None
        if found is None or found.fuzzy or not text or (
            isinstance(text, tuple) and not all(text)
        ):
            out.append(key)
    return out


def main(argv: list[str]) -> int:
    command, *args = argv or ["help"]
    if command == "update":
        update(args or list(DOMAINS))
        return 0
    if command == "compile":
        compile_all()
        return 0
    if command == "missing":
        count = 0
        for domain in args or list(DOMAINS):
            for message in missing(domain):
                print(f"{domain}: {message}")
                count += 1
        return 1 if count else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
