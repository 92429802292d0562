"""Per-viewer watermarks on PDF downloads.

A classified PDF is never handed out as stored: each download gets a new PDF
with the viewer's name, the time and the classification drawn diagonally
across every page, so a leaked copy names its source. The stored bytes stay
untouched; the watermarked copy is built in memory for each download.

The overlay is drawn with fpdf2 in the bundled DejaVu Sans (it covers
Vietnamese; the server's fonts are never consulted) and laid over each page
with pypdf, taking the page's visible box and its /Rotate into account so the
text reads upright and centred as the viewer sees the page.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

from django.utils.translation import gettext as _
from fpdf import FPDF
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT_PATH = FONT_DIR / "DejaVuSans.ttf"
FONT_FAMILY = "DejaVuSans"

# Visible enough to survive a photocopy, light enough to read through.
OPACITY = 0.22
COLOR = (120, 120, 120)
# The text spans this share of the page diagonal...
DIAGONAL_SHARE = 0.8
# ...within these font sizes (points): small pages still get legible text,
# long texts on big pages do not become banners.
MIN_FONT_SIZE = 6.0
MAX_FONT_SIZE = 72.0


class WatermarkError(Exception):
    """The PDF cannot be watermarked (damaged or password-protected)."""


def _visible_size(page: PageObject) -> tuple[float, float, int]:
    """(width, height) of the page as displayed, and its rotation in
    degrees (0, 90, 180 or 270)."""
    box = page.cropbox
    width, height = float(box.width), float(box.height)
    rotation = int(page.get("/Rotate", 0) or 0) % 360
    if rotation not in (0, 90, 180, 270):
        # Not a valid /Rotate value; viewers ignore it, so do the same.
        rotation = 0
    if rotation in (90, 270):
        width, height = height, width
    return width, height, rotation


def _overlay_pdf(sizes: list[tuple[float, float]], text: str) -> PdfReader:
    """One overlay page per distinct displayed size, in that order."""
    pdf = FPDF(unit="pt", format=sizes[0])
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_font(FONT_FAMILY, "", str(FONT_PATH))
    for width, height in sizes:
        # Portrait keeps (width, height) as given; "L" would swap them.
        pdf.add_page(orientation="P", format=(width, height))
        diagonal = math.hypot(width, height)
        pdf.set_font(FONT_FAMILY, size=10)
        at_ten = pdf.get_string_width(text) or 1.0
        size = 10 * DIAGONAL_SHARE * diagonal / at_ten
        size = max(MIN_FONT_SIZE, min(MAX_FONT_SIZE, size))
        pdf.set_font(FONT_FAMILY, size=size)
        text_width = pdf.get_string_width(text)
        # fpdf2's y axis points down, so this angle rises from the bottom
        # left corner towards the top right one.
        angle = math.degrees(math.atan2(height, width))
        centre_x, centre_y = width / 2, height / 2
        with (
            pdf.local_context(fill_opacity=OPACITY, text_color=COLOR),
            pdf.rotation(angle, x=centre_x, y=centre_y),
        ):
            # text() takes the baseline; a third of the size below the
            # centre puts the middle of the lowercase letters on it.
            pdf.text(centre_x - text_width / 2, centre_y + size / 3, text)
    return PdfReader(io.BytesIO(bytes(pdf.output())))


def _placement(page: PageObject, rotation: int) -> Transformation:
    """Map the overlay (drawn upright at the displayed size) onto the page's
    own coordinates, undoing the rotation the viewer applies."""
    box = page.cropbox
    left, bottom = float(box.left), float(box.bottom)
    # The box in the page's own (unrotated) coordinates.
    own_width, own_height = float(box.width), float(box.height)
    if rotation == 90:
        placed = Transformation().rotate(90).translate(own_width, 0)
    elif rotation == 180:
        placed = Transformation().rotate(180).translate(own_width, own_height)
    elif rotation == 270:
        placed = Transformation().rotate(270).translate(0, own_height)
    else:
        placed = Transformation()
    return placed.translate(left, bottom)


def watermark_pdf(pdf_bytes: bytes, text: str) -> bytes:
    """A new PDF: `pdf_bytes` with `text` drawn diagonally and
    semi-transparent across every page. `pdf_bytes` is not modified.

    Raises WatermarkError when the PDF cannot be read or is protected by a
    password: handing out an unmarked copy instead is not an option.
    """
    try:
        reader = PdfReader(io.BytesIO(pdf_bytes))
        if reader.is_encrypted and not reader.decrypt(""):
            raise WatermarkError(
                _("The PDF is protected by a password and cannot be watermarked.")
            )
        pages = list(reader.pages)
        if not pages:
            raise WatermarkError(_("The PDF has no pages."))
        layout = [_visible_size(page) for page in pages]
        sizes = list(dict.fromkeys((round(w, 2), round(h, 2)) for w, h, _r in layout))
        overlay = _overlay_pdf(sizes, text)
        overlay_pages = dict(zip(sizes, overlay.pages, strict=True))

        writer = PdfWriter(clone_from=reader)
        for page, (width, height, rotation) in zip(writer.pages, layout, strict=True):
            stamp = overlay_pages[(round(width, 2), round(height, 2))]
            page.merge_transformed_page(stamp, _placement(page, rotation), over=True)
        output = io.BytesIO()
        writer.write(output)
    except (PyPdfError, ValueError, KeyError) as error:
        # Malformed PDFs surface from pypdf as any of these, at any step.
        raise WatermarkError(
            _("The PDF is damaged and cannot be watermarked: %(error)s")
            % {"error": error}
        ) from error
    return output.getvalue()
