"""The rules: pure functions and value types, one module per concept (SPEC §4–8, §10–11).

May import: the basics (policy, roles, i18n, clock, money, errors, text) and other rules; never
formats, services, the CLI, screens, the store, TinyDB or Textual. (Proven by
tests/whole/test_import_hygiene.py.)

Plain data, the policy and an explicit ``now`` in; results out. No I/O, no clock, no store.
"""
