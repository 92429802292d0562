"""Bulk import of member records from XLSX or CSV.

Format (one header row, then one member per row; the template download has
the headers): see `COLUMNS` and docs/members-import.md. Dates are
`DD/MM/YYYY` or `YYYY-MM-DD`; sex `Nam`/`Nữ` (or `male`/`female`); a row with
a full-membership date is a full member, otherwise probationary.

- A dry run reports every bad row with the column and the reason.
- Committing is all or nothing: one bad row and nothing is written.
- Re-importing the same file changes nothing: rows are matched on the
  citizen ID; an identical row is left alone, a changed profile is updated,
  a row naming another cell is refused (that is a transfer).

The file is read in chunks of `CHUNK` rows and never held in memory whole.
Each chunk is validated on its own (`_validate_rows`: the row rules, in
worker processes for big files, see `import_workers`); the parent then takes
the chunks in file order, checks the numbers that must be unique within the
file, looks the chunk's citizen IDs and numbers up in the table, and stages
the new members' rows (lines of COPY text) in a temporary file. A commit then
stores them in one transaction: PostgreSQL `COPY` for the members and their
timeline rows, `bulk_create` elsewhere. Measured with bench/members_load.py:
docs/BENCHMARKS.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import multiprocessing
import os
import re
import signal
import tempfile
from array import array
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hoso.core import audit, permissions
from hoso.members import validators, workdays
from hoso.members.choices import DuesCategory, EventKind, MemberStatus, Sex
from hoso.members.models import Member, MemberEvent
from hoso.members.signals import members_imported
from hoso.organizations.models import Organization

CHUNK = 5000
MAX_REPORTED_ERRORS = 10_000
# Files smaller than this are validated in the calling process: forking the
# workers costs more than it saves (about 16,000 rows).
PARALLEL_MIN_BYTES = 4 * 1024 * 1024

# (header, description) — the order of the template.
COLUMNS: list[tuple[str, str]] = [
    ("cell_code", "Mã chi bộ / organization code (required)"),
    ("full_name", "Họ và tên đang dùng (required)"),
    ("birth_name", "Họ và tên khai sinh"),
    ("date_of_birth", "Ngày sinh DD/MM/YYYY (required)"),
    ("place_of_birth", "Nơi sinh"),
    ("sex", "Giới tính: Nam / Nữ (required)"),
    ("ethnicity", "Dân tộc (default Kinh)"),
    ("religion", "Tôn giáo"),
    ("hometown", "Quê quán"),
    ("residence", "Nơi cư trú"),
    ("citizen_id", "Số CCCD, 12 digits (required, the matching key)"),
    ("education_general", "Giáo dục phổ thông, e.g. 12/12"),
    ("political_theory", "Lý luận chính trị"),
    ("professional", "Chuyên môn nghiệp vụ"),
    ("languages", "Ngoại ngữ"),
    ("occupation_before", "Nghề nghiệp trước khi vào Đảng"),
    ("occupation", "Nghề nghiệp hiện nay"),
    ("admission_date", "Ngày vào Đảng DD/MM/YYYY (required)"),
    ("full_membership_date", "Ngày chính thức DD/MM/YYYY"),
    ("card_number", "Số thẻ đảng viên, 8 digits"),
    ("biography_number", "Số lý lịch: 6 digits + province code, e.g. 012345HN"),
    ("badge_number", "Số huy hiệu"),
    ("dues_category", "salaried / pensioner / other"),
    ("insured_salary", "Lương đóng BHXH hoặc lương hưu (VND)"),
]
HEADERS = [name for name, _desc in COLUMNS]
REQUIRED = {
    "cell_code",
    "full_name",
    "date_of_birth",
    "sex",
    "citizen_id",
    "admission_date",
}
# Profile fields compared and updated on re-import.
PROFILE = [h for h in HEADERS if h != "cell_code"] + ["status", "probation_ends"]
_LIMITS = {
    f.name: f.max_length
    for f in Member._meta.concrete_fields
    if getattr(f, "max_length", None)
}
# Text columns of the import with their limits (checked per row).
MAX_LENGTHS = {name: _LIMITS[name] for name in HEADERS if name in _LIMITS}
DATE_COLUMNS = frozenset({"date_of_birth", "admission_date", "full_membership_date"})
SEX_WORDS = {
    "nam": Sex.MALE,
    "male": Sex.MALE,
    "m": Sex.MALE,
    "nữ": Sex.FEMALE,
    "nu": Sex.FEMALE,
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
}
DUES_WORDS = {
    "": DuesCategory.OTHER,
    "salaried": DuesCategory.SALARIED,
    "hưởng lương": DuesCategory.SALARIED,
    "pensioner": DuesCategory.PENSIONER,
    "hưu trí": DuesCategory.PENSIONER,
    "other": DuesCategory.OTHER,
    "khác": DuesCategory.OTHER,
}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What a run found (dry run) or did (commit)."""

    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    committed: bool = False
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "committed": self.committed,
            "error_count": self.error_count,
            "errors": [e.__dict__ for e in self.errors],
            "sha256": self.sha256,
        }


# Reading ---------------------------------------------------------------------


def template_csv() -> bytes:
    """The CSV template: the header row and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerow(
        [
            "CB-01",
            "Nguyễn Thị Lan",
            "",
            "15/04/1990",
            "Xã Yên Phong, tỉnh Bắc Ninh",
            "Nữ",
            "Kinh",
            "Không",
            "Xã Yên Phong, tỉnh Bắc Ninh",
            "Thôn Đông, xã Yên Phong",
            "027190001234",
            "12/12",
            "Trung cấp",
            "Cử nhân Kinh tế",
            "Tiếng Anh B1",
            "Giáo viên",
            "Giáo viên",
            "03/02/2015",
            "03/02/2016",
            "12345678",
            "012345BN",
            "",
            "salaried",
            "8450000",
        ]
    )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "members"
    reader = csv.reader(io.StringIO(template_csv().decode("utf-8-sig")))
    for row in reader:
        sheet.append(row)
    notes = workbook.create_sheet("columns")
    for name, description in COLUMNS:
        notes.append([name, description])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def sniff_format(head: bytes) -> str:
    """'xlsx' or 'csv' from the content (a ZIP is an XLSX), never the name."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if b"\0" in head[:4096]:
        raise ValidationError({"file": _("The file is neither XLSX nor CSV.")})
    return "csv"


def read_rows(path: str) -> Iterator[tuple[int, dict]]:
    """(row number in the file, {header: text or date}) for each data row."""
    table = _read_table(path)
    headers = next(table)
    for number, values in table:
        yield number, dict(zip(headers, values, strict=False))


def _read_table(path: str) -> Iterator:
    """The (checked, lower-cased) header row first, then (row number, cell
    values) for each data row that is not blank."""
    with open(path, "rb") as handle:
        fmt = sniff_format(handle.read(4096))
    if fmt == "xlsx":
        return _read_xlsx(path)
    return _read_csv(path)


def _check_headers(headers: list[str]) -> list[str]:
    headers = [str(h or "").strip().lower() for h in headers]
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        raise ValidationError(
            {
                "file": _("The header row lacks the columns: %(columns)s")
                % {"columns": ", ".join(sorted(missing))}
            }
        )
    return headers


def _read_csv(path: str):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        try:
            reader = csv.reader(handle)
            yield _check_headers(next(reader, []))
            for number, values in enumerate(reader, start=2):
                # Blank when no cell has anything but spaces (one C-level
                # join instead of a generator per row).
                if not "".join(values).strip():
                    continue
                yield number, values
        except UnicodeDecodeError:
            raise ValidationError(
                {"file": _("The CSV file is not UTF-8 text.")}
            ) from None


def _read_xlsx(path: str):
    from openpyxl import load_workbook

    handle = open(path, "rb")  # noqa: SIM115 — closed with the workbook
    try:
        # A file object: openpyxl would judge a path by its extension.
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception:
        handle.close()  # noqa: BLE001 — any unreadable workbook is bad input
        raise ValidationError({"file": _("The XLSX file cannot be read.")}) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        yield _check_headers(list(next(rows, [])))
        for number, values in enumerate(rows, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            yield number, values
    finally:
        workbook.close()
        handle.close()


# Validation ------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if type(value) is not str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
    text = value.strip()
    # Cells are one line each (the staged rows are one line each).
    if "\n" in text or "\r" in text or "\t" in text or "  " in text:
        text = " ".join(text.split())
    return text


def parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    # Fast paths for the two documented forms (a million rows add up).
    if len(text) == 10 and text[2] == "/" and text[5] == "/":
        day, month, year = text[:2], text[3:5], text[6:]
        if day.isdigit() and month.isdigit() and year.isdigit():
            return date(int(year), int(month), int(day))
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


class _Context:
    """What validating a chunk needs from the database and the file so far."""

    def __init__(self, root: Organization):
        self.root = root
        self.units: dict[str, tuple[int, str] | None] = {}
        self.preloaded = False
        self.seen_ids: set[str] = set()
        self.seen_cards: set[str] = set()
        self.seen_bios: set[str] = set()
        self.today = timezone.localdate()
        self.card_digits = validators.card_number_digits()

    def preload_units(self) -> None:
        """Every organization members can be imported into, in one query
        (before forking workers, which have no database)."""
        from hoso.members.services import MEMBER_LEVELS

        self.units = {
            code: (pk, path)
            for code, pk, path in Organization.objects.filter(
                path__startswith=self.root.path, level__in=MEMBER_LEVELS
            )
            .order_by()
            .values_list("code", "pk", "path")
        }
        self.preloaded = True

    def for_chunk(self) -> _Context:
        """A copy sharing the organizations, with empty uniqueness sets:
        a chunk is validated alone, the parent checks the file-wide sets."""
        local = _Context.__new__(_Context)
        local.__dict__.update(self.__dict__)
        local.seen_ids, local.seen_cards, local.seen_bios = set(), set(), set()
        return local

    def unit(self, code: str):
        try:
            return self.units[code]
        except KeyError:
            if self.preloaded:
                return None
        org = Organization.objects.filter(code=code).values_list("pk", "path", "level")
        org = org.first()
        from hoso.members.services import MEMBER_LEVELS

        self.units[code] = (
            (org[0], org[1])
            if org and org[1].startswith(self.root.path) and org[2] in MEMBER_LEVELS
            else None
        )
        return self.units[code]


def clean_row(number: int, raw: dict, ctx: _Context) -> tuple[dict, list[RowError]]:
    """One row → clean values for the model, and its errors.

    A row that passes every rule (nearly all of a big file) takes the fast
    path; any doubt falls back to the rule-by-rule check, which reports the
    errors in column order. Both give the same result (a property test
    holds them to it)."""
    clean = _clean_row_fast(raw, ctx)
    if clean is not None:
        return clean, []
    return _clean_row_checked(number, raw, ctx)


def _clean_row_checked(
    number: int, raw: dict, ctx: _Context
) -> tuple[dict, list[RowError]]:
    """The rules one by one, every error with its column, in column order."""
    errors: list[RowError] = []
    clean: dict = {}

    def bad(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    for name in HEADERS:
        value = raw.get(name)
        text = _text(value) if not isinstance(value, date) else value
        if name in REQUIRED and text in ("", None):
            bad(name, _("This column is required."))
            continue
        if name in DATE_COLUMNS:
            if text in ("", None):
                clean[name] = None
                continue
            try:
                clean[name] = parse_date(value)
            except ValueError:
                bad(name, _("Not a date (DD/MM/YYYY)."))
            continue
        clean[name] = text
    unit = None
    if clean.get("cell_code"):
        unit = ctx.unit(clean["cell_code"])
        if unit is None:
            bad(
                "cell_code",
                _("No cell with this code under the chosen organization."),
            )
    if clean.get("sex"):
        sex = SEX_WORDS.get(clean["sex"].lower())
        if sex is None:
            bad("sex", _("Write Nam or Nữ."))
        clean["sex"] = sex
    category = DUES_WORDS.get((clean.get("dues_category") or "").lower())
    if category is None:
        bad("dues_category", _("Write salaried, pensioner or other."))
    clean["dues_category"] = category
    salary = (clean.get("insured_salary") or "").replace(".", "").replace(",", "")
    if salary:
        # isdigit() alone takes "²", which int() refuses.
        if not (salary.isascii() and salary.isdigit()):
            bad("insured_salary", _("Write the amount in đồng, digits only."))
            salary = None
        clean["insured_salary"] = int(salary) if salary else None
    else:
        clean["insured_salary"] = None
    for name, check, seen in (
        ("citizen_id", validators.validate_citizen_id, ctx.seen_ids),
        ("card_number", validators.validate_card_number, ctx.seen_cards),
        ("biography_number", validators.validate_biography_number, ctx.seen_bios),
    ):
        if not clean.get(name):
            clean[name] = None
            continue
        try:
            clean[name] = check(clean[name])
        except ValidationError as exc:
            bad(name, exc.messages[0])
            continue
        if clean[name] in seen:
            bad(name, _("The same number appears on an earlier row."))
        seen.add(clean[name])
    for name, limit in MAX_LENGTHS.items():
        value = clean.get(name)
        if value is not None and value.__class__ is str and len(value) > limit:
            bad(name, _("Longer than %(limit)d characters.") % {"limit": limit})
    born, admitted = clean.get("date_of_birth"), clean.get("admission_date")
    full = clean.get("full_membership_date")
    if born and born > ctx.today:
        bad("date_of_birth", _("The date of birth is in the future."))
    if admitted and admitted > ctx.today:
        bad("admission_date", _("The admission day is in the future."))
    if (
        born
        and admitted
        and not (
            workdays.add_months(born, 18 * 12)
            <= admitted
            <= workdays.add_months(born, 720)
        )
    ):
        bad("admission_date", _("Admitted outside the ages of 18 to 60."))
    if admitted and full and full < admitted:
        bad("full_membership_date", _("Full membership precedes the admission."))
    if admitted:
        clean["probation_ends"] = workdays.add_months(admitted, 12)
    clean["status"] = MemberStatus.FULL if full else MemberStatus.PROBATIONARY
    clean["organization_id"] = unit[0] if unit else None
    clean.pop("cell_code", None)
    return clean, errors


# The fast path reads the cells by position in this order.
assert HEADERS == [  # noqa: S101 — a module invariant, checked at import
    "cell_code", "full_name", "birth_name", "date_of_birth", "place_of_birth",
    "sex", "ethnicity", "religion", "hometown", "residence", "citizen_id",
    "education_general", "political_theory", "professional", "languages",
    "occupation_before", "occupation", "admission_date", "full_membership_date",
    "card_number", "biography_number", "badge_number", "dues_category",
    "insured_salary",
]  # fmt: skip
_SEX_PLAIN = {word: str(value) for word, value in SEX_WORDS.items()}
_DUES_PLAIN = {word: str(value) for word, value in DUES_WORDS.items()}
_BIOGRAPHY_PLAIN = re.compile(r"[0-9]{6}[A-ZĐ]{1,4}")
_FULL, _PROBATIONARY = str(MemberStatus.FULL), str(MemberStatus.PROBATIONARY)


@lru_cache(maxsize=65536)
def _cached_date(text: str) -> date | None:
    """`parse_date` of a clean cell, or None; a file repeats its dates."""
    try:
        return parse_date(text)
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def _admission_window(born: date) -> tuple[date, date]:
    """The 18th and 60th birthdays (admission is between them)."""
    return workdays.add_months(born, 18 * 12), workdays.add_months(born, 720)


@lru_cache(maxsize=65536)
def _probation_end(admitted: date) -> date:
    return workdays.add_months(admitted, 12)


# The order of `_clean_values_fast`'s values.
FAST_FIELDS = [*PROFILE, "organization_id"]
_LENGTH_CHECKS = tuple(
    (FAST_FIELDS.index(name), limit) for name, limit in MAX_LENGTHS.items()
)


def _clean_row_fast(raw: dict, ctx: _Context) -> dict | None:
    values = _clean_values_fast(raw, ctx)
    return None if values is None else dict(zip(FAST_FIELDS, values, strict=True))


def _clean_values_fast(raw: dict, ctx: _Context) -> list | None:
    """The clean values (in `FAST_FIELDS` order) of a row that passes every
    rule, or None when the row needs `_clean_row_checked` (an error, an
    unusual cell type, a separator to strip...). Never reports, never
    guesses: the same values and the same uniqueness bookkeeping as the
    checked path."""
    get = raw.get
    cells = [get(name, "") for name in HEADERS]
    try:
        joined = "\x1f".join(cells)
    except TypeError:  # None, numbers or dates from a workbook
        return None
    if "  " in joined or "\n" in joined or "\r" in joined or "\t" in joined:
        return None  # whitespace to fold: `_text` does it
    (
        cell_code, full_name, birth_name, date_of_birth, place_of_birth, sex,
        ethnicity, religion, hometown, residence, citizen_id, education_general,
        political_theory, professional, languages, occupation_before, occupation,
        admission_date, full_membership_date, card_number, biography_number,
        badge_number, dues_category, insured_salary,
    ) = [cell.strip() for cell in cells]  # fmt: skip
    if not (
        cell_code and full_name and date_of_birth and sex and citizen_id
        and admission_date
    ):  # fmt: skip
        return None
    unit = ctx.unit(cell_code)
    if unit is None:
        return None
    born = _cached_date(date_of_birth)
    admitted = _cached_date(admission_date)
    if born is None or admitted is None:
        return None
    full = None
    if full_membership_date:
        full = _cached_date(full_membership_date)
        if full is None or full < admitted:
            return None
    today = ctx.today
    if born > today or admitted > today:
        return None
    earliest, latest = _admission_window(born)
    if not earliest <= admitted <= latest:
        return None
    sex = _SEX_PLAIN.get(sex.lower())
    category = _DUES_PLAIN.get(dues_category.lower())
    if sex is None or category is None:
        return None
    salary = None
    if insured_salary:
        digits = insured_salary.replace(".", "").replace(",", "")
        if digits:
            if not (digits.isascii() and digits.isdigit()):
                return None
            salary = int(digits)
    if not (len(citizen_id) == 12 and citizen_id.isascii() and citizen_id.isdigit()):
        return None
    try:
        if not card_number:
            card_number = None
        elif not (
            len(card_number) == ctx.card_digits
            and card_number.isascii()
            and card_number.isdigit()
        ):
            card_number = validators.validate_card_number(card_number)
        if not biography_number:
            biography_number = None
        elif _BIOGRAPHY_PLAIN.fullmatch(biography_number) is None:
            biography_number = validators.validate_biography_number(biography_number)
    except ValidationError:
        return None
    if (
        citizen_id in ctx.seen_ids
        or (card_number is not None and card_number in ctx.seen_cards)
        or (biography_number is not None and biography_number in ctx.seen_bios)
    ):
        return None
    values = [
        full_name, birth_name, born, place_of_birth, sex, ethnicity, religion,
        hometown, residence, citizen_id, education_general, political_theory,
        professional, languages, occupation_before, occupation, admitted, full,
        card_number, biography_number, badge_number, category, salary,
        _FULL if full else _PROBATIONARY, _probation_end(admitted), unit[0],
    ]  # fmt: skip
    for index, limit in _LENGTH_CHECKS:
        value = values[index]
        if value is not None and len(value) > limit:
            return None
    ctx.seen_ids.add(citizen_id)
    if card_number is not None:
        ctx.seen_cards.add(card_number)
    if biography_number is not None:
        ctx.seen_bios.add(biography_number)
    return values


def _claimed_numbers(raw: dict) -> tuple[str | None, str | None, str | None]:
    """The citizen ID, card and biography numbers a row with errors still
    claims: the checked path marks each valid one as seen, so a later row
    with the same number is a duplicate even when this row is refused."""
    claimed = []
    for name, check in (
        ("citizen_id", validators.validate_citizen_id),
        ("card_number", validators.validate_card_number),
        ("biography_number", validators.validate_biography_number),
    ):
        text = _text(raw.get(name))
        try:
            claimed.append(check(text) if text else None)
        except ValidationError:
            claimed.append(None)
    return claimed[0], claimed[1], claimed[2]


# Staged rows: PostgreSQL COPY text format -----------------------------------

# Columns of the staged rows (and of the COPY), in order; the id is added when
# the row is written.
STAGED = [f.column for f in Member._meta.concrete_fields if f.column not in ("id",)]
_NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_UNESCAPE = re.compile(r"\\(.)")
_UNESCAPED = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def _staged_plan() -> list[tuple[str, object, bool]]:
    """(attname, default, takes the run's time) for each staged column."""
    plan = []
    for f in Member._meta.concrete_fields:
        if f.column == "id":
            continue
        if f.column in ("created", "updated"):
            plan.append((f.attname, None, True))
        else:
            default = f.get_default() if f.has_default() else None
            if default is None and not f.null:
                default = ""
            plan.append((f.attname, default, False))
    return plan


def _copy_text(value) -> str:
    """One value in COPY's text format (before escaping)."""
    if value is None:
        return _NULL
    if value.__class__ is str:
        return value
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_PLAN = _staged_plan()
_COLUMN_COUNT = len(_PLAN)


def staged_line(clean: dict, now: str) -> str:
    """A member's row as a line of COPY text (without the id): `clean`'s
    values, the model's defaults for the rest, `now` for the timestamps."""
    get = clean.get
    values = [
        now if is_now else get(attname, default) for attname, default, is_now in _PLAN
    ]
    return _profile_text(values) + "\n"


# Where `FAST_FIELDS` go in a staged line, and the rest of the line.
_SLOTS = [
    (position, FAST_FIELDS.index(attname))
    for position, (attname, _default, _now) in enumerate(_PLAN)
    if attname in FAST_FIELDS
]
_NOW_SLOTS = [position for position, (_a, _d, is_now) in enumerate(_PLAN) if is_now]
_TEMPLATE = [
    "" if is_now else _copy_text(default) for _attname, default, is_now in _PLAN
]
_TEMPLATE_NULLS = sum(
    1
    for position, text in enumerate(_TEMPLATE)
    if text == _NULL and position not in {p for p, _f in _SLOTS}
)
# Positions of the profile values in a staged line (to compare with a stored
# member's).
_PROFILE_SLOTS = [STAGED.index(Member._meta.get_field(n).column) for n in PROFILE]


def _line_from_values(values: list, now: str) -> str:
    """`staged_line` of the fast path's values (without building a dict)."""
    parts = _TEMPLATE.copy()
    for position in _NOW_SLOTS:
        parts[position] = now
    nulls = _TEMPLATE_NULLS
    for position, index in _SLOTS:
        value = values[index]
        if value.__class__ is str:
            parts[position] = value
        elif value is None:
            parts[position] = _NULL
            nulls += 1
        elif value.__class__ is date:
            parts[position] = value.isoformat()
        else:
            parts[position] = str(value)
    line = "\t".join(parts)
    if (
        line.count("\\") != nulls
        or line.count("\t") != _COLUMN_COUNT - 1
        or "\n" in line
        or "\r" in line
    ):
        return staged_line(dict(zip(FAST_FIELDS, values, strict=True)), now)
    return line + "\n"


def _profile_text(values) -> str:
    """Values as they are written in a staged line, tab-separated (escaped
    only when one needs it: rare, so the whole line is checked once)."""
    nulls = 0
    parts = []
    append = parts.append
    for value in values:
        if value.__class__ is str:
            append(value)
        elif value is None:
            nulls += 1
            append(_NULL)
        elif value.__class__ is date:
            append(value.isoformat())
        else:
            append(_copy_text(value))
    text = "\t".join(parts)
    if (
        text.count("\\") != nulls
        or text.count("\t") != len(parts) - 1
        or "\n" in text
        or "\r" in text
    ):
        text = "\t".join(
            _NULL if value is None else _copy_text(value).translate(_ESCAPES)
            for value in values
        )
    return text


def _profile_from_line(line: str) -> dict:
    """The profile values of a staged line, typed for an update."""
    values = _parse_staged_line(line)
    profile = {}
    for name, position in zip(PROFILE, _PROFILE_SLOTS, strict=True):
        text = values[position]
        field_ = Member._meta.get_field(name)
        profile[name] = None if text is None else field_.to_python(text)
    return profile


def _parse_staged_line(line: str) -> list[str | None]:
    """The values of a staged line (None for NULL)."""
    values: list[str | None] = []
    for part in line.rstrip("\n").split("\t"):
        if part == _NULL:
            values.append(None)
        elif "\\" in part:
            values.append(_UNESCAPE.sub(lambda m: _UNESCAPED.get(m[1], m[1]), part))
        else:
            values.append(part)
    return values


# Validating a chunk (in the calling process or a worker) --------------------

# What a worker was given when it was forked: the context and the run's time.
_WORKER: dict = {}


def import_workers(path: str) -> int:
    """How many processes validate this file: `MEMBERS_IMPORT_WORKERS` (2 by
    default) for a big file where processes can be forked, else one."""
    wanted = getattr(settings, "MEMBERS_IMPORT_WORKERS", 2)
    if (
        wanted < 2
        or "fork" not in multiprocessing.get_all_start_methods()
        # A daemonic process may not have children.
        or multiprocessing.current_process().daemon
    ):
        return 1
    return wanted if os.path.getsize(path) >= PARALLEL_MIN_BYTES else 1


def _init_worker(ctx: _Context, now: str, language: str | None) -> None:
    # A forked worker inherits its parent's signal handlers: one that only
    # sets a flag (a job worker's graceful stop, say) would keep the pool
    # from terminating it, and the import would wait for it for ever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER.update(ctx=ctx, now=now)
    if language:
        translation.activate(language)


def _validate_in_worker(headers: list[str], rows: list) -> tuple:
    return _validate_rows(headers, rows, _WORKER["ctx"], _WORKER["now"])


def _validate_rows(headers: list[str], rows: list, ctx: _Context, now: str):
    """Validate one chunk alone (no database: the organizations are in
    `ctx`). Returns, column-wise so it crosses between processes cheaply:
    {position in the chunk: errors} of the refused rows, then for every row
    its citizen ID, card and biography numbers (a refused row's are the ones
    it still claims), its organization id and its staged line (None for a
    refused row)."""
    local = ctx.for_chunk()
    refused: dict[int, list[RowError]] = {}
    ids, cards, bios, orgs, lines = [], [], [], [], []
    for position, (number, values) in enumerate(rows):
        raw = dict(zip(headers, values, strict=False))
        clean = _clean_values_fast(raw, local)
        if clean is None:
            clean = _clean_row_checked(number, raw, local)
            if clean[1]:
                refused[position] = clean[1]
                cid, card, bio = _claimed_numbers(raw)
                ids.append(cid)
                cards.append(card)
                bios.append(bio)
                orgs.append(None)
                lines.append(None)
                continue
            clean = [clean[0][name] for name in FAST_FIELDS]
        ids.append(clean[_ID])
        cards.append(clean[_CARD])
        bios.append(clean[_BIO])
        orgs.append(clean[_ORG])
        lines.append(_line_from_values(clean, now))
    return refused, ids, cards, bios, orgs, lines


_ID, _CARD, _BIO, _ORG = (
    FAST_FIELDS.index(name)
    for name in ("citizen_id", "card_number", "biography_number", "organization_id")
)


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# The run ---------------------------------------------------------------------


def run_import(
    path: str,
    organization: Organization,
    *,
    acting_user,
    commit: bool,
    report_limit: int = MAX_REPORTED_ERRORS,
    workers: int | None = None,
) -> ImportReport:
    """Validate the file (and, with `commit`, store it all or nothing).

    `workers` overrides `import_workers(path)` (2 or more validates in that
    many forked processes; the report is the same either way)."""
    if acting_user is not None and not permissions.has_permission(
        acting_user, "members.import_member", organization
    ):
        raise PermissionDenied
    report = ImportReport()
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    report.sha256 = digest.hexdigest()
    workers = import_workers(path) if workers is None else workers
    run = _Run(organization, report, report_limit)
    # The new members' lines wait in a temporary file: the look-ups see the
    # table as it was, and nothing is written until every row is known good.
    sink = _StagedSink() if commit else None
    try:
        run.sink = sink
        run.validate(path, workers)
        if commit and report.ok and (report.new or report.updated):
            with transaction.atomic():
                if report.new:
                    sink.close()
                    if connection.vendor == "postgresql":
                        sink.copy(run.now, run.ctx.today)
                    else:
                        ids = insert_staged(sink.path)
                        insert_events(ids, organization)
                run.finish(acting_user)
            report.committed = True
        return report
    finally:
        if sink is not None:
            sink.remove()


class _Run:
    """One import: the file-wide checks and the tallies, chunk by chunk."""

    def __init__(self, organization: Organization, report: ImportReport, limit):
        self.organization = organization
        self.report = report
        self.limit = limit
        self.ctx = _Context(organization)
        self.now = timezone.now().isoformat()
        self.updates: list[tuple[int, dict]] = []
        self.sink = None

    def validate(self, path: str, workers: int) -> None:
        table = _read_table(path)
        headers = next(table)
        chunks = _chunks(table, CHUNK)
        if workers < 2:
            for rows in chunks:
                self.add(
                    headers, rows, _validate_rows(headers, rows, self.ctx, self.now)
                )
            return
        # Workers have no database connection: they get the organizations.
        self.ctx.preload_units()
        forked = multiprocessing.get_context("fork")
        init = (self.ctx, self.now, translation.get_language())
        with forked.Pool(workers, initializer=_init_worker, initargs=init) as pool:
            pending: deque = deque()
            for rows in chunks:
                pending.append(
                    (rows, pool.apply_async(_validate_in_worker, (headers, rows)))
                )
                # A few chunks ahead keeps every worker busy, not the file
                # in memory.
                if len(pending) > 2 * workers:
                    rows, result = pending.popleft()
                    self.add(headers, rows, result.get())
            while pending:
                rows, result = pending.popleft()
                self.add(headers, rows, result.get())

    def _refuse(self, errors: list[RowError]) -> None:
        report = self.report
        report.error_count += len(errors)
        room = self.limit - len(report.errors)
        if room > 0:
            report.errors.extend(errors[:room])

    def add(self, headers: list[str], rows: list, result: tuple) -> None:
        """Take a validated chunk in file order: uniqueness within the file,
        then the look-ups in the table, then the new rows to the sink."""
        ctx = self.ctx
        seen_ids, seen_cards, seen_bios = ctx.seen_ids, ctx.seen_cards, ctx.seen_bios
        refused, ids, cards, bios, orgs, lines = result
        cleaned = []
        for position, (number, values) in enumerate(rows):
            cid, card, bio = ids[position], cards[position], bios[position]
            errors = refused.get(position)
            if (
                (cid is not None and cid in seen_ids)
                or (card is not None and card in seen_cards)
                or (bio is not None and bio in seen_bios)
            ):
                # A number from an earlier row: check the row again against
                # the whole file so far (it adds its own numbers).
                raw = dict(zip(headers, values, strict=False))
                errors = _clean_row_checked(number, raw, ctx)[1]
            else:
                if cid is not None:
                    seen_ids.add(cid)
                if card is not None:
                    seen_cards.add(card)
                if bio is not None:
                    seen_bios.add(bio)
            if errors:
                self._refuse(errors)
            else:
                cleaned.append(
                    (number, cid, card, bio, orgs[position], lines[position])
                )
        self.report.rows += len(rows)
        if cleaned:
            self._look_up(cleaned)

    def _look_up(self, cleaned: list[tuple]) -> None:
        report = self.report
        existing, taken_cards, taken_bios = _stored(
            [row[1] for row in cleaned],
            [row[2] for row in cleaned if row[2]],
            [row[3] for row in cleaned if row[3]],
        )
        new = []
        for number, key, card, bio, org_id, line in cleaned:
            errors = []
            if card and taken_cards.get(card, key) != key:
                errors.append(
                    RowError(
                        number, "card_number", _("Another member has this number.")
                    )
                )
            if bio and taken_bios.get(bio, key) != key:
                errors.append(
                    RowError(
                        number, "biography_number", _("Another member has this number.")
                    )
                )
            current = existing.get(key)
            if current and current[1] != org_id:
                errors.append(
                    RowError(
                        number,
                        "cell_code",
                        _(
                            "This member belongs to another cell: move them with a "
                            "transfer, not an import."
                        ),
                    )
                )
            if errors:
                self._refuse(errors)
                continue
            if current is None:
                report.new += 1
                new.append((line, org_id))
                continue
            fields = line.rstrip("\n").split("\t")
            if "\t".join([fields[p] for p in _PROFILE_SLOTS]) != current[2]:
                report.updated += 1
                self.updates.append((current[0], _profile_from_line(line)))
            else:
                report.unchanged += 1
        # Once a row is refused nothing will be committed: stop staging.
        if new and self.sink is not None and report.ok:
            self.sink.write(new)

    def finish(self, acting_user) -> None:
        """The updates, the signal and the audit entry (inside the commit's
        transaction)."""
        report = self.report
        for pk, values in self.updates:
            Member.objects.filter(pk=pk).update(**values, updated=timezone.now())
        members_imported.send(sender=Member, organization=self.organization)
        audit.record(
            "members.imported",
            actor=acting_user,
            organization=self.organization,
            object_type="members.import",
            object_repr=report.sha256[:16],
            changes={
                "rows": [None, report.rows],
                "new": [None, report.new],
                "updated": [None, report.updated],
                "unchanged": [None, report.unchanged],
                "sha256": [None, report.sha256],
            },
        )


_PROFILE_COLUMNS = [Member._meta.get_field(name).column for name in PROFILE]


_CID = 2 + PROFILE.index("citizen_id")


def _stored(ids: list[str], cards: list[str], bios: list[str]):
    """What the table already holds of a chunk: {citizen ID: (id,
    organization id, profile as staged text)} of the members with these
    citizen IDs, and {number: citizen ID} of those holding these card and
    biography numbers."""
    table = Member._meta.db_table
    if connection.vendor != "postgresql":
        members = Member.objects.order_by()
        return (
            {
                row[_CID]: (row[0], row[1], _profile_text(row[2:]))
                for row in members.filter(citizen_id__in=ids).values_list(
                    "id", "organization_id", *PROFILE
                )
            },
            dict(
                members.filter(card_number__in=cards).values_list(
                    "card_number", "citizen_id"
                )
            ),
            dict(
                members.filter(biography_number__in=bios).values_list(
                    "biography_number", "citizen_id"
                )
            ),
        )
    # One array parameter per query: 5,000 placeholders cost more to render
    # than the query costs to run. One plain `= ANY` per column, so each
    # uses its index (an OR of the three makes the planner scan the whole
    # table once it is big).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, organization_id, {', '.join(_PROFILE_COLUMNS)} "  # noqa: S608
            f"FROM {table} WHERE citizen_id = ANY(%s)",
            [ids],
        )
        existing = {
            row[_CID]: (row[0], row[1], _profile_text(row[2:]))
            for row in cursor.fetchall()
        }
        taken = []
        for column, numbers in (("card_number", cards), ("biography_number", bios)):
            found = {}
            if numbers:
                cursor.execute(
                    f"SELECT {column}, citizen_id FROM {table} "  # noqa: S608
                    f"WHERE {column} = ANY(%s)",
                    [numbers],
                )
                found = dict(cursor.fetchall())
            taken.append(found)
    return existing, taken[0], taken[1]


class _StagedSink:
    """The new members' staged lines in a temporary file (and their
    organizations), stored at the end."""

    def __init__(self):
        self.handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 — removed below
            "w", suffix=".tsv", encoding="utf-8", delete=False
        )
        self.path = self.handle.name
        self.organizations = array("q")

    def write(self, rows: list[tuple[str, int]]) -> None:
        self.handle.writelines([line for line, _org in rows])
        self.organizations.extend([org for _line, org in rows])

    def close(self) -> None:
        self.handle.close()

    def remove(self) -> None:
        self.handle.close()
        os.unlink(self.path)

    def copy(self, now: str, today: date) -> None:
        """COPY the members, then their "imported" timeline entries
        (PostgreSQL), ids from the member table's sequence."""
        ids = _allocate_ids(len(self.organizations))
        with connection.cursor() as cursor:
            with (
                open(self.path, encoding="utf-8") as src,
                cursor.cursor.copy(_MEMBER_COPY) as copy,
            ):
                batch: list[str] = []
                for pk, line in zip(ids, src, strict=True):
                    batch.append(f"{pk}\t{line}")
                    if len(batch) >= 5000:
                        copy.write("".join(batch))
                        batch.clear()
                copy.write("".join(batch))
            head = f"\t{EventKind.IMPORTED}\t{today.isoformat()}\t"
            tail = f"\t\t{{}}\t{now}\n"
            with cursor.cursor.copy(_EVENT_COPY) as copy:
                for start in range(0, len(ids), 5000):
                    copy.write(
                        "".join(
                            [
                                f"{pk}{head}{org}{tail}"
                                for pk, org in zip(
                                    ids[start : start + 5000],
                                    self.organizations[start : start + 5000],
                                    strict=True,
                                )
                            ]
                        )
                    )


_MEMBER_COPY = f"COPY {Member._meta.db_table} ({', '.join(['id', *STAGED])}) FROM STDIN"
_EVENT_COPY = (
    f"COPY {MemberEvent._meta.db_table} "
    '(member_id, kind, "on", organization_id, note, details, created) FROM STDIN'
)


def _allocate_ids(count: int) -> list[int]:
    table = Member._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_lines(lines: Iterable[str]) -> int:
    """Stream staged lines (`staged_line`) into the member table with one
    COPY (PostgreSQL), the ids from the table's default; return the count.
    The server stores each batch while the caller makes the next."""
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(_MEMBER_COPY_WITHOUT_ID) as copy,
    ):
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= 5000:
                copy.write("".join(batch))
                count += len(batch)
                batch.clear()
        if batch:
            copy.write("".join(batch))
            count += len(batch)
    return count


_MEMBER_COPY_WITHOUT_ID = (
    f"COPY {Member._meta.db_table} ({', '.join(STAGED)}) FROM STDIN"
)


def insert_staged(staged_path: str) -> list[int]:
    """The portable path: read the staged lines back and bulk_create them."""
    fields = [f for f in Member._meta.concrete_fields if f.column != "id"]
    ids: list[int] = []
    batch: list[Member] = []

    def flush():
        created = Member.objects.bulk_create(batch, batch_size=500)
        ids.extend(m.pk for m in created)
        batch.clear()

    with open(staged_path, encoding="utf-8") as src:
        for line in src:
            member = Member()
            for f, text in zip(fields, _parse_staged_line(line), strict=True):
                if text is None:
                    value = None
                elif f.get_internal_type() == "BinaryField":
                    value = bytes(text, "utf-8")
                else:
                    value = f.to_python(text) if text != "" else text
                setattr(member, f.attname, value)
            batch.append(member)
            if len(batch) >= 2000:
                flush()
    if batch:
        flush()
    if None in ids:  # backends without RETURNING on bulk inserts
        raise RuntimeError("bulk_create did not return primary keys")
    return ids


def insert_events(ids: list[int], organization) -> None:
    """One "imported" timeline entry per new member (the portable path)."""
    today = timezone.localdate()
    for start in range(0, len(ids), 5000):
        part = ids[start : start + 5000]
        orgs = dict(
            Member.objects.filter(pk__in=part).values_list("pk", "organization_id")
        )
        MemberEvent.objects.bulk_create(
            [
                MemberEvent(
                    member_id=pk,
                    kind=EventKind.IMPORTED,
                    on=today,
                    organization_id=orgs[pk],
                )
                for pk in part
            ],
            batch_size=1000,
        )
