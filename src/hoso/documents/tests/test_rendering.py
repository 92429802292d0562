"""Documents rendered as PDF: the Party and state layouts against reference
images, their text, the signature boxes and determinism.

The reference images (page 1 at 50 dpi) live in rendering_refs/. After an
intended change of the layout, regenerate them with

    HOSO_UPDATE_RENDER_REFS=1 pytest src/hoso/documents/tests/test_rendering.py

and look at the new PNGs before committing them.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat
from pypdf import PdfReader

from hoso.core.choices import Secrecy
from hoso.core.testing.factories import OrganizationFactory
from hoso.documents import rendering
from hoso.documents.choices import Direction, Status, Urgency
from hoso.documents.models import Document, DocumentType
from hoso.organizations.choices import DocumentStyle, Kind, Level
from hoso.organizations.models import Organization

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="poppler-utils (pdftoppm, pdftotext) not installed",
)

REFS = Path(__file__).parent / "rendering_refs"
UPDATE_REFS = os.environ.get("HOSO_UPDATE_RENDER_REFS") == "1"
DPI = 50
# Tolerances against a reference, greyscale 0-255. The mean absolute
# difference per pixel leaves room for another poppler or FreeType version
# (anti-aliasing: a 0.3 px blur costs up to 1.2) but not for the page shifted
# by one pixel (5-10) or rasterised without anti-aliasing (6). A mean hides a
# small local change (a missing name costs 0.04), so the page is also compared
# in 8 × 8 pixel blocks (4 mm), where anti-aliasing averages out (the blur
# costs 2) and a missing or moved word does not (50 and more).
MEAN_TOLERANCE = 2.0
BLOCK = 8
BLOCK_TOLERANCE = 40

BODY_NQ = """\
Trong những năm qua, Đảng, Nhà nước luôn xác định phát triển khoa học, công \
nghệ là quốc sách hàng đầu, là nền tảng và động lực cho phát triển kinh tế - \
xã hội của đất nước.
I- TÌNH HÌNH VÀ NGUYÊN NHÂN
Khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số đã có những bước tiến \
quan trọng, đóng góp tích cực vào thành tựu chung của đất nước; tiềm lực khoa \
học được tăng cường, hạ tầng số được mở rộng.
II- QUAN ĐIỂM CHỈ ĐẠO
Phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số là đột phá \
quan trọng hàng đầu, là động lực chính để phát triển nhanh lực lượng sản xuất \
hiện đại, hoàn thiện quan hệ sản xuất."""

BODY_CV = """\
Kính gửi: Các chi bộ trực thuộc
Thực hiện Nghị quyết số 57-NQ/TW, ngày 22/12/2024 của Bộ Chính trị, Ban \
Thường vụ Đảng ủy đề nghị các chi bộ tổ chức quán triệt nghị quyết đến toàn \
thể đảng viên, báo cáo kết quả trước ngày 15 tháng 02 năm 2026.
Đề nghị các đồng chí bí thư chi bộ quan tâm, chỉ đạo thực hiện."""

BODY_QD = """\
Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về \
công tác văn thư;
Theo đề nghị của Chánh Văn phòng Bộ.
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc của Bộ Nội vụ.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký.
Điều 3. Chánh Văn phòng Bộ, Thủ trưởng các đơn vị thuộc Bộ chịu trách nhiệm \
thi hành Quyết định này."""


# Fixtures ---------------------------------------------------------------------


@pytest.fixture
def author(make_user):
    return make_user()


def _document(organization, doc_type, author, **fields) -> Document:
    """An issued outgoing document, created directly (the layout, not the
    workflow, is under test)."""
    return Document.objects.create(
        organization=organization,
        org_path=organization.path,
        direction=Direction.OUTGOING,
        status=Status.ISSUED,
        doc_type=doc_type,
        issuer=organization,
        issuer_name=organization.name,
        register_year=fields["issued_date"].year if "issued_date" in fields else 2026,
        created_by=author,
        **fields,
    )


@pytest.fixture
def party_resolution(tree, nq, author):
    """Nghị quyết 57-NQ/TW of the central committee, signed T/M."""
    return _document(
        tree["central"],
        nq,
        author,
        number=57,
        symbol="57-NQ/TW",
        place="Hà Nội",
        issued_date=date(2024, 12, 22),
        excerpt=(
            "về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và "
            "chuyển đổi số quốc gia"
        ),
        body=BODY_NQ,
        signer_authority="T/M",
        signer_position="Tổng Bí thư",
        signer_name="Tô Lâm",
        recipients_text=(
            "- Các tỉnh ủy, thành ủy,\n- Các ban đảng Trung ương,\n"
            "- Lưu Văn phòng Trung ương Đảng."
        ),
    )


@pytest.fixture
def party_letter(tree, cv, author):
    """A secret, urgent Công văn of commune A, signed by a deputy (K/T)."""
    return _document(
        tree["a"],
        cv,
        author,
        number=12,
        symbol="12-CV/ĐU",
        place="An",
        issued_date=date(2026, 1, 5),
        excerpt="triển khai Nghị quyết 57-NQ/TW của Bộ Chính trị",
        body=BODY_CV,
        secrecy=Secrecy.SECRET,
        urgency=Urgency.URGENT,
        signer_authority="K/T",
        signer_position="Phó Bí thư",
        signer_name="Nguyễn Thị Ánh",
        recipients_text="- Như trên,\n- Lưu Văn phòng Đảng ủy.",
    )


@pytest.fixture
def state_decision(author):
    """Quyết định 15/QĐ-BNV of a ministry numbering by the state rules."""
    ministry = OrganizationFactory(
        level=Level.CENTRAL,
        kind=Kind.AGENCY,
        code="BNV",
        name="Bộ Nội vụ",
        abbreviation="BNV",
        document_style=DocumentStyle.STATE,
    )
    return _document(
        ministry,
        DocumentType.objects.get(system="state", code="QĐ"),
        author,
        number=15,
        symbol="15/QĐ-BNV",
        place="Hà Nội",
        issued_date=date(2026, 3, 5),
        excerpt="Về việc ban hành Quy chế làm việc của Bộ Nội vụ",
        body=BODY_QD,
        signer_authority="K/T",
        signer_position="Thứ trưởng",
        signer_name="Trần Văn Hùng",
        recipients_text="- Như Điều 3;\n- Bộ trưởng (để báo cáo);\n- Lưu: VT, VP.",
    )


# Helpers ----------------------------------------------------------------------


def rasterise(pdf: bytes, tmp_path: Path, page: int = 1) -> Image.Image:
    """One page as a greyscale image at DPI."""
    source = tmp_path / "render.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", "-gray", "-singlefile",
         "-f", str(page), "-l", str(page), str(source), str(tmp_path / "page")],
        check=True,
    )  # fmt: skip
    with Image.open(tmp_path / "page.png") as image:
        return image.convert("L")


def pdf_text(pdf: bytes) -> str:
    """The text as pdftotext reads it, NFC-normalized, runs of white space
    (line ends included: a long excerpt wraps) as one space."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return " ".join(unicodedata.normalize("NFC", result.stdout.decode()).split())


def text_lines(pdf: bytes, page: int) -> list[tuple[str, float, float, float, float]]:
    """(text, left, top, right, bottom) of each line on a 0-based page, from
    `pdftotext -bbox-layout`, in PDF points from the top left of the page."""
    result = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", str(page + 1), "-l", str(page + 1),
         "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )  # fmt: skip
    root = ET.fromstring(result.stdout)
    lines = []
    for line in root.iter("{http://www.w3.org/1999/xhtml}line"):
        words = [word.text or "" for word in line]
        text = unicodedata.normalize("NFC", " ".join(words))
        box = (float(line.get(key)) for key in ("xMin", "yMin", "xMax", "yMax"))
        lines.append((text, *box))
    return lines


def mean_difference(first: Image.Image, second: Image.Image) -> float:
    assert first.size == second.size
    return ImageStat.Stat(ImageChops.difference(first, second)).mean[0]


def block_difference(first: Image.Image, second: Image.Image) -> int:
    """The largest difference between the averages of BLOCK × BLOCK areas."""
    _low, high = ImageChops.difference(
        first.reduce(BLOCK), second.reduce(BLOCK)
    ).getextrema()
    return high


def check_reference(name: str, image: Image.Image) -> None:
    """Compare with rendering_refs/<name>.png, or write it when
    HOSO_UPDATE_RENDER_REFS=1."""
    reference = REFS / f"{name}.png"
    if UPDATE_REFS:
        REFS.mkdir(exist_ok=True)
        image.save(reference, optimize=True)
    assert reference.is_file(), (
        f"No reference image {reference.name}: run with HOSO_UPDATE_RENDER_REFS=1"
    )
    with Image.open(reference) as stored:
        expected = stored.convert("L")
    assert image.size == expected.size
    hint = (
        "if the change is intended, regenerate with HOSO_UPDATE_RENDER_REFS=1 "
        "and look at the images"
    )
    mean = mean_difference(image, expected)
    assert mean < MEAN_TOLERANCE, (
        f"Page 1 of {name} differs from its reference by {mean:.2f} per pixel; " + hint
    )
    block = block_difference(image, expected)
    assert block < BLOCK_TOLERANCE, (
        f"Part of page 1 of {name} differs from its reference by {block}; " + hint
    )


def test_reference_comparison_sees_a_missing_name(party_resolution, tmp_path):
    """The comparison itself: a blank where the signer's name was fails,
    slightly different anti-aliasing passes."""
    pdf, boxes = rendering.render_document_pdf(party_resolution)
    image = rasterise(pdf, tmp_path)
    blurred = image.filter(ImageFilter.GaussianBlur(0.3))
    assert mean_difference(image, blurred) < MEAN_TOLERANCE
    assert block_difference(image, blurred) < BLOCK_TOLERANCE
    _text, *name_box = _line(text_lines(pdf, boxes["page"]), "Tô Lâm")
    missing = image.copy()
    ImageDraw.Draw(missing).rectangle(
        [round(value * DPI / 72) for value in name_box], fill=255
    )
    assert mean_difference(image, missing) < MEAN_TOLERANCE
    assert block_difference(image, missing) >= BLOCK_TOLERANCE


# Visual regression ------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture", ["party_resolution", "party_letter", "state_decision"]
)
def test_page_one_matches_reference(fixture, request, tmp_path):
    document = request.getfixturevalue(fixture)
    pdf, _boxes = rendering.render_document_pdf(document)
    check_reference(fixture, rasterise(pdf, tmp_path))


def test_draft_matches_reference(party_resolution, tmp_path):
    """A draft: no number or date yet, "DỰ THẢO" across the page."""
    party_resolution.number = None
    party_resolution.symbol = ""
    party_resolution.issued_date = None
    party_resolution.status = Status.DRAFT
    pdf, _boxes = rendering.render_document_pdf(party_resolution, draft=True)
    check_reference("party_resolution_draft", rasterise(pdf, tmp_path))
    text = pdf_text(pdf)
    assert "DỰ THẢO" in text
    assert "-NQ/TW" in text and "57-NQ/TW" not in text
    assert "năm 2024" in text and "ngày 22" not in text


# Text -------------------------------------------------------------------------


def test_party_resolution_text(party_resolution):
    text = pdf_text(rendering.render_document_pdf(party_resolution)[0])
    for part in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BAN CHẤP HÀNH TRUNG ƯƠNG",
        "*",
        "Số 57-NQ/TW",
        "Hà Nội, ngày 22 tháng 12 năm 2024",
        "NGHỊ QUYẾT",
        "về đột phá phát triển khoa học",
        "I- TÌNH HÌNH VÀ NGUYÊN NHÂN",
        "T/M BỘ CHÍNH TRỊ",
        "TỔNG BÍ THƯ",
        "Tô Lâm",
        "Nơi nhận:",
        "- Các tỉnh ủy, thành ủy,",
        "- Lưu Văn phòng Trung ương Đảng.",
    ]:
        assert part in text, part
    # No state parts in a Party document.
    assert "CỘNG HÒA" not in text and "Số:" not in text
    assert "DỰ THẢO" not in text


def test_party_letter_text(party_letter):
    text = pdf_text(rendering.render_document_pdf(party_letter)[0])
    for part in [
        # The superior body, then the issuer.
        "ĐẢNG BỘ TỈNH THỬ",
        "ĐẢNG BỘ XÃ AN",
        "Số 12-CV/ĐU",
        "V/v triển khai Nghị quyết 57-NQ/TW của Bộ Chính trị",
        # Days below 10 and January on two digits.
        "An, ngày 05 tháng 01 năm 2026",
        "MẬT",
        "KHẨN",
        "Kính gửi: Các chi bộ trực thuộc",
        "K/T BÍ THƯ",
        "PHÓ BÍ THƯ",
        "Nguyễn Thị Ánh",
        "- Như trên,",
    ]:
        assert part in text, part
    # A letter has no type heading.
    assert "CÔNG VĂN" not in text
    # The superior body comes first.
    assert text.index("ĐẢNG BỘ TỈNH THỬ") < text.index("ĐẢNG BỘ XÃ AN")


def test_state_decision_text(state_decision):
    text = pdf_text(rendering.render_document_pdf(state_decision)[0])
    for part in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BỘ NỘI VỤ",
        "Số: 15/QĐ-BNV",
        "Hà Nội, ngày 05 tháng 3 năm 2026",
        "QUYẾT ĐỊNH",
        "Về việc ban hành Quy chế làm việc của Bộ Nội vụ",
        "Căn cứ Nghị định số 30/2020/NĐ-CP",
        "KT. BỘ TRƯỞNG",
        "THỨ TRƯỞNG",
        "Trần Văn Hùng",
        "Nơi nhận:",
        "- Lưu: VT, VP.",
    ]:
        assert part in text, part
    assert "ĐẢNG CỘNG SẢN" not in text and "K/T" not in text


def test_metadata(party_resolution):
    """Title and author for the reader; the date is the document's own, so
    the bytes do not change from one rendering to the next."""
    reader = PdfReader(io.BytesIO(rendering.render_document_pdf(party_resolution)[0]))
    assert reader.metadata.title.startswith("Nghị quyết 57-NQ/TW")
    assert reader.metadata.author == "Ban Chấp hành Trung ương"
    assert reader.metadata.creation_date.date() == date(2024, 12, 22)
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    # A4 in points.
    assert (round(float(width)), round(float(height))) == (595, 842)


# Signature boxes ---------------------------------------------------------------


def _line(lines, text):
    matches = [line for line in lines if line[0] == text]
    assert len(matches) == 1, (text, [line[0] for line in lines])
    return matches[0]


@pytest.mark.parametrize(
    ("fixture", "position", "name"),
    [
        ("party_resolution", "TỔNG BÍ THƯ", "Tô Lâm"),
        ("party_letter", "PHÓ BÍ THƯ", "Nguyễn Thị Ánh"),
        ("state_decision", "THỨ TRƯỞNG", "Trần Văn Hùng"),
    ],
)
def test_signature_boxes(fixture, position, name, request):
    """The signer's box lies between the position line and the name line,
    the seal box covers its left third, both inside the page."""
    document = request.getfixturevalue(fixture)
    pdf, boxes = rendering.render_document_pdf(document)
    assert set(boxes) == {"page", "signer", "signature", "seal", "name_y"}
    assert boxes["signature"] == boxes["signer"]
    page = PdfReader(io.BytesIO(pdf)).pages[boxes["page"]]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    x1, y1, x2, y2 = boxes["signer"]
    sx1, sy1, sx2, sy2 = boxes["seal"]
    for left, bottom, right, top in (boxes["signer"], boxes["seal"]):
        assert 0 <= left < right <= width
        assert 0 <= bottom < top <= height

    lines = text_lines(pdf, boxes["page"])
    _text, _left, _top, _right, position_bottom = _line(lines, position)
    _text, name_left, name_top, name_right, _bottom = _line(lines, name)
    # pdftotext measures from the top; the boxes from the bottom.
    assert y2 <= height - position_bottom
    assert y1 >= height - name_top
    assert y1 >= boxes["name_y"]
    assert abs(boxes["name_y"] - (height - name_top)) < 6
    # Room for a signature: at least 2 cm high, 4 cm wide.
    assert y2 - y1 > 20 * rendering.PT_PER_MM
    assert x2 - x1 > 40 * rendering.PT_PER_MM
    signer_width = x2 - x1
    # The signature is centred over the name.
    assert (x1 + x2) / 2 == pytest.approx((name_left + name_right) / 2, abs=3)
    # The seal overlaps the left third of the signature, centred on its height.
    assert sx1 < x1 < sx2
    assert sx2 - x1 == pytest.approx(signer_width / 3, abs=0.05)
    assert (sy1 + sy2) / 2 == pytest.approx((y1 + y2) / 2, abs=0.05)


def test_signature_on_the_last_page(party_resolution):
    """A long body pushes the signature block to a later page; the boxes
    follow it."""
    party_resolution.body = "\n".join([BODY_NQ] * 6)
    pdf, boxes = rendering.render_document_pdf(party_resolution)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages > 1
    assert boxes["page"] == pages - 1
    lines = text_lines(pdf, boxes["page"])
    assert "Tô Lâm" in [line[0] for line in lines]


# Determinism --------------------------------------------------------------------


def test_rendering_is_deterministic(party_letter, tmp_path):
    first_pdf, first_boxes = rendering.render_document_pdf(party_letter)
    second_pdf, second_boxes = rendering.render_document_pdf(party_letter)
    assert first_boxes == second_boxes
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = rasterise(first_pdf, tmp_path / "a")
    second = rasterise(second_pdf, tmp_path / "b")
    assert ImageChops.difference(first, second).getbbox() is None
    # No creation time nor random identifier either: the bytes are equal.
    assert first_pdf == second_pdf


# The parts one by one ------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 5), "Hà Nội, ngày 05 tháng 01 năm 2026"),
        (date(2026, 2, 28), "Hà Nội, ngày 28 tháng 02 năm 2026"),
        (date(2026, 3, 5), "Hà Nội, ngày 05 tháng 3 năm 2026"),
        (date(2024, 12, 22), "Hà Nội, ngày 22 tháng 12 năm 2024"),
        (date(2025, 10, 9), "Hà Nội, ngày 09 tháng 10 năm 2025"),
    ],
)
def test_vietnamese_date(day, expected):
    assert rendering.vietnamese_date("Hà Nội", day) == expected


def test_vietnamese_date_without_day_or_place():
    assert rendering.vietnamese_date("", date(2026, 1, 5)) == (
        "Ngày 05 tháng 01 năm 2026"
    )
    blank = rendering.vietnamese_date("Hà Nội", None, 2026)
    assert blank.startswith("Hà Nội, ngày") and blank.endswith("năm 2026")


def _unsaved(style=DocumentStyle.PARTY, kind=Kind.COMMITTEE, level=Level.PROVINCE,
             name="Đảng bộ tỉnh Thử", **fields) -> Document:  # fmt: skip
    organization = Organization(
        name=name, kind=kind, level=level, document_style=style, abbreviation="TU"
    )
    doc_type = DocumentType(system=style, code="QĐ", name="Quyết định")
    return Document(organization=organization, doc_type=doc_type, **fields)


@pytest.mark.parametrize(
    ("style", "kind", "level", "authority", "position", "expected"),
    [
        ("party", Kind.COMMITTEE, Level.PROVINCE, "T/M", "Bí thư",
         ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"]),
        ("party", Kind.COMMITTEE, Level.CENTRAL, "T/M", "Tổng Bí thư",
         ["T/M BỘ CHÍNH TRỊ", "TỔNG BÍ THƯ"]),
        ("party", Kind.CELL, Level.CELL, "T/M", "Bí thư", ["T/M CHI BỘ", "BÍ THƯ"]),
        ("party", Kind.COMMITTEE, Level.PROVINCE, "K/T", "Phó Bí thư",
         ["K/T BÍ THƯ", "PHÓ BÍ THƯ"]),
        ("party", Kind.COMMITTEE, Level.PROVINCE, "K/T", "Phó Bí thư Thường trực",
         ["K/T BÍ THƯ", "PHÓ BÍ THƯ THƯỜNG TRỰC"]),
        ("party", Kind.COMMITTEE, Level.PROVINCE, "T/L", "Chánh Văn phòng",
         ["T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG"]),
        ("party", Kind.AGENCY, Level.PROVINCE, "Q.", "Chánh Văn phòng",
         ["Q. CHÁNH VĂN PHÒNG"]),
        ("party", Kind.AGENCY, Level.PROVINCE, "", "Trưởng ban", ["TRƯỞNG BAN"]),
        ("state", Kind.AGENCY, Level.CENTRAL, "K/T", "Thứ trưởng",
         ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"]),
        ("state", Kind.AGENCY, Level.CENTRAL, "KT.", "Thứ trưởng",
         ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"]),
        ("state", Kind.AGENCY, Level.CENTRAL, "T/L", "Chánh Văn phòng",
         ["TL. ĐẢNG BỘ TỈNH THỬ", "CHÁNH VĂN PHÒNG"]),
        ("state", Kind.AGENCY, Level.CENTRAL, "Q.", "Bộ trưởng", ["Q. BỘ TRƯỞNG"]),
    ],
)  # fmt: skip
def test_signature_lines(style, kind, level, authority, position, expected):
    document = _unsaved(
        style, kind, level, signer_authority=authority, signer_position=position
    )
    assert rendering.signature_lines(document, style) == expected


def test_people_committee_signs_for_the_committee():
    document = _unsaved(
        DocumentStyle.STATE,
        Kind.AGENCY,
        name="Ủy ban nhân dân tỉnh Thử",
        signer_authority="T/M",
        signer_position="Chủ tịch",
    )
    assert rendering.signature_lines(document, "state") == [
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
    ]
    # A caller that knows the collective says so.
    assert rendering.signature_lines(document, "state", "ỦY BAN") == [
        "TM. ỦY BAN",
        "CHỦ TỊCH",
    ]


def test_number_line_before_numbering():
    party = _unsaved(symbol="")
    assert rendering.number_line(party, "party").replace("\u00a0", "") == "Số-QĐ/TU"
    state = _unsaved(DocumentStyle.STATE, symbol="")
    assert rendering.number_line(state, "state").replace("\u00a0", "") == ("Số:/QĐ-TU")


def test_text_is_escaped_and_symbols_kept_whole():
    html = rendering._html("<b>x</b> theo 57-NQ/TW")
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert '<span class="nobreak">57-NQ/TW</span>' in html


def test_only_the_bundled_fonts_are_fetched():
    fetcher = rendering._url_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch("http://example.com/font.ttf")
    with pytest.raises(ValueError):
        fetcher.fetch((rendering.FONT_DIR / ".." / ".." / "settings.py").as_uri())
