"""Restructuring pages: the action on the detail page, preview, confirm."""

import pytest
from django.urls import reverse

from hoso.core.models import AuditEntry
from hoso.documents.models import Document
from hoso.members.tests.factories import MemberFactory
from hoso.organizations.models import Organization


def _url(organization):
    return reverse("organizations:organization-restructure", args=[organization.pk])


def _form(target, action="merge", step="preview", on="2026-01-15"):
    return {"action": action, "target": target.pk, "effective_date": on, "step": step}


@pytest.fixture
def users(world, make_user):
    """Three ways: permission over B, no change permission, another scope."""
    return {
        "permitted": world.province_secretary,
        "no_permission": make_user("specialist", world.tree["province"]),
        "other_organization": world.a_secretary,
    }


def test_detail_shows_restructure_only_to_who_may_change(client, world, users):
    client.force_login(users["permitted"])
    page = client.get(world.b.get_absolute_url())
    assert b'data-test="restructure"' in page.content
    client.force_login(users["no_permission"])
    page = client.get(world.b.get_absolute_url())
    assert page.status_code == 200
    assert b'data-test="restructure"' not in page.content


@pytest.mark.parametrize("who", ["no_permission", "other_organization"])
def test_page_is_404_without_permission(client, world, users, who):
    """GIVEN a user who may not change B (no permission, or another scope)
    WHEN they open or post B's restructuring page
    THEN 404, and B does not end."""
    client.force_login(users[who])
    assert client.get(_url(world.b)).status_code == 404
    assert client.post(_url(world.b), _form(world.a, step="confirm")).status_code == (
        404
    )
    assert Organization.objects.get(pk=world.b.pk).successor_id is None


def test_successor_choices_are_changeable_current_and_outside(client, world, users):
    client.force_login(users["permitted"])
    response = client.get(_url(world.b))
    assert response.status_code == 200
    choices = set(response.context["form"].fields["target"].queryset)
    assert world.a in choices
    assert world.b not in choices and world.cell_b not in choices


def test_preview_fragment_then_confirm(client, world, users):
    """GIVEN the province secretary on B's restructuring page
    WHEN they preview the merge into A (htmx), then confirm
    THEN the fragment shows the counts and wrote nothing; the confirmation
    merges, says so and leads to A; B's page says it ended and names A."""
    client.force_login(users["permitted"])
    before = AuditEntry.objects.count()
    preview = client.post(_url(world.b), _form(world.a), HTTP_HX_REQUEST="true")
    assert preview.status_code == 200
    assert [t.name for t in preview.templates][0] == (
        "organizations/restructure_preview.html"
    )
    assert preview.context["result"].totals()["documents"] == 2
    assert b'data-count="documents">2<' in preview.content
    assert b'data-test="confirm"' in preview.content
    assert AuditEntry.objects.count() == before

    done = client.post(_url(world.b), _form(world.a, step="confirm"), follow=True)
    assert done.redirect_chain[-1][0] == world.a.get_absolute_url()
    assert "handed over" in str(list(done.context["messages"])[0])
    b = Organization.objects.get(pk=world.b.pk)
    assert str(b.valid_to) == "2026-01-15" and b.successor_id == world.a.pk
    assert Document.objects.get(pk=world.draft.pk).organization_id == world.a.pk
    page = client.get(b.get_absolute_url())
    assert b'data-test="ended"' in page.content
    assert b"15/01/2026" in page.content
    assert b'data-test="restructure"' not in page.content


def test_refusal_shows_on_the_page_and_changes_nothing(client, world, users):
    """GIVEN cell B-1 with a member
    WHEN it is dissolved into commune A (members are not counted there)
    THEN the page shows the reason on the successor field, nothing changed."""
    MemberFactory(organization=world.cell_b)
    client.force_login(users["permitted"])
    before = AuditEntry.objects.count()
    response = client.post(
        _url(world.cell_b), _form(world.a, action="dissolve", step="confirm")
    )
    assert response.status_code == 200
    assert "cell or to a grassroots" in response.context["form"].errors["target"][0]
    assert b'data-test="restructure-errors"' in response.content
    assert AuditEntry.objects.count() == before
    assert Organization.objects.get(pk=world.cell_b.pk).successor_id is None
