"""Documents: permission matrix (no / full / other organization) and
classification: a document above a user's clearance is invisible everywhere."""

import pytest
from django.urls import reverse

from hoso.core.choices import Secrecy
from hoso.core.models import AuditEntry
from hoso.core.testing.factories import UserFactory
from hoso.core.testing.scoped import ScopedAPITests, ScopedUITests
from hoso.documents.choices import Direction, Status
from hoso.documents.models import Document, DocumentType


def make_document(organization, secrecy=Secrecy.NONE, **extra):
    return Document.objects.create(
        organization=organization,
        org_path=organization.path,
        direction=Direction.INCOMING,
        status=Status.REGISTERED,
        doc_type=DocumentType.objects.get(system="party", code="CV"),
        excerpt="Công văn về việc kiểm tra",
        register_year=2026,
        secrecy=secrecy,
        created_by=UserFactory(),
        **extra,
    )


class TestDocumentScope(ScopedUITests, ScopedAPITests):
    model = Document
    list_url_name = "documents:incoming"
    detail_url_name = "documents:document"
    api_list_url = "/api/v1/documents"

    def create_object(self, organization):
        return make_document(organization)


@pytest.fixture
def secret_doc(tree):
    return make_document(tree["a"], secrecy=Secrecy.SECRET, symbol="05-CV/ĐU")


def test_classified_is_invisible_without_clearance(client, tree, make_user, secret_doc):
    """GIVEN a secretary with no clearance WHEN they look for a Mật document of
    their own commune THEN list, count, detail and API all hide it."""
    plain = make_document(tree["a"])
    user = make_user("secretary", tree["a"])
    client.force_login(user)
    response = client.get(reverse("documents:incoming"))
    rows = list(response.context["table"].data)
    assert plain in rows and secret_doc not in rows
    assert response.context["table"].paginator.count == 1
    assert client.get(secret_doc.get_absolute_url()).status_code == 404
    body = client.get("/api/v1/documents").json()
    assert body["count"] == 1
    assert client.get(f"/api/v1/documents/{secret_doc.pk}").status_code == 404


def test_cleared_reader_sees_it_and_the_read_is_audited(
    client, tree, make_user, secret_doc
):
    user = make_user("secretary", tree["a"], clearance=Secrecy.SECRET)
    client.force_login(user)
    # A cleared user must have passed the second factor.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert client.get(secret_doc.get_absolute_url()).status_code == 200
    assert client.get(f"/api/v1/documents/{secret_doc.pk}").status_code == 200
    reads = AuditEntry.objects.filter(
        action="documents.viewed", object_id=str(secret_doc.pk)
    )
    assert reads.count() == 2
    assert all(entry.actor == user for entry in reads)


def test_top_secret_needs_top_clearance(tree, make_user):
    top = make_document(tree["a"], secrecy=Secrecy.TOP_SECRET)
    user = make_user("secretary", tree["a"], clearance=Secrecy.SECRET)
    assert not Document.objects.restrict(user).filter(pk=top.pk).exists()


def test_reading_plain_documents_is_not_audited(client, tree, make_user):
    plain = make_document(tree["a"])
    client.force_login(make_user("secretary", tree["a"]))
    client.get(plain.get_absolute_url())
    assert not AuditEntry.objects.filter(action="documents.viewed").exists()


def test_list_query_count_does_not_grow(client, tree, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user("secretary", tree["a"]))

    def count(url):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    for url in ("/api/v1/documents", reverse("documents:incoming")):
        make_document(tree["a"])
        count(url)
        baseline = count(url)
        for _ in range(20):
            make_document(tree["a"])
        assert count(url) == baseline, url
