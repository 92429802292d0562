"""Scan-like test pages: Vietnamese text rendered onto a white A4 page at
300 dpi with the bundled DejaVu font, as PNG, PDF (image only), multi-page
TIFF, or a born-digital PDF with a text layer."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

import hoso

FONTS = Path(hoso.__file__).resolve().parent / "static" / "fonts"
FONT = FONTS / "DejaVuSerifCondensed.ttf"
BOLD = FONTS / "DejaVuSerifCondensed-Bold.ttf"
DPI = 300
A4 = (2480, 3508)  # 210 × 297 mm at 300 dpi

# Rows of (x offset in pixels, text, bold): the Party layout, with the
# issuing body on the left and the Party's name on the right of the header,
# and the signature block on the right.
RESOLUTION_57 = [
    [(0, "ĐẢNG BỘ TỈNH KHÁNH HÒA", True), (1250, "ĐẢNG CỘNG SẢN VIỆT NAM", True)],
    [(250, "TỈNH ỦY", True), (1350, "Nha Trang, ngày 15 tháng 3 năm 2025", False)],
    [(180, "*", False)],
    [(120, "Số 57-NQ/TU", False)],
    [],
    [(850, "NGHỊ QUYẾT", True)],
    [(560, "về chuyển đổi số trong các cơ quan đảng", False)],
    [],
    [(0, "Ban Thường vụ Tỉnh ủy quyết nghị đẩy mạnh chuyển đổi số, xây dựng", False)],
    [(0, "cơ sở dữ liệu đảng viên, số hóa hồ sơ lưu trữ và ứng dụng công nghệ", False)],
    [(0, "thông tin trong công tác văn phòng cấp ủy. Các cấp ủy, tổ chức đảng", False)],
    [(0, "quán triệt và tổ chức thực hiện nghiêm túc nghị quyết này.", False)],
    [],
    [(1300, "T/M BAN THƯỜNG VỤ", True)],
    [(0, "Nơi nhận:", False), (1450, "BÍ THƯ", True)],
    [(0, "- Các đảng bộ trực thuộc,", False)],
    [(0, "- Lưu Văn phòng Tỉnh ủy.", False), (1330, "Nguyễn Hải Ninh", True)],
]


def plain_text(rows=RESOLUTION_57) -> str:
    """The page's text, one row per line (what a perfect reading gives)."""
    return "\n".join("   ".join(text for _x, text, _bold in row) for row in rows)


# Words every reading of the page must find (accent-folded, lowercase):
# OCR drops diacritics on bold capitals, so compare folded words.
EXPECTED_WORDS = {
    "dang",
    "khanh",
    "hoa",
    "57-nq/tu",
    "nghi",
    "quyet",
    "chuyen",
    "doi",
    "so",
    "vien",
    "luu",
    "tru",
}


def page_image(lines=RESOLUTION_57, *, size: int = 44, rotate: int = 0) -> Image.Image:
    """A grayscale 300-dpi A4 page with `lines` of text."""
    image = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(image)
    regular = ImageFont.truetype(str(FONT), size)
    bold = ImageFont.truetype(str(BOLD), size)
    y = 260
    for row in lines:
        for x, text, is_bold in row:
            draw.text((220 + x, y), text, font=bold if is_bold else regular, fill=0)
        y += int(size * 1.9)
    if rotate:
        image = image.rotate(rotate, expand=True, fillcolor=255)
    return image


def png_bytes(image: Image.Image | None = None) -> bytes:
    buffer = io.BytesIO()
    (image or page_image()).save(buffer, format="PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def jpeg_bytes(image: Image.Image | None = None) -> bytes:
    buffer = io.BytesIO()
    (image or page_image()).save(buffer, format="JPEG", quality=90, dpi=(DPI, DPI))
    return buffer.getvalue()


def pdf_bytes(*images: Image.Image) -> bytes:
    """An image-only PDF (what a scanner produces), one page per image."""
    pages = list(images) or [page_image()]
    buffer = io.BytesIO()
    pages[0].save(
        buffer,
        format="PDF",
        resolution=DPI,
        save_all=True,
        append_images=pages[1:],
        quality=92,
    )
    return buffer.getvalue()


def tiff_bytes(*images: Image.Image) -> bytes:
    """A multi-page TIFF (group 4 fax compression, as archives scan)."""
    pages = [image.convert("1") for image in (list(images) or [page_image()])]
    buffer = io.BytesIO()
    pages[0].save(
        buffer,
        format="TIFF",
        save_all=True,
        append_images=pages[1:],
        compression="group4",
        dpi=(DPI, DPI),
    )
    return buffer.getvalue()


def text_pdf_bytes(lines=RESOLUTION_57) -> bytes:
    """A born-digital PDF: the same text as a real text layer."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.add_font("serif", "", str(FONT))
    pdf.set_font("serif", size=12)
    for row in lines:
        text = "   ".join(text for _x, text, _bold in row)
        pdf.cell(0, 8, text or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
