"""Printable registers: the incoming, outgoing, internal and follow-up
registers (sổ đăng ký văn bản) as XLSX or PDF.

The registers are official Vietnamese forms (Nghị định 30/2020/NĐ-CP, see
SPEC §5), so titles, column headers, status words and marks are Vietnamese
whatever the user's language.

Memory stays bounded however large the register: rows stream from the
database with `.iterator(chunk_size=…)` (related rows are prefetched per
chunk, so there is no N+1), the XLSX is written by openpyxl's write-only
workbook straight to a spooled temporary file, and the PDF is laid out by
WeasyPrint a chunk of rows at a time, the chunks' pages being joined with
pypdf while the page numbers continue across them. A register is cut at
`MAX_ROWS` rows with a message row saying so.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from django.db.models import Max, Min, Prefetch
from django.http import FileResponse
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from hoso.core import audit
from hoso.documents.choices import AssignmentRole, Direction, Status, Urgency
from hoso.documents.models import (
    Assignment,
    CaseFile,
    Document,
    DocumentEvent,
    Recipient,
)
from hoso.documents.models.document import OPEN_INCOMING

# A register longer than this is cut, with a message row: narrow the period.
MAX_ROWS = 100_000
# A PDF lays out ~100 rows a second; past this, the XLSX (or a shorter
# period) is the way, so a web request never runs for minutes.
MAX_PDF_ROWS = 5_000
# Rows fetched (and their related rows prefetched) per database round trip.
CHUNK_SIZE = 2000
# Rows laid out per WeasyPrint run: keeps the layout tree (≈100 MB per
# thousand rows) small, and is faster per row than longer runs; page numbers
# continue across runs.
PDF_CHUNK_ROWS = 500
# Up to this many organizations are named in the heading; more than that (a
# register spanning a subtree) is headed by the user's own organization.
MAX_HEADING_ORGANIZATIONS = 3
# Output files bigger than this go from memory to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024
# Excel refuses longer cell texts.
XLSX_MAX_CELL_TEXT = 32_767

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"

# Rows above the column headers in the XLSX: organization, title, period,
# blank. The header row is the next one and is repeated on every page.
XLSX_HEADER_ROW = 5

# Marks written in the "Ghi chú" column, as printed on the documents.
URGENCY_MARKS = {
    Urgency.URGENT: "Khẩn",
    Urgency.VERY_URGENT: "Thượng khẩn",
    Urgency.FLASH: "Hỏa tốc",
    Urgency.FLASH_TIMED: "Hỏa tốc hẹn giờ",
}
SECRECY_MARKS = {1: "Mật", 2: "Tối mật", 3: "Tuyệt mật"}
# Status words of the follow-up register's "Tiến độ" column.
PROGRESS_LABELS = {
    Status.RECEIVED: "Chưa vào sổ",
    Status.REGISTERED: "Đã vào sổ, chưa trình",
    Status.PRESENTED: "Đã trình lãnh đạo",
    Status.INSTRUCTED: "Đã có ý kiến chỉ đạo",
    Status.PROCESSING: "Đang giải quyết",
    Status.COMPLETED: "Đã giải quyết",
    Status.REFUSED: "Đã từ chối",
    Status.WITHDRAWN: "Bên gửi đã thu hồi",
}
# Status notes added to "Ghi chú" (a register keeps the row, with the note).
STATUS_NOTES = {
    Status.REFUSED: "Đã từ chối",
    Status.WITHDRAWN: "Bên gửi đã thu hồi",
    Status.RECALLED: "Đã thu hồi",
}
# Timeline actions giving "Ngày chuyển": when the document left the clerk.
HANDOVER_ACTIONS = {
    Direction.INCOMING: ["presented", "instructed"],
    Direction.OUTGOING: ["issued"],
    Direction.INTERNAL: ["issued"],
}

Value = str | int | date | None


@dataclass(frozen=True)
class Column:
    """One column of a register form: its header and its width (characters
    in the XLSX, proportional in the PDF)."""

    header: str
    width: int


@dataclass(frozen=True)
class RegisterForm:
    """The layout of one register: title, columns, the date that gives its
    period and order, and how a document becomes a row."""

    slug: str
    title: str
    columns: tuple[Column, ...]
    row: Callable[[Document, date], list[Value]]
    prefetch: Callable[[Any], list[Prefetch]]
    date_field: str
    ordering: tuple[Any, ...]
    select_related: tuple[str, ...] = ("doc_type", "organization")

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]


@dataclass
class Heading:
    """What is printed above the table."""

    organizations: list[str]
    title: str
    period: str
    years: str  # for the file name: "2026" or "2025-2026"


@dataclass
class Tally:
    """What was actually exported (counted while streaming)."""

    rows: int = 0
    classified: int = 0
    truncated: bool = False
    limit: int = MAX_ROWS
    organizations: list = field(default_factory=list)


# Cell values -----------------------------------------------------------------


def clean_text(value: str) -> str:
    """Text safe for both outputs: control characters (which XLSX refuses and
    which have no business in a printed form) removed, line ends kept."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", value).strip()


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy, or empty."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def _local_date(value: datetime | None) -> date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if timezone.is_aware(value) else value


def _marks(document: Document) -> str:
    """Urgency and secrecy marks, then a status note, for "Ghi chú"."""
    marks = [
        URGENCY_MARKS.get(document.urgency),
        SECRECY_MARKS.get(document.secrecy),
        STATUS_NOTES.get(document.status),
    ]
    return ", ".join(mark for mark in marks if mark)


def _type_and_excerpt(document: Document) -> str:
    return clean_text(f"{document.doc_type.name} {document.excerpt}")


def _assignee(assignment: Assignment) -> str:
    if assignment.person is not None:
        return assignment.person.full_name
    return assignment.organization.name if assignment.organization else ""


def _receivers(document: Document, *, with_coordinators: bool = False) -> str:
    """The lead assignee(s), else the leader it was presented to."""
    assignments = document.register_assignments
    leads = [_assignee(a) for a in assignments if a.role == AssignmentRole.LEAD]
    lines = [", ".join(leads)] if leads else []
    if not lines and document.presented_to is not None:
        lines.append(document.presented_to.full_name)
    if with_coordinators:
        others = [
            _assignee(a) for a in assignments if a.role == AssignmentRole.COORDINATE
        ]
        if others:
            lines.append("Phối hợp: " + ", ".join(others))
    return clean_text("\n".join(lines))


def _handover_date(document: Document) -> date | None:
    """The day the document left the clerk: first presented/instructed
    (incoming) or issued (outgoing) event."""
    events = document.register_events
    return _local_date(events[0].at) if events else None


def _deadline(document: Document) -> date | None:
    if document.due_date is not None:
        return document.due_date
    deadlines = [
        a.deadline
        for a in document.register_assignments
        if a.role == AssignmentRole.LEAD and a.deadline is not None
    ]
    return min(deadlines) if deadlines else None


def _progress(document: Document, today: date) -> str:
    """The status in words, with lateness: "Quá hạn 3 ngày" for an open
    document past its deadline, "(quá hạn)" for one completed late."""
    label = PROGRESS_LABELS.get(document.status, document.get_status_display())
    deadline = _deadline(document)
    if document.status == Status.COMPLETED:
        done = _local_date(document.completed_at)
        if done is not None:
            label = f"{label} ngày {format_date(done)}"
            if deadline is not None and done > deadline:
                label += " (quá hạn)"
        return label
    if document.status in OPEN_INCOMING and deadline is not None and deadline < today:
        return f"{label}\nQuá hạn {(today - deadline).days} ngày"
    return label


# The rows of each register ---------------------------------------------------


def _incoming_row(document: Document, today: date) -> list[Value]:
    return [
        _local_date(document.arrival_date),
        document.arrival_number,
        clean_text(document.issuer_name),
        clean_text(document.symbol),
        document.issued_date,
        _type_and_excerpt(document),
        _receivers(document),
        _handover_date(document),
        "",  # Ký nhận: signed by hand on the printed register
        _marks(document),
    ]


def _outgoing_row(document: Document, today: date) -> list[Value]:
    recipients = clean_text(document.recipients_text) or ", ".join(
        recipient.organization.name for recipient in document.register_dispatches
    )
    return [
        clean_text(document.symbol),
        document.issued_date,
        _type_and_excerpt(document),
        clean_text(document.signer_name),
        recipients,
        _file_copy_keeper(document),
        document.copies,
        _handover_date(document),
        "",  # Ký nhận
        _marks(document),
    ]


def _file_copy_keeper(document: Document) -> str:
    """Where the file copy went: the case file(s) and their keepers, else the
    drafter (who keeps the unit's copy until it is filed)."""
    kept = []
    for case_file in document.register_case_files:
        keeper = f" ({case_file.keeper.full_name})" if case_file.keeper else ""
        kept.append(f"Hồ sơ {case_file.code}{keeper}")
    if kept:
        return clean_text("\n".join(kept))
    person = getattr(document.created_by, "person", None)
    return clean_text(person.full_name) if person else ""


def _follow_up_row(document: Document, today: date) -> list[Value]:
    heading = document.doc_type.name
    if document.symbol:
        heading += f" số {document.symbol}"
    if document.issued_date:
        heading += f" ngày {format_date(document.issued_date)}"
    replies = [reply.symbol for reply in document.register_replies if reply.symbol]
    return [
        document.arrival_number,
        clean_text(f"{heading}\n{document.excerpt}"),
        _receivers(document, with_coordinators=True),
        _deadline(document),
        _progress(document, today),
        clean_text(", ".join(replies)),
        _marks(document),
    ]


# What each register prefetches (per chunk of CHUNK_SIZE rows) ----------------


def _events(direction: str) -> Prefetch:
    return Prefetch(
        "events",
        queryset=DocumentEvent.objects.filter(action__in=HANDOVER_ACTIONS[direction])
        .only("id", "document_id", "at", "action")
        .order_by("at", "id"),
        to_attr="register_events",
    )


def _assignments() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(
            role__in=[AssignmentRole.LEAD, AssignmentRole.COORDINATE]
        )
        .select_related("person", "organization")
        .order_by("role", "id"),
        to_attr="register_assignments",
    )


def _incoming_prefetch(user) -> list[Prefetch]:
    return [_assignments(), _events(Direction.INCOMING)]


def _outgoing_prefetch(user) -> list[Prefetch]:
    return [
        _events(Direction.OUTGOING),
        Prefetch(
            "dispatches",
            queryset=Recipient.objects.select_related("organization"),
            to_attr="register_dispatches",
        ),
        Prefetch(
            "case_files",
            queryset=CaseFile.objects.select_related("keeper").order_by("code"),
            to_attr="register_case_files",
        ),
    ]


def _follow_up_prefetch(user) -> list[Prefetch]:
    # Only replies the exporting user may see are named: a reply classified
    # above their clearance must not leak even its symbol.
    replies = (
        Document.objects.restrict(user, "view")
        .only("id", "reply_to_id", "symbol", "issued_date")
        .order_by("issued_date", "id")
    )
    return [
        *_incoming_prefetch(user),
        Prefetch("replies", queryset=replies, to_attr="register_replies"),
    ]


_INCOMING_ORDER = ("register_year", "arrival_number", "arrival_date", "id")
_OUTGOING_ORDER = ("issued_date", "number", "id")

INCOMING = RegisterForm(
    slug="so-van-ban-den",
    title="SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
    columns=(
        Column("Ngày đến", 13),
        Column("Số đến", 8),
        Column("Tác giả", 24),
        Column("Số ký hiệu", 16),
        Column("Ngày tháng VB", 13),
        Column("Tên loại và trích yếu", 48),
        Column("Đơn vị/người nhận", 22),
        Column("Ngày chuyển", 13),
        Column("Ký nhận", 12),
        Column("Ghi chú", 16),
    ),
    row=_incoming_row,
    prefetch=_incoming_prefetch,
    date_field="arrival_date",
    ordering=_INCOMING_ORDER,
    select_related=("doc_type", "organization", "presented_to"),
)
_OUTGOING_COLUMNS = (
    Column("Số ký hiệu", 16),
    Column("Ngày tháng", 13),
    Column("Tên loại và trích yếu", 44),
    Column("Người ký", 20),
    Column("Nơi nhận", 28),
    Column("Đơn vị/người nhận bản lưu", 22),
    Column("Số lượng bản", 9),
    Column("Ngày chuyển", 13),
    Column("Ký nhận", 12),
    Column("Ghi chú", 16),
)
OUTGOING = RegisterForm(
    slug="so-van-ban-di",
    title="SỔ ĐĂNG KÝ VĂN BẢN ĐI",
    columns=_OUTGOING_COLUMNS,
    row=_outgoing_row,
    prefetch=_outgoing_prefetch,
    date_field="issued_date",
    ordering=_OUTGOING_ORDER,
    select_related=("doc_type", "organization", "created_by__person"),
)
INTERNAL = RegisterForm(
    slug="so-van-ban-noi-bo",
    title="SỔ ĐĂNG KÝ VĂN BẢN NỘI BỘ",
    columns=_OUTGOING_COLUMNS,
    row=_outgoing_row,
    prefetch=_outgoing_prefetch,
    date_field="issued_date",
    ordering=_OUTGOING_ORDER,
    select_related=("doc_type", "organization", "created_by__person"),
)
FOLLOW_UP = RegisterForm(
    slug="so-theo-doi-giai-quyet-van-ban-den",
    title="SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN",
    columns=(
        Column("Số đến", 8),
        Column("Văn bản", 52),
        Column("Đơn vị/người nhận", 26),
        Column("Thời hạn giải quyết", 13),
        Column("Tiến độ", 22),
        Column("Số ký hiệu VB trả lời", 18),
        Column("Ghi chú", 16),
    ),
    row=_follow_up_row,
    prefetch=_follow_up_prefetch,
    date_field="arrival_date",
    ordering=_INCOMING_ORDER,
    select_related=("doc_type", "organization", "presented_to"),
)
FORMS = {
    Direction.INCOMING: INCOMING,
    Direction.OUTGOING: OUTGOING,
    Direction.INTERNAL: INTERNAL,
}


def register_form(direction: str, *, follow_up: bool = False) -> RegisterForm:
    """The form of a direction's register (or of the follow-up register)."""
    if follow_up:
        if direction != Direction.INCOMING:
            raise ValueError("The follow-up register is for incoming documents.")
        return FOLLOW_UP
    try:
        return FORMS[direction]
    except KeyError:
        raise ValueError(f"No register for direction {direction!r}.") from None


def register_entries(queryset, direction: str):
    """Documents that belong in a printed register: registered incoming
    documents (they have an arrival number); issued (or since recalled)
    outgoing and internal documents. Drafts and unregistered arrivals have
    no number to write down."""
    if direction == Direction.INCOMING:
        return queryset.filter(arrival_number__isnull=False)
    return queryset.filter(status__in=[Status.ISSUED, Status.RECALLED])


# Streaming rows --------------------------------------------------------------


def _ordered(form: RegisterForm, queryset):
    return (
        queryset.select_related(*form.select_related)
        .defer("body")
        .order_by(*form.ordering)
    )


def stream_rows(
    form: RegisterForm, queryset, *, user, tally: Tally, limit: int = MAX_ROWS
) -> Iterator[list[Value]]:
    """The register's rows, one document at a time, at most `limit`; counts
    rows and classified rows in `tally` and flags a cut."""
    tally.limit = limit
    today = timezone.localdate()
    documents = queryset.prefetch_related(*form.prefetch(user))[: limit + 1].iterator(
        chunk_size=CHUNK_SIZE
    )
    for index, document in enumerate(documents):
        if index >= limit:
            tally.truncated = True
            break
        tally.rows += 1
        if document.secrecy > 0:
            tally.classified += 1
        yield form.row(document, today)


def truncation_message(limit: int = MAX_ROWS) -> str:
    text = f"{limit:,}".replace(",", ".")
    return (
        f"Sổ chỉ in {text} dòng đầu: còn văn bản chưa được in. "
        "Hãy lọc theo khoảng thời gian ngắn hơn (hoặc tải bản XLSX) để in "
        "phần còn lại."
    )


def _heading(form: RegisterForm, queryset, user, tally: Tally) -> Heading:
    """Organization name(s), title, period and year(s) of the register; the
    organizations are also kept in `tally` for the audit entry."""
    from hoso.accounts.models import Position
    from hoso.organizations.models import Organization

    span = queryset[:MAX_ROWS].aggregate(
        first=Min(form.date_field),
        last=Max(form.date_field),
        first_year=Min("register_year"),
        last_year=Max("register_year"),
    )
    first, last = span["first"], span["last"]
    if isinstance(first, datetime):
        first, last = _local_date(first), _local_date(last)
    if first is None:
        period = "—"
    elif first == last:
        period = f"Ngày {format_date(first)}"
    else:
        period = f"Từ ngày {format_date(first)} đến ngày {format_date(last)}"
    first_year, last_year = span["first_year"], span["last_year"]
    if first_year is None:
        years = str(timezone.localdate().year)
    elif first_year == last_year:
        years = str(first_year)
    else:
        years = f"{first_year}-{last_year}"

    organizations = list(
        Organization.objects.filter(
            pk__in=queryset.order_by().values("organization_id")
        )
        .only("id", "name", "path")
        .order_by("path")[: MAX_HEADING_ORGANIZATIONS + 1]
    )
    if not organizations or len(organizations) > MAX_HEADING_ORGANIZATIONS:
        # An empty register, or one spanning a subtree: head it with the
        # organization(s) the user works for.
        positions = (
            Position.objects.current()
            .filter(person__user=user)
            .select_related("organization")
            .order_by("organization__path")
        )
        own = {p.organization_id: p.organization for p in positions}
        if own:
            organizations = list(own.values())[:MAX_HEADING_ORGANIZATIONS]
    tally.organizations = organizations
    return Heading(
        organizations=[org.name for org in organizations],
        title=form.title,
        period=period,
        years=years,
    )


# XLSX ------------------------------------------------------------------------


def build_xlsx(form: RegisterForm, heading: Heading, rows, tally: Tally):
    """The register as an XLSX file object (rewound): a write-only workbook,
    whose rows go straight to a temporary file as they are appended."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(form.title[:31])
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    top_wrap = Alignment(wrap_text=True, vertical="top")
    styles = {
        "organization": NamedStyle(name="register-organization", font=Font(bold=True)),
        "title": NamedStyle(
            name="register-title",
            font=Font(bold=True, size=14),
            alignment=Alignment(horizontal="center"),
        ),
        "period": NamedStyle(
            name="register-period",
            font=Font(italic=True),
            alignment=Alignment(horizontal="center"),
        ),
        "header": NamedStyle(
            name="register-header",
            font=Font(bold=True),
            border=border,
            alignment=Alignment(wrap_text=True, horizontal="center", vertical="center"),
        ),
        "text": NamedStyle(name="register-text", border=border, alignment=top_wrap),
        "date": NamedStyle(
            name="register-date",
            border=border,
            alignment=top_wrap,
            number_format="DD/MM/YYYY",
        ),
        "note": NamedStyle(name="register-note", font=Font(bold=True, italic=True)),
    }
    for style in styles.values():
        workbook.add_named_style(style)

    width = len(form.columns)
    last_letter = get_column_letter(width)
    for index, column in enumerate(form.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    # Everything about the sheet is set before the first row: a write-only
    # sheet cannot be changed once rows have been written.
    sheet.freeze_panes = f"A{XLSX_HEADER_ROW + 1}"
    sheet.print_title_rows = f"{XLSX_HEADER_ROW}:{XLSX_HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "Trang &P / &N"
    for row in (2, 3):
        sheet.merged_cells.add(f"A{row}:{last_letter}{row}")

    def cell(value, style: str):
        item = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            item.value = value[:XLSX_MAX_CELL_TEXT]
            # Text is text: "=…" from an excerpt must never become a formula.
            item.data_type = "s"
        item.style = styles[style].name
        return item

    sheet.append([cell("\n".join(heading.organizations).upper(), "organization")])
    sheet.append([cell(heading.title, "title")])
    sheet.append([cell(heading.period, "period")])
    sheet.append([])
    sheet.append([cell(header, "header") for header in form.headers])
    for values in rows:
        sheet.append(
            [
                cell(value, "date" if isinstance(value, date) else "text")
                for value in values
            ]
        )
    if tally.truncated:
        sheet.append([cell(truncation_message(tally.limit), "note")])
    # Handed to FileResponse, which closes it once sent.
    output = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output


# PDF -------------------------------------------------------------------------


def _font_faces() -> list[dict]:
    """The bundled fonts present (checked at each export: they may be
    installed after start-up)."""
    faces = []
    for path, weight in ((FONT_REGULAR, "normal"), (FONT_BOLD, "bold")):
        if path.is_file():
            faces.append({"url": path.as_uri(), "weight": weight})
    return faces


def _url_fetcher(allowed: set[str]):
    """WeasyPrint may fetch the bundled fonts and nothing else: the template
    escapes everything, and this makes sure no text can pull in a file or
    reach the network anyway."""
    from weasyprint import URLFetcher

    class RegisterURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in allowed:
                raise ValueError(f"Not fetched from a register: {url}")
            return super().fetch(url, headers)

    return RegisterURLFetcher(allowed_protocols=["file"])


def _pdf_cell(value: Value) -> tuple[str, str]:
    """A cell's text and CSS class: dates and numbers never wrap."""
    if isinstance(value, date):
        return format_date(value), "nowrap"
    if isinstance(value, int):
        return str(value), "nowrap"
    return ("" if value is None else value), ""


def _chunks(rows: Iterable[list[Value]], size: int) -> Iterator[list[list[Value]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def build_pdf(form: RegisterForm, heading: Heading, rows, tally: Tally):
    """The register as a PDF file object (rewound): A4 landscape, the header
    row repeated on every page, page numbers in the footer."""
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    faces = _font_faces()
    fetcher = _url_fetcher({face["url"] for face in faces})
    fonts = FontConfiguration()
    total_width = sum(column.width for column in form.columns)
    columns = [
        {"header": c.header, "width": round(100 * c.width / total_width, 2)}
        for c in form.columns
    ]
    state = {"pages": 0, "parts": []}

    def render(chunk: list[list[Value]], *, first: bool, last: bool) -> None:
        html = render_to_string(
            "documents/register_pdf.html",
            {
                "heading": heading,
                "columns": columns,
                "rows": [[_pdf_cell(value) for value in values] for values in chunk],
                "font_faces": faces,
                "show_heading": first,
                "first_page": state["pages"] + 1,
                # Only a one-run register knows its page total.
                "show_total": first and last,
                "empty": first and last and not chunk,
                "note": truncation_message(tally.limit)
                if last and tally.truncated
                else "",
            },
        )
        document = HTML(string=html, url_fetcher=fetcher).render(font_config=fonts)
        state["pages"] += len(document.pages)
        state["parts"].append(document.write_pdf())

    # One chunk of look-ahead: the last run must know it is the last (it
    # carries the cut message, and a single run can print "page n / total").
    pending = None
    for chunk in _chunks(rows, PDF_CHUNK_ROWS):
        if pending is not None:
            render(pending, first=not state["parts"], last=False)
        pending = chunk
    render(pending or [], first=not state["parts"], last=True)

    # Handed to FileResponse, which closes it once sent.
    output = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    parts = state["parts"]
    if len(parts) == 1:
        output.write(parts[0])
    else:
        # The runs' PDFs are small next to their layouts (≈350 KB per
        # thousand rows), so holding them all until they are joined is fine.
        writer = PdfWriter()
        for part in parts:
            writer.append(PdfReader(io.BytesIO(part)))
        writer.add_metadata({"/Title": heading.title, "/Creator": "Hoso"})
        writer.write(output)
    output.seek(0)
    return output


# The export ------------------------------------------------------------------


def export_register(
    direction: str, queryset, fmt: str, *, user, follow_up: bool = False
) -> FileResponse:
    """The register of `direction` (or the follow-up register of incoming
    documents) for the documents of `queryset`, as an XLSX or PDF download.

    `queryset` is already restricted to what `user` may see and filtered to
    the period asked for; only documents that belong in a printed register
    are kept (see `register_entries`), in register order. Exporting rows
    with secrecy above zero is a read of classified material: one audit
    entry records how many rows, and how many classified ones, went out.
    """
    if fmt not in ("xlsx", "pdf"):
        raise ValueError(f"Unknown register format {fmt!r}.")
    form = register_form(direction, follow_up=follow_up)
    queryset = _ordered(form, register_entries(queryset, direction))
    tally = Tally()
    heading = _heading(form, queryset, user, tally)
    filename = f"{form.slug}-{heading.years}.{fmt}"
    limit = MAX_ROWS if fmt == "xlsx" else MAX_PDF_ROWS
    rows = stream_rows(form, queryset, user=user, tally=tally, limit=limit)
    if fmt == "xlsx":
        output = build_xlsx(form, heading, rows, tally)
        content_type = XLSX_CONTENT_TYPE
    else:
        output = build_pdf(form, heading, rows, tally)
        content_type = PDF_CONTENT_TYPE

    if tally.classified:
        audit.record(
            "documents.register_exported",
            actor=user,
            organization=tally.organizations[0]
            if len(tally.organizations) == 1
            else None,
            object_type="documents.register",
            object_repr=form.title,
            changes={
                "rows": [None, tally.rows],
                "classified_rows": [None, tally.classified],
            },
        )

    response = FileResponse(
        output, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
