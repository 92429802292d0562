"""Test helpers shared by every app: factories and the scoped test mixins."""
