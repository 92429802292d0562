"""Signals of the member records for other apps.

`members_imported` is sent inside the import's transaction after a bulk
import wrote members without saving them one by one (COPY or bulk_create),
so apps that derive data from members (the operations centre's indicators)
can follow; its argument is the organization the file was imported into.
"""

from django.dispatch import Signal

members_imported = Signal()
