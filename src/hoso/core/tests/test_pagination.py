"""Capped counts and id-first pages (core/pagination.py, ListPagination)."""

import pytest

from hoso.core import pagination
from hoso.core.pagination import (
    CappedPaginator,
    capped_count,
    page_ids,
    rows_by_ids,
    with_tiebreak,
)
from hoso.organizations.models import Organization


def test_capped_count_is_exact_below_the_cap(tree):
    assert capped_count(Organization.objects.all(), cap=10) == (6, False)
    assert capped_count(Organization.objects.all(), cap=6) == (6, False)


def test_capped_count_stops_above_the_cap(tree):
    assert capped_count(Organization.objects.all(), cap=3) == (4, True)


def test_tiebreak_follows_the_last_direction(tree):
    ordering = with_tiebreak(Organization.objects.order_by("-level")).query.order_by
    assert list(ordering) == ["-level", "-pk"]
    unique = Organization.objects.order_by("name", "id")
    assert with_tiebreak(unique).query.order_by == unique.query.order_by


def test_id_first_pages_cover_every_row_once(tree):
    qs = Organization.objects.order_by("level")  # ties on purpose
    seen = []
    for offset in range(0, 6, 4):
        ids = page_ids(qs, offset, 4)
        seen += [org.pk for org in rows_by_ids(qs, ids)]
    assert sorted(seen) == sorted(Organization.objects.values_list("pk", flat=True))
    assert seen == list(qs.order_by("level", "pk").values_list("pk", flat=True))


def test_rows_by_ids_keeps_values_and_drops_rows_out_of_the_queryset(tree):
    qs = Organization.objects.exclude(code="B").values("id", "code")
    rows = rows_by_ids(qs, [tree["b"].pk, tree["a"].pk])
    assert rows == [{"id": tree["a"].pk, "code": "A"}]


def test_rows_by_ids_refuses_tuples(tree):
    with pytest.raises(TypeError):
        rows_by_ids(Organization.objects.values_list("id"), [tree["a"].pk])


def test_capped_paginator(tree, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    paginator = CappedPaginator(Organization.objects.order_by("code"), 2)
    assert (paginator.count, paginator.count_capped, paginator.num_pages) == (
        5,
        True,
        3,
    )
    page = paginator.page(2)
    assert [org.code for org in page] == ["B", "B-1"]
    listed = CappedPaginator(list(range(3)), 2)
    assert (listed.count, listed.count_capped) == (3, False)


@pytest.mark.parametrize("cap,expected", [(1000, False), (0, True)])
def test_list_api_carries_count_capped(client, tree, monkeypatch, cap, expected):
    """The audit list pages with ListPagination: count and count_capped."""
    from django.contrib.auth import get_user_model

    from hoso.accounts.services import create_token

    admin = get_user_model().objects.create_superuser("root", password="x" * 12)
    create_token(admin, name="audited", scopes=["read"])  # one audit entry
    client.force_login(admin)
    monkeypatch.setattr(pagination, "COUNT_CAP", cap)
    body = client.get("/api/v1/audit").json()
    assert set(body) == {"items", "count", "count_capped"}
    assert body["count_capped"] is expected
    assert body["count"] == (1 if expected else len(body["items"]))
