"""An OCRmyPDF plugin that reports pages as they finish.

OCRmyPDF reports progress through a progress-bar class that a plugin
supplies. The bar is created and updated in the thread that called
`ocrmypdf.ocr()` (workers only compute), so the callback to notify is kept
in a thread-local set by `reporting()` around the call. Only the "OCR"
step counts: it advances by one unit per finished page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ocrmypdf import hookimpl

_local = threading.local()


@contextmanager
def reporting(callback: Callable[[int], None] | None) -> Iterator[None]:
    """Call `callback(pages_done)` as OCR pages finish, within the block."""
    previous = getattr(_local, "callback", None)
    _local.callback = callback
    try:
        yield
    finally:
        _local.callback = previous


class PageProgress:
    """OCRmyPDF's ProgressBar protocol, forwarding finished pages."""

    def __init__(self, *, total=None, desc=None, unit=None, disable=False, **kwargs):
        self.desc = desc
        self.done = 0.0
        self.reported = 0
        self.callback = getattr(_local, "callback", None)

    def __enter__(self) -> PageProgress:
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> bool:
        return False

    def update(self, n: float = 1, *, completed: float | None = None) -> None:
        if self.callback is None or self.desc != "OCR":
            return
        self.done = completed if completed is not None else self.done + n
        pages = int(self.done + 1e-6)
        if pages != self.reported:
            self.reported = pages
            self.callback(pages)


@hookimpl
def get_progressbar_class():
    """Replace the console progress bar (firstresult: the last plugin wins)."""
    return PageProgress
