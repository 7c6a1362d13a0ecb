"""floor: the call-centre floor supervisor's console."""

__version__ = "0.1.0"
