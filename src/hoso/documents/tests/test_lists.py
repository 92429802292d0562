"""The document lists at scale: capped counts, id-first pages, the lean list
API answer, the register table, and security that takes effect at once."""

import datetime
import json

import pytest
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from hoso.core import pagination
from hoso.documents.api import DocumentOut
from hoso.documents.choices import Status, Urgency
from hoso.documents.filtersets import SORTABLE
from hoso.documents.models import Document


@pytest.fixture
def documents(incoming, tree, staff, nq, cv):
    """Eight incoming documents in commune A with ties and gaps on purpose:
    two statuses, three urgencies, repeated dates and symbols, some empty
    deadlines, and two documents created at the same instant."""
    docs = [
        incoming(symbol=f"{n % 3}-CV/TU", issuer_name=f"Ban {n % 2}", doc_type=cv)
        for n in range(8)
    ]
    base = timezone.now().replace(microsecond=0) - datetime.timedelta(days=1)
    for n, doc in enumerate(docs):
        Document.objects.filter(pk=doc.pk).update(
            status=Status.PROCESSING if n % 2 else Status.REGISTERED,
            urgency=[Urgency.NORMAL, Urgency.URGENT, Urgency.NORMAL][n % 3],
            issued_date=datetime.date(2026, 1, 1 + n % 4),
            due_date=None if n % 3 == 0 else datetime.date(2026, 12, 1 + n % 2),
            # Whole seconds for some, microseconds for others; two ties.
            created=base + datetime.timedelta(seconds=min(n, 6), microseconds=n * 7),
            arrival_date=base if n % 2 else base + datetime.timedelta(microseconds=1),
        )
    return [Document.objects.get(pk=doc.pk) for doc in docs]


def _secret_document(staff, incoming):
    """A "Mật" document in commune A, registered by its clerk (cleared for
    the moment, then back to no clearance)."""
    from hoso.core.choices import Secrecy

    clerk = staff["clerk_a"]
    clerk.clearance = Secrecy.SECRET
    clerk.save()
    document = incoming(secrecy=Secrecy.SECRET, symbol="9-CV/TU")
    clerk.clearance = Secrecy.NONE
    clerk.save()
    return document


def _verified_login(client, user):
    """Sign in a cleared user past the second factor."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


def _all_pages(client, params: str, size: int) -> tuple[list[int], list[dict]]:
    ids, answers, page = [], [], 1
    while True:
        response = client.get(
            f"/api/v1/documents?{params}&page={page}&page_size={size}"
        )
        assert response.status_code == 200, response.content
        body = response.json()
        answers.append(body)
        if not body["items"]:
            return ids, answers
        ids += [item["id"] for item in body["items"]]
        page += 1


@pytest.mark.parametrize(
    "sort", sorted(SORTABLE) + sorted(f"-{key}" for key in SORTABLE)
)
def test_id_first_pages_walk_every_sort_exactly(client, staff, documents, sort):
    """GIVEN eight documents with ties on every sort key
    WHEN the clerk walks the list three at a time, sorted by that key
    THEN every document appears exactly once, in the order of one query
    sorted by the key then the id."""
    client.force_login(staff["clerk_a"].user)
    ids, answers = _all_pages(client, f"direction=incoming&sort={sort}", 3)
    tiebreak = "-id" if sort.startswith("-") else "id"
    expected = list(
        Document.objects.filter(pk__in=[d.pk for d in documents])
        .order_by(sort, tiebreak)
        .values_list("pk", flat=True)
    )
    assert ids == expected
    assert {answer["count"] for answer in answers} == {8}
    assert not any(answer["count_capped"] for answer in answers)


def test_id_first_pages_with_filters(client, staff, documents):
    """GIVEN documents in two statuses
    WHEN the list is filtered by status and deadline and sorted by deadline
    THEN the pages hold exactly the matching documents in order."""
    client.force_login(staff["clerk_a"].user)
    params = "status=processing&due_from=2026-12-01&sort=-due_date"
    ids, answers = _all_pages(client, params, 2)
    expected = list(
        Document.objects.filter(
            status=Status.PROCESSING, due_date__gte=datetime.date(2026, 12, 1)
        )
        .order_by("-due_date", "-id")
        .values_list("pk", flat=True)
    )
    assert expected and ids == expected
    assert answers[0]["count"] == len(expected)


def test_default_order_breaks_ties_by_id(client, staff, documents):
    """Two documents created at the same instant come newest id first, on
    whichever page the boundary falls."""
    client.force_login(staff["clerk_a"].user)
    ids, _answers = _all_pages(client, "direction=incoming", 1)
    expected = sorted(documents, key=lambda d: (d.created, d.pk), reverse=True)
    assert ids == [d.pk for d in expected]


def test_list_items_are_what_the_schema_writes(client, staff, documents):
    """The lean list answer (json_agg on PostgreSQL, tuples elsewhere) equals
    `DocumentOut` validated from the model, field for field."""
    client.force_login(staff["clerk_a"].user)
    body = client.get("/api/v1/documents?direction=incoming&page_size=100").json()
    assert set(body) == {"items", "count", "count_capped"}
    by_id = {item["id"]: item for item in body["items"]}
    rows = Document.objects.filter(pk__in=by_id).with_signature_status()
    for document in rows.select_related("doc_type"):
        expected = json.loads(
            json.dumps(
                DocumentOut.model_validate(document).model_dump(),
                cls=NinjaJSONEncoder,
            )
        )
        assert by_id[document.pk] == expected
    assert list(by_id[documents[0].pk]) == list(DocumentOut.model_fields)


def test_count_is_capped(client, staff, documents, monkeypatch):
    """GIVEN more documents than the cap
    THEN the list says cap + 1 with count_capped, and pages still work."""
    client.force_login(staff["clerk_a"].user)
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    body = client.get("/api/v1/documents?direction=incoming&page_size=3").json()
    assert (body["count"], body["count_capped"]) == (6, True)
    assert len(body["items"]) == 3
    last = client.get("/api/v1/documents?page=3&page_size=3").json()
    assert len(last["items"]) == 2  # pages go on past the cap
    monkeypatch.setattr(pagination, "COUNT_CAP", 8)
    body = client.get("/api/v1/documents?direction=incoming").json()
    assert (body["count"], body["count_capped"]) == (8, False)


def test_list_stays_in_scope_and_clearance(client, staff, documents, incoming):
    """The lean path keeps restrict(): another commune sees nothing of A, and
    a document above the clerk's clearance is not listed nor counted."""
    secret = _secret_document(staff, incoming)
    client.force_login(staff["clerk_b"].user)
    body = client.get("/api/v1/documents").json()
    assert (body["items"], body["count"]) == ([], 0)
    client.force_login(staff["clerk_a"].user)
    body = client.get("/api/v1/documents?page_size=100").json()
    assert secret.pk not in {item["id"] for item in body["items"]}
    assert body["count"] == 8


def test_page_out_of_range_is_empty(client, staff, documents):
    client.force_login(staff["clerk_a"].user)
    body = client.get("/api/v1/documents?page=50").json()
    assert (body["items"], body["count"]) == ([], 8)
    bad = client.get("/api/v1/documents?page=0")
    assert bad.status_code == 422


def test_list_api_query_count_does_not_grow(
    client, staff, documents, incoming, django_assert_max_num_queries
):
    """One statement for the page on PostgreSQL (ids, items, count), three
    elsewhere; the same for 8 or 16 documents."""
    client.force_login(staff["clerk_a"].user)
    with django_assert_max_num_queries(12) as first:
        client.get("/api/v1/documents")
    for n in range(8):
        incoming(symbol=f"{n}-TB/TU")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/api/v1/documents")


# Token authentication: revocation and role changes take effect at once ------


def _bearer(user):
    from hoso.accounts.services import create_token

    plaintext = create_token(user, name="t", scopes=["read"])[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_revoked_token_is_refused_on_the_next_request(client, staff, documents):
    from hoso.accounts.models import ApiToken
    from hoso.accounts.services import revoke_token

    user = staff["clerk_a"].user
    headers = _bearer(user)
    assert client.get("/api/v1/documents", **headers).json()["count"] == 8
    revoke_token(ApiToken.objects.get(user=user), acting_user=user)
    assert client.get("/api/v1/documents", **headers).status_code == 401


def test_role_and_clearance_changes_apply_on_the_next_request(
    client, staff, documents, incoming
):
    """GIVEN a token that lists commune A's documents
    WHEN the position ends, or the clearance drops
    THEN the very next request sees the new scope."""
    from hoso.core.choices import Secrecy

    secretary = staff["secretary_a"]
    secretary.clearance = Secrecy.SECRET
    secretary.save()
    _secret_document(staff, incoming)
    headers = _bearer(secretary.user)
    assert client.get("/api/v1/documents", **headers).json()["count"] == 9
    secretary.clearance = Secrecy.NONE
    secretary.save()
    assert client.get("/api/v1/documents", **headers).json()["count"] == 8
    secretary.positions.update(end_date=timezone.localdate() - datetime.timedelta(1))
    assert client.get("/api/v1/documents", **headers).json()["count"] == 0


# The register page ------------------------------------------------------------


def test_register_page_lists_the_page_with_links(client, staff, documents):
    client.force_login(staff["clerk_a"].user)
    response = client.get("/documents/incoming/?sort=status")
    assert response.status_code == 200
    html = response.content.decode()
    assert "8 results" in html
    for document in documents:
        assert f'href="{document.get_absolute_url()}"' in html
    # Sorted by status then id: the registered ones come after processing.
    table = response.context["table"]
    statuses = [row.record.status for row in table.page.object_list]
    assert statuses == sorted(statuses)
    assert 'href="?sort=-status"' in html  # the sortable header


def test_register_page_says_more_than_the_cap(client, staff, documents, monkeypatch):
    client.force_login(staff["clerk_a"].user)
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    response = client.get("/documents/incoming/")
    html = response.content.decode()
    assert "More than 5 results" in html
    assert response.context["table"].paginator.count == 6


def test_register_page_marks_overdue_urgent_and_secret(
    client, staff, documents, incoming
):
    from hoso.core.choices import Secrecy

    secret = _secret_document(staff, incoming)
    Document.objects.filter(pk=secret.pk).update(urgency=Urgency.URGENT)
    late = documents[1]
    Document.objects.filter(pk=late.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=3),
        status=Status.PROCESSING,
    )
    secretary = staff["secretary_a"]
    secretary.clearance = Secrecy.SECRET
    secretary.save()
    _verified_login(client, secretary.user)
    response = client.get("/documents/incoming/")
    rows = {row["url"]: row for row in response.context["table"].register_rows()}
    assert rows[late.get_absolute_url()]["css"] == "table-danger"
    assert rows[secret.get_absolute_url()]["css"] == "table-warning"
    assert rows[secret.get_absolute_url()]["secrecy"] == str(Secrecy.SECRET.label)
    assert f"{Secrecy.SECRET.label}</span>" in response.content.decode()


def test_register_page_query_count_does_not_grow(
    client, staff, documents, incoming, django_assert_max_num_queries
):
    client.force_login(staff["clerk_a"].user)
    client.get("/documents/incoming/")
    with django_assert_max_num_queries(30) as first:
        client.get("/documents/incoming/")
    for n in range(10):
        incoming(symbol=f"{n}-TB/TU")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/documents/incoming/")


# The scope as a path range ------------------------------------------------------


def test_path_prefix_selects_exactly_what_startswith_selects(documents):
    """GIVEN paths that share leading characters, and LIKE wildcards
    THEN `path_prefix` (a byte-wise range on PostgreSQL) keeps exactly the
    paths that start with the prefix."""
    from hoso.core.lookups import prefix_upper_bound

    paths = [
        "/1/2/",
        "/1/2/9/",
        "/1/2/95/",
        "/1/20/",
        "/1/2",
        "/1/3/",
        "/1/2/%/",
        "/1/2/_/",
    ]
    for document, path in zip(documents, paths, strict=True):
        Document.objects.filter(pk=document.pk).update(org_path=path)
    by_path = {path: document.pk for document, path in zip(documents, paths)}
    for prefix in ["/1/2/", "/1/2/9", "/1/2/9/", "/1/", "/1/2/%/", "/1/2/_", "/9/"]:
        expected = {pk for path, pk in by_path.items() if path.startswith(prefix)}
        found = set(
            Document.objects.filter(org_path__path_prefix=prefix).values_list(
                "pk", flat=True
            )
        )
        assert found == expected, prefix
    assert prefix_upper_bound("/1/2/") == "/1/20"
    assert prefix_upper_bound("") is None


@pytest.mark.parametrize("ordering", [("doc_type", "-id"), ("-status", "symbol")])
def test_page_statement_keeps_any_ordering(staff, documents, ordering):
    """The page's SQL tail (one compile) orders by columns; an ordering by a
    relation (its model's ordering) is compiled by Django instead. Either
    way the page is the queryset's."""
    from hoso.core.pagination import page_ids
    from hoso.documents import listing

    qs = Document.objects.restrict(staff["clerk_a"].user, "view").order_by(*ordering)
    body = json.loads(listing.page_response(qs, 1, 5).content)
    assert [item["id"] for item in body["items"]] == page_ids(qs, 0, 5)
    assert body["count"] == qs.count()


def test_items_function_is_installed_as_written(db):
    """On PostgreSQL the page's items come from a function that migrations
    install (documents/0009): it must be the text listing.py writes now,
    and STABLE, so it reads the snapshot of the statement that chose the
    page's ids."""
    from django.db import connection

    from hoso.documents import listing

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL function")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT prosrc, provolatile FROM pg_proc WHERE proname = %s",
            [listing.ITEMS_FUNCTION],
        )
        [(source, volatility)] = cursor.fetchall()
    expected = listing.items_function_sql().split("$items$")[1]
    assert source == expected, (
        "The item fields changed: add a migration that runs "
        "listing.items_function_sql()."
    )
    assert volatility == "s"
