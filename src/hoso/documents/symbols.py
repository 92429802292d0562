"""Parsing and formatting document numbers and symbols (số và ký hiệu).

Party documents (Quy định 66-QĐ/TW, Hướng dẫn 36-HD/VPTW): ``57-NQ/TW`` —
number, hyphen, type code, slash, issuer code (``02-KH/BCĐTW``,
``08-QĐi/TW``, ``15671-CV/VPTW``).

State documents (Nghị định 30/2020/NĐ-CP): ``15/QĐ-BNV`` — number, slash,
type code, hyphen, issuer code; official letters (công văn) carry no type
code: ``05/BNV-VP`` — number, slash, issuer, hyphen, drafting unit.

The parser is tolerant of a leading "Số"/"Số:", spaces around the
separators and letter case; the formatter writes the canonical form, with
numbers below 10 written on two digits as the rules show ("02", "08").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PARTY = "party"
STATE = "state"

# Type codes with their canonical spelling (case matters in a few: QĐi, CTr,
# TTr, QyĐ, TrS). Party codes per SPEC §5; state codes per NĐ 30/2020 App. III.
PARTY_TYPE_CODES = [
    "NQ",
    "QĐ",
    "QĐi",
    "CT",
    "KL",
    "QC",
    "TT",
    "HD",
    "TB",
    "BC",
    "KH",
    "CTr",
    "TTr",
    "CV",
    "BS",
    "ĐA",
    "BB",
]
STATE_TYPE_CODES = [
    "NQ", "QĐ", "CT", "QC", "QyĐ", "TC", "TB", "HD", "CTr", "KH", "PA", "ĐA",
    "DA", "BC", "BB", "TTr", "HĐ", "CĐ", "BGN", "BTT", "GUQ", "GM", "GGT",
    "GNP", "PG", "PC", "PB", "SY", "TrS", "SL",
]  # fmt: skip
# Legal normative documents numbered with their year (30/2020/NĐ-CP).
LEGAL_TYPE_CODES = ["NĐ", "TT", "TTLT", "NQLT", "NQ", "QĐ", "L", "PL", "LCT"]
_STATE_CODES = set(STATE_TYPE_CODES) | set(LEGAL_TYPE_CODES)
_CANONICAL = {
    code.upper(): code
    for code in LEGAL_TYPE_CODES + STATE_TYPE_CODES + PARTY_TYPE_CODES
}
# "QĐI" must map to the Party's "QĐi", not be confused with "QĐ".
_CANONICAL["QĐI"] = "QĐi"

_PREFIX = re.compile(r"^\s*s[ốo]\s*:?\s*", re.IGNORECASE)
_PARTY_RE = re.compile(
    r"^(?P<number>\d{1,6})\s*-\s*(?P<type>[^\W\d_]+)\s*/\s*(?P<issuer>[\w.-]*\w)$"
)
_STATE_RE = re.compile(
    r"^(?P<number>\d{1,6})\s*/\s*(?:(?P<year>\d{4})\s*/\s*)?"
    r"(?P<rest>[^\W\d_]\w*(?:\s*-\s*\w+)+)$"
)


class SymbolError(ValueError):
    """The text is not a document number and symbol."""


@dataclass(frozen=True)
class Symbol:
    """A parsed number and symbol.

    `type_code` is None for a state official letter (công văn), whose symbol
    is issuer and drafting unit (`unit`). `year` is set for state legal
    documents numbered with their year (`30/2020/NĐ-CP`).
    """

    style: str
    number: int
    type_code: str | None
    issuer: str
    unit: str = ""
    year: int | None = None

    def __str__(self) -> str:
        return format_symbol(self)

    @property
    def notation(self) -> str:
        """The symbol without the number (edXML CodeNotation): `NQ/TW`."""
        text = format_symbol(self)
        return text.split("-", 1)[1] if self.style == PARTY else text.split("/", 1)[1]


def canonical_type_code(code: str) -> str:
    """The canonical spelling of a type code (`qđi` → `QĐi`, `nq` → `NQ`)."""
    code = unicodedata.normalize("NFC", code.strip())
    return _CANONICAL.get(code.upper(), code.upper())


def _upper(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip()).upper()


def parse_symbol(text: str) -> Symbol:
    """Parse `Số 57-NQ/TW`, `57-nq/tw`, `Số: 15/QĐ-BNV`, `05/BNV-VP`…"""
    if not isinstance(text, str):
        raise SymbolError("not text")
    cleaned = unicodedata.normalize("NFC", text).strip()
    cleaned = _PREFIX.sub("", cleaned).strip().rstrip(".")
    match = _PARTY_RE.match(cleaned)
    if match:
        return Symbol(
            style=PARTY,
            number=int(match["number"]),
            type_code=canonical_type_code(match["type"]),
            issuer=_upper(match["issuer"]),
        )
    match = _STATE_RE.match(cleaned)
    if match:
        parts = [part.strip() for part in match["rest"].split("-")]
        year = int(match["year"]) if match["year"] else None
        first = canonical_type_code(parts[0])
        if first in _STATE_CODES and len(parts) >= 2:
            return Symbol(
                style=STATE,
                number=int(match["number"]),
                type_code=first,
                issuer="-".join(_upper(part) for part in parts[1:]),
                year=year,
            )
        if year is not None:
            raise SymbolError(f"a numbered-by-year symbol needs a type: {text!r}")
        return Symbol(
            style=STATE,
            number=int(match["number"]),
            type_code=None,
            issuer=_upper(parts[0]),
            unit="-".join(_upper(part) for part in parts[1:]),
        )
    raise SymbolError(f"not a document number and symbol: {text!r}")


def format_symbol(symbol: Symbol) -> str:
    """The canonical text: `57-NQ/TW`, `15/QĐ-BNV`, `05/BNV-VP`."""
    number = f"{symbol.number:02d}"
    if symbol.style == PARTY:
        return f"{number}-{symbol.type_code}/{symbol.issuer}"
    if symbol.type_code:
        year = f"{symbol.year}/" if symbol.year else ""
        return f"{number}/{year}{symbol.type_code}-{symbol.issuer}"
    return f"{number}/{symbol.issuer}-{symbol.unit}"
