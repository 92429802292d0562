"""Deterministic demo data: `hoso demo --scale small|province|national`."""
