"""Textual screens, one per section, each with its .tcss. Screens call floorapp services only."""
