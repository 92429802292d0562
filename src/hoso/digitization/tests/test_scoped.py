"""Digitization: the permission matrix (no / full / other organization) for
batches and review records, classification, and query-count baselines."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hoso.core.choices import Secrecy
from hoso.core.testing.factories import UserFactory
from hoso.core.testing.scoped import ScopedAPITests, ScopedUITests
from hoso.digitization.models import IntakeRecord, ScanBatch, ScanItem
from hoso.documents import storage


def make_batch(organization, secrecy=Secrecy.NONE, items=1) -> ScanBatch:
    batch = ScanBatch.objects.create(
        organization=organization,
        name="Hộp 1",
        created_by=UserFactory(),
        secrecy=secrecy,
    )
    original = storage.store_file(b"%PDF-1.4\n%scan\n", name="scan.pdf")
    for position in range(items):
        ScanItem.objects.create(
            batch=batch,
            position=position,
            original=original,
            original_name=f"scan-{position}.pdf",
            content_type=storage.PDF,
            secrecy=secrecy,
            pages=1,
            status="done",
        )
    return batch


def make_record(organization, secrecy=Secrecy.NONE) -> IntakeRecord:
    item = make_batch(organization, secrecy).items.get()
    return IntakeRecord.objects.create(
        item=item,
        organization=organization,
        secrecy=secrecy,
        proposed={"symbol": "57-NQ/TU", "excerpt": "Về chuyển đổi số"},
    )


class TestScanBatchScope(ScopedUITests, ScopedAPITests):
    model = ScanBatch
    list_url_name = "digitization:batch-list"
    detail_url_name = "digitization:batch"
    api_list_url = "/api/v1/intake/batches"

    def create_object(self, organization):
        return make_batch(organization)


class TestIntakeRecordScope(ScopedUITests, ScopedAPITests):
    model = IntakeRecord
    list_url_name = "digitization:review"
    detail_url_name = "digitization:record"
    api_list_url = "/api/v1/intake/records"

    def create_object(self, organization):
        return make_record(organization)


def test_classified_batch_is_invisible_without_clearance(client, tree, make_user):
    """GIVEN a "Mật" batch in commune A WHEN a clerk of A without clearance
    looks THEN the list, the page and the API hide it and its record."""
    secret = make_batch(tree["a"], secrecy=Secrecy.SECRET)
    record = make_record(tree["a"], secrecy=Secrecy.SECRET)
    plain = make_batch(tree["a"])
    client.force_login(make_user("clerk", tree["a"]))
    rows = list(client.get(reverse("digitization:batch-list")).context["table"].data)
    assert plain in rows and secret not in rows
    assert client.get(secret.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/intake/batches/{secret.pk}").status_code == 404
    assert client.get(record.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/intake/batches",
        "/api/v1/intake/records",
        "/digitization/",
        "/digitization/review/",
    ],
)
def test_list_query_count_does_not_grow(client, tree, make_user, url):
    client.force_login(make_user("clerk", tree["a"]))

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    make_record(tree["a"])
    count()
    baseline = count()
    for _ in range(10):
        make_record(tree["a"])
    assert count() == baseline


def test_batch_detail_query_count_does_not_grow(client, tree, make_user):
    """The progress page (polled every 2 s) costs the same for 2 or 20 files."""
    client.force_login(make_user("clerk", tree["a"]))

    def count(batch):
        url = reverse("digitization:batch", args=[batch.pk])
        with CaptureQueriesContext(connection) as context:
            assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
        return len(context)

    small, large = make_batch(tree["a"], items=2), make_batch(tree["a"], items=20)
    count(small)
    assert count(large) == count(small)
    api_small = f"/api/v1/intake/batches/{small.pk}"
    api_large = f"/api/v1/intake/batches/{large.pk}"
    with CaptureQueriesContext(connection) as few:
        client.get(api_small)
    with CaptureQueriesContext(connection) as many:
        client.get(api_large)
    assert len(many) == len(few)
