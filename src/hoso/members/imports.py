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

It runs in two passes over chunks of rows and never holds the whole file
in memory: the first validates and writes the new members' clean rows to a
temporary CSV; the commit streams that file into the table (PostgreSQL
`COPY`, elsewhere `bulk_create`), so a million rows load in well under two
minutes (bench/members_load.py).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoso.core import audit, permissions
from hoso.members import validators, workdays
from hoso.members.choices import DuesCategory, EventKind, MemberStatus, Sex
from hoso.members.models import Member, MemberEvent
from hoso.members.signals import members_imported
from hoso.organizations.models import Organization

CHUNK = 5000
MAX_REPORTED_ERRORS = 10_000

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
    with open(path, "rb") as handle:
        fmt = sniff_format(handle.read(4096))
    if fmt == "xlsx":
        yield from _read_xlsx(path)
    else:
        yield from _read_csv(path)


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
            headers = _check_headers(next(reader, []))
            for number, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                yield number, dict(zip(headers, values, strict=False))
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
        headers = _check_headers(list(next(rows, [])))
        for number, values in enumerate(rows, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            yield number, dict(zip(headers, values, strict=False))
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
    # Cells are one line each (the staged CSV is read line by line).
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
        self.seen_ids: set[str] = set()
        self.seen_cards: set[str] = set()
        self.seen_bios: set[str] = set()
        self.today = timezone.localdate()

    def unit(self, code: str):
        if code not in self.units:
            org = (
                Organization.objects.filter(code=code)
                .values_list("pk", "path", "level")
                .first()
            )
            from hoso.members.services import MEMBER_LEVELS

            self.units[code] = (
                (org[0], org[1])
                if org and org[1].startswith(self.root.path) and org[2] in MEMBER_LEVELS
                else None
            )
        return self.units[code]


def clean_row(number: int, raw: dict, ctx: _Context) -> tuple[dict, list[RowError]]:
    """One row → clean values for the model, and its errors."""
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
        if not salary.isdigit():
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


# The run ---------------------------------------------------------------------

# Columns of the staged CSV (and of the COPY), in order.
STAGED = [f.column for f in Member._meta.concrete_fields if f.column not in ("id",)]
NOT_NULL_TEXT = [
    f.column
    for f in Member._meta.concrete_fields
    if not f.null and f.get_internal_type() in ("CharField", "TextField")
]


def _staged_plan() -> list[tuple[str, str, object]]:
    """(column kind, attname, default) for each staged column."""
    plan = []
    for f in Member._meta.concrete_fields:
        if f.column == "id":
            continue
        if f.column in ("created", "updated"):
            plan.append(("now", f.attname, None))
        else:
            default = f.get_default() if f.has_default() else None
            plan.append(("value", f.attname, "" if default is None else default))
    return plan


_PLAN = _staged_plan()


def _staged_row(clean: dict, now: str) -> list:
    row = []
    append = row.append
    for kind, attname, default in _PLAN:
        if kind == "now":
            append(now)
            continue
        value = clean.get(attname, default)
        append("" if value is None else value)
    return row


def _differs(existing: dict, clean: dict) -> bool:
    return any(existing.get(name) != clean.get(name) for name in PROFILE)


def run_import(
    path: str,
    organization: Organization,
    *,
    acting_user,
    commit: bool,
    report_limit: int = MAX_REPORTED_ERRORS,
) -> ImportReport:
    """Validate the file (and, with `commit`, store it all or nothing)."""
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
    ctx = _Context(organization)
    now = timezone.now().isoformat()
    updates: list[tuple[int, dict]] = []
    staged = tempfile.NamedTemporaryFile(  # noqa: SIM115 — removed below
        "w", suffix=".csv", newline="", encoding="utf-8", delete=False
    )
    try:
        writer = csv.writer(staged)
        chunk: list[tuple[int, dict]] = []

        def flush() -> None:
            _validate_chunk(chunk, ctx, report, writer, updates, now, report_limit)
            chunk.clear()

        for number, raw in read_rows(path):
            chunk.append((number, raw))
            if len(chunk) >= CHUNK:
                flush()
        flush()
        staged.close()
        if commit and report.ok and (report.new or report.updated):
            _commit(staged.name, report, updates, organization, acting_user)
        return report
    finally:
        staged.close()
        os.unlink(staged.name)


def _validate_chunk(chunk, ctx, report, writer, updates, now, report_limit):
    cleaned = []
    for number, raw in chunk:
        report.rows += 1
        clean, errors = clean_row(number, raw, ctx)
        if errors:
            report.error_count += len(errors)
            room = report_limit - len(report.errors)
            report.errors.extend(errors[: max(room, 0)])
        else:
            cleaned.append((number, clean))
    if not cleaned:
        return
    ids = [c["citizen_id"] for _n, c in cleaned]
    existing = {
        row["citizen_id"]: row
        for row in Member.objects.filter(citizen_id__in=ids)
        .order_by()
        .values("id", "organization_id", *PROFILE)
    }
    cards = [c["card_number"] for _n, c in cleaned if c["card_number"]]
    bios = [c["biography_number"] for _n, c in cleaned if c["biography_number"]]
    taken_cards = dict(
        Member.objects.filter(card_number__in=cards)
        .order_by()
        .values_list("card_number", "citizen_id")
    )
    taken_bios = dict(
        Member.objects.filter(biography_number__in=bios)
        .order_by()
        .values_list("biography_number", "citizen_id")
    )
    for number, clean in cleaned:
        errors = []
        key = clean["citizen_id"]
        if clean["card_number"] and taken_cards.get(clean["card_number"], key) != key:
            errors.append(
                RowError(number, "card_number", _("Another member has this number."))
            )
        if clean["biography_number"] and (
            taken_bios.get(clean["biography_number"], key) != key
        ):
            errors.append(
                RowError(
                    number, "biography_number", _("Another member has this number.")
                )
            )
        current = existing.get(key)
        if current and current["organization_id"] != clean["organization_id"]:
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
            report.error_count += len(errors)
            room = report_limit - len(report.errors)
            report.errors.extend(errors[: max(room, 0)])
            continue
        if current is None:
            report.new += 1
            writer.writerow(_staged_row(clean, now))
        elif _differs(current, clean):
            report.updated += 1
            updates.append((current["id"], {k: clean[k] for k in PROFILE}))
        else:
            report.unchanged += 1


def _commit(staged_path, report, updates, organization, acting_user) -> None:
    with transaction.atomic():
        if report.new:
            if connection.vendor == "postgresql":
                ids = copy_staged(staged_path, report.new)
            else:
                ids = insert_staged(staged_path)
            insert_events(ids, organization)
        for pk, values in updates:
            Member.objects.filter(pk=pk).update(**values, updated=timezone.now())
        members_imported.send(sender=Member, organization=organization)
        audit.record(
            "members.imported",
            actor=acting_user,
            organization=organization,
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
    report.committed = True


def _allocate_ids(count: int) -> list[int]:
    table = Member._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_staged(staged_path: str, count: int) -> list[int]:
    """Stream the staged rows into the member table with COPY (PostgreSQL),
    with ids taken from the table's sequence; return the ids."""
    ids = _allocate_ids(count)
    table = Member._meta.db_table
    columns = ", ".join(["id", *STAGED])
    force = ", ".join(NOT_NULL_TEXT)
    sql = (
        f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, "
        f"FORCE_NOT_NULL ({force}))"
    )
    with (
        connection.cursor() as cursor,
        open(staged_path, encoding="utf-8") as src,
        cursor.cursor.copy(sql) as copy,
    ):
        buffer: list[str] = []
        for pk, line in zip(ids, src, strict=True):
            buffer.append(f"{pk},{line}")
            if len(buffer) >= 5000:
                copy.write("".join(buffer))
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))
    return ids


def insert_staged(staged_path: str) -> list[int]:
    """The portable path: read the staged rows back and bulk_create them."""
    fields = [f for f in Member._meta.concrete_fields if f.column != "id"]
    ids: list[int] = []
    batch: list[Member] = []

    def flush():
        created = Member.objects.bulk_create(batch, batch_size=500)
        ids.extend(m.pk for m in created)
        batch.clear()

    with open(staged_path, encoding="utf-8", newline="") as src:
        for values in csv.reader(src):
            member = Member()
            for f, text in zip(fields, values, strict=True):
                if text == "" and f.null:
                    value = None
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
    """One "imported" timeline entry per new member."""
    today = timezone.localdate()
    if connection.vendor == "postgresql":
        table = MemberEvent._meta.db_table
        member_table = Member._meta.db_table
        with connection.cursor() as cursor:
            # Table names come from the models, values are parameters.
            sql = (
                f'INSERT INTO {table} (member_id, kind, "on", organization_id, '  # noqa: S608
                "note, details, created) "
                f"SELECT m.id, %s, %s, m.organization_id, '', '{{}}', now() "
                f"FROM {member_table} m WHERE m.id = ANY(%s)"
            )
            cursor.execute(
                sql,
                [EventKind.IMPORTED, today, ids],
            )
        return
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
