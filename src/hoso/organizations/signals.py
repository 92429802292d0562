"""Signals of the organization tree, for other apps' derived data."""

from django.dispatch import Signal

# Sent after a subtree moved: old_path, new_path. Apps that copy the path
# (documents' org_path) rewrite their rows.
subtree_moved = Signal()
