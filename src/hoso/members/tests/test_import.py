"""Bulk import: dry run report, all-or-nothing commit, idempotent re-import."""

import csv
import io
import signal

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


# Parallel validation and the fast path ---------------------------------------


def numbered(index, **changes):
    """A good row with its own numbers (index < 1000)."""
    row = dict(
        GOOD,
        full_name=f"Người Số {index}",
        citizen_id=f"001085{index:06d}",
        card_number=f"{20_000_000 + index:08d}",
        biography_number=f"{index:06d}HN",
    )
    row.update(changes)
    return row


def messy_rows():
    """Good rows and every kind of bad one, with numbers repeated across
    chunks of 3 rows (and within one), rows refused for one column that
    still claim their numbers, and cells that need folding."""
    return [
        numbered(1),
        numbered(2, date_of_birth="31/02/1990", card_number="123"),
        numbered(3, sex="X", biography_number="12 34"),
        # Chunk 2: row 5 repeats row 2's citizen ID (row 2 was refused for
        # other columns: its valid numbers still count), row 6 row 1's card.
        numbered(4, full_name="  Lê   Văn \n Tư  ", insured_salary="x"),
        numbered(5, citizen_id="001085000002"),
        numbered(6, card_number="2000 0001"),
        # Chunk 3: a duplicate within the chunk, a biography number written
        # with a separator and lower case, a date in ISO form.
        numbered(7, biography_number="000007 hn", date_of_birth="1985-09-02"),
        numbered(8, biography_number="000007HN"),
        numbered(9, cell_code="B-1", admission_date="19/05/2099"),
        # Chunk 4: required cells missing, too long, ages, the other cell.
        numbered(10, full_name="", citizen_id="", dues_category="?"),
        numbered(11, badge_number="9" * 40, full_membership_date="01/01/2000"),
        numbered(12, date_of_birth="01/01/2000", admission_date="01/01/2010"),
        # Chunk 5: the numbers of rows refused above, once more.
        numbered(13, citizen_id="001085000010"),
        numbered(14, card_number="20000011", biography_number="000004HN"),
        numbered(15, citizen_id="001085000001", insured_salary="²"),
    ]


def errors_of(report):
    return [(e.row, e.column, e.message) for e in report.errors]


def test_parallel_validation_reports_like_serial(
    tree, secretary, tmp_path, monkeypatch
):
    """GIVEN a file whose chunks share numbers WHEN it is validated in one
    process and in two workers THEN both report the same errors in the same
    order, duplicates across chunks included."""
    monkeypatch.setattr(imports, "CHUNK", 3)
    path = write_csv(tmp_path, messy_rows())
    serial = imports.run_import(
        path, tree["a"], acting_user=secretary, commit=False, workers=1
    )
    parallel = imports.run_import(
        path, tree["a"], acting_user=secretary, commit=False, workers=2
    )
    assert parallel.as_dict() == serial.as_dict()
    same = "The same number appears on an earlier row."
    assert [e[:2] for e in errors_of(serial) if e[2] == same] == [
        (6, "citizen_id"),  # row 2's, which was refused for other columns
        (7, "card_number"),  # row 2's, written with a space
        (9, "biography_number"),  # row 8's, in the same chunk
        (15, "card_number"),  # row 12's (refused for its badge)
        (15, "biography_number"),  # row 5's (refused for its salary)
        (16, "citizen_id"),  # row 2's again
    ]
    assert [e[:2] for e in errors_of(serial) if e[2] != same] == [
        (3, "date_of_birth"),
        (3, "card_number"),
        (4, "sex"),
        (4, "biography_number"),
        (5, "insured_salary"),
        (10, "cell_code"),
        (10, "admission_date"),
        (10, "admission_date"),
        (10, "full_membership_date"),
        (11, "full_name"),
        (11, "citizen_id"),
        (11, "dues_category"),
        (12, "badge_number"),
        (12, "full_membership_date"),
        (13, "admission_date"),
        (16, "insured_salary"),
    ]
    # Rows 2, 8 and 14 are good (row 14 reuses the citizen ID that row 11
    # left empty).
    assert serial.new == 3 and serial.rows == 15


def test_parallel_errors_are_in_serial_order_with_a_limit(
    tree, secretary, tmp_path, monkeypatch
):
    """GIVEN more errors than the report keeps WHEN validated in parallel
    THEN the kept ones and the count are those of the serial run."""
    monkeypatch.setattr(imports, "CHUNK", 4)
    rows = messy_rows() * 3
    path = write_csv(tmp_path, rows)
    runs = [
        imports.run_import(
            path,
            tree["a"],
            acting_user=secretary,
            commit=False,
            workers=workers,
            report_limit=7,
        )
        for workers in (1, 2)
    ]
    assert runs[0].as_dict() == runs[1].as_dict()
    assert len(runs[0].errors) == 7 and runs[0].error_count > 40


def test_parallel_commit_and_reimport(tree, secretary, tmp_path, monkeypatch):
    """GIVEN a good file of several chunks WHEN committed with two workers
    THEN every member and timeline entry is stored; re-importing it changes
    nothing and a changed profile is updated."""
    monkeypatch.setattr(imports, "CHUNK", 2)
    rows = [
        numbered(i, full_membership_date="" if i % 3 else "19/05/2011")
        for i in range(1, 8)
    ]
    path = write_csv(tmp_path, rows)
    report = imports.run_import(
        path, tree["a"], acting_user=secretary, commit=True, workers=2
    )
    assert report.committed and report.new == 7, report.errors
    assert Member.objects.count() == 7
    assert MemberEvent.objects.filter(kind="imported").count() == 7
    third = Member.objects.get(citizen_id="001085000003")
    assert third.status == MemberStatus.FULL and third.insured_salary == 7_200_000
    before = list(Member.objects.values().order_by("pk"))

    again = imports.run_import(
        path, tree["a"], acting_user=secretary, commit=True, workers=2
    )
    assert (again.new, again.updated, again.unchanged) == (0, 0, 7)
    assert list(Member.objects.values().order_by("pk")) == before

    rows[4] = numbered(5, occupation="Kỹ sư", insured_salary="")
    changed = write_csv(tmp_path, rows, "changed.csv")
    report = imports.run_import(
        changed, tree["a"], acting_user=secretary, commit=True, workers=2
    )
    assert (report.new, report.updated, report.unchanged) == (0, 1, 6)
    fifth = Member.objects.get(citizen_id="001085000005")
    assert fifth.occupation == "Kỹ sư" and fifth.insured_salary is None


def test_parallel_commit_with_an_error_writes_nothing(
    tree, secretary, tmp_path, monkeypatch
):
    """GIVEN good chunks followed by one bad row WHEN committed with two
    workers THEN nothing is written (chunks copied before are rolled back)."""
    monkeypatch.setattr(imports, "CHUNK", 2)
    rows = [numbered(i) for i in range(1, 6)] + [numbered(6, sex="?")]
    path = write_csv(tmp_path, rows)
    report = imports.run_import(
        path, tree["a"], acting_user=secretary, commit=True, workers=2
    )
    assert not report.committed and report.error_count == 1
    assert not Member.objects.exists() and not MemberEvent.objects.exists()


def test_import_workers_restore_the_default_stop_signal(tree):
    """A forked worker inherits its parent's signal handlers. GIVEN a parent
    whose SIGTERM only sets a flag (as a job worker's graceful stop does)
    WHEN a worker starts THEN it restores the default handler, so the pool
    can terminate it (a run stopped early once hung on such a worker)."""
    previous = signal.signal(signal.SIGTERM, lambda *_args: None)
    try:
        imports._init_worker(imports._Context(tree["a"]), "2026-01-01", None)
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)
        imports._WORKER.clear()


def test_backslashes_and_tabs_survive_staging(tree, secretary, tmp_path):
    """GIVEN cells with a backslash and with "\\N" WHEN committed THEN they
    are stored as written (the staged rows escape them)."""
    path = write_csv(
        tmp_path,
        [numbered(1, residence="Số 5\\7 phố Huế", religion="\\N", birth_name="A\tB")],
    )
    report = imports.run_import(path, tree["a"], acting_user=secretary, commit=True)
    assert report.committed, report.errors
    member = Member.objects.get()
    assert member.residence == "Số 5\\7 phố Huế"
    assert member.religion == "\\N"
    assert member.birth_name == "A B"


def test_import_workers_setting(tmp_path, settings, monkeypatch):
    """Small files and a setting of 1 validate in the calling process."""
    path = tmp_path / "f.csv"
    path.write_bytes(b"x" * 100)
    settings.MEMBERS_IMPORT_WORKERS = 2
    assert imports.import_workers(str(path)) == 1
    monkeypatch.setattr(imports, "PARALLEL_MIN_BYTES", 50)
    assert imports.import_workers(str(path)) == 2
    settings.MEMBERS_IMPORT_WORKERS = 1
    assert imports.import_workers(str(path)) == 1
