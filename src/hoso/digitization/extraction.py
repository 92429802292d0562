"""Metadata extraction from the first page of a document (SPEC §1 C2).

`extract_fields(text)` reads the parts SPEC §5 lists from the text of a first
page — embedded text (`pdftotext -layout`) or OCR output — and returns the
issuing body, number and symbol, type, place and date, excerpt, signer and
the secrecy and urgency marks. `extract_file(path)` gets the text first:
embedded text when a PDF has it, otherwise Tesseract on page 1.

OCR is not trusted (SPEC §8): labels are matched without accents ("ngay 22
thang 12 nam 2024"), digits Tesseract confuses with letters are repaired in
numbers and dates, dates are checked (1945 to next year, a real day), and
the issuing body is matched accent-insensitively against known issuers (a
built-in list of central, province and state bodies, the names passed in,
and the organization registry when an organization is given), so "TINH UY
DAK LAK" comes back as "TỈNH ỦY ĐẮK LẮK".

Text with columns (`pdftotext -layout`, or `ocr_image`, which rebuilds them
from Tesseract's word boxes) separates the left part of the header (issuer,
number, "V/v", marks) from the right (national title, place and date) by
three spaces or more; plain OCR text, where both sides share a line, works
too: the national title and motto are cut out of the lines they share.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from hoso.documents import types as doc_types
from hoso.documents.symbols import (
    PARTY,
    PARTY_TYPE_CODES,
    STATE_TYPE_CODES,
    SymbolError,
    format_symbol,
    parse_symbol,
)

FIELDS = (
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
)
# Tesseract's `vie` model alone reads bold capitals with their accents far
# better than `vie+eng`, where the English model wins on unaccented-looking
# words ("TINH UY DAK LAK"); see docs/benchmarks/extraction.md.
OCR_LANGUAGES = "vie"
OCR_PSM = 4
# Scans are brought to about this resolution before OCR.
OCR_DPI = 300
A4_WIDTH_IN = 8.27
# Straight runs of ink at least this long (mm), in a row and in a column,
# are rules and box sides, not text: the tops of capitals in bold run
# together over several letters ("UBKTTW"), a stem is under 5 mm high.
RULE_MM = (RULE_H_MM, RULE_V_MM) = (14, 5.5)
# A PDF page with fewer letters than this has no usable text layer.
MIN_TEXT_LETTERS = 40

SECRECY_MARKS = ("TUYỆT MẬT", "TỐI MẬT", "MẬT")
URGENCY_MARKS = ("HỎA TỐC HẸN GIỜ", "HỎA TỐC", "THƯỢNG KHẨN", "KHẨN")

# Provinces and centrally-run cities: the 34 since 1 July 2025, then the 29
# merged into them (older archives carry their names).
CITIES = ("Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ")
PROVINCES = CITIES + (
    "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên",
    "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Ninh Bình", "Quảng Trị", "Quảng Ngãi",
    "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Đồng Nai", "Tây Ninh",
    "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
    "Hà Giang", "Yên Bái", "Bắc Kạn", "Vĩnh Phúc", "Hòa Bình", "Bắc Giang",
    "Hải Dương", "Thái Bình", "Hà Nam", "Nam Định", "Quảng Bình", "Quảng Nam",
    "Kon Tum", "Bình Định", "Phú Yên", "Ninh Thuận", "Đắk Nông", "Bình Thuận",
    "Bình Phước", "Bình Dương", "Bà Rịa - Vũng Tàu", "Long An", "Tiền Giang",
    "Bến Tre", "Trà Vinh", "Sóc Trăng", "Hậu Giang", "Bạc Liêu", "Kiên Giang",
)  # fmt: skip
CENTRAL_ISSUERS = (
    "BAN CHẤP HÀNH TRUNG ƯƠNG",
    "BAN CHẤP HÀNH TRUNG ƯƠNG ĐẢNG",
    "BỘ CHÍNH TRỊ",
    "BAN BÍ THƯ",
    "VĂN PHÒNG TRUNG ƯƠNG ĐẢNG",
    "BAN TỔ CHỨC TRUNG ƯƠNG",
    "ỦY BAN KIỂM TRA TRUNG ƯƠNG",
    "BAN TUYÊN GIÁO VÀ DÂN VẬN TRUNG ƯƠNG",
    "BAN TUYÊN GIÁO TRUNG ƯƠNG",
    "BAN DÂN VẬN TRUNG ƯƠNG",
    "BAN NỘI CHÍNH TRUNG ƯƠNG",
    "BAN CHÍNH SÁCH, CHIẾN LƯỢC TRUNG ƯƠNG",
    "BAN KINH TẾ TRUNG ƯƠNG",
    "BAN ĐỐI NGOẠI TRUNG ƯƠNG",
    "HỘI ĐỒNG LÝ LUẬN TRUNG ƯƠNG",
    "QUÂN ỦY TRUNG ƯƠNG",
    "ĐẢNG ỦY CÔNG AN TRUNG ƯƠNG",
    "ĐẢNG ỦY CÁC CƠ QUAN ĐẢNG TRUNG ƯƠNG",
    "ĐẢNG ỦY CHÍNH PHỦ",
    "ĐẢNG ỦY QUỐC HỘI",
    "ĐẢNG ỦY MẶT TRẬN TỔ QUỐC, CÁC ĐOÀN THỂ TRUNG ƯƠNG",
    "BAN CHỈ ĐẠO TRUNG ƯƠNG VỀ PHÁT TRIỂN KHOA HỌC, CÔNG NGHỆ, ĐỔI MỚI SÁNG "
    "TẠO VÀ CHUYỂN ĐỔI SỐ",
    "BAN CHỈ ĐẠO TRUNG ƯƠNG VỀ PHÒNG, CHỐNG THAM NHŨNG, LÃNG PHÍ, TIÊU CỰC",
    "BAN CHỈ ĐẠO TRUNG ƯƠNG VỀ HOÀN THIỆN THỂ CHẾ, PHÁP LUẬT",
    "HỌC VIỆN CHÍNH TRỊ QUỐC GIA HỒ CHÍ MINH",
    "CHÍNH PHỦ",
    "THỦ TƯỚNG CHÍNH PHỦ",
    "VĂN PHÒNG CHÍNH PHỦ",
    "QUỐC HỘI",
    "ỦY BAN THƯỜNG VỤ QUỐC HỘI",
    "VĂN PHÒNG QUỐC HỘI",
    "VĂN PHÒNG CHỦ TỊCH NƯỚC",
    "THANH TRA CHÍNH PHỦ",
    "NGÂN HÀNG NHÀ NƯỚC VIỆT NAM",
    "KIỂM TOÁN NHÀ NƯỚC",
    "TÒA ÁN NHÂN DÂN TỐI CAO",
    "VIỆN KIỂM SÁT NHÂN DÂN TỐI CAO",
    "ỦY BAN TRUNG ƯƠNG MẶT TRẬN TỔ QUỐC VIỆT NAM",
    "BỘ NỘI VỤ",
    "BỘ TÀI CHÍNH",
    "BỘ KHOA HỌC VÀ CÔNG NGHỆ",
    "BỘ CÔNG AN",
    "BỘ QUỐC PHÒNG",
    "BỘ NGOẠI GIAO",
    "BỘ TƯ PHÁP",
    "BỘ CÔNG THƯƠNG",
    "BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
    "BỘ XÂY DỰNG",
    "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
    "BỘ GIÁO DỤC VÀ ĐÀO TẠO",
    "BỘ Y TẾ",
    "BỘ DÂN TỘC VÀ TÔN GIÁO",
    "BỘ THÔNG TIN VÀ TRUYỀN THÔNG",
    "BỘ KẾ HOẠCH VÀ ĐẦU TƯ",
    "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
    "BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
    "BỘ GIAO THÔNG VẬN TẢI",
)
# Bodies every province has; "{committee}" is TỈNH ỦY or THÀNH ỦY.
PROVINCE_BODIES = (
    "VĂN PHÒNG {committee}",
    "BAN TỔ CHỨC {committee}",
    "ỦY BAN KIỂM TRA {committee}",
    "BAN TUYÊN GIÁO VÀ DÂN VẬN {committee}",
    "BAN NỘI CHÍNH {committee}",
    "BAN TUYÊN GIÁO {committee}",
    "BAN DÂN VẬN {committee}",
    "VĂN PHÒNG ỦY BAN NHÂN DÂN",
    "SỞ NỘI VỤ",
    "SỞ TÀI CHÍNH",
    "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
    "SỞ Y TẾ",
    "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
    "SỞ XÂY DỰNG",
    "SỞ TƯ PHÁP",
    "SỞ CÔNG THƯƠNG",
    "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
    "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
    "CÔNG AN TỈNH",
)
# Issuer codes in symbols, with their Đ and case (OCR reads "BCDTW", "DU").
KNOWN_CODES = (
    "TW", "VPTW", "BTCTW", "UBKTTW", "BTGDVTW", "BTGTW", "BDVTW", "BNCTW",
    "BCSCLTW", "BKTTW", "BĐNTW", "BCĐTW", "HĐLLTW", "QUTW", "ĐUCA", "ĐUCQĐTW",
    "ĐUCP", "ĐUQH", "ĐUMTTQ", "TU", "ThU", "ĐU", "ĐUK", "CB", "VPTU",
    "BTCTU", "UBKTTU", "BTGDVTU", "BNCTU", "BTGTU", "BDVTU", "UBKTĐU",
    "CP", "TTg", "VPCP", "BNV", "BTC", "BKHCN", "BCA", "BQP", "BNG", "BTP",
    "BCT", "BNNMT", "BXD", "BVHTTDL", "BGDĐT", "BYT", "UBND", "HĐND", "VP",
    "SNV", "STC", "SKHCN", "SYT", "SGDĐT", "SXD", "STP", "SCT", "VT", "TCBC",
)  # fmt: skip
# Lines that start an organization's name: below the superior body, the
# issuer's name begins with one of these.
ORGANIZATION_HEADS = (
    "BAN", "VĂN PHÒNG", "ỦY BAN", "UBND", "ĐẢNG ỦY", "TỈNH ỦY", "THÀNH ỦY",
    "CHI BỘ", "ĐẢNG BỘ", "SỞ", "BỘ", "CỤC", "VỤ", "TỔNG CỤC", "HỘI ĐỒNG",
    "TRƯỜNG", "BỆNH VIỆN", "CÔNG AN", "HỌC VIỆN", "VIỆN", "TRUNG TÂM",
    "QUÂN ỦY", "HĐND", "THANH TRA", "TÒA ÁN", "BỘ CHỈ HUY", "CÔNG TY",
)  # fmt: skip
# Superior bodies whose line never continues the issuer's name.
SUPERIOR_HEADS = ("ĐẢNG BỘ", "BAN CHẤP HÀNH TRUNG ƯƠNG", "UBND", "TỈNH ỦY", "THÀNH ỦY")
# Words of the header lines, to restore accents word by word when no known
# issuer matches.
_HEADER_WORDS = (
    "ĐẢNG BỘ ỦY TỈNH THÀNH PHỐ XÃ PHƯỜNG ĐẶC KHU CHI BAN THƯỜNG VỤ CHẤP HÀNH "
    "TRUNG ƯƠNG TỔ CHỨC KIỂM TRA TUYÊN GIÁO DÂN VẬN NỘI CHÍNH VĂN PHÒNG SỞ "
    "NHÂN HỘI ĐỒNG CƠ QUAN CÔNG AN QUÂN SỰ TRƯỜNG TRUNG HỌC PHỔ THÔNG CƠ SỞ "
    "BỆNH VIỆN ĐA KHOA KHU VỰC HỢP TÁC NÔNG NGHIỆP CỔ PHẦN THÔN ẤP BẢN KHỐI "
    "KHÓM BUÔN LÀNG XÓM MẶT TRẬN QUỐC ĐOÀN THANH NIÊN CỘNG SẢN PHỤ NỮ CHỈ ĐẠO"
)
HEADER_WORDS = tuple(_HEADER_WORDS.split())
# Given names and middle names, to restore accents the OCR dropped on the
# signer's name (bold): only syllables whose accented form is unambiguous in
# names.
_NAME_SYLLABLES = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Đào Đoàn "
    "Đinh Trịnh Lương Phùng Thị Đức Xuân Ngọc Cường Tuấn Yến Quỳnh Trọng Tiến "
    "Tường Khánh Quốc Việt Hiếu Nghĩa Phúc Lộc Thịnh Hiền Nguyệt Điệp Tùng "
    "Vĩnh Thảo Đạt Huệ Luận"
)
NAME_SYLLABLES = tuple(_NAME_SYLLABLES.split())

_COMBINING = re.compile(r"[\u0300-\u036f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_SEGMENT = re.compile(r"\S+(?: {1,2}\S+)*")
_LETTER = re.compile(r"[^\W\d_]")
_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1",
                         "l": "1", "|": "1", "i": "1", "!": "1", "S": "5",
                         "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6",
                         "b": "6", "g": "9", "q": "9", "T": "7"})  # fmt: skip
_DIGIT_CLASS = r"[0-9OoDQIl|i!SsBZzGbgqT]"
_DASHES = str.maketrans(
    {"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "⁄": "/", "∕": "/", "／": "/",
     # OCR reads Đ as the look-alike Icelandic eth now and then.
     "Ð": "Đ", "ð": "đ"}
)  # fmt: skip
# Folded forms (accents dropped, Đ as D) of the labels.
_NUMBER_LABEL = re.compile(r"^[\W_]{0,4}s\s?[o0ôeé6ó]\s*[:;.,]?\s*", re.IGNORECASE)
_SYMBOL_START = re.compile(rf"(?P<number>{_DIGIT_CLASS}{{1,6}})\s*(?P<sep>[-/])")
# A part of a symbol: letters without accents but Đ, digits, dots; not the
# start of a word in accented letters ("Hà Nội" after the symbol).
_SYMBOL_PART = re.compile(r"\s*(?P<part>[A-Za-zĐđ0-9][A-Za-zĐđ0-9.]*)(?![^\W_])")
_SYMBOL_NEXT = re.compile(
    r"\s*(?P<sep>[-/])\s*(?P<part>[A-Za-zĐđ0-9][A-Za-zĐđ0-9.]*)(?![^\W_])"
)
# Type codes written with lower-case letters, folded.
_MIXED_CASE_CODES = {"QDI", "TTR", "CTR", "QYD", "TRS"}
_DATE_RE = re.compile(
    rf"ngay\W{{0,3}}(?P<day>{_DIGIT_CLASS}{{1,2}})\W{{0,3}}"
    rf"th\s?ang\W{{0,3}}(?P<month>{_DIGIT_CLASS}{{1,2}})"
    rf"(?P<gap>.{{0,80}}?)\bn\s?am(?:\W{{0,8}}(?P<year>{_DIGIT_CLASS}{{4}})"
    # Plain OCR text: the wrapped year at the end of the next line, after
    # the left column's text ("V/v …   2024").
    r"|[^\n]*\n[^\n]{0,80}?\s(?P<year2>\d{4})(?=\W*(?:\n|$)))",
    re.IGNORECASE | re.DOTALL,
)
# Where the place and date start on a line ("ngày 15").
_DATE_START = re.compile(r"\bngay\W{0,3}\d", re.IGNORECASE)
# "V/v" as OCR reads it: "V/v", "V/V", "V v", "Vv", "VW", "V4" (the slash and
# the v run together), "V%", "V/", "W/v".
_LETTER_EXCERPT = re.compile(
    r"^\W{0,2}[VWvw]\s?(?:[/|\\%⁄]{1,2}\s?[vVwW]?|[l1I]\s?[vV]|[vVwW4])(?=[\s:.])"
    r"\s*[:.]?\s*"
)
_ADDRESSEES = re.compile(r"^\W{0,2}kinh\s*g[uư]i\b", re.IGNORECASE)
_RECIPIENTS = re.compile(r"^\W{0,2}n[oơ]i\s*nh[aâ]n\b", re.IGNORECASE)
_NATIONAL_LINES = (
    re.compile(r"dang\s*cong\s*san\s*viet\s*nam", re.IGNORECASE),
    re.compile(r"cong\s*hoa\s*xa\s*hoi\s*chu\s*ngh[il1]a\s*viet\s*nam", re.I),
    re.compile(r"doc\s*lap\s*\W*\s*tu\s*do\s*\W*\s*hanh\s*phuc", re.IGNORECASE),
)
_RULE = re.compile(r"^[\W_]*$")
# What OCR reads from specks and rules at the ends of a line.
_JUNK = " _-–—.,:;'\"`“”‘’|~^¬*•=+"
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_]*$")
_POSITIONS = (
    "BÍ THƯ", "PHÓ BÍ THƯ", "TỔNG BÍ THƯ", "CHỦ NHIỆM", "PHÓ CHỦ NHIỆM",
    "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG",
    "BỘ TRƯỞNG", "THỨ TRƯỞNG", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "GIÁM ĐỐC",
    "PHÓ GIÁM ĐỐC", "THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "CỤC TRƯỞNG", "VỤ TRƯỞNG",
    "CHÁNH THANH TRA", "TRƯỞNG BAN CHỈ ĐẠO", "PHÓ TRƯỞNG BAN CHỈ ĐẠO",
)  # fmt: skip


# Text helpers ---------------------------------------------------------------


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d" if char == "đ" else "D"
    base = unicodedata.normalize("NFD", char)
    return base[0] if base and not unicodedata.combining(base[0]) else char


def clean(text: str) -> str:
    """NFC, no stray combining marks, one kind of dash and slash, Đ."""
    text = unicodedata.normalize("NFC", text or "")
    return _COMBINING.sub("", text).translate(_DASHES)


def fold(text: str) -> str:
    """`text` without accents, Đ as D, case kept, one character for one:
    indexes in the folded text are indexes in the (cleaned) original."""
    return "".join(_fold_char(char) for char in text)


def fold_key(text: str) -> str:
    """Accent-, case- and punctuation-insensitive key: "Tỉnh ủy Đắk Lắk" →
    "TINH UY DAK LAK"."""
    folded = fold(clean(text)).upper()
    return " ".join(re.findall(r"[A-Z0-9]+", folded))


def _has_accents(word: str) -> bool:
    return fold(word) != word


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def similarity(a: str, b: str) -> float:
    """difflib's ratio of two texts, whitespace normalised."""
    return difflib.SequenceMatcher(None, _squash(a), _squash(b)).ratio()


def title_words(text: str) -> str:
    """Place names in the date line: "ĐẮK LẮK" → "Đắk Lắk"."""
    return " ".join(
        word if word == "-" else word[:1].upper() + word[1:].lower()
        for word in text.split()
    )


# Known issuers and places ----------------------------------------------------


def builtin_issuers() -> list[str]:
    """Central bodies, and for every province its committee, people's
    committee and usual agencies."""
    names = list(CENTRAL_ISSUERS)
    for province in PROVINCES:
        upper = province.upper()
        city = province in CITIES
        committee = "THÀNH ỦY" if city else "TỈNH ỦY"
        unit = "THÀNH PHỐ" if city else "TỈNH"
        names += [
            f"{committee} {upper}",
            f"ĐẢNG BỘ {unit} {upper}",
            f"ỦY BAN NHÂN DÂN {unit} {upper}",
            f"UBND {unit} {upper}",
            f"HỘI ĐỒNG NHÂN DÂN {unit} {upper}",
        ]
    for body in PROVINCE_BODIES:
        names += sorted({body.format(committee=c) for c in ("TỈNH ỦY", "THÀNH ỦY")})
    return names


def issuer_variants(name: str) -> list[str]:
    """The names a body prints for itself given its registry name:
    "Đảng bộ tỉnh Đắk Lắk" prints "TỈNH ỦY ĐẮK LẮK", "Đảng bộ xã An Phú"
    "ĐẢNG ỦY XÃ AN PHÚ"."""
    upper = _squash(clean(name).upper())
    variants = [upper]
    match = re.match(r"^ĐẢNG BỘ (TỈNH|THÀNH PHỐ|XÃ|PHƯỜNG|ĐẶC KHU) (.+)$", upper)
    if match:
        unit, place = match.groups()
        if unit == "TỈNH":
            variants.append(f"TỈNH ỦY {place}")
        elif unit == "THÀNH PHỐ":
            variants.append(f"THÀNH ỦY {place}")
        else:
            variants.append(f"ĐẢNG ỦY {unit} {place}")
    variants.append(upper.replace("ỦY BAN NHÂN DÂN", "UBND"))
    return list(dict.fromkeys(variants))


def registry_issuers() -> list[str]:
    """Names of the organizations in the registry (current and former: old
    papers come from bodies since merged); empty when the database cannot
    be read."""
    try:
        from hoso.organizations.models import Organization

        return list(Organization.objects.values_list("name", flat=True))
    except Exception:  # no database, no tables, apps not ready
        return []


def registry_codes() -> list[str]:
    """Abbreviations of the registry's organizations (issuer codes in
    symbols); empty when the database cannot be read."""
    try:
        from hoso.organizations.models import Organization

        codes = Organization.objects.exclude(abbreviation="").values_list(
            "abbreviation", flat=True
        )
        return sorted({code for code in codes if code})
    except Exception:  # no database, no tables, apps not ready
        return []


class IssuerIndex:
    """Known issuer names, matched accent-insensitively.

    Candidates are the names sharing the most letter trigrams with the text
    (folded, spaces removed, so words OCR ran together or split still
    match); each is scored by difflib's ratio on the folded keys, with and
    without spaces. A name whose key equals the text's always wins."""

    # Trigrams in more names than this say little ("ANG"); skipped.
    COMMON = 5000
    CANDIDATES = 60

    def __init__(self, names: list[str]):
        self.names: dict[str, str] = {}
        for name in names:
            canonical = _squash(clean(name).upper())
            key = fold_key(canonical)
            if key and key not in self.names:
                self.names[key] = canonical
        self.compact = {key.replace(" ", ""): key for key in self.names}
        self.grams: dict[str, list[str]] = defaultdict(list)
        for key in self.names:
            compact = key.replace(" ", "")
            for gram in {compact[i : i + 3] for i in range(len(compact) - 2)}:
                self.grams[gram].append(key)
        words: dict[str, Counter] = defaultdict(Counter)
        for canonical in [*self.names.values(), *HEADER_WORDS]:
            for word in re.findall(r"[^\W\d_]+", canonical):
                words[fold(word)][word] += 1
        self.words = words

    def match(self, text: str) -> tuple[str | None, float]:
        """The best known name for `text` and its score (0–1)."""
        key = fold_key(text)
        if not key:
            return None, 0.0
        if key in self.names:
            return self.names[key], 1.0
        compact = key.replace(" ", "")
        if compact in self.compact:
            return self.names[self.compact[compact]], 1.0
        counts: Counter = Counter()
        for gram in {compact[i : i + 3] for i in range(len(compact) - 2)}:
            posting = self.grams.get(gram)
            if posting and len(posting) <= self.COMMON:
                counts.update(posting)
        best, score = None, 0.0
        for candidate, _shared in counts.most_common(self.CANDIDATES):
            ratio = max(
                difflib.SequenceMatcher(None, key, candidate).ratio(),
                difflib.SequenceMatcher(
                    None, compact, candidate.replace(" ", "")
                ).ratio(),
            )
            if ratio > score:
                best, score = candidate, ratio
        return (self.names[best] if best else None), score

    def restore_accents(self, text: str) -> str:
        """Word by word: a word without accents (or unknown as printed) whose
        folded form has one known accented spelling takes that spelling."""

        def fix(match: re.Match) -> str:
            word = match.group()
            forms = self.words.get(fold(word).upper())
            if not forms or word.upper() in forms:
                return word
            if len(forms) == 1:
                return next(iter(forms))
            (first, count), (_second, runner_up) = forms.most_common(2)
            return first if count >= 3 * runner_up else word

        return re.sub(r"[^\W\d_]+", fix, text.upper())


@lru_cache(maxsize=1)
def _builtin_index() -> IssuerIndex:
    return IssuerIndex(builtin_issuers())


@lru_cache(maxsize=4)
def _index(extra: tuple[str, ...]) -> IssuerIndex:
    """The index of the built-in issuers and `extra` (cached: a batch or the
    intake passes the same registry again and again)."""
    if not extra:
        return _builtin_index()
    return IssuerIndex([*extra, *builtin_issuers()])


_PLACE_PREFIX = re.compile(
    r"^(?:ĐẢNG ỦY|ĐẢNG BỘ|ỦY BAN NHÂN DÂN|UBND|HỘI ĐỒNG NHÂN DÂN|TỈNH ỦY|"
    r"THÀNH ỦY)?\s*(?:TỈNH|THÀNH PHỐ|XÃ|PHƯỜNG|ĐẶC KHU)?\s*"
)


@lru_cache(maxsize=4)
def _places(issuers: tuple[str, ...]) -> dict[str, str]:
    """Known places (folded key → spelling): provinces, and the place in
    the known issuers' names ("ĐẢNG ỦY XÃ HÒA PHÚ" → "Hòa Phú")."""
    places = {fold_key(name): name for name in PROVINCES}
    places[fold_key("Thành phố Hồ Chí Minh")] = "Thành phố Hồ Chí Minh"
    places[fold_key("TP. Hồ Chí Minh")] = "TP. Hồ Chí Minh"
    for issuer in issuers:
        upper = _squash(clean(issuer).upper())
        match = re.match(
            r"^(?:ĐẢNG ỦY|ĐẢNG BỘ|ỦY BAN NHÂN DÂN|UBND|HỘI ĐỒNG NHÂN DÂN)\s+"
            r"(?:TỈNH|THÀNH PHỐ|XÃ|PHƯỜNG|ĐẶC KHU)\s+(.+)$|^(?:TỈNH|THÀNH) ỦY\s+(.+)$",
            upper,
        )
        if match:
            place = title_words(match.group(1) or match.group(2))
            places.setdefault(fold_key(place), place)
    return places


# Layout ------------------------------------------------------------------------


@dataclass
class Segment:
    """A run of text on a line, separated from the next by 3+ spaces."""

    line: int
    start: int
    text: str

    @property
    def centre(self) -> float:
        return self.start + len(self.text) / 2


class Page:
    """The lines of a first page, cut into segments."""

    def __init__(self, text: str):
        self.raw_lines = [line.rstrip() for line in clean(text).splitlines()]
        self.width = max((len(line) for line in self.raw_lines), default=0) or 1
        self.segments: list[list[Segment]] = []
        for number, line in enumerate(self.raw_lines):
            self.segments.append(
                [
                    Segment(number, match.start(), match.group())
                    for match in _SEGMENT.finditer(line.replace("\t", "    "))
                ]
            )
        # Plain OCR text: nothing is separated by 3+ spaces anywhere.
        self.has_columns = any(len(line) > 1 for line in self.segments)

    def __len__(self) -> int:
        return len(self.raw_lines)

    def text(self, number: int) -> str:
        return " ".join(segment.text for segment in self.segments[number])

    def is_blank(self, number: int) -> bool:
        return not self.segments[number]

    def left(self, number: int) -> list[Segment]:
        """Segments starting in the left part of the page (issuer, number,
        "V/v"; a segment OCR ran on into the right column included)."""
        if not self.has_columns:
            return self.segments[number]
        return [s for s in self.segments[number] if s.start < self.width * 0.45]

    def right(self, number: int) -> list[Segment]:
        """Segments reaching into the right half (title, date, signature)."""
        if not self.has_columns:
            return self.segments[number]
        return [
            s
            for s in self.segments[number]
            if s.start + len(s.text) > self.width * 0.55
        ]

    def is_left(self, segment: Segment) -> bool:
        return not self.has_columns or segment.centre < self.width * 0.5


def _strip_national(text: str) -> str:
    """The text without "ĐẢNG CỘNG SẢN VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ
    NGHĨA VIỆT NAM" or the motto (where plain OCR put them on the issuer's
    lines)."""
    for pattern in _NATIONAL_LINES:
        match = pattern.search(fold(text))
        if match:
            text = text[: match.start()] + " " + text[match.end() :]
    return _squash(text)


def _letters(text: str) -> int:
    return len(_LETTER.findall(text))


def _is_upper_line(text: str) -> bool:
    letters = _LETTER.findall(text)
    if not letters:
        return False
    return sum(1 for char in letters if char.isupper()) >= 0.7 * len(letters)


# The extractor -------------------------------------------------------------------


@dataclass
class _Symbol:
    text: str | None = None
    number: str | None = None
    type: str | None = None
    style: str | None = None
    line: int | None = None
    end: int | None = None  # where the symbol ends in its segment's text
    segment: Segment | None = None


def _type_codes() -> dict[str, dict[str, str]]:
    """Folded-upper code → canonical code, per style."""
    party = {fold(code).upper(): code for code in PARTY_TYPE_CODES}
    state = {fold(code).upper(): code for code in STATE_TYPE_CODES}
    # The same folded form for two codes: keep the one printed without Đ.
    state["DA"] = "DA"
    state["HD"] = "HD"
    return {"party": party, "state": state}


_TYPE_CODES = _type_codes()
PARTY_CODES = set(PARTY_TYPE_CODES)
_TYPE_NAMES = {
    fold_key(name.split(" (")[0]): code
    for code, name in doc_types.PARTY_TYPES + doc_types.STATE_TYPES
}


def _type_name_code(text: str) -> str | None:
    """The type code of a type name in capitals ("NGHỊ QUYẾT" → "NQ"),
    allowing a misread letter."""
    key = fold_key(text)
    if key in _TYPE_NAMES:
        return _TYPE_NAMES[key]
    close = difflib.get_close_matches(key, list(_TYPE_NAMES), 1, 0.86)
    return _TYPE_NAMES[close[0]] if close else None


def _fix_code(code: str, known: dict[str, str]) -> str:
    """An issuer code as printed, with its Đ and case restored when a known
    code folds to it. An unknown code that is a known one of 3+ letters
    plus one trailing letter is that code: OCR reads the edge of the stamp
    or a stray mark after the symbol ("VPTWV"); so is one with a letter
    doubled ("ĐĐU")."""
    key = fold(code).upper()
    if key in known:
        return known[key]
    if len(key) >= 4 and key[-1].isalpha() and key[:-1] in known:
        return known[key[:-1]]
    # A letter OCR doubled ("ĐĐU" for "ĐU").
    collapsed = re.sub(r"(.)\1+", r"\1", key)
    if collapsed != key and collapsed in known:
        return known[collapsed]
    return code


def _code_like(part: str, known_codes: dict[str, str]) -> bool:
    """A symbol part: capitals, or a known code with lower-case letters
    ("TTr", "TTg"); not a word of the place that follows ("Ha Noi")."""
    key = fold(part).upper()
    return part == part.upper() or key in known_codes or key in _MIXED_CASE_CODES


def _symbol_parts(text: str, known_codes: dict[str, str]):
    """(number, first separator, parts, end) of the symbol at the start of
    `text`, or None. "Số 57-NQ/TW Hà Nội": the symbol ends with its parts."""
    match = _SYMBOL_START.search(text)
    if not match or match.start() > 3 or not re.search(r"\d", match["number"]):
        return None
    first = _SYMBOL_PART.match(text, match.end())
    if not first or not _code_like(first["part"], known_codes):
        return None
    parts, end = [first["part"]], first.end()
    while len(parts) < 4:
        following = _SYMBOL_NEXT.match(text, end)
        if not following or not _code_like(following["part"], known_codes):
            break
        parts.append(following["part"])
        end = following.end()
    parts[-1] = parts[-1].rstrip(".")
    return match["number"], match["sep"], [p for p in parts if p], end


def _type_code(word: str, codes: dict[str, str]) -> str | None:
    """The type code `word` spells (folded), or with a letter OCR doubled
    ("QĐĐ" → "QĐ"); None when it is no type code."""
    key = fold(word).upper()
    if key in codes:
        return codes[key]
    return codes.get(re.sub(r"(.)\1+", r"\1", key))


def _symbol_from(text: str, known_codes: dict[str, str]) -> _Symbol | None:
    """Parse the symbol at the start of `text` (after the "Số" label)."""
    found = _symbol_parts(text, known_codes)
    if not found:
        return None
    number, separator, words, end = found
    number = number.translate(_DIGITS)
    if not number.isdigit():
        return None
    if separator == "-":
        style = "party"
        if len(words) < 2:
            return None
        type_code = _type_code(words[0], _TYPE_CODES["party"]) or words[0]
        issuer = "-".join(_fix_code(word, known_codes) for word in words[1:])
        candidate = f"{number}-{type_code}/{issuer}"
    else:
        style = "state"
        codes = _TYPE_CODES["state"]
        year = ""
        if words and words[0].isdigit() and len(words[0]) == 4:
            year = words.pop(0) + "/"
        if not words:
            return None
        first = words[0]
        if _type_code(first, codes) and len(words) >= 2:
            first = _type_code(first, codes)
        else:
            first = _fix_code(first, known_codes)
        rest_codes = [_fix_code(word, known_codes) for word in words[1:]]
        candidate = f"{number}/{year}" + "-".join([first, *rest_codes])
    try:
        parsed = parse_symbol(candidate)
    except SymbolError:
        return None
    # parse_symbol writes issuer codes in capitals: keep a known code's case
    # ("TTg", "ThU").
    issuer_code = known_codes.get(fold(parsed.issuer).upper())
    if issuer_code and "-" not in parsed.issuer:
        parsed = replace(parsed, issuer=issuer_code)
    formatted = format_symbol(parsed)
    split = "-" if parsed.style == PARTY else "/"
    return _Symbol(
        text=formatted,
        number=formatted.split(split, 1)[0],
        type=parsed.type_code,
        style=style,
        end=end,
    )


def _valid_date(day: int, month: int, year: int) -> date | None:
    if not 1945 <= year <= date.today().year + 1:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# Digits Tesseract confuses, tried when a year is impossible.
_CONFUSED = {
    "0": "896", "1": "74", "2": "7", "3": "85", "4": "1", "5": "63",
    "6": "58", "7": "12", "8": "036", "9": "04",
}  # fmt: skip


def _date_from(day: str, month: str, year: str) -> date | None:
    """The date; an impossible year is repaired when exactly one confused
    digit makes it possible ("2924" → 2024), never a day or month."""
    day, month, year = (part.translate(_DIGITS) for part in (day, month, year))
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        return None
    found = _valid_date(int(day), int(month), int(year))
    if found or 1945 <= int(year) <= date.today().year + 1:
        return found
    repairs = {
        found
        for position, digit in enumerate(year)
        for other in _CONFUSED.get(digit, "")
        if (
            found := _valid_date(
                int(day),
                int(month),
                int(year[:position] + other + year[position + 1 :]),
            )
        )
    }
    return repairs.pop() if len(repairs) == 1 else None


def _mark(text: str, marks: tuple[str, ...]) -> str | None:
    """The first of `marks` (longest first) printed as a word in capitals in
    `text`, accents or not ("MAT", "HOA TOC"); not "MẶT TRẬN"."""
    folded = fold(text)
    for mark in marks:
        # OCR doubles a letter now and then ("TOOI MAT").
        pattern = r"\s*".join(
            "".join(f"{re.escape(char)}+" for char in word)
            for word in fold(mark).split()
        )
        # After the word: no letter but a box side read as "I" or "l"
        # ("MATI"); any other letter makes it part of a longer word
        # ("KHANH HOA" is a province, not the mark "KHẨN").
        match = re.search(
            rf"(?:^|[^A-Za-z]|[|\[(Il1])({pattern})(?![A-HJ-Za-km-z])"
            rf"(?![Il1][A-Za-z])(?!\s*TRAN)",
            folded,
        )
        if match and not re.search(r"[a-z]", folded[match.start(1) : match.end(1)]):
            return mark
    return None


# A committee printed under its Party organization without its place:
# "ĐẢNG BỘ TỈNH KHÁNH HÒA" / "TỈNH ỦY" is the "TỈNH ỦY KHÁNH HÒA".
_BARE_COMMITTEE = {"TINH UY": "TỈNH ỦY", "THANH UY": "THÀNH ỦY", "DANG UY": None}
_PARTY_ORGANIZATION = re.compile(
    r"^DANG BO (TINH|THANH PHO|XA|PHUONG|DAC KHU) (.+)$", re.IGNORECASE
)
_UNITS = {
    "TINH": "TỈNH",
    "THANH PHO": "THÀNH PHỐ",
    "XA": "XÃ",
    "PHUONG": "PHƯỜNG",
    "DAC KHU": "ĐẶC KHU",
}


def _complete_committee(lines: list[str]) -> str | None:
    """The full name of a committee printed bare ("TỈNH ỦY", "ĐẢNG ỦY")
    under its Party organization's line, or None when the header is not
    laid out so. The place comes from the organization's line as read (the
    caller corrects it against the known issuers)."""
    if len(lines) < 2:
        return None
    head = fold_key(lines[-1])
    if head not in _BARE_COMMITTEE:
        return None
    for line in reversed(lines[:-1]):
        words = _squash(clean(line).upper()).split()
        match = _PARTY_ORGANIZATION.match(fold_key(" ".join(words)))
        if not match:
            continue
        unit_words = len(match.group(1).split())
        place = " ".join(words[2 + unit_words :])
        committee = _BARE_COMMITTEE[head]
        if committee is None:  # "ĐẢNG ỦY" of a commune, ward or zone
            return f"ĐẢNG ỦY {_UNITS[match.group(1).upper()]} {place}"
        return f"{committee} {place}"
    return None


class _Extractor:
    def __init__(self, text: str, known: list[str], codes: list[str]):
        self.page = Page(text)
        self.index = _index(tuple(known))
        self.places = _places(tuple(known))
        self.codes = {fold(code).upper(): code for code in [*KNOWN_CODES, *codes]}
        self.date_line: int | None = None

    # Anchors -----------------------------------------------------------------

    def symbol(self) -> _Symbol:
        """The "Số …" line: the first segment starting with the label and a
        symbol; failing that, a symbol-shaped segment in the header."""
        page = self.page
        limit = min(len(page), 30)
        for number in range(limit):
            for segment in page.left(number) or page.segments[number]:
                text = segment.text
                label = _NUMBER_LABEL.match(fold(text))
                if not label:
                    continue
                found = _symbol_from(text[label.end() :], self.codes)
                if found:
                    found.line = number
                    found.end = label.end() + (found.end or 0)
                    found.segment = segment
                    return found
        for number in range(min(len(page), 12)):
            for segment in page.segments[number]:
                found = _symbol_from(segment.text, self.codes)
                if found:
                    found.line = number
                    found.segment = segment
                    return found
        return _Symbol()

    def type_heading(self, start: int) -> int | None:
        """The line with the type in capitals ("NGHỊ QUYẾT")."""
        for number in range(start, min(len(self.page), start + 20)):
            text = self.page.text(number)
            folded = fold(text)
            if _ADDRESSEES.match(folded) or _RECIPIENTS.match(folded):
                return None
            if not _is_upper_line(text) or _letters(text) > 30:
                continue
            if _mark(text, SECRECY_MARKS) or _mark(text, URGENCY_MARKS):
                continue
            if _type_name_code(text):
                return number
        return None

    def heading_code(self, number: int | None) -> str | None:
        if number is None:
            return None
        return _type_name_code(self.page.text(number))

    # Fields --------------------------------------------------------------------

    def date_and_place(self, symbol: _Symbol) -> tuple[str | None, str | None]:
        """The first "…, ngày DD tháng MM năm YYYY" that is a real date, and
        the place before it; without one, the place of the first line that
        reads like a date line."""
        page = self.page
        first_place = None
        for number in range(min(len(page), 30)):
            segments = page.segments[number]
            for position, segment in enumerate(segments):
                folded = fold(segment.text)
                at = re.search(
                    r"ng\s?ay\W{0,3}" + _DIGIT_CLASS + r".{0,6}th\s?ang", folded, re.I
                )
                if not at:
                    continue
                if self.date_line is None:
                    self.date_line = number
                place = self.place(segment, at.start(), symbol)
                first_place = first_place or place
                # The date may wrap: "ngày 22 tháng 12" / "năm 2024".
                following = [s.text for s in segments[position + 1 :]]
                for later in range(number + 1, min(len(page), number + 3)):
                    following += [s.text for s in page.right(later)]
                window = "\n".join([segment.text[at.start() :], *following])
                match = _DATE_RE.search(fold(window))
                if not match:
                    continue
                year = match["year"] or match["year2"]
                found = _date_from(match["day"], match["month"], year)
                if found:
                    return found.isoformat(), place or first_place
        return None, first_place

    def place(self, segment: Segment, at: int, symbol: _Symbol) -> str | None:
        text = segment.text[:at]
        if symbol.segment is segment and symbol.end and symbol.end <= at:
            text = text[symbol.end :]
        text = text.strip(_JUNK)
        if not text:
            return None
        # Every word of a place name is capitalised: a word starting with
        # "l" is an "I" misread ("la Grai").
        words = text.split()
        if any(word[:1].isupper() for word in words):
            text = " ".join("I" + w[1:] if w.startswith("l") else w for w in words)
        key = fold_key(text)
        if key in self.places:
            return self.places[key]
        close = difflib.get_close_matches(key, list(self.places), 1, 0.85)
        if close:
            return self.places[close[0]]
        return _squash(text)

    def issuer_lines(self, end: int) -> list[str]:
        """The header's left lines above the number (superior body, issuer)."""
        lines: list[str] = []
        for number in range(end):
            parts = [_strip_national(s.text) for s in self.page.left(number)]
            text = _squash(" ".join(part for part in parts if part))
            if _DATE_START.search(fold(text)):
                # Plain text runs the place and date onto the issuer's line
                # ("TỈNH ỦY   Nha Trang, ngày 15 …"): the capitals before it.
                text = " ".join(itertools.takewhile(_is_upper_line, text.split()))
            text = text.strip(" *-_|.,'`~")
            if not text or _letters(text) < 2 or not _is_upper_line(text):
                continue
            if _NUMBER_LABEL.match(fold(text)) and re.search(r"\d", text):
                break
            lines.append(text)
        return lines

    def issuer(self, end: int) -> str | None:
        lines = self.issuer_lines(end)
        if not lines:
            return None
        completed = _complete_committee(lines)
        if completed is not None:
            name, score = self.index.match(completed)
            if name and score >= 0.86:
                return name
            return self.index.restore_accents(completed)
        best, best_score = None, 0.0
        for start in range(len(lines)):
            candidate = " ".join(lines[start:])
            name, score = self.index.match(candidate)
            short = len(fold_key(candidate)) < 14
            needed = 0.95 if short else 0.86
            if name and score >= needed and score > best_score + 1e-9:
                best, best_score = name, score
        if best:
            return best
        start = 0
        for index in range(1, len(lines)):
            if self._starts_name(lines[index]):
                start = index
                break
        if start == 0 and len(lines) > 1 and self._is_superior(lines[0]):
            start = 1
        return self.index.restore_accents(" ".join(lines[start:]))

    @staticmethod
    def _starts_name(line: str) -> bool:
        key = fold_key(line)
        return any(
            key == fold_key(head) or key.startswith(fold_key(head) + " ")
            for head in ORGANIZATION_HEADS
        )

    @staticmethod
    def _is_superior(line: str) -> bool:
        key = fold_key(line)
        return any(key.startswith(fold_key(head)) for head in SUPERIOR_HEADS)

    def excerpt(self, heading: int | None, symbol: _Symbol) -> str | None:
        page = self.page
        # A letter: "V/v …" under the number, in the left column.
        start = symbol.line if symbol.line is not None else 0
        for number in range(start, min(len(page), start + 8)):
            for segment in page.left(number):
                text = _strip_national(segment.text)
                match = _LETTER_EXCERPT.match(text)
                if not match or match.end() == len(text):
                    continue
                parts = [text[match.end() :]]
                for later in range(number + 1, min(len(page), number + 6)):
                    left = page.left(later)
                    if not left:
                        break
                    more = _squash(" ".join(s.text for s in left))
                    if not page.has_columns:
                        more = self._cut_date_tail(more)
                    if (
                        not more
                        or _mark(more, SECRECY_MARKS)
                        or _mark(more, URGENCY_MARKS)
                        or _ADDRESSEES.match(fold(more))
                    ):
                        break
                    parts.append(more)
                return "V/v " + _squash(" ".join(parts)).strip(_JUNK)
        if heading is None:
            return None
        parts = []
        for number in range(heading + 1, min(len(page), heading + 6)):
            text = _squash(
                " ".join(s.text for s in page.segments[number] if _letters(s.text) >= 2)
            )
            text = text.strip(_JUNK)
            if not text or _RULE.match(text) or _letters(text) < 2:
                if parts:
                    break
                continue
            if _ADDRESSEES.match(fold(text)) or fold(text).lower().startswith("can cu"):
                break
            if parts and not page.has_columns and self._looks_like_body(text, parts):
                break
            parts.append(text)
        return _squash(" ".join(parts)) or None

    @staticmethod
    def _cut_date_tail(text: str) -> str:
        return re.sub(r"\s*\bn\s?am\s*\d{4}\s*$", "", text, flags=re.IGNORECASE)

    @staticmethod
    def _looks_like_body(text: str, parts: list[str]) -> bool:
        """Plain text without blank lines: a long line starting a sentence
        after the excerpt is the body's first paragraph."""
        return len(text) > 58 and text[:1].isupper() and len(parts) >= 1

    def signer(self) -> str | None:
        """The name under the signature block's authority and position
        lines ("T/M BAN THƯỜNG VỤ" / "BÍ THƯ")."""
        page = self.page
        anchor = None
        for number in range(len(page)):
            if any(self._is_signature_line(s.text) for s in page.segments[number]):
                anchor = number
        start = anchor + 1 if anchor is not None else len(page) // 2
        fallback = None
        for number in range(start, len(page)):
            for segment in reversed(page.segments[number]):
                name, listed = self._name_at_end(segment.text, page.is_left(segment))
                if name and not listed:
                    return name
                fallback = name or fallback
        # Plain text: the name may come out as "- Nguyễn Văn A" (a dash read
        # from the seal or the signature), like a recipient; the last one.
        return fallback

    @staticmethod
    def _is_signature_line(text: str) -> bool:
        """An authority line ("K/T BÍ THƯ", "TM. ỦY BAN NHÂN DÂN") or a
        position in capitals, possibly after other text on the line."""
        folded = fold(text)
        if re.search(
            r"(?:^|\s)(?:T\s?/\s?M|K\s?/\s?T|T\s?/\s?L|TM\.|KT\.|TL\.)"
            r"\s*[A-Z]",
            folded,
        ):
            return True
        words = text.split()
        run: list[str] = []
        for word in reversed(words):
            if not _is_upper_line(word):
                break
            run.insert(0, word)
        if not run:
            return False
        key = fold_key(" ".join(run))
        return any(
            key == fold_key(position) or key.endswith(" " + fold_key(position))
            for position in _POSITIONS
        )

    @staticmethod
    def _name_at_end(text: str, left: bool = True) -> tuple[str | None, bool]:
        """2–5 capitalised words ending the text: a person's name, and
        whether the line reads like a recipient ("- Nguyễn Văn A") on the
        left of the page."""
        words = re.sub(r"[.,;:]+$", "", text.strip()).split()
        run: list[str] = []
        for word in reversed(words):
            if (
                _NAME_WORD.match(word)
                and word[0].isupper()
                and word[1:].islower()
                and len(run) < 5
            ):
                run.insert(0, word)
            else:
                break
        if not 2 <= len(run) <= 5:
            return None, False
        recipient = text.lstrip().startswith(("-", "+", "•"))
        listed = left and recipient and len(run) == len(words) - 1
        name = [
            _restore_name(word, 0 < index < len(run) - 1)
            for index, word in enumerate(run)
        ]
        return " ".join(name), listed

    def marks(self, end: int) -> tuple[str | None, str | None]:
        secrecy = urgency = None
        for number in range(min(end, len(self.page))):
            for segment in self.page.segments[number]:
                text = _strip_national(segment.text)
                secrecy = secrecy or _mark(text, SECRECY_MARKS)
                urgency = urgency or _mark(text, URGENCY_MARKS)
        return secrecy, urgency

    def run(self) -> dict:
        page = self.page
        symbol = self.symbol()
        issued_on, place = self.date_and_place(symbol)
        after = symbol.line + 1 if symbol.line is not None else 0
        heading = self.type_heading(after)
        # The issuer is above the number; without one, above the date or
        # the type.
        ends = [symbol.line, self.date_line, heading, min(len(page), 8)]
        header_end = next(end for end in ends if end is not None)
        if symbol.line is None:
            header_end = min(end for end in ends if end is not None)
        header_zone = heading if heading is not None else self._zone_end(after)
        type_code = symbol.type
        heading_code = self.heading_code(heading)
        if symbol.text is None:
            type_code = heading_code
        elif symbol.style == "party" and heading_code and type_code not in PARTY_CODES:
            # "57-NO/TW" under "NGHỊ QUYẾT": the heading says which code.
            type_code = heading_code
            issuer_code = symbol.text.split("/", 1)[1]
            symbol.text = f"{symbol.number}-{type_code}/{issuer_code}"
        secrecy, urgency = self.marks(header_zone)
        return {
            "symbol": symbol.text,
            "number": symbol.number,
            "type": type_code,
            "issued_on": issued_on,
            "place": place,
            "issuer": self.issuer(header_end),
            "excerpt": self.excerpt(heading, symbol),
            "signer": self.signer(),
            "secrecy": secrecy,
            "urgency": urgency,
        }

    def _zone_end(self, start: int) -> int:
        for number in range(start, len(self.page)):
            if _ADDRESSEES.match(fold(self.page.text(number))):
                return number
        return min(len(self.page), start + 8)


_NAME_FORMS = {fold(word): word for word in NAME_SYLLABLES}


def _restore_name(word: str, middle: bool = False) -> str:
    """A syllable of a name with the accents OCR dropped, when they are
    certain ("Nguyen" → "Nguyễn"; "Van" → "Văn" as a middle name only)."""
    if _has_accents(word):
        return word
    if middle and word == "Van":
        return "Văn"
    return _NAME_FORMS.get(word, word)


def extract_fields(
    text: str, *, organization=None, known_issuers: list[str] | None = None
) -> dict:
    """The metadata of a first page: symbol, number, type, issued_on, place,
    issuer, excerpt, signer, secrecy, urgency (None when not found).

    `known_issuers` are issuer names the OCR is corrected against, besides
    the built-in central, province and state bodies; with `organization`
    (the organization taking the document in) the organization registry
    (names, and abbreviations as issuer codes) is read as well, when the
    database is available. The text is never sent anywhere."""
    known = [*(known_issuers or [])]
    codes: list[str] = []
    if organization is not None:
        known += registry_issuers()
        codes = registry_codes()
    known = [variant for name in known for variant in issuer_variants(name)]
    return _Extractor(text or "", known, codes).run()


# Getting the text --------------------------------------------------------------


class ExtractionError(RuntimeError):
    """The file cannot be read (not a PDF or image, or a tool is missing)."""


def _run(command: list[str], *, timeout: int = 180) -> str:
    if shutil.which(command[0]) is None:
        raise ExtractionError(f"{command[0]} is not installed.")
    # One thread: Tesseract's OpenMP threads gain little on one page, slow a
    # busy server down, and made results vary from run to run under load.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired as error:
        raise ExtractionError(f"{command[0]} took too long.") from error
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()[-1:] or ["failed"]
        raise ExtractionError(f"{command[0]}: {message[0]}")
    return result.stdout


@dataclass
class _Word:
    left: int
    top: int
    width: int
    height: int
    text: str

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


def _tsv_lines(tsv: str) -> tuple[list[tuple[int, list[_Word]]], int]:
    """Tesseract's TSV as (block, words) lines in reading order, and the
    page width."""
    lines: dict[tuple, list[_Word]] = {}
    page_width = 0
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12:
            continue
        level, block, par, line = (int(cells[i]) for i in (0, 2, 3, 4))
        box = [int(cells[i]) for i in (6, 7, 8, 9)]
        if level == 1:
            page_width = box[2]
        if level == 5 and cells[11].strip():
            lines.setdefault((block, par, line), []).append(_Word(*box, cells[11]))
    ordered = [
        (key[0], sorted(words, key=lambda w: w.left)) for key, words in lines.items()
    ]
    if not page_width and ordered:
        page_width = max(word.right for _block, words in ordered for word in words)
    return ordered, page_width


def _rows(lines: list[tuple[int, list[_Word]]]) -> list[tuple[int, list[_Word]]]:
    """Tesseract's lines top to bottom, those sharing a baseline side by side
    (left and right columns) merged into one row; Tesseract's block order
    can put a column's lines before the line above them."""

    def centre(words: list[_Word]) -> float:
        return sum(w.top + w.height / 2 for w in words) / len(words)

    rows: list[tuple[int, list[_Word]]] = []
    for block, words in sorted(lines, key=lambda line: centre(line[1])):
        if rows:
            row_block, row_words = rows[-1]
            top = min(w.top for w in row_words)
            bottom = max(w.bottom for w in row_words)
            overlaps = any(
                w.left < o.right and o.left < w.right for w in words for o in row_words
            )
            if top <= centre(words) <= bottom and not overlaps:
                merged = sorted([*row_words, *words], key=lambda w: w.left)
                rows[-1] = (row_block, merged)
                continue
        rows.append((block, words))
    return rows


def _render_lines(lines: list[tuple[int, list[_Word]]], page_width: int) -> str:
    """Text with columns, like `pdftotext -layout`: words of a row separated
    by a gap wider than the row is tall go into separate segments (3+ spaces
    apart, at a column proportional to their position); a blank line marks a
    vertical gap, or a new block a little apart."""
    per_char = (page_width or 1) / 110
    out: list[str] = []
    previous_bottom = previous_block = None
    for block, words in _rows(lines):
        heights = sorted(word.height for word in words)
        height = heights[len(heights) // 2]
        top = min(word.top for word in words)
        if previous_bottom is not None:
            gap = top - previous_bottom
            if gap > 0.8 * height or (block != previous_block and gap > 0.2 * height):
                out.append("")
        text = ""
        last_right = None
        for word in words:
            if last_right is None:
                text = " " * round(word.left / per_char) + word.text
            elif word.left - last_right > 1.2 * height:
                column = max(len(text) + 3, round(word.left / per_char))
                text = text.ljust(column) + word.text
            else:
                text += " " + word.text
            last_right = word.right
        out.append(text.rstrip())
        previous_bottom = max(word.bottom for word in words)
        previous_block = block
    return "\n".join(out)


def layout_from_tsv(tsv: str) -> str:
    """Text with columns from Tesseract's TSV output (see `_render_lines`)."""
    lines, page_width = _tsv_lines(tsv)
    return _render_lines(lines, page_width)


def _has_date(text: str) -> bool:
    for match in _DATE_RE.finditer(fold(text)):
        if _date_from(match["day"], match["month"], match["year"] or match["year2"]):
            return True
    return False


def _date_line(lines: list[tuple[int, list[_Word]]]) -> tuple[int, int] | None:
    """(line index, index of the first word) of the place and date: the run
    of words around "ngày" (not the number on the left of the same line)."""
    for number, (_block, words) in enumerate(lines[:40]):
        for index, word in enumerate(words):
            if fold(word.text).lower().strip(",.") != "ngay":
                continue
            first = index
            while first > 0 and (
                words[first].left - words[first - 1].right <= 2 * word.height
            ):
                first -= 1
            return number, first
    return None


def _tesseract_tsv(image, languages: str, psm: int) -> str:
    with tempfile.TemporaryDirectory(prefix="hoso-ocr-") as tmp:
        source = Path(tmp) / "page.png"
        image.save(source, dpi=(OCR_DPI, OCR_DPI))
        return _run(
            ["tesseract", str(source), "stdout", "-l", languages,
             "--psm", str(psm), "--dpi", str(OCR_DPI), "tsv"]
        )  # fmt: skip


def prepare_image(path: Path | str):
    """An image's first frame cleaned for OCR, as a greyscale Pillow image:
    grey levels stretched (faded scans), speckle removed (dust and toner
    dots, which Tesseract reads as punctuation, breaking words around them;
    a 3×3 median keeps strokes from 200 dpi up), then enlarged to about 300
    dpi when below."""
    from PIL import Image, ImageFilter, ImageOps

    with Image.open(path) as image:
        image.seek(0)
        page = ImageOps.exif_transpose(image).convert("L")
        dpi = image.info.get("dpi", (0, 0))[0] or page.width / A4_WIDTH_IN
    page = ImageOps.autocontrast(page, cutoff=1).filter(ImageFilter.MedianFilter(3))
    scale = OCR_DPI / dpi if dpi else 1.0
    if scale > 1.15:
        size = (round(page.width * scale), round(page.height * scale))
        page = page.resize(size, Image.LANCZOS)
        dpi = OCR_DPI
    return remove_rules(page, dpi)


def remove_rules(page, dpi: float):
    """The page without long straight lines: the boxes printed or stamped
    around secrecy and urgency marks (Tesseract reads nothing in a boxed
    word) and rules under titles.

    A run of ink at least `RULE_MM` long in a row or a column is no stroke
    of a letter. Runs are found without a per-pixel loop: the ink is
    averaged over bins half that long (Pillow's box resize), and two
    consecutive full bins make a run; three phases of the bins catch a run
    wherever it starts. A scan is seldom straight: the ink is first
    thickened across the direction sought (a line 1.5° off over 25 mm
    drifts 0.6 mm), and what is found is erased as thick."""
    from PIL import Image, ImageChops

    ink = page.point(lambda value: 255 if value < 140 else 0)
    mask = Image.new("L", page.size, 0)
    for axis, millimetres in enumerate(RULE_MM):
        half = max(6, round(dpi * millimetres / 25.4 / 2))
        # Across the run: rows for a horizontal line, columns for a vertical.
        drift = max(1, round(dpi * millimetres * 0.026 / 25.4))
        thick = _thicken(ink, 1 - axis, drift)
        found = Image.new("L", page.size, 0)
        for phase in (0, half // 3, 2 * half // 3):
            found = ImageChops.lighter(found, _runs(thick, axis, half, phase))
        mask = ImageChops.lighter(mask, _thicken(found, 1 - axis, drift + 1))
    if mask.getbbox() is None:
        return page
    return ImageChops.lighter(page, mask)


def _thicken(image, axis: int, radius: int):
    """White spread by `radius` pixels along `axis` only (0: sideways, 1: up
    and down)."""
    from PIL import ImageChops

    out = image
    for step in range(1, radius + 1):
        for sign in (1, -1):
            shift = (sign * step, 0) if axis == 0 else (0, sign * step)
            out = ImageChops.lighter(out, ImageChops.offset(image, *shift))
    return out


def _runs(ink, axis: int, half: int, phase: int):
    """White where `ink` (white on black) has a run of at least 2 × `half`
    pixels along `axis` (0: rows, 1: columns), starting the bins at
    `phase`."""
    from PIL import Image, ImageChops

    width, height = ink.size
    length = width if axis == 0 else height
    count = (length - phase) // half
    if count < 2:
        return Image.new("L", ink.size, 0)
    if axis == 0:
        region = ink.crop((phase, 0, phase + count * half, height))
        full = region.resize((count, height), Image.BOX)
    else:
        region = ink.crop((0, phase, width, phase + count * half))
        full = region.resize((width, count), Image.BOX)
    full = full.point(lambda value: 255 if value > 235 else 0)
    # Each full bin followed by another full bin, and that one too.
    shift = (-1, 0) if axis == 0 else (0, -1)
    after = ImageChops.offset(full, *shift)
    pairs = ImageChops.darker(full, after)
    pairs = ImageChops.lighter(pairs, ImageChops.offset(pairs, -shift[0], -shift[1]))
    mask = Image.new("L", ink.size, 0)
    size = region.size
    box = (phase, 0) if axis == 0 else (0, phase)
    mask.paste(pairs.resize(size, Image.NEAREST), box)
    return mask


def ocr_image(path: Path | str, *, languages: str = OCR_LANGUAGES) -> str:
    """OCR text of an image's first frame, with columns (`_render_lines`).

    The page is cleaned first (`prepare_image`). When no valid date is read,
    the place and date lines are OCRed again on their own (a year wrapped
    alone on a line next to a boxed mark is often misread) and added below
    them."""
    page = prepare_image(path)
    lines, page_width = _tsv_lines(_tesseract_tsv(page, languages, OCR_PSM))
    text = _render_lines(lines, page_width)
    if _has_date(text) or (found := _date_line(lines)) is None:
        return text
    number, first = found
    block, words = lines[number]
    date_words = words[first:]
    height = max(word.height for word in date_words)
    box = (
        max(0, date_words[0].left - height),
        max(0, min(word.top for word in date_words) - height // 2),
        min(page.width, date_words[-1].right + 2 * height),
        min(page.height, max(word.bottom for word in date_words) + 2 * height),
    )
    crop = page.crop(box)
    # A uniform block first, then sparse text (reads a lone year best).
    for psm in (6, 11):
        retry_lines, _width = _tsv_lines(_tesseract_tsv(crop, languages, psm))
        retry = " ".join(word.text for _block, row in retry_lines for word in row)
        if _has_date(retry):
            break
    else:
        return text
    # The date as read alone, as a line of its own below the first reading.
    extra = _Word(box[0], date_words[0].top + 1, box[2] - box[0], height, retry)
    lines.insert(number + 1, (block, [extra]))
    return _render_lines(lines, page_width)


def pdf_text(path: Path | str) -> str:
    """The embedded text of page 1, laid out (`pdftotext -layout`)."""
    return _run(["pdftotext", "-l", "1", "-layout", str(path), "-"])


def _scan_dpi(path: Path) -> int:
    """The resolution of the largest image on page 1 of a scanned PDF (the
    page is rasterised at it, so clean-up works on the scanner's pixels),
    or OCR_DPI."""
    try:
        listing = _run(["pdfimages", "-list", "-f", "1", "-l", "1", str(path)])
    except ExtractionError:
        return OCR_DPI
    best, dpi = 0, OCR_DPI
    for row in listing.splitlines()[2:]:
        cells = row.split()
        try:
            pixels = int(cells[3]) * int(cells[4])
            x_ppi = int(float(cells[12]))
        except (IndexError, ValueError):
            continue
        if pixels > best:
            best, dpi = pixels, x_ppi
    return min(max(dpi, 150), 400)


def page_text(path: Path | str, *, languages: str = OCR_LANGUAGES) -> tuple[str, str]:
    """(text of page 1, "text" or "ocr"): a PDF's text layer when it has one,
    otherwise OCR of the page (a PDF rasterised at its scan's resolution)
    or image."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(5)
    if head == b"%PDF-":
        text = pdf_text(path)
        if _letters(text) >= MIN_TEXT_LETTERS:
            return text, "text"
        dpi = _scan_dpi(path)
        with tempfile.TemporaryDirectory(prefix="hoso-ocr-") as tmp:
            prefix = Path(tmp) / "page"
            _run(
                ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-gray",
                 "-png", str(path), str(prefix)]
            )  # fmt: skip
            images = sorted(Path(tmp).glob("page*.png"))
            if not images:
                raise ExtractionError("The PDF has no page.")
            return ocr_image(images[0], languages=languages), "ocr"
    try:
        return ocr_image(path, languages=languages), "ocr"
    except ExtractionError:
        raise
    except Exception as error:  # Pillow: not an image
        raise ExtractionError(f"Not a PDF or an image: {path.name}") from error


def extract_file(
    path: Path | str,
    *,
    organization=None,
    known_issuers: list[str] | None = None,
    languages: str = OCR_LANGUAGES,
) -> dict:
    """`{"file": path, …fields}` for one file."""
    text, _source = page_text(path, languages=languages)
    fields = extract_fields(
        text, organization=organization, known_issuers=known_issuers
    )
    return {"file": str(path), **fields}
