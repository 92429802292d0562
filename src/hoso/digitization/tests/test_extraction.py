"""Metadata extraction from first pages (issue #8, point 4; SPEC §1 C2, §8)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hoso.core.testing.factories import OrganizationFactory
from hoso.digitization import extraction
from hoso.digitization.extraction import extract_fields
from hoso.digitization.tests.extraction_set import generate

KEYS = [
    "symbol",
    "number",
    "type",
    "issued_on",
    "place",
    "issuer",
    "excerpt",
    "signer",
    "secrecy",
    "urgency",
]

# pdftotext -layout of a rendered Party resolution.
PARTY_LAYOUT = """\
     ĐẢNG BỘ TỈNH ĐẮK LẮK         ĐẢNG CỘNG SẢN VIỆT NAM
       TỈNH ỦY ĐẮK LẮK
               *
             Số 57-NQ/TU          Buôn Ma Thuột, ngày 22 tháng 12
                                            năm 2024
      MẬT     THƯỢNG KHẨN


                           NGHỊ QUYẾT
      về đột phá phát triển khoa học, công nghệ, đổi mới sáng
                        tạo và chuyển đổi số
                                 -----

    Nội dung nghị quyết.

Nơi nhận:                             T/M BAN THƯỜNG VỤ
- Như trên                                  BÍ THƯ
- Lưu VP

                                         Nguyễn Văn An
"""

# The same page as plain Tesseract text with `vie+eng`: no columns, accents
# dropped on the bold capitals, the number label misread.
PARTY_PLAIN_NOISY = """\
DANG BO TINH DAK LAK DANG CONG SAN VIET NAM
TINH UY DAK LAK
*
S6 57-NQ/TU Buôn Ma Thuột, ngay 22 thang 12
nam 2024

MAT | | THUONG KHAN

NGHI QUYET
về đột phá phát triển khoa học, công nghệ, đổi mới sáng
tạo và chuyển đổi số

Noi nhan: T/M BAN THUONG VU
- Nhv trén Bi THU
- Luu VP

Nguyễn Văn An
"""

STATE_LETTER = """\
   UBND TỈNH THANH HÓA               CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
           SỞ NỘI VỤ                        Độc lập - Tự do - Hạnh phúc
       Số: 5043/SNV-TCBC              Thanh Hóa, ngày 25 tháng 7 năm 2017
  V/v cử cán bộ tham dự hội nghị
             tập huấn

    TỔỐI MẬT | Ì HỎA TỐC

                         Kính gửi: Các đơn vị trực thuộc

     Các cấp ủy, tổ chức đảng, cơ quan, đơn vị quán triệt nghiêm túc.

Nơi nhận:                                         KT. GIÁM ĐỐC
- Như trên;                                      PHÓ GIÁM ĐỐC
- Lưu: VT, VP.

                                                  Bùi Quang Long
"""


def test_keys_are_exactly_the_fields():
    assert list(extract_fields("")) == KEYS
    assert extract_fields("") == dict.fromkeys(KEYS)
    assert list(extraction.FIELDS) == KEYS


def test_party_document_with_layout():
    fields = extract_fields(PARTY_LAYOUT)
    assert fields == {
        "symbol": "57-NQ/TU",
        "number": "57",
        "type": "NQ",
        "issued_on": "2024-12-22",
        "place": "Buôn Ma Thuột",
        "issuer": "TỈNH ỦY ĐẮK LẮK",
        "excerpt": "về đột phá phát triển khoa học, công nghệ, đổi mới sáng "
        "tạo và chuyển đổi số",
        "signer": "Nguyễn Văn An",
        "secrecy": "MẬT",
        "urgency": "THƯỢNG KHẨN",
    }


def test_plain_ocr_text_without_accents_in_the_header():
    fields = extract_fields(PARTY_PLAIN_NOISY)
    assert fields["issuer"] == "TỈNH ỦY ĐẮK LẮK"  # built-in province bodies
    assert fields["symbol"] == "57-NQ/TU"
    assert fields["number"] == "57"
    assert fields["issued_on"] == "2024-12-22"  # date split over two lines
    assert fields["place"] == "Buôn Ma Thuột"
    assert fields["excerpt"].endswith("đổi mới sáng tạo và chuyển đổi số")
    assert fields["signer"] == "Nguyễn Văn An"
    # Marks come back with their accents.
    assert fields["secrecy"] == "MẬT"
    assert fields["urgency"] == "THƯỢNG KHẨN"


def test_state_letter_has_no_type_and_keeps_v_v():
    fields = extract_fields(STATE_LETTER)
    assert fields["symbol"] == "5043/SNV-TCBC"
    assert fields["number"] == "5043"
    assert fields["type"] is None
    assert fields["issuer"] == "SỞ NỘI VỤ"
    assert fields["excerpt"] == "V/v cử cán bộ tham dự hội nghị tập huấn"
    assert fields["place"] == "Thanh Hóa"
    assert fields["issued_on"] == "2017-07-25"
    assert fields["signer"] == "Bùi Quang Long"
    assert fields["secrecy"] == "TỐI MẬT"  # "TỔỐI" read with a doubled letter
    assert fields["urgency"] == "HỎA TỐC"


@pytest.mark.parametrize(
    ("line", "symbol", "number", "type_code"),
    [
        ("Số 57-NQ/TW", "57-NQ/TW", "57", "NQ"),
        ("S6 57-NQ/TW", "57-NQ/TW", "57", "NQ"),
        ("So 5O - NQ / TW", "50-NQ/TW", "50", "NQ"),
        ("Số 02-KH/BCDTW", "02-KH/BCĐTW", "02", "KH"),
        ("Số 15-NQ/DU", "15-NQ/ĐU", "15", "NQ"),
        ("Số: 15 / QD - BNV", "15/QĐ-BNV", "15", "QĐ"),
        ("Số: 05/BNV-VP", "05/BNV-VP", "05", None),
        ("Số: 3l/TTr-BKHCN", "31/TTr-BKHCN", "31", "TTr"),
        ("-_ Số: 970/QĐ-BNV.", "970/QĐ-BNV", "970", "QĐ"),
        ("Số 08-QĐi/TW", "08-QĐi/TW", "08", "QĐi"),
        ("Số: 30/2020/NĐ-CP", "30/2020/NĐ-CP", "30", "NĐ"),
    ],
)
def test_symbol_ocr_confusions(line, symbol, number, type_code):
    fields = extract_fields(
        f"BỘ NỘI VỤ\n{line}      Hà Nội, ngày 05 tháng 01 năm 2026\n"
    )
    assert fields["symbol"] == symbol
    assert fields["number"] == number
    assert fields["type"] == type_code


def test_a_misread_type_code_is_taken_from_the_heading():
    text = "TỈNH ỦY ĐẮK LẮK\n*\nSố 57-NO/TU   Đắk Lắk, ngày 05 tháng 01 năm 2026\n"
    fields = extract_fields(text + "\nNGHỊ QUYẾT\nvề chuyển đổi số\n")
    assert fields["symbol"] == "57-NQ/TU"
    assert fields["type"] == "NQ"


def test_without_a_symbol_the_issuer_is_above_the_date():
    text = "BỘ NỘI VỤ\nHà Nội, ngày 05 tháng 01 năm 2026\nTHÔNG BÁO\nvề lịch làm việc\n"
    fields = extract_fields(text)
    assert fields["issuer"] == "BỘ NỘI VỤ"
    assert fields["type"] == "TB"
    assert fields["excerpt"] == "về lịch làm việc"


def test_the_place_after_the_symbol_is_not_part_of_it():
    fields = extract_fields("Số: 88/KH-BKHCN - Hà Nội, ngày 25 tháng 01 năm 2017\n")
    assert fields["symbol"] == "88/KH-BKHCN"
    assert fields["place"] == "Hà Nội"
    fields = extract_fields("Số 20-KL/TU Quảng Ninh, ngày 12 tháng 02 năm 2017\n")
    assert fields["symbol"] == "20-KL/TU"
    assert fields["place"] == "Quảng Ninh"


def test_a_symbol_in_the_excerpt_is_not_the_document_symbol():
    text = (
        "TỈNH ỦY ĐẮK LẮK\n*\nĐắk Lắk, ngày 10 tháng 3 năm 2025\n\nKẾ HOẠCH\n"
        "triển khai thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024\n"
    )
    fields = extract_fields(text)
    assert fields["symbol"] is None
    assert fields["type"] == "KH"  # from the type heading
    assert fields["issued_on"] == "2025-03-10"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Hà Nội, ngày 22 tháng 12 năm 2024", "2024-12-22"),
        ("Ha Noi, ngay 22 thang 12 nam 2024", "2024-12-22"),
        ("Hà Nội, ngày O5 tháng 0l năm 2O26", "2026-01-05"),
        ("Hà Nội, ngày 22 tháng 12 năm 2924", "2024-12-22"),  # 9 read for 0
        ("Hà Nội, ngày 32 tháng 13 năm 2024", None),
        ("Hà Nội, ngày 12 tháng 10 năm 1930", None),  # before 1945
        ("Hà Nội, ngày 30 tháng 02 năm 2024", None),
    ],
)
def test_dates_are_sanity_checked(line, expected):
    assert extract_fields(f"BỘ NỘI VỤ\nSố: 15/QĐ-BNV   {line}\n")["issued_on"] == (
        expected
    )


def test_wrapped_year_at_the_end_of_the_next_line_in_plain_text():
    text = (
        "BAN TỔ CHỨC TỈNH ỦY\n*\n"
        "Số 2654-CV/BTCTU Nghệ An, ngày 10 tháng 01 năm\n"
        "V/v báo cáo tiến độ thực hiện Kế hoạch 2024\n"
        "số 02-KH/BCĐTW\n\nKính gửi: Các đồng chí Ủy viên\n"
    )
    fields = extract_fields(text)
    assert fields["issued_on"] == "2024-01-10"
    assert fields["excerpt"].startswith("V/v báo cáo tiến độ")
    assert fields["type"] == "CV"


def test_issuer_corrected_against_known_issuers():
    text = "DANG BO TINH DAK LAK\nDANG UY XA HOA PHU\n*\nSố 47-KH/ĐU\n"
    assert extract_fields(text)["issuer"] != "ĐẢNG ỦY XÃ HÒA PHÚ"
    known = ["Đảng ủy xã Hòa Phú", "Đảng ủy xã Hòa Phong", "Đảng ủy xã Hòa Bình"]
    assert extract_fields(text, known_issuers=known)["issuer"] == "ĐẢNG ỦY XÃ HÒA PHÚ"
    # A registry name "Đảng bộ xã …" is printed "ĐẢNG ỦY XÃ …".
    known = ["Đảng bộ xã Hòa Phú"]
    assert extract_fields(text, known_issuers=known)["issuer"] == "ĐẢNG ỦY XÃ HÒA PHÚ"


def test_issuer_correction_tolerates_misread_and_merged_letters():
    known = ["Ủy ban nhân dân xã Ia Grai"]
    text = "UBND TỈNH GIA LAI\nUY BAN NHAN DAN XA\nIA GRAl\nSố: 15/QĐ-UBND\n"
    assert extract_fields(text, known_issuers=known)["issuer"] == (
        "ỦY BAN NHÂN DÂN XÃ IA GRAI"
    )
    text = "ĐẢNG ỦYXÃHÒAPHÚ\n*\nSố 47-KH/ĐU\n"
    fields = extract_fields(text, known_issuers=["Đảng ủy xã Hòa Phú"])
    assert fields["issuer"] == "ĐẢNG ỦY XÃ HÒA PHÚ"


def test_central_issuers_are_built_in():
    text = "BAN CHAP HANH TRUNG UONG\nVAN PHONG TRUNG UONG\nDANG\n*\nSố 15671-CV/VPTW\n"
    assert extract_fields(text)["issuer"] == "VĂN PHÒNG TRUNG ƯƠNG ĐẢNG"
    text = "BAN CHAP HANH TRUNG UONG DANG CONG SAN VIET NAM\n*\nSố 57-NQ/TW\n"
    assert extract_fields(text)["issuer"] == "BAN CHẤP HÀNH TRUNG ƯƠNG"


def test_a_short_unknown_issuer_is_not_forced_onto_a_known_one():
    # "SỞ NỘI VỤ" is built in, "SỞ NGOẠI VỤ" is not: never "BỘ NỘI VỤ".
    text = "UBND TỈNH KHÁNH HÒA\nSỞ NGOẠI VỤ\nSố: 15/QĐ-SNgV\n"
    assert extract_fields(text)["issuer"] == "SỞ NGOẠI VỤ"


@pytest.mark.django_db
def test_issuer_corrected_against_the_organization_registry():
    organization = OrganizationFactory(name="Đảng bộ xã Krông Búk", code="KRONGBUK")
    text = "DANG BO TINH DAK LAK\nDANG UY XA KRONG BUK\n*\nSố 12-NQ/ĐU\n"
    assert extract_fields(text)["issuer"] != "ĐẢNG ỦY XÃ KRÔNG BÚK"
    fields = extract_fields(text, organization=organization)
    assert fields["issuer"] == "ĐẢNG ỦY XÃ KRÔNG BÚK"


def test_without_a_database_the_registry_is_skipped():
    # No `db` fixture: pytest-django refuses queries; the extractor does not
    # need one and the registry readers return nothing.
    assert extraction.registry_issuers() == []
    assert extract_fields(PARTY_LAYOUT)["issuer"] == "TỈNH ỦY ĐẮK LẮK"


def test_marks_in_capitals_only_and_not_mat_tran():
    text = (
        "ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM\nTỈNH ĐẮK LẮK\n"
        "Số: 15/TB-MTTQ   Đắk Lắk, ngày 05 tháng 01 năm 2026\n\nTHÔNG BÁO\n"
        "về công tác bảo vệ bí mật nhà nước khẩn trương\n"
    )
    fields = extract_fields(text)
    assert fields["secrecy"] is None
    assert fields["urgency"] is None
    assert fields["type"] == "TB"


@pytest.mark.parametrize(
    ("line", "secrecy", "urgency"),
    [
        ("TUYET MAT   HOA TOC HEN GIO", "TUYỆT MẬT", "HỎA TỐC HẸN GIỜ"),
        ("[TỐI MẬT]", "TỐI MẬT", None),
        ("KHAN", None, "KHẨN"),
        ("THƯỢNG KHẨN", None, "THƯỢNG KHẨN"),
    ],
)
def test_marks_restored_to_their_spelling(line, secrecy, urgency):
    text = f"BỘ NỘI VỤ\nSố: 15/QĐ-BNV   Hà Nội, ngày 05 tháng 01 năm 2026\n{line}\n"
    fields = extract_fields(text + "\nQUYẾT ĐỊNH\nvề việc thành lập Tổ công tác\n")
    assert (fields["secrecy"], fields["urgency"]) == (secrecy, urgency)


# What the intake's OCR (OCRmyPDF, then `pdftotext -layout`) made of the
# test scan `scanpages.RESOLUTION_57`: the bold capitals lost their accents.
KHANH_HOA_OCR = """\
DANG BO TINH KHÁNH HÒA                                       DANG CONG SAN VIET NAM
            TINH UY                                Nha Trang, ngay 15 thang 3 nam 2025
        *

      Số 57-NQ/TU

                                          NGHỊ QUYẾT
                            về chuyển đổi số trong các cơ quan đảng
"""


@pytest.mark.parametrize(
    "header",
    [
        "TINH UY KHANH HOA",
        "TỈNH ỦY KHÁNH HÒA",
        "UBND TỈNH KHÁNH HÒA   KHÁNH HÒA",
        "SỞ NỘI VỤ TỈNH KHANH HOA",
        "ĐẢNG ỦY XÃ KHÁNH BÌNH",
    ],
)
def test_a_place_starting_like_a_mark_is_no_mark(header):
    """ "KHÁNH" folds to "KHANH", which starts like the urgency "KHẨN";
    "MẠTH…", "KHẨNG…" likewise are words, not marks."""
    text = f"{header}\n*\nSố 57-NQ/TU   Nha Trang, ngày 15 tháng 3 năm 2025\n"
    fields = extract_fields(text + "\nNGHỊ QUYẾT\nvề chuyển đổi số\n")
    assert (fields["secrecy"], fields["urgency"]) == (None, None)


def test_a_mark_in_a_box_read_with_its_side_is_still_a_mark():
    text = "BỘ NỘI VỤ\nSố: 15/QĐ-BNV   Hà Nội, ngày 05 tháng 01 năm 2026\n"
    fields = extract_fields(text + "|KHANI   MATl\n\nQUYẾT ĐỊNH\nvề việc\n")
    assert (fields["secrecy"], fields["urgency"]) == ("MẬT", "KHẨN")


def test_a_bare_committee_line_is_completed_from_the_party_organization():
    """GIVEN a header printing "TỈNH ỦY" under "ĐẢNG BỘ TỈNH KHÁNH HÒA",
    read by OCR without its accents
    WHEN the fields are extracted
    THEN the issuer is the committee's full, correctly spelled name, and no
    urgency is read into "KHÁNH"."""
    fields = extract_fields(KHANH_HOA_OCR)
    assert fields["issuer"] == "TỈNH ỦY KHÁNH HÒA"
    assert fields["urgency"] is None
    assert fields["symbol"] == "57-NQ/TU" and fields["place"] == "Nha Trang"


def test_a_bare_committee_in_plain_text_with_the_date_on_its_line():
    from hoso.digitization.tests import scanpages

    fields = extract_fields(scanpages.plain_text())
    assert fields["issuer"] == "TỈNH ỦY KHÁNH HÒA"
    assert fields["urgency"] is None


@pytest.mark.parametrize(
    ("superior", "committee", "known", "expected"),
    [
        ("ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG", "THÀNH ỦY", [], "THÀNH ỦY HẢI PHÒNG"),
        ("DANG BO TINH DAK LAK", "TINH UY", [], "TỈNH ỦY ĐẮK LẮK"),
        # A commune's committee: completed, then corrected by the registry.
        ("DANG BO XA HOA PHU", "DANG UY", ["Đảng bộ xã Hòa Phú"], "ĐẢNG ỦY XÃ HÒA PHÚ"),
        # Not a bare committee: the agency is printed in full.
        ("ĐẢNG BỘ TỈNH NGHỆ AN", "BAN TỔ CHỨC TỈNH ỦY", [], "BAN TỔ CHỨC TỈNH ỦY"),
    ],
)
def test_bare_committees_are_completed(superior, committee, known, expected):
    text = f"{superior}\n{committee}\n*\nSố 12-NQ/TU\n"
    assert extract_fields(text, known_issuers=known)["issuer"] == expected


@pytest.mark.parametrize(
    ("printed", "symbol"),
    [
        ("Số: 04/QĐÐ-UBND", "04/QĐ-UBND"),  # Đ doubled, the second as Ð
        ("Số: 04/QÐ-UBND", "04/QĐ-UBND"),
        ("Số 57-NNQ/TU", "57-NQ/TU"),
    ],
)
def test_type_code_with_a_doubled_or_look_alike_letter(printed, symbol):
    date_line = "Bắc Ninh, ngày 19 tháng 02 năm 2017"
    text = f"ỦY BAN NHÂN DÂN TỈNH BẮC NINH\n{printed}   {date_line}\n"
    assert extract_fields(text)["symbol"] == symbol


def test_a_stray_letter_after_a_known_issuer_code_is_dropped():
    text = (
        "VĂN PHÒNG TRUNG ƯƠNG ĐẢNG\n*\n"
        "Số9901-CV/VPTWV    Hà Nội, ngày 13 tháng 8 năm 2018\n"
    )
    fields = extract_fields(text + "V/v cử cán bộ tham dự hội nghị\n")
    assert fields["symbol"] == "9901-CV/VPTW"
    text = "ĐẢNG ỦY XÃ HÒA PHÚ\n*\nSố 963-CV/ĐĐU    Hòa Phú, ngày 13 tháng 8 năm 2018\n"
    assert extract_fields(text)["symbol"] == "963-CV/ĐU"
    # An unknown code is kept as printed.
    text = "BAN TỔ CHỨC\n*\nSố 12-CV/BTCXYZ    Hà Nội, ngày 13 tháng 8 năm 2018\n"
    assert extract_fields(text)["symbol"] == "12-CV/BTCXYZ"


@pytest.mark.parametrize("mark", ["V/v", "VW", "V⁄", "Vv", "V4"])
def test_letter_excerpt_marker_as_ocr_reads_it(mark):
    text = (
        "VĂN PHÒNG TRUNG ƯƠNG ĐẢNG\n*\nSố 1388-CV/VPTW    Hà Nội, ngày 18 tháng 4 "
        f"năm 2020\n{mark} báo cáo tiến độ thực hiện\n\nKính gửi: Các đồng chí\n"
    )
    assert extract_fields(text)["excerpt"] == "V/v báo cáo tiến độ thực hiện"


def test_signer_after_the_signature_block():
    text = (
        "Nơi nhận: K/T BÍ THƯ\n- Như trên, PHÓ BÍ THƯ\n- Lưu Văn phòng.\n"
        "- Nguyễn Văn B,\n\nTrần Thị Hồng Nhung\n"
    )
    assert extract_fields(text)["signer"] == "Trần Thị Hồng Nhung"
    # Accents the OCR dropped on the bold name come back when certain.
    text = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\nNguyen Van Hai\n"
    assert extract_fields(text)["signer"] == "Nguyễn Văn Hai"


def test_layout_from_tesseract_tsv_splits_columns():
    header = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop"
        "\twidth\theight\tconf\ttext"
    )
    rows = [
        "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t",
        "5\t1\t1\t1\t1\t1\t300\t300\t120\t40\t96\tTỈNH",
        "5\t1\t1\t1\t1\t2\t440\t300\t80\t40\t96\tỦY",
        "5\t1\t1\t1\t1\t3\t1400\t300\t140\t40\t96\tĐẢNG",
        "5\t1\t2\t1\t1\t1\t300\t500\t100\t40\t96\tSố",
    ]
    text = extraction.layout_from_tsv("\n".join([header, *rows]))
    lines = text.splitlines()
    assert lines[0].split() == ["TỈNH", "ỦY", "ĐẢNG"]
    assert "TỈNH ỦY   " in lines[0]  # a column gap of 3+ spaces
    assert lines[1] == ""  # a new block
    assert lines[2].strip() == "Số"


def test_rules_and_mark_boxes_are_erased_but_not_letters():
    from PIL import Image, ImageDraw

    page = Image.new("L", (1200, 600), 255)
    draw = ImageDraw.Draw(page)
    draw.rectangle((100, 100, 400, 190), outline=0, width=3)  # a mark's box
    draw.line((100, 400, 1100, 400), fill=0, width=3)  # a rule
    draw.rectangle((600, 100, 612, 150), fill=0)  # a stem, 4 mm at 300 dpi
    draw.rectangle((700, 100, 800, 110), fill=0)  # a bar, under 9 mm
    cleaned = extraction.remove_rules(page, 300)
    assert cleaned.getpixel((100, 150)) == 255  # the box's left side
    assert cleaned.getpixel((400, 150)) == 255  # its right side
    assert cleaned.getpixel((600, 400)) == 255  # the rule
    assert cleaned.getpixel((606, 125)) == 0  # the stem stays
    assert cleaned.getpixel((750, 105)) == 0  # so does the bar


def test_labels_of_the_evaluation_set():
    entries = generate.load_entries()
    assert len(entries) >= 30
    assert {entry["type_code"] for entry in entries} >= {
        "NQ", "QĐ", "CT", "KL", "HD", "TB", "BC", "KH", "CV", "TTr",
    }  # fmt: skip
    assert {entry["style"] for entry in entries} == {"party", "state"}
    for entry in entries:
        assert list(entry["expected"]) == KEYS
    assert generate.build_entries() == entries  # labels.json is up to date


@pytest.fixture
def text_pdf(tmp_path):
    entry = generate.load_entries()[2]
    path = tmp_path / "document.pdf"
    path.write_bytes(generate.render_pdf(entry))
    return path, entry["expected"]


@pytest.mark.django_db
def test_command_prints_one_json_object_per_file(text_pdf):
    path, expected = text_pdf
    out = StringIO()
    call_command("extract", str(path), str(path), "--json", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    result = json.loads(lines[0])
    assert list(result) == ["file", *KEYS]
    assert result == {"file": str(path), **expected}


@pytest.mark.django_db
def test_command_table_and_errors(text_pdf, tmp_path):
    path, expected = text_pdf
    out = StringIO()
    call_command("extract", str(path), stdout=out)
    assert expected["symbol"] in out.getvalue()
    assert "Trích yếu" in out.getvalue()
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a document")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("extract", str(junk), str(tmp_path / "missing.png"), stderr=err)
    assert "junk.pdf" in err.getvalue()
    assert "missing.png" in err.getvalue()


@pytest.mark.slow
def test_real_tesseract_on_a_noisy_generated_page(tmp_path):
    entries = [e for e in generate.load_entries() if e["id"] == "23-party-KH"]
    ((path, expected),) = generate.generate_pages(tmp_path, entries=entries)
    fields = extraction.extract_file(path, known_issuers=["Đảng ủy xã Hòa Phú"])
    assert fields["file"] == str(path)
    excerpt = fields.pop("excerpt")
    assert extraction.similarity(excerpt, expected["excerpt"]) >= 0.9
    assert fields == {
        "file": str(path),
        **{key: value for key, value in expected.items() if key != "excerpt"},
    }
