"""Bulk import: dry run report, all-or-nothing commit, idempotent re-import."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hoso.core.models import AuditEntry
from hoso.members import imports
from hoso.members.choices import MemberStatus
from hoso.members.models import Member, MemberEvent

GOOD = {
    "cell_code": "A-1",
    "full_name": "Phạm Văn Hùng",
    "date_of_birth": "02/09/1985",
    "sex": "Nam",
    "citizen_id": "001085000111",
    "admission_date": "19/05/2010",
    "full_membership_date": "19/05/2011",
    "card_number": "10000001",
    "biography_number": "000111HN",
    "dues_category": "salaried",
    "insured_salary": "7.200.000",
}


def write_csv(tmp_path, rows, name="members.csv"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=imports.HEADERS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


def second(**changes):
    row = dict(
        GOOD,
        full_name="Đỗ Thị Mai",
        sex="Nữ",
        citizen_id="001190000222",
        card_number="10000002",
        biography_number="000222HN",
        full_membership_date="",
    )
    row.update(changes)
    return row


@pytest.fixture
def secretary(tree, make_user):
    return make_user("secretary", tree["a"])


def test_dry_run_reports_every_bad_row(tree, secretary, tmp_path):
    """GIVEN a file with bad cells in several rows WHEN dry-run THEN every bad
    row is reported with its column and reason, and nothing is stored."""
    path = write_csv(
        tmp_path,
        [
            GOOD,
            second(card_number="123", date_of_birth="31/02/1990"),
            second(
                citizen_id="001085000111", sex="X", card_number="", biography_number=""
            ),
            second(
                citizen_id="001190000333",
                cell_code="B-1",
                card_number="",
                biography_number="",
            ),
            second(
                citizen_id="001190000444",
                date_of_birth="01/01/2000",
                admission_date="01/01/2010",
                card_number="",
                biography_number="",
            ),
        ],
    )
    report = imports.run_import(path, tree["a"], acting_user=secretary, commit=False)
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "card_number"),
        (3, "date_of_birth"),
        (4, "sex"),
        (4, "citizen_id"),
        (5, "cell_code"),
        (6, "admission_date"),
    }
    assert report.new == 1 and not report.committed
    assert not Member.objects.exists()


def test_commit_is_all_or_nothing(tree, secretary, tmp_path):
    """GIVEN a file with one bad row WHEN committed THEN nothing is written."""
    path = write_csv(tmp_path, [GOOD, second(biography_number="xx")])
    report = imports.run_import(path, tree["a"], acting_user=secretary, commit=True)
    assert not report.committed and report.error_count == 1
    assert not Member.objects.exists()


def test_commit_and_idempotent_reimport(tree, secretary, tmp_path):
    """GIVEN a good file WHEN committed twice THEN the second run changes
    nothing; a changed profile is updated; another cell is refused."""
    path = write_csv(tmp_path, [GOOD, second()])
    report = imports.run_import(path, tree["a"], acting_user=secretary, commit=True)
    assert report.committed and report.new == 2
    hung = Member.objects.get(citizen_id="001085000111")
    assert hung.status == MemberStatus.FULL and hung.insured_salary == 7_200_000
    assert hung.organization == tree["cell_a"]
    mai = Member.objects.get(citizen_id="001190000222")
    assert mai.status == MemberStatus.PROBATIONARY
    assert MemberEvent.objects.filter(kind="imported").count() == 2
    audits = AuditEntry.objects.filter(action="members.imported").count()
    before = list(Member.objects.values().order_by("pk"))

    again = imports.run_import(path, tree["a"], acting_user=secretary, commit=True)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Member.objects.values().order_by("pk")) == before
    assert AuditEntry.objects.filter(action="members.imported").count() == audits

    changed = write_csv(tmp_path, [GOOD, second(occupation="Kỹ sư")], "b.csv")
    report = imports.run_import(changed, tree["a"], acting_user=secretary, commit=True)
    assert report.updated == 1
    assert Member.objects.get(pk=mai.pk).occupation == "Kỹ sư"


def test_xlsx_and_template(tree, secretary, tmp_path):
    """GIVEN the XLSX template with its example row pointed at our cell WHEN
    imported THEN the row is stored."""
    from openpyxl import Workbook, load_workbook

    book = load_workbook(io.BytesIO(imports.template_xlsx()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == imports.HEADERS
    example = list(rows[1])
    example[0] = "A-1"
    out = Workbook()
    out.active.append(imports.HEADERS)
    out.active.append(example)
    path = tmp_path / "upload.bin"
    out.save(path)
    report = imports.run_import(
        str(path), tree["a"], acting_user=secretary, commit=True
    )
    assert report.ok and report.new == 1, report.errors


def test_bad_files(tree, secretary, tmp_path):
    """GIVEN a binary file or a CSV without the required headers WHEN
    imported THEN a clear error names the file."""
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\0\1\2garbage")
    with pytest.raises(ValidationError) as exc:
        imports.run_import(str(binary), tree["a"], acting_user=secretary, commit=False)
    assert "file" in exc.value.message_dict
    headless = tmp_path / "y.csv"
    headless.write_text("name,born\nA,B\n")
    with pytest.raises(ValidationError, match="header"):
        imports.run_import(
            str(headless), tree["a"], acting_user=secretary, commit=False
        )


def test_import_needs_permission(tree, make_user, tmp_path):
    path = write_csv(tmp_path, [GOOD])
    with pytest.raises(PermissionDenied):
        imports.run_import(
            path, tree["a"], acting_user=make_user("secretary", tree["b"]), commit=True
        )
