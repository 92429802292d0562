"""Generic permission tests, written once.

A model's test class inherits `ScopedUITests` and/or `ScopedAPITests`,
supplies its data, and every case runs three ways: a user with no
permission, a user with the permission on the object's organization, and a
user with the permission only on another organization (who must get 404).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from hoso.core import permissions
from hoso.core.testing.factories import (
    OrganizationFactory,
    PersonFactory,
    PositionFactory,
    RoleFactory,
)
from hoso.organizations.choices import Level


class ScopedFixtures:
    """`home` and `other` are sibling communes under one province."""

    model = None
    action = "view"

    def create_object(self, organization):
        """Return a new object belonging to `organization`."""
        raise NotImplementedError

    @pytest.fixture
    def orgs(self, db):
        province = OrganizationFactory(level=Level.PROVINCE, code="T-P")
        home = OrganizationFactory(parent=province, code="T-HOME")
        other = OrganizationFactory(parent=province, code="T-OTHER")
        return {"province": province, "home": home, "other": other}

    @pytest.fixture
    def obj(self, orgs):
        return self.create_object(orgs["home"])

    def user_with(self, organization, patterns):
        person = PersonFactory()
        role = RoleFactory(permissions=patterns)
        PositionFactory(person=person, organization=organization, role=role)
        return person.user

    @pytest.fixture
    def no_permission_user(self, orgs):
        return self.user_with(orgs["home"], [])

    @pytest.fixture
    def permitted_user(self, orgs):
        return self.user_with(
            orgs["home"], [permissions.permission_name(self.model, self.action)]
        )

    @pytest.fixture
    def other_org_user(self, orgs):
        return self.user_with(
            orgs["other"], [permissions.permission_name(self.model, self.action)]
        )


class ScopedUITests(ScopedFixtures):
    """List and detail pages, three ways."""

    list_url_name = ""
    detail_url_name = ""

    def detail_url(self, obj):
        return reverse(self.detail_url_name, args=[obj.pk])

    def test_detail_without_permission_is_404(self, client, obj, no_permission_user):
        client.force_login(no_permission_user)
        assert client.get(self.detail_url(obj)).status_code == 404

    def test_detail_with_permission(self, client, obj, permitted_user):
        client.force_login(permitted_user)
        assert client.get(self.detail_url(obj)).status_code == 200

    def test_detail_from_other_organization_is_404(self, client, obj, other_org_user):
        client.force_login(other_org_user)
        assert client.get(self.detail_url(obj)).status_code == 404

    def test_list_without_permission_shows_nothing(
        self, client, obj, no_permission_user
    ):
        client.force_login(no_permission_user)
        response = client.get(reverse(self.list_url_name))
        assert response.status_code == 200
        assert obj not in list(response.context["table"].data)

    def test_list_with_permission(self, client, obj, permitted_user):
        client.force_login(permitted_user)
        response = client.get(reverse(self.list_url_name))
        assert obj in list(response.context["table"].data)

    def test_list_from_other_organization(self, client, obj, other_org_user):
        client.force_login(other_org_user)
        response = client.get(reverse(self.list_url_name))
        assert obj not in list(response.context["table"].data)


class ScopedAPITests(ScopedFixtures):
    """List and detail API endpoints, three ways."""

    api_list_url = ""

    def api_detail_url(self, obj):
        return f"{self.api_list_url}/{obj.pk}"

    def listed_ids(self, client):
        response = client.get(self.api_list_url, {"page_size": 500})
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    def test_api_anonymous_is_401(self, client, obj):
        assert client.get(self.api_detail_url(obj)).status_code == 401

    def test_api_detail_without_permission_is_404(
        self, client, obj, no_permission_user
    ):
        client.force_login(no_permission_user)
        assert client.get(self.api_detail_url(obj)).status_code == 404

    def test_api_detail_with_permission(self, client, obj, permitted_user):
        client.force_login(permitted_user)
        response = client.get(self.api_detail_url(obj))
        assert response.status_code == 200
        assert response.json()["id"] == obj.pk

    def test_api_detail_from_other_organization_is_404(
        self, client, obj, other_org_user
    ):
        client.force_login(other_org_user)
        assert client.get(self.api_detail_url(obj)).status_code == 404

    def test_api_list_three_ways(
        self, client, obj, no_permission_user, permitted_user, other_org_user
    ):
        client.force_login(no_permission_user)
        assert obj.pk not in self.listed_ids(client)
        client.force_login(permitted_user)
        assert obj.pk in self.listed_ids(client)
        client.force_login(other_org_user)
        assert obj.pk not in self.listed_ids(client)
