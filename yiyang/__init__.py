"""Yiyang (医养): the city platform for integrated medical and elderly care."""

__version__ = "0.1.0"
