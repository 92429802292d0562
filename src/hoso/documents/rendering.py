"""Documents rendered as PDF in the official layouts, with the place of the
signature.

Party bodies lay out their documents by Quy định 66-QĐ/TW and Hướng dẫn
36-HD/VPTW; organizations whose `document_style` is "state" by Nghị định
30/2020/NĐ-CP. The layout is an HTML template (`documents/pdf/party.html`,
`documents/pdf/state.html`) set by WeasyPrint in the bundled fonts, so the
output does not depend on the fonts installed on the server, and nothing is
fetched but those fonts.

Signing needs to know where the signer's image and the seal go (SPEC §5: the
image between the position line and the name line, the seal overlapping its
left third). Rather than duplicating the layout in code, the template leaves
an empty block of fixed height between the two lines and its position is read
back from WeasyPrint's layout, so the boxes follow whatever the text above
pushes the signature block to.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TypedDict

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hoso.organizations.choices import DocumentStyle, Kind, Level

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
FONT_DIR = STATIC_DIR / "fonts"
PARTY_TEMPLATE = "documents/pdf/party.html"
STATE_TEMPLATE = "documents/pdf/state.html"

# WeasyPrint lays out in CSS pixels (96 per inch); PDF points are 72 per inch.
PT_PER_PX = 0.75
PT_PER_MM = 72 / 25.4
# Ids the templates give to the signature block's parts (the position line's
# is there for tools and tests; the boxes need the other two).
POSITION_ID = "signer-position"
SPACE_ID = "signature-space"
NAME_ID = "signer-name"
# The signer's image: this wide at most, the height of the blank space less a
# small gap so it never touches the lines of text.
SIGNER_WIDTH_PT = 50 * PT_PER_MM
SIGNER_GAP_PT = 2.0
# A seal is round, 35-40 mm across for most committees; the box is square.
SEAL_SIZE_PT = 36 * PT_PER_MM

# A blank left for a number or a day not yet known (drafts).
BLANK = "\u00a0" * 5

SECRECY_MARKS = {1: "MẬT", 2: "TỐI MẬT", 3: "TUYỆT MẬT"}
URGENCY_MARKS = {1: "KHẨN", 2: "THƯỢNG KHẨN", 3: "HỎA TỐC", 4: "HỎA TỐC HẸN GIỜ"}
# Signing authority: the Party writes the prefixes with a slash, the state
# (NĐ 30/2020) with a full stop.
AUTHORITY_PREFIXES = {
    "TM": {DocumentStyle.PARTY: "T/M", DocumentStyle.STATE: "TM."},
    "KT": {DocumentStyle.PARTY: "K/T", DocumentStyle.STATE: "KT."},
    "TL": {DocumentStyle.PARTY: "T/L", DocumentStyle.STATE: "TL."},
    "Q": {DocumentStyle.PARTY: "Q.", DocumentStyle.STATE: "Q."},
}
# The collective a T/M or T/L signer acts for, by the start of the
# organization's name, then by its kind. These are customs, not rules: a
# caller that knows better passes `collective` to render_document_pdf.
COLLECTIVES_BY_NAME = (
    ("ủy ban kiểm tra", "ỦY BAN KIỂM TRA"),
    ("uỷ ban kiểm tra", "ỦY BAN KIỂM TRA"),
    ("ban bí thư", "BAN BÍ THƯ"),
    ("bộ chính trị", "BỘ CHÍNH TRỊ"),
    ("ủy ban nhân dân", "ỦY BAN NHÂN DÂN"),
    ("uỷ ban nhân dân", "ỦY BAN NHÂN DÂN"),
)
COLLECTIVES_BY_KIND = {
    Kind.COMMITTEE: "BAN THƯỜNG VỤ",
    Kind.GRASSROOTS: "ĐẢNG ỦY",
    Kind.CELL: "CHI BỘ",
}
# Resolutions of the central committee are mostly the Politburo's.
CENTRAL_COLLECTIVE = "BỘ CHÍNH TRỊ"
# Headings in a body are lines in capitals with at least one letter.
_HAS_LETTER = re.compile(r"[^\W\d_]")
_ADDRESSEES = re.compile(r"^\s*kính\s+gửi\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
_LETTER_PREFIX = re.compile(r"^\s*v/v[:.]?\s*", re.IGNORECASE)
# A word with a slash: a symbol ("57-NQ/TW") or a date, never broken at the
# slash (line breaking allows a break after it).
_SLASHED = re.compile(r"\S+/\S+")


class SignatureBoxes(TypedDict):
    """Where the signature goes, in PDF points with the origin at the bottom
    left of the page (pyHanko's convention); boxes are (x1, y1, x2, y2).

    `page` is the 0-based page of the signature block; `signer` the box for
    the signer's image, between the position line and the name line, centred
    over the name; `seal` the square box of the seal, covering the left third
    of `signer`; `name_y` the top edge of the name line."""

    page: int
    signer: tuple[float, float, float, float]
    # The same box under the name signing.services.sign_issued_document
    # reads, so the dict can be passed to it as `positions` unchanged.
    signature: tuple[float, float, float, float]
    seal: tuple[float, float, float, float]
    name_y: float


class RenderingError(RuntimeError):
    """The template lost the signature block the layout is read from."""


# Text of the parts ------------------------------------------------------------


def vietnamese_date(place: str, day: date | None, year: int | None = None) -> str:
    """The place and date line, "Hà Nội, ngày 05 tháng 01 năm 2026": days
    below 10 and the months January and February on two digits (Hướng dẫn
    36-HD/VPTW, NĐ 30/2020). Without a day (a draft) the day and month are
    left blank."""
    if day is None:
        text = f"ngày{BLANK}tháng{BLANK}năm {year or ''}".rstrip()
    else:
        month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
        text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    place = place.strip()
    return f"{place}, {text}" if place else text[0].upper() + text[1:]


def number_line(document, style: str) -> str:
    """The number and symbol line, "Số 57-NQ/TW" (Party) or "Số: 15/QĐ-BNV"
    (state); a document not numbered yet gets a blank for the number."""
    organization = document.organization
    issuer = organization.abbreviation or organization.code
    code = document.doc_type.code
    if style == DocumentStyle.STATE:
        if document.symbol:
            return f"Số: {document.symbol}"
        # A state công văn carries the issuer and drafting unit, no type code.
        tail = f"{issuer}-VP" if code == "CV" else f"{code}-{issuer}"
        return f"Số:{BLANK}/{tail}"
    if document.symbol:
        return f"Số {document.symbol}"
    return f"Số{BLANK}-{code}/{issuer}"


def type_name(document) -> str:
    """The type in capitals, without a note such as "(cá biệt)"."""
    name = re.sub(r"\s*\(.*?\)\s*", " ", document.doc_type.name).strip()
    return name.upper()


def collective_name(organization) -> str:
    """The collective a T/M or T/L signer acts for ("BAN THƯỜNG VỤ")."""
    folded = organization.name.casefold()
    for prefix, collective in COLLECTIVES_BY_NAME:
        if folded.startswith(prefix):
            return collective
    if organization.document_style == DocumentStyle.STATE:
        return organization.name.upper()
    if organization.kind == Kind.COMMITTEE and organization.level == Level.CENTRAL:
        return CENTRAL_COLLECTIVE
    return COLLECTIVES_BY_KIND.get(organization.kind, organization.name.upper())


def head_position(position: str) -> str:
    """The head's title a deputy signs for (K/T): "Phó Bí thư" → "Bí thư",
    "Phó Bí thư Thường trực" → "Bí thư", "Thứ trưởng" → "Bộ trưởng"."""
    text = position.strip()
    folded = text.casefold()
    if folded.startswith("phó "):
        text = text[4:].strip()
        text = re.sub(r"\s+thường trực$", "", text, flags=re.IGNORECASE)
    elif folded.startswith("thứ trưởng"):
        text = "Bộ trưởng" + text[len("thứ trưởng") :]
    return text


def signature_lines(document, style: str, collective: str | None = None) -> list[str]:
    """The lines above the signature, in capitals: authority then position
    ("T/M BAN THƯỜNG VỤ" / "BÍ THƯ", "K/T BÍ THƯ" / "PHÓ BÍ THƯ"); "Q."
    goes on the position line itself ("Q. CHÁNH VĂN PHÒNG")."""
    position = document.signer_position.strip().upper()
    key = re.sub(r"[^A-Z]", "", document.signer_authority.upper())
    if key not in AUTHORITY_PREFIXES:
        return [position] if position else []
    prefix = AUTHORITY_PREFIXES[key][style]
    if key == "Q":
        return [f"{prefix} {position}".strip()]
    if key == "KT":
        head = head_position(document.signer_position).upper()
        first = f"{prefix} {head}" if head else prefix
    else:
        first = f"{prefix} {collective or collective_name(document.organization)}"
    return [first, position] if position else [first]


def _html(text: str) -> SafeString:
    """Text escaped for the template, with symbols kept on one line."""
    parts, start = [], 0
    for match in _SLASHED.finditer(text):
        parts.append(escape(text[start : match.start()]))
        parts.append(f'<span class="nobreak">{escape(match.group())}</span>')
        start = match.end()
    parts.append(escape(text[start:]))
    # Every part is escaped above.
    return mark_safe("".join(parts))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def recipients(document) -> list[SafeString]:
    """Nơi nhận, one "- …" line each."""
    return [
        _html("- " + line.lstrip("-–• ").strip())
        for line in _lines(document.recipients_text)
    ]


def _paragraph_kind(line: str) -> str:
    """A line in capitals is a heading ("I- TÌNH HÌNH"); one that also ends
    with a colon introduces the articles and is centred ("QUYẾT ĐỊNH:")."""
    if line.upper() != line or not _HAS_LETTER.search(line):
        return ""
    return "heading centred" if line.endswith(":") else "heading"


def body_parts(document, is_letter: bool) -> tuple[list[SafeString], list[dict]]:
    """(addressees, paragraphs) of the body. A letter opens with "Kính gửi":
    taken from the body when it starts with it, otherwise from the
    recipients other than "Như trên" and the archive copy ("Lưu …")."""
    lines = _lines(document.body)
    addressees: list[str] = []
    if lines and (match := _ADDRESSEES.match(lines[0])):
        lines.pop(0)
        if match["rest"]:
            addressees.append(match["rest"])
        while lines and lines[0].startswith(("-", "–")):
            addressees.append(lines.pop(0).lstrip("-– ").strip())
    elif is_letter:
        for line in _lines(document.recipients_text):
            name = line.lstrip("-–• ").rstrip(",;. ").strip()
            folded = name.casefold()
            if name and "như trên" not in folded and not folded.startswith("lưu"):
                addressees.append(name)
    paragraphs = [
        {"text": _html(line), "kind": _paragraph_kind(line)} for line in lines
    ]
    return [_html(name) for name in addressees], paragraphs


def document_context(document, *, draft: bool, collective: str | None = None) -> dict:
    """Everything the templates show, as text."""
    organization = document.organization
    style = (
        DocumentStyle.STATE
        if organization.document_style == DocumentStyle.STATE
        else DocumentStyle.PARTY
    )
    is_letter = document.doc_type.code == "CV"
    excerpt = document.excerpt.strip()
    if is_letter:
        excerpt = _LETTER_PREFIX.sub("", excerpt)
    addressees, paragraphs = body_parts(document, is_letter)
    marks = [
        mark
        for mark in (
            SECRECY_MARKS.get(document.secrecy),
            URGENCY_MARKS.get(document.urgency),
        )
        if mark
    ]
    symbol = document.symbol or ""
    return {
        "style": style,
        "draft": draft,
        "title": f"{document.doc_type.name} {symbol}".strip() + f" — {excerpt}",
        "author": organization.name,
        "created": document.issued_date.isoformat() if document.issued_date else "",
        "superior": organization.parent.name.upper() if organization.parent else "",
        "issuer": organization.name.upper(),
        "number_line": number_line(document, style),
        "date_line": vietnamese_date(
            document.place, document.issued_date, document.register_year
        ),
        "is_letter": is_letter,
        "type_name": type_name(document),
        "excerpt": _html(excerpt),
        "marks": marks,
        "addressees": addressees,
        "paragraphs": paragraphs,
        "recipients": recipients(document),
        "signature_lines": signature_lines(document, style, collective),
        "signer_name": document.signer_name.strip(),
    }


# Layout -------------------------------------------------------------------------


def _url_fetcher():
    """WeasyPrint may read the bundled fonts and nothing else: no network,
    no other file, whatever the text of the document says."""
    from weasyprint import URLFetcher

    allowed = FONT_DIR.as_uri() + "/"

    class FontsOnlyURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(allowed) or ".." in url:
                raise ValueError(f"Not fetched for a document: {url}")
            return super().fetch(url, headers)

    return FontsOnlyURLFetcher(allowed_protocols=["file"])


def signature_boxes(rendered) -> SignatureBoxes:
    """The signer and seal boxes, read from the laid-out blank space between
    the position line and the name line (WeasyPrint's `Page.anchors` gives
    each id's border box in CSS pixels from the top left)."""
    found = next(
        (
            (index, page)
            for index, page in enumerate(rendered.pages)
            if SPACE_ID in page.anchors and NAME_ID in page.anchors
        ),
        None,
    )
    if found is None:
        raise RenderingError("The template has no signature block.")
    index, page = found
    height = page.height * PT_PER_PX
    left, top, right, bottom = (value * PT_PER_PX for value in page.anchors[SPACE_ID])
    name_top = page.anchors[NAME_ID][1] * PT_PER_PX
    centre = (left + right) / 2
    width = min(SIGNER_WIDTH_PT, right - left)
    signer = (
        centre - width / 2,
        height - bottom + SIGNER_GAP_PT,
        centre + width / 2,
        height - top - SIGNER_GAP_PT,
    )
    # The seal covers the left third of the signature, centred on its height.
    seal_right = signer[0] + width / 3
    middle = (signer[1] + signer[3]) / 2
    seal = (
        seal_right - SEAL_SIZE_PT,
        middle - SEAL_SIZE_PT / 2,
        seal_right,
        middle + SEAL_SIZE_PT / 2,
    )
    signer = tuple(round(value, 2) for value in signer)
    return {
        "page": index,
        "signer": signer,
        "signature": signer,
        "seal": tuple(round(value, 2) for value in seal),
        "name_y": round(height - name_top, 2),
    }


def render_document_pdf(
    document, *, draft: bool = False, collective: str | None = None
) -> tuple[bytes, SignatureBoxes]:
    """The document as PDF bytes in its organization's layout (Party, or
    state when `organization.document_style == "state"`), "DỰ THẢO" across
    every page when `draft`, and the boxes where the signer's image and the
    seal go (see `SignatureBoxes`).

    `collective` overrides the body a T/M or T/L signer acts for (by default
    guessed from the organization: "BAN THƯỜNG VỤ" for a committee…).
    The output is deterministic: no creation time but the document's date,
    no random file identifier.
    """
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    context = document_context(document, draft=draft, collective=collective)
    template = (
        STATE_TEMPLATE if context["style"] == DocumentStyle.STATE else PARTY_TEMPLATE
    )
    html = render_to_string(template, context)
    rendered = HTML(
        string=html,
        base_url=STATIC_DIR.as_uri() + "/",
        url_fetcher=_url_fetcher(),
    ).render(font_config=FontConfiguration())
    boxes = signature_boxes(rendered)
    return rendered.write_pdf(), boxes
