"""Case files: file plan, filing, closing, the 30-day transfer alert."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hoso.core.models import AuditEntry
from hoso.documents import casefiles
from hoso.documents.models import CaseFile, Document


@pytest.fixture
def case_file(tree, staff):
    return casefiles.create_case_file(
        acting_user=staff["clerk_a"].user,
        organization=tree["a"],
        year=2026,
        code="01.VP",
        title="Hồ sơ chuyển đổi số năm 2026",
    )


def test_file_close_and_transfer(case_file, incoming, staff):
    """GIVEN an open case file WHEN a document is filed and the file closed
    THEN transfer to the archive falls due 12 months later, and is flagged
    from 30 days before."""
    clerk = staff["clerk_a"].user
    document = incoming()
    with pytest.raises(ValidationError):
        casefiles.close_case_file(case_file, acting_user=clerk)
    casefiles.add_documents(case_file, [document], acting_user=clerk)
    closed_on = timezone.localdate() - datetime.timedelta(days=340)
    case_file = casefiles.close_case_file(
        case_file, acting_user=clerk, closed_on=closed_on
    )
    assert case_file.archive_due == closed_on.replace(year=closed_on.year + 1)
    assert list(casefiles.due_for_transfer(clerk)) == [case_file]
    with pytest.raises(ValidationError):
        casefiles.add_documents(case_file, [incoming()], acting_user=clerk)
    casefiles.mark_transferred(case_file, acting_user=clerk)
    assert not casefiles.due_for_transfer(clerk).exists()
    assert (
        AuditEntry.objects.filter(action__startswith="documents.casefile_").count() == 4
    )


def test_not_flagged_early(case_file, incoming, staff):
    clerk = staff["clerk_a"].user
    casefiles.add_documents(case_file, [incoming()], acting_user=clerk)
    casefiles.close_case_file(case_file, acting_user=clerk)
    assert not casefiles.due_for_transfer(clerk).exists()
    later = timezone.localdate() + datetime.timedelta(days=340)
    assert casefiles.due_for_transfer(clerk, today=later).exists()


def test_documents_of_other_organizations_cannot_be_filed(case_file, tree, staff, nq):
    from hoso.documents import services

    other = services.create_incoming(
        organization=tree["b"],
        acting_user=staff["clerk_b"].user,
        doc_type=nq,
        issuer_name="X",
        excerpt="Khác",
    )
    with pytest.raises(Document.DoesNotExist):
        casefiles.add_documents(case_file, [other], acting_user=staff["clerk_a"].user)


def test_duplicate_code_refused(case_file, tree, staff):
    with pytest.raises(ValidationError):
        casefiles.create_case_file(
            acting_user=staff["clerk_a"].user,
            organization=tree["a"],
            year=2026,
            code="01.VP",
            title="Trùng",
        )


def test_pages_and_api(client, case_file, incoming, staff, tree):
    document = incoming()
    client.force_login(staff["clerk_a"].user)
    response = client.post(
        reverse("documents:casefile-action", args=[case_file.pk, "file"]),
        {"documents": [document.pk]},
    )
    assert response.status_code == 302
    assert list(case_file.documents.all()) == [document]
    page = client.get(case_file.get_absolute_url())
    assert document in page.context["documents"]
    api = client.post(f"/api/v1/case-files/{case_file.pk}/close")
    assert api.status_code == 200 and api.json()["archive_due"]
    created = client.post(
        "/api/v1/case-files",
        {
            "organization": tree["a"].pk,
            "year": 2026,
            "code": "02.TH",
            "title": "Tổng hợp",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    client.force_login(staff["clerk_b"].user)
    assert client.get(case_file.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/case-files/{case_file.pk}").status_code == 404
    assert CaseFile.objects.count() == 2
