"""The completeness report: counts, pages, review queue, number gaps."""

from datetime import date

import pytest
from django.apps import apps
from django.urls import reverse

from hoso.archive import completeness
from hoso.archive.models import DuplicateFlag
from hoso.documents.choices import Direction, Status
from hoso.documents.models import Attachment, Document, NumberSequence


def _outgoing(organization, doc_type, user, number, scope, year=2025):
    """An issued outgoing document with a given number (as a digitized
    archive would hold it)."""
    return Document.objects.create(
        organization=organization,
        org_path=organization.path,
        direction=Direction.OUTGOING,
        status=Status.ISSUED,
        doc_type=doc_type,
        number=number,
        numbering_scope=scope,
        excerpt=f"Văn bản đi số {number}",
        register_year=year,
        issued_date=date(year, 3, number),
        created_by=user,
    )


def test_arrival_number_gaps(make_document, tree, clerks):
    """GIVEN incoming documents numbered 1, 2, 3, 5, 8 in one year
    WHEN the report is drawn
    THEN the register shows "4, 6–7" missing."""
    docs = [make_document() for _ in range(5)]
    # Renumber from the top down so that the unique constraint holds.
    for document, number in reversed(list(zip(docs, [1, 2, 3, 5, 8], strict=True))):
        Document.objects.filter(pk=document.pk).update(arrival_number=number)
    year = docs[0].register_year
    # The sequence itself stopped at 5 (the numbers were edited): no tail gap.
    report = completeness.completeness_report(tree["a"], user=clerks["a"])
    (register,) = report.registers
    assert register.scope == f"in:{year}"
    assert register.ranges == [(4, 4), (6, 7)]
    assert register.text == "4, 6–7"
    assert register.missing == 3
    assert (register.numbers, register.highest) == (5, 8)
    assert str(year) in register.label


def test_numbers_taken_after_the_last_document_are_missing(make_document, tree, clerks):
    document = make_document()
    NumberSequence.objects.filter(
        organization=tree["a"], scope=f"in:{document.register_year}"
    ).update(last_number=4)
    report = completeness.completeness_report(tree["a"], user=clerks["a"])
    assert report.registers[0].ranges == [(2, 4)]
    assert report.registers[0].text == "2–4"


def test_outgoing_gaps_per_numbering_scope(tree, clerks, nq, cv):
    for number in (1, 2, 4, 7):
        _outgoing(tree["a"], nq, clerks["a"], number, "out:party:term-none:NQ")
    for number in (1, 2):
        _outgoing(tree["a"], cv, clerks["a"], number, "out:party:term-none:CV")
    _outgoing(tree["b"], nq, clerks["b"], 9, "out:party:term-none:NQ")
    report = completeness.completeness_report(tree["a"], user=clerks["a"])
    by_scope = {item.scope: item for item in report.registers}
    assert by_scope["out:party:term-none:NQ"].text == "3, 5–6"
    assert by_scope["out:party:term-none:CV"].ranges == []
    assert "NQ" in by_scope["out:party:term-none:NQ"].label
    assert [r.scope for r in report.registers_with_gaps] == ["out:party:term-none:NQ"]


def test_gaps_count_classified_numbers_without_showing_them(
    make_document, tree, clerks
):
    """A classified document holds its number: a reader without clearance
    sees no false gap, and the counts leave the document out."""
    make_document()
    make_document(secrecy=1, user=clerks["cleared_a"])
    make_document()
    report = completeness.completeness_report(tree["a"], user=clerks["a"])
    assert report.documents == 2
    assert report.registers[0].ranges == []
    assert report.registers[0].numbers == 3


def test_counts_per_year_and_type_and_pages(make_document, tree, clerks, nq, cv):
    make_document(issued_date=date(2024, 5, 1), page_count=3)
    make_document(issued_date=date(2024, 6, 1), page_count=5)
    make_document(issued_date=date(2025, 1, 2), doc_type=cv)
    make_document(files=[], page_count=7, issued_date=date(2025, 2, 2))
    make_document("b", page_count=100)
    _outgoing(tree["a"], nq, clerks["a"], 1, "out:party:term-none:NQ", year=2024)
    report = completeness.completeness_report(tree["a"], user=clerks["a"])
    rows = {(row.year, row.doc_type.split(" (")[1]): row for row in report.rows}
    assert rows[(2024, "NQ)")].incoming == 2
    assert rows[(2024, "NQ)")].outgoing == 1
    assert rows[(2024, "NQ)")].total == 3
    assert rows[(2025, "CV)")].incoming == 1
    assert rows[(2025, "NQ)")].total == 1
    assert report.documents == 5
    assert report.with_files == 3
    assert report.without_files == 2
    assert report.pages == 8
    assert report.without_page_count == 1


def test_awaiting_review_reads_the_intake_queue_when_there_is_one(tree):
    count, available, note = completeness.awaiting_review(tree["a"])
    try:
        apps.get_model("digitization", "IntakeRecord")
    except LookupError:
        assert (count, available) == (0, False)
        assert note
    else:
        assert count == 0
        if available:
            assert note == ""


def test_organization_lookup():
    assert completeness._organization_lookup(DuplicateFlag) == "organization"
    assert completeness._organization_lookup(Attachment) == "document__organization"


def test_scope_labels():
    assert "2026" in completeness.scope_label("in:2026")
    assert "2026" in completeness.scope_label("out:state:2026")
    assert "2026" in completeness.scope_label("int:2026")
    label = completeness.scope_label("out:party:term-3:NQ", {3: "Khóa XV"})
    assert "NQ" in label and "Khóa XV" in label
    assert completeness.scope_label("other") == "other"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("a", 200),
        ("secretary_a", 200),
        ("inspector_a", 200),
        ("province", 200),
        ("b", 404),
        ("member_a", 404),
    ],
)
def test_report_page_and_api_scope(client, make_document, tree, clerks, who, status):
    make_document()
    client.force_login(clerks[who])
    page = client.get(reverse("archive:completeness", args=[tree["a"].pk]))
    assert page.status_code == status
    api = client.get("/api/v1/archive/completeness", {"organization": tree["a"].pk})
    assert api.status_code == status
    if status == 200:
        assert api.json()["documents"] == 1
        assert api.json()["registers"][0]["missing"] == 0
        assert b"data-print" in page.content


def test_report_index_redirects_to_the_only_organization(client, tree, clerks):
    client.force_login(clerks["b"])
    response = client.get(reverse("archive:completeness-index"))
    # A commune clerk's scope is the commune and its cell: a choice.
    assert response.status_code == 200
    chosen = client.get(
        reverse("archive:completeness-index"), {"organization": tree["b"].pk}
    )
    assert chosen.url == reverse("archive:completeness", args=[tree["b"].pk])
    client.force_login(clerks["member_a"])
    assert client.get(reverse("archive:completeness-index")).status_code == 404
