"""Visible appearances of signatures.

An appearance is drawn as a one-page PDF exactly the size of the signature box
(fpdf2 embeds the bundled DejaVu font, so Vietnamese text stays real,
extractable text) and pyHanko imports that page as the widget's appearance
stream. This avoids pyHanko's own OpenType engine, which needs HarfBuzz.
"""

from __future__ import annotations

import binascii
import uuid
from collections.abc import Sequence
from io import BytesIO

from fpdf import FPDF
from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.stamp import StaticStampStyle

from hoso.signing.images import FONT_PATH

Color = tuple[int, int, int]
BLUE: Color = (20, 45, 160)
RED: Color = (210, 25, 35)


def render_appearance(
    width: float,
    height: float,
    *,
    image: bytes | None = None,
    lines: Sequence[str] = (),
    color: Color = BLUE,
    border: bool = False,
) -> bytes:
    """A one-page PDF of `width` × `height` points: the image, the text lines,
    or the image on the left and the lines on its right."""
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_margin(0)
    pdf.set_auto_page_break(False)
    pdf.set_creator("Hoso")
    pdf.add_page()
    if border:
        # A framed stamp sits in the page margin; white keeps it legible
        # when the page has something underneath.
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(0, 0, width, height, style="F")
    padding = 3.0 if (lines or border) else 0.0
    text_left = padding
    if image:
        # Square-ish area for the image when text follows, the whole box else.
        image_width = min(height, width / 3) if lines else width
        pdf.image(
            BytesIO(image),
            x=0,
            y=0,
            w=image_width,
            h=height,
            keep_aspect_ratio=True,
        )
        text_left = image_width + padding if lines else width
    if lines:
        pdf.add_font("DejaVu", "", str(FONT_PATH))
        _write_lines(
            pdf,
            lines,
            left=text_left,
            width=width - text_left - padding,
            height=height - 2 * padding,
            top=padding,
            color=color,
        )
    if border:
        pdf.set_draw_color(*color)
        pdf.set_line_width(1)
        pdf.rect(0.5, 0.5, width - 1, height - 1)
    return bytes(pdf.output())


def _write_lines(pdf, lines, *, left, width, height, top, color) -> None:
    """The lines in the largest font size (≤ 10 pt) that fits the area."""
    size = min(10.0, height / (len(lines) * 1.25))
    pdf.set_font("DejaVu", size=size)
    while size > 4 and max(pdf.get_string_width(line) for line in lines) > width:
        size -= 0.25
        pdf.set_font("DejaVu", size=size)
    pdf.set_text_color(*color)
    leading = size * 1.25
    # Vertically centred block; `text` places each line by its baseline.
    block = leading * len(lines)
    y = top + (height - block) / 2 + size
    for line in lines:
        pdf.text(left, y, line)
        y += leading


class ImportedAppearance(content.PdfContent):
    """PDF content that draws the first page of an in-memory PDF (pyHanko's
    `ImportedPdfPage` only reads from a file name)."""

    def __init__(self, pdf_bytes: bytes):
        super().__init__()
        self.pdf_bytes = pdf_bytes

    def render(self) -> bytes:
        writer = self._ensure_writer
        reader = PdfFileReader(BytesIO(self.pdf_bytes))
        xobject = writer.import_page_as_xobject(reader, page_ix=0)
        name = b"/Appearance" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[name.decode("ascii")] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return name + b" Do"


def stamp_style(appearance_pdf: bytes) -> StaticStampStyle:
    """A pyHanko stamp style showing `appearance_pdf` exactly in the box."""
    return StaticStampStyle(
        background=ImportedAppearance(appearance_pdf),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )
