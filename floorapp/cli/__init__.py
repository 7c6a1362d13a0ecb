"""The `floor` command line (SPEC §9): ``main`` parses, one module per command group.

May import: services, formats, rules and the basics (the store only for its errors and the
store commands); the Textual app only when `floor` starts the console, never screens directly.
"""
