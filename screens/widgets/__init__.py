"""Widgets shared by the screens.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""
