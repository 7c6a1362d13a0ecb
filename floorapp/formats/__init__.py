"""The outside world's files: CSV/xlsx/attlog/CDR readers and report rendering (SPEC §9, §11).

May import: the basics and the rules; never services, the CLI, screens, the store, TinyDB or
Textual. (Proven by tests/whole/test_import_hygiene.py.)
"""
