"""Hoso: operations platform for the agencies of a multi-level organization."""

__version__ = "0.1.0"
