"""Textual screens, one per section, each with its .tcss. Screens call floorapp services only.

May import: Textual, widgets, services, rules, formats and the basics; never the store, TinyDB or
the CLI.
"""
