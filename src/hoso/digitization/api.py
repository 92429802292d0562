"""API of the digitization app."""

from ninja import Router

router = Router(tags=["digitization"])
