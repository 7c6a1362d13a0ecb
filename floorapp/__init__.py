"""floor: the call-centre floor supervisor's console.

May import: other basics only (policy, roles, i18n, clock, money, errors, text); never rules,
formats, services, the CLI, screens, the store or Textual.
"""

__version__ = "0.1.0"
