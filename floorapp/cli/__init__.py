"""The `floor` command line (SPEC §9): ``main`` parses and dispatches; one module per command
group (imports, reports, commands, qa, pay, roster, db, wallboard).

May import: services, formats, rules, the basics and the store's errors; the app only to start the console; never screens or Textual.
"""

# Exit codes: 0 done, 2 a problem with the input or the store that the user can fix (the
# message says what and where), 1 an internal error (no traceback unless FLOOR_DEBUG=1).
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USER = 2
