"""The split page: the action on the detail page, preview, confirm."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hoso.core.models import AuditEntry
from hoso.core.testing.factories import OrganizationFactory
from hoso.documents.models import Document
from hoso.members.models import Member
from hoso.members.tests.factories import MemberFactory
from hoso.organizations.choices import Kind, Level
from hoso.organizations.models import Organization


def _url(organization):
    return reverse("organizations:organization-split", args=[organization.pk])


def _form(step="preview", first=None, second=None, **extra):
    """Two parts, East and West; `first`/`second` add their choices."""
    data = {
        "effective_date": timezone.localdate().isoformat(),
        "step": step,
        "part0-name": "Đảng bộ xã Bình Đông",
        "part0-code": "B-E",
        "part1-name": "Đảng bộ xã Bình Tây",
        "part1-code": "B-W",
    }
    for index, choices in enumerate((first or {}, second or {})):
        for name, objects in choices.items():
            data[f"part{index}-{name}"] = [obj.pk for obj in objects]
    data.update(extra)
    return data


def _organizations() -> list:
    return list(Organization.objects.values_list("pk", "parent", "valid_to"))


@pytest.fixture
def users(world, make_user):
    """Three ways: permission over B, no change permission, another scope."""
    return {
        "permitted": world.province_secretary,
        "no_permission": make_user("specialist", world.tree["province"]),
        "other_organization": world.a_secretary,
    }


@pytest.fixture
def second_cell(world):
    return OrganizationFactory(
        parent=world.b, level=Level.CELL, kind=Kind.CELL, code="B-2", name="Chi bộ 3"
    )


def test_page_for_a_permitted_user(client, world, users, second_cell):
    """GIVEN the province secretary, who may change commune B
    WHEN they open B's page, then its split page
    THEN the detail page offers the split, and the split page lists B's two
    cells in every part and says the first part succeeds B."""
    client.force_login(users["permitted"])
    detail = client.get(world.b.get_absolute_url())
    assert b'data-test="split"' in detail.content
    page = client.get(_url(world.b))
    assert page.status_code == 200
    form = page.context["form"]
    assert set(form.fields["part0-children"].queryset) == {world.cell_b, second_cell}
    assert page.content.count(b'data-test="part"') == form.SLOTS
    assert b'data-test="split-rules"' in page.content


@pytest.mark.parametrize("who", ["no_permission", "other_organization"])
def test_page_is_404_without_permission(client, world, users, who):
    """GIVEN a user who may not change B (no permission, or another scope)
    WHEN they open or post B's split page
    THEN 404, no split button on the detail page, and B does not end."""
    client.force_login(users[who])
    assert client.get(_url(world.b)).status_code == 404
    assert client.post(_url(world.b), _form(step="confirm")).status_code == 404
    assert Organization.objects.get(pk=world.b.pk).successor_id is None
    assert not Organization.objects.filter(code="B-E").exists()
    if who == "no_permission":
        page = client.get(world.b.get_absolute_url())
        assert b'data-test="split"' not in page.content


def test_preview_counts_and_writes_nothing(client, world, users, second_cell):
    """GIVEN the province secretary on B's split page
    WHEN they preview West taking the second cell (htmx)
    THEN the fragment shows one cell per part, B's open records and its
    position going to East, and nothing was written."""
    client.force_login(users["permitted"])
    before = (_organizations(), AuditEntry.objects.count())
    preview = client.post(
        _url(world.b), _form(second={"children": [second_cell]}), HTTP_HX_REQUEST="true"
    )
    assert preview.status_code == 200
    assert [t.name for t in preview.templates][0] == "organizations/split_preview.html"
    result = preview.context["result"]
    assert [h.target.code for h in result.handovers] == ["B-E", "B-W"]
    assert [h.children for h in result.handovers] == [1, 1]
    assert result.totals()["documents"] == 2
    assert result.totals()["positions"] == 1
    assert b'data-count="documents">2<' in preview.content
    assert b'data-test="confirm"' in preview.content
    assert (_organizations(), AuditEntry.objects.count()) == before


def test_confirm_creates_the_parts_with_their_share(client, world, users):
    """GIVEN cell B-1 with three members on the list
    WHEN the province secretary splits it, the second part taking one member
    THEN both cells exist, that member is the second's, the others and the
    open records the first's, and the page leads to the first part."""
    members = [MemberFactory(organization=world.cell_b) for _ in range(3)]
    client.force_login(users["permitted"])
    done = client.post(
        _url(world.cell_b),
        _form(
            step="confirm",
            second={"members": [members[1]]},
            **{"part0-code": "B-1A", "part1-code": "B-1B", "part1-abbreviation": "CB"},
        ),
        follow=True,
    )
    first = Organization.objects.get(code="B-1A")
    second = Organization.objects.get(code="B-1B")
    assert done.redirect_chain[-1][0] == first.get_absolute_url()
    assert "split" in str(list(done.context["messages"])[0])
    assert second.abbreviation == "CB"
    owners = [Member.objects.get(pk=m.pk).organization_id for m in members]
    assert owners == [first.pk, second.pk, first.pk]
    handed_over = Document.objects.get(pk=world.cell_document.pk)
    assert handed_over.organization_id == first.pk
    assert Organization.objects.get(pk=world.cell_b.pk).successor_id == first.pk


def test_refusal_shows_on_the_form_and_changes_nothing(client, world, users):
    """GIVEN a split whose second part takes a code already in use
    WHEN it is confirmed
    THEN the page shows the refusal, and no organization was created or
    ended; a single part is refused by the form itself."""
    client.force_login(users["permitted"])
    before = (_organizations(), AuditEntry.objects.count())
    response = client.post(_url(world.b), _form(step="confirm", **{"part1-code": "A"}))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert b'data-test="split-errors"' in response.content
    assert (_organizations(), AuditEntry.objects.count()) == before

    one_part = _form(step="confirm", **{"part1-name": "", "part1-code": ""})
    response = client.post(_url(world.b), one_part)
    assert "two parts" in response.context["form"].non_field_errors()[0]
    assert (_organizations(), AuditEntry.objects.count()) == before


def test_future_date_lands_on_the_date_field(client, world, users):
    """GIVEN a split dated tomorrow
    WHEN it is previewed
    THEN the service's refusal sits on the effective date field."""
    client.force_login(users["permitted"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(_url(world.b), _form(effective_date=tomorrow.isoformat()))
    assert "future" in response.context["form"].errors["effective_date"][0]
