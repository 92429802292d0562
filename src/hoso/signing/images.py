"""Default signature and seal images, drawn when none was uploaded.

The signature is the person's name in blue, slanted like handwriting, with a
flourish; the seal is a red ring with the organization's name around a star.
Both are PNG with a transparent background, as the signature placement rules
ask. They are stand-ins for demo and small deployments: an organization with
a real seal uploads a scan of it.
"""

from __future__ import annotations

import math
from functools import cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_PATH = (
    Path(__file__).resolve().parent.parent / "static" / "fonts" / "DejaVuSans.ttf"
)
SIGNATURE_BLUE = (20, 45, 160, 255)
SEAL_RED = (210, 25, 35, 255)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size)


def _png(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def signature_png(name: str, *, width: int = 700, height: int = 300) -> bytes:
    """A blue handwriting-like signature of `name` (transparent PNG)."""
    # Vietnamese signatures usually write the given name (the last word) large.
    words = name.split()
    text = words[-1] if words else name
    size = 160
    while size > 30 and _font(size).getlength(text) > width * 0.6:
        size -= 6
    font = _font(size)
    canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    text_width = font.getlength(text)
    draw.text(
        (width / 2 - width * 0.05, height * 0.42),
        text,
        font=font,
        fill=SIGNATURE_BLUE,
        anchor="mm",
    )
    # Slant to the right, as a pen does: an affine shear about the middle.
    shear = 0.3
    canvas = canvas.transform(
        canvas.size,
        Image.Transform.AFFINE,
        (1, shear, -shear * height / 2, 0, 1, 0),
        resample=Image.Resampling.BICUBIC,
    )
    draw = ImageDraw.Draw(canvas)
    # The flourish: one swoosh under the name, dipping then rising to the right.
    left = max(width * 0.08, width / 2 - text_width * 0.62)
    right = min(width * 0.95, width / 2 + text_width * 0.66)
    points = []
    for step in range(120):
        t = step / 119
        px = left + (right - left) * t
        py = height * (0.74 - 0.2 * t * t) + math.sin(t * math.pi) * height * 0.07
        points.append((px, py))
    draw.line(points, fill=SIGNATURE_BLUE, width=6, joint="curve")
    return _png(canvas)


def _star(center: tuple[float, float], outer: float, inner: float) -> list:
    """The ten corners of a five-pointed star, one point straight up."""
    cx, cy = center
    corners = []
    for index in range(10):
        radius = outer if index % 2 == 0 else inner
        angle = -math.pi / 2 + index * math.pi / 5
        corners.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return corners


def seal_png(name: str, *, size: int = 600) -> bytes:
    """A red round seal: `name` around the rim, a star in the middle."""
    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    center = size / 2
    outer = size / 2 - 6
    draw.ellipse(
        (center - outer, center - outer, center + outer, center + outer),
        outline=SEAL_RED,
        width=14,
    )
    inner = outer * 0.66
    draw.ellipse(
        (center - inner, center - inner, center + inner, center + inner),
        outline=SEAL_RED,
        width=5,
    )
    draw.polygon(_star((center, center), inner * 0.72, inner * 0.29), fill=SEAL_RED)
    band = outer - inner
    _text_around(
        canvas,
        name.upper(),
        center=center,
        radius=inner + band * 0.18,
        max_size=int(band * 0.62),
    )
    return _png(canvas)


def _text_around(
    canvas: Image.Image, text: str, *, center: float, radius: float, max_size: int
):
    """Write `text` clockwise along a circle of baseline `radius`, centred on
    the top, each letter upright relative to the rim."""
    # The largest letters (up to a limit) that fit in 300 degrees of the ring;
    # short names are spread with wider spacing, as engravers do.
    arc = 2 * math.pi * radius * (300 / 360)
    font_size = max_size
    while font_size > 10:
        font = _font(font_size)
        if sum(font.getlength(ch) for ch in text) * 1.08 <= arc:
            break
        font_size -= 1
    font = _font(font_size)
    letters = sum(font.getlength(ch) for ch in text)
    spacing = min((arc - letters) / max(len(text), 1), font_size * 0.6)
    total = letters + spacing * len(text)
    # The text is centred on the top: it starts left of the bottom gap and
    # runs clockwise.
    angle = math.pi / 2 + (2 * math.pi - total / radius) / 2
    for ch in text:
        advance = font.getlength(ch) + spacing
        mid = angle + advance / (2 * radius)
        tile_size = font_size * 2
        tile = Image.new("RGBA", (tile_size, tile_size), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text(
            (tile_size / 2, tile_size / 2), ch, font=font, fill=SEAL_RED, anchor="ms"
        )
        # Upright on the rim: the letter's top points away from the centre.
        tile = tile.rotate(
            -math.degrees(mid) - 90, resample=Image.Resampling.BICUBIC, expand=False
        )
        x = center + radius * math.cos(mid) - tile_size / 2
        y = center + radius * math.sin(mid) - tile_size / 2
        canvas.alpha_composite(tile, (round(x), round(y)))
        angle += advance / radius
