"""Printable registers: XLSX and PDF exports, their columns and values, the
follow-up register, query counts, the row cap and the audit of classified
exports."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from hoso.core.models import AuditEntry
from hoso.core.testing.factories import OrganizationFactory, PersonFactory
from hoso.documents import registers
from hoso.documents.models import Assignment, Document, DocumentEvent, DocumentType

# The columns of SPEC §5, exactly.
INCOMING_HEADERS = [
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số ký hiệu",
    "Ngày tháng VB",
    "Tên loại và trích yếu",
    "Đơn vị/người nhận",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
]
OUTGOING_HEADERS = [
    "Số ký hiệu",
    "Ngày tháng",
    "Tên loại và trích yếu",
    "Người ký",
    "Nơi nhận",
    "Đơn vị/người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
]
FOLLOW_UP_HEADERS = [
    "Số đến",
    "Văn bản",
    "Đơn vị/người nhận",
    "Thời hạn giải quyết",
    "Tiến độ",
    "Số ký hiệu VB trả lời",
    "Ghi chú",
]
HEADER_ROW = registers.XLSX_HEADER_ROW
EXCERPT = "Về chuyển đổi số ở xã đảo"


def local(year, month, day, hour=9) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


@pytest.fixture
def nq(db):
    return DocumentType.objects.get(system="party", code="NQ")


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Đảng ủy xã Thử Nghiệm")


@pytest.fixture
def clerk(organization, make_user):
    return make_user("clerk", organization)


@pytest.fixture
def make_document(organization, clerk, nq):
    """make_document(**fields) → a document of `organization` (incoming and
    registered unless told otherwise)."""
    numbers = iter(range(1, 10_000))

    def make(**fields):
        org = fields.pop("organization", organization)
        values = {
            "direction": "incoming",
            "status": "registered",
            "doc_type": nq,
            "excerpt": EXCERPT,
            "register_year": 2026,
            "arrival_number": next(numbers),
            "arrival_date": local(2026, 1, 5),
            **fields,
        }
        return Document.objects.create(
            organization=org, org_path=org.path, created_by=clerk, **values
        )

    return make


@pytest.fixture
def make_outgoing(make_document):
    def make(**fields):
        values = {
            "direction": "outgoing",
            "status": "issued",
            "arrival_number": None,
            "arrival_date": None,
            "number": 7,
            "symbol": "07-NQ/ĐU",
            "issued_date": date(2026, 2, 3),
            **fields,
        }
        return make_document(**values)

    return make


def xlsx_sheet(response):
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    return workbook.active


def data_rows(sheet) -> list[list]:
    return [
        list(row)
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
        if any(value not in (None, "") for value in row)
    ]


def header_row(sheet) -> list:
    return [cell.value for cell in sheet[HEADER_ROW]]


def pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode()


def export(direction, fmt="xlsx", *, user, queryset=None, follow_up=False):
    queryset = Document.objects.all() if queryset is None else queryset
    return registers.export_register(
        direction, queryset, fmt, user=user, follow_up=follow_up
    )


# XLSX ----------------------------------------------------------------------------


def test_incoming_xlsx_has_the_spec_columns_and_one_row_per_document(
    make_document, clerk
):
    """GIVEN two registered incoming documents, one presented and instructed
    WHEN the incoming register is exported as XLSX
    THEN the header row is the SPEC's, and each document is one row with its
    dates, numbers, issuer, type and excerpt, lead and marks."""
    leader = PersonFactory(full_name="Trần Thị Bí Thư")
    specialist = PersonFactory(full_name="Lê Văn Chuyên Viên")
    first = make_document(
        arrival_number=1,
        arrival_date=local(2026, 1, 5),
        issuer_name="Ban Chấp hành Trung ương",
        symbol="57-NQ/TW",
        issued_date=date(2024, 12, 22),
        presented_to=leader,
        urgency=1,
        status="instructed",
    )
    DocumentEvent.objects.create(
        document=first, action="presented", status="presented", at=local(2026, 1, 6)
    )
    DocumentEvent.objects.create(
        document=first, action="instructed", status="instructed", at=local(2026, 1, 8)
    )
    Assignment.objects.create(
        document=first, role="lead", person=specialist, instructed_by=clerk
    )
    Assignment.objects.create(
        document=first, role="inform", person=leader, instructed_by=clerk
    )
    make_document(
        arrival_number=2,
        arrival_date=local(2026, 1, 9),
        issuer_name="Tỉnh ủy Thử",
        symbol="12-CV/TU",
        presented_to=leader,
    )

    response = export("incoming", user=clerk)

    assert response["Content-Type"] == registers.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="so-van-ban-den-2026.xlsx"' in response["Content-Disposition"]
    sheet = xlsx_sheet(response)
    assert sheet["A1"].value == "ĐẢNG ỦY XÃ THỬ NGHIỆM"
    assert sheet["A2"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"
    assert sheet["A3"].value == "Từ ngày 05/01/2026 đến ngày 09/01/2026"
    assert header_row(sheet) == INCOMING_HEADERS
    assert all(cell.font.b for cell in sheet[HEADER_ROW])
    rows = data_rows(sheet)
    assert len(rows) == 2
    one, two = rows
    assert one[0].date() == date(2026, 1, 5)
    assert one[1:4] == [1, "Ban Chấp hành Trung ương", "57-NQ/TW"]
    assert one[4].date() == date(2024, 12, 22)
    assert one[5] == f"Nghị quyết {EXCERPT}"
    assert one[6] == "Lê Văn Chuyên Viên"  # the lead, not the informed leader
    assert one[7].date() == date(2026, 1, 6)  # presented
    assert one[8] in (None, "")  # signed by hand
    assert one[9] == "Khẩn"
    # Not instructed yet: the leader it was presented to receives it.
    assert two[1] == 2 and two[6] == "Trần Thị Bí Thư"
    assert two[4] is None and two[7] is None
    assert sheet.cell(HEADER_ROW + 1, 1).number_format == "DD/MM/YYYY"


def test_xlsx_is_laid_out_for_printing(make_document, clerk):
    make_document()

    sheet = xlsx_sheet(export("incoming", user=clerk))

    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth in (1, None)  # 1 is the default
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.column_dimensions["F"].width > sheet.column_dimensions["B"].width
    assert sheet.cell(HEADER_ROW + 1, 6).alignment.wrap_text is True


def test_outgoing_xlsx_values(make_outgoing, clerk):
    document = make_outgoing(
        signer_name="Nguyễn Văn Ký",
        recipients_text="- Các chi bộ,\n- Lưu VT.",
        copies=12,
        secrecy=0,
    )
    DocumentEvent.objects.create(
        document=document, action="issued", status="issued", at=local(2026, 2, 4)
    )

    response = export("outgoing", user=clerk)

    assert 'filename="so-van-ban-di-2026.xlsx"' in response["Content-Disposition"]
    sheet = xlsx_sheet(response)
    assert sheet["A2"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
    assert sheet["A3"].value == "Ngày 03/02/2026"
    assert header_row(sheet) == OUTGOING_HEADERS
    [row] = data_rows(sheet)
    assert row[0] == "07-NQ/ĐU"
    assert row[1].date() == date(2026, 2, 3)
    assert row[2] == f"Nghị quyết {EXCERPT}"
    assert row[3] == "Nguyễn Văn Ký"
    assert row[4] == "- Các chi bộ,\n- Lưu VT."
    assert row[5] == clerk.person.full_name  # the drafter keeps the copy
    assert row[6] == 12
    assert row[7].date() == date(2026, 2, 4)
    assert row[8] in (None, "") and row[9] in (None, "")


def test_internal_register_has_its_title_and_the_outgoing_columns(make_outgoing, clerk):
    make_outgoing(direction="internal", symbol="03-TB/ĐU")

    response = export("internal", user=clerk)

    assert 'filename="so-van-ban-noi-bo-2026.xlsx"' in response["Content-Disposition"]
    sheet = xlsx_sheet(response)
    assert sheet["A2"].value == "SỔ ĐĂNG KÝ VĂN BẢN NỘI BỘ"
    assert header_row(sheet) == OUTGOING_HEADERS
    assert [row[0] for row in data_rows(sheet)] == ["03-TB/ĐU"]


def test_only_register_entries_are_listed(make_document, make_outgoing, clerk):
    """Unregistered arrivals and drafts have no number: not in a register."""
    make_document(arrival_number=5)
    make_document(status="received", arrival_number=None)
    make_outgoing(symbol="08-NQ/ĐU")
    make_outgoing(status="draft", number=None, symbol="", issued_date=None)

    incoming = data_rows(xlsx_sheet(export("incoming", user=clerk)))
    outgoing = data_rows(xlsx_sheet(export("outgoing", user=clerk)))

    assert [row[1] for row in incoming] == [5]
    assert [row[0] for row in outgoing] == ["08-NQ/ĐU"]


def test_text_that_looks_like_a_formula_stays_text(make_document, clerk):
    make_document(excerpt='=HYPERLINK("http://x.invalid","bấm")')

    sheet = xlsx_sheet(export("incoming", user=clerk))

    cell = sheet.cell(HEADER_ROW + 1, 6)
    assert cell.data_type == "s"
    assert cell.value == 'Nghị quyết =HYPERLINK("http://x.invalid","bấm")'


def test_empty_register_has_the_header_and_a_dash_for_the_period(clerk):
    response = export("incoming", user=clerk)

    sheet = xlsx_sheet(response)
    assert header_row(sheet) == INCOMING_HEADERS
    assert data_rows(sheet) == []
    assert sheet["A3"].value == "—"
    # Headed by the user's own organization.
    assert sheet["A1"].value == "ĐẢNG ỦY XÃ THỬ NGHIỆM"
    year = timezone.localdate().year
    assert f'filename="so-van-ban-den-{year}.xlsx"' in response["Content-Disposition"]


# Follow-up register ----------------------------------------------------------------


def test_follow_up_register_lists_replies_and_marks_overdue(
    make_document, make_outgoing, clerk
):
    """GIVEN an instructed incoming document past its deadline, answered by
    an issued reply, and a completed one
    WHEN the follow-up register is exported
    THEN the first row names the document, the lead and coordinator, the
    deadline, "Quá hạn" and the reply's symbol."""
    specialist = PersonFactory(full_name="Lê Văn Chuyên Viên")
    other = OrganizationFactory(name="Ban Tuyên giáo")
    due = timezone.localdate() - timedelta(days=3)
    late = make_document(
        arrival_number=1,
        symbol="57-NQ/TW",
        issued_date=date(2024, 12, 22),
        status="instructed",
        due_date=due,
        secrecy=1,
    )
    Assignment.objects.create(
        document=late, role="lead", person=specialist, instructed_by=clerk
    )
    Assignment.objects.create(
        document=late, role="coordinate", organization=other, instructed_by=clerk
    )
    make_outgoing(reply_to=late, symbol="12-CV/ĐU")
    make_document(
        arrival_number=2,
        status="completed",
        due_date=date(2026, 1, 20),
        completed_at=local(2026, 1, 18),
    )

    response = export("incoming", user=clerk, follow_up=True)

    assert (
        "so-theo-doi-giai-quyet-van-ban-den-2026.xlsx"
        in (response["Content-Disposition"])
    )
    sheet = xlsx_sheet(response)
    assert sheet["A2"].value == "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN"
    assert header_row(sheet) == FOLLOW_UP_HEADERS
    first, second = data_rows(sheet)
    assert first[0] == 1
    assert first[1] == f"Nghị quyết số 57-NQ/TW ngày 22/12/2024\n{EXCERPT}"
    assert first[2] == "Lê Văn Chuyên Viên\nPhối hợp: Ban Tuyên giáo"
    assert first[3].date() == due
    assert first[4] == "Đã có ý kiến chỉ đạo\nQuá hạn 3 ngày"
    assert first[5] == "12-CV/ĐU"
    assert first[6] == "Mật"
    assert second[4] == "Đã giải quyết ngày 18/01/2026"
    assert second[5] in (None, "")


def test_follow_up_register_is_for_incoming_documents_only(clerk):
    with pytest.raises(ValueError):
        export("outgoing", user=clerk, follow_up=True)


# PDF -------------------------------------------------------------------------------


def test_pdf_has_title_and_vietnamese_text(make_document, clerk):
    make_document(issuer_name="Ban Chấp hành Trung ương", symbol="57-NQ/TW")

    response = export("incoming", "pdf", user=clerk)

    assert response["Content-Type"] == "application/pdf"
    assert 'filename="so-van-ban-den-2026.pdf"' in response["Content-Disposition"]
    data = response.getvalue()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text
    assert EXCERPT in text
    assert "ĐẢNG ỦY XÃ THỬ NGHIỆM" in text
    assert "Ngày 05/01/2026" in text
    assert "Trang 1 / 1" in text
    for header in ("Ngày đến", "Tên loại và trích yếu", "Ký nhận"):
        assert header in text
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils missing")
def test_pdf_embeds_the_bundled_font_when_present(make_document, clerk):
    if not registers.FONT_REGULAR.is_file():
        pytest.skip("the bundled font is not installed yet")
    make_document()

    data = export("incoming", "pdf", user=clerk).getvalue()

    result = subprocess.run(
        ["pdffonts", "-"], input=data, capture_output=True, check=False
    )
    if result.returncode != 0:  # older pdffonts cannot read stdin
        pytest.skip("pdffonts cannot read from stdin")
    # Every font in the file is the bundled one (named after the @font-face
    # family): no fallback to whatever the server has installed.
    fonts = result.stdout.decode().splitlines()[2:]
    assert fonts
    assert all("Register-Sans" in line for line in fonts)


def test_pdf_falls_back_to_a_sans_serif_without_the_bundled_font(
    make_document, clerk, monkeypatch, tmp_path
):
    monkeypatch.setattr(registers, "FONT_REGULAR", tmp_path / "missing.ttf")
    monkeypatch.setattr(registers, "FONT_BOLD", tmp_path / "missing-bold.ttf")
    make_document()

    data = export("incoming", "pdf", user=clerk).getvalue()

    assert data.startswith(b"%PDF")
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in pdf_text(data)


def test_pdf_in_several_runs_numbers_pages_on_and_carries_the_cut(
    make_document, clerk, monkeypatch
):
    """GIVEN three documents, one row per layout run and a cap of two rows
    WHEN the register is exported as PDF
    THEN the runs' pages are joined with page numbers continuing, and the
    last page says the register was cut."""
    monkeypatch.setattr(registers, "PDF_CHUNK_ROWS", 1)
    monkeypatch.setattr(registers, "MAX_PDF_ROWS", 2)
    for number in (1, 2, 3):
        make_document(arrival_number=number, symbol=f"{number}-CV/TU")

    data = export("incoming", "pdf", user=clerk).getvalue()

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    assert "1-CV/TU" in first and "Trang 1" in first
    assert "2-CV/TU" in second and "Trang 2" in second
    assert "3-CV/TU" not in first + second
    assert "Sổ chỉ in 2 dòng đầu" in pdf_text(data)
    assert reader.metadata.title == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"


# Row cap, queries, audit ----------------------------------------------------------


def test_xlsx_is_cut_at_the_cap_with_a_message_row(make_document, clerk, monkeypatch):
    monkeypatch.setattr(registers, "MAX_ROWS", 2)
    for number in (1, 2, 3):
        make_document(arrival_number=number)

    sheet = xlsx_sheet(export("incoming", user=clerk))

    rows = data_rows(sheet)
    assert [row[1] for row in rows[:2]] == [1, 2]
    assert len(rows) == 3
    assert rows[2][0].startswith("Sổ chỉ in 2 dòng đầu")


def _populate(count, organization, make_document, make_outgoing, clerk):
    lead = PersonFactory()
    for number in range(1, count + 1):
        incoming = make_document(
            organization=organization, arrival_number=number, presented_to=lead
        )
        Assignment.objects.create(
            document=incoming, role="lead", person=lead, instructed_by=clerk
        )
        DocumentEvent.objects.create(
            document=incoming, action="presented", status="presented"
        )
        outgoing = make_outgoing(
            organization=organization,
            number=number,
            symbol=f"{number}-NQ/ĐU",
            reply_to=incoming,
        )
        DocumentEvent.objects.create(
            document=outgoing, action="issued", status="issued"
        )


@pytest.mark.parametrize(
    ("direction", "follow_up"),
    [("incoming", False), ("outgoing", False), ("incoming", True)],
)
def test_query_count_does_not_grow_with_rows(
    make_document, make_outgoing, clerk, direction, follow_up
):
    """Related rows are prefetched per chunk: 30 rows cost what 3 cost."""
    small, large = OrganizationFactory(), OrganizationFactory()
    _populate(3, small, make_document, make_outgoing, clerk)
    _populate(30, large, make_document, make_outgoing, clerk)

    def count_queries(organization) -> tuple[int, int]:
        queryset = Document.objects.filter(organization=organization)
        with CaptureQueriesContext(connection) as queries:
            response = export(
                direction, user=clerk, queryset=queryset, follow_up=follow_up
            )
        return len(queries), len(data_rows(xlsx_sheet(response)))

    few, few_rows = count_queries(small)
    many, many_rows = count_queries(large)

    assert (few_rows, many_rows) == (3, 30)
    assert many <= few


def _register_audits():
    return AuditEntry.objects.filter(action="documents.register_exported")


def test_export_is_audited_only_when_classified_rows_go_out(make_document, clerk):
    make_document(arrival_number=1)
    export("incoming", user=clerk)
    export("incoming", "pdf", user=clerk)
    assert not _register_audits().exists()

    make_document(arrival_number=2, secrecy=1)
    export("incoming", user=clerk)

    [entry] = _register_audits()
    assert entry.actor == clerk
    assert entry.object_type == "documents.register"
    assert entry.object_repr == "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"
    assert entry.changes == {"rows": [None, 2], "classified_rows": [None, 1]}


# Through the URL ---------------------------------------------------------------------


def test_register_url_exports_what_the_clerk_may_see(
    client, make_document, clerk, organization
):
    """GIVEN a clerk of one commune and documents of that commune and another
    WHEN they download /documents/register/incoming.xlsx
    THEN they get the register of their commune only."""
    other = OrganizationFactory(name="Đảng ủy xã Khác")
    make_document(arrival_number=1, symbol="1-CV/TU")
    make_document(arrival_number=1, symbol="9-CV/TU", organization=other)
    client.force_login(clerk)

    response = client.get("/documents/register/incoming.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == registers.XLSX_CONTENT_TYPE
    assert "so-van-ban-den-2026.xlsx" in response["Content-Disposition"]
    sheet = xlsx_sheet(response)
    assert header_row(sheet) == INCOMING_HEADERS
    assert [row[3] for row in data_rows(sheet)] == ["1-CV/TU"]
