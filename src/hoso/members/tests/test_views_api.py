"""Pages and API: scope (three ways), sensitive fields, transitions,
register exports, card verification."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hoso.core.models import AuditEntry
from hoso.core.testing.scoped import ScopedAPITests, ScopedUITests
from hoso.members import card
from hoso.members.models import Member
from hoso.members.tests.factories import MemberFactory

TODAY = timezone.localdate()


class TestMemberScope(ScopedUITests, ScopedAPITests):
    model = Member
    list_url_name = "members:list"
    detail_url_name = "members:member"
    api_list_url = "/api/v1/members"

    def create_object(self, organization):
        return MemberFactory(organization=organization)


@pytest.fixture
def secretary(tree, make_user):
    return make_user("secretary", tree["a"])


def test_every_page_renders(client, tree, secretary):
    member = MemberFactory(organization=tree["cell_a"])
    client.force_login(secretary)
    for url in (
        reverse("members:list"),
        reverse("members:admit"),
        member.get_absolute_url(),
        reverse("members:member-edit", args=[member.pk]),
        reverse("members:transfers"),
        reverse("members:dues"),
        reverse("members:rating-rounds"),
        reverse("members:register"),
        reverse("members:import"),
        reverse("members:card", args=[member.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_sensitive_fields_hidden_from_roles_without_need(client, tree, make_user):
    """GIVEN a specialist (view only) WHEN opening a member THEN the citizen
    ID is absent from the page and null in the API; the secretary sees it."""
    member = MemberFactory(organization=tree["cell_a"], citizen_id="079123456789")
    specialist = make_user("specialist", tree["a"])
    client.force_login(specialist)
    assert "079123456789" not in client.get(member.get_absolute_url()).text
    assert client.get(f"/api/v1/members/{member.pk}").json()["citizen_id"] is None
    client.force_login(make_user("secretary", tree["a"]))
    assert "079123456789" in client.get(member.get_absolute_url()).text
    assert (
        client.get(f"/api/v1/members/{member.pk}").json()["citizen_id"]
        == "079123456789"
    )


def test_api_list_items_carry_organization_and_filters(client, tree, secretary):
    a = MemberFactory(organization=tree["cell_a"])
    MemberFactory(organization=tree["cell_a"], status="removed")
    client.force_login(secretary)
    items = client.get("/api/v1/members").json()["items"]
    assert [(i["id"], i["organization"]) for i in items] == [(a.pk, tree["cell_a"].pk)]
    removed = client.get("/api/v1/members", {"status": "removed"}).json()["items"]
    assert len(removed) == 1


def test_api_lifecycle_transitions(client, tree, secretary, make_user):
    """GIVEN two introducers WHEN admitting through the API with a bad age
    THEN 422 naming the field; a good one is 201; the transfer is sent and
    received through the transfer endpoints."""
    introducers = [MemberFactory(organization=tree["cell_a"]) for _ in range(2)]
    client.force_login(secretary)
    payload = {
        "organization": tree["cell_a"].pk,
        "admitted_on": "2024-06-01",
        "introducers": [m.pk for m in introducers],
        "full_name": "Vũ Minh Tâm",
        "date_of_birth": "2010-01-01",
        "sex": "male",
    }
    response = client.post("/api/v1/members", payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "date_of_birth"
    payload["date_of_birth"] = "1995-01-01"
    response = client.post("/api/v1/members", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    member_id = response.json()["id"]
    response = client.post(
        f"/api/v1/members/{member_id}/full-membership",
        {"voted_on": "2025-06-01", "votes_for": 2, "votes_against": 0},
        content_type="application/json",
    )
    assert response.json()["status"] == "full"
    response = client.post(
        f"/api/v1/members/{member_id}/transfer",
        {"target": tree["cell_b"].pk, "decided_on": str(TODAY), "sent_on": str(TODAY)},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    transfer_id = response.json()["id"]
    client.force_login(make_user("secretary", tree["b"]))
    inbox = client.get("/api/v1/members/transfers", {"incoming": True}).json()
    assert [t["id"] for t in inbox["items"]] == [transfer_id]
    response = client.post(
        f"/api/v1/members/transfers/{transfer_id}/receive",
        {"received_on": str(TODAY)},
        content_type="application/json",
    )
    assert response.json()["status"] == "received"
    assert Member.objects.get(pk=member_id).organization == tree["cell_b"]


def test_ui_action_errors_come_back_on_the_page(client, tree, secretary):
    member = MemberFactory(organization=tree["cell_a"])
    client.force_login(secretary)
    response = client.post(
        reverse("members:action", args=[member.pk, "remove"]),
        {"remove-on": str(TODAY), "remove-reason": ""},
    )
    assert response.status_code == 422
    response = client.post(
        reverse("members:action", args=[member.pk, "discipline"]),
        {
            "discipline-form": "warning",
            "discipline-decided_on": str(TODAY),
            "discipline-reason": "Vi phạm quy chế",
        },
    )
    assert response.status_code == 302
    assert member.disciplines.count() == 1


def test_register_view_and_exports_are_audited(client, tree, secretary):
    MemberFactory(organization=tree["cell_a"], full_name="Hoàng Văn Nam")
    client.force_login(secretary)
    response = client.get(reverse("members:register"), {"organization": tree["a"].pk})
    assert "Hoàng Văn Nam" in response.text
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        response = client.get(
            reverse("members:register"),
            {"organization": tree["a"].pk, "format": fmt},
        )
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(magic)
    assert AuditEntry.objects.filter(action="members.register_exported").count() == 2


def test_register_has_fourteen_columns_and_transfers(tree, secretary, make_user):
    from hoso.members import register, services

    member = MemberFactory(organization=tree["cell_a"])
    transfer = services.send_transfer(
        member,
        target=tree["cell_b"],
        decided_on=TODAY,
        sent_on=TODAY,
        acting_user=secretary,
    )
    services.receive_transfer(
        transfer, received_on=TODAY, acting_user=make_user("secretary", tree["b"])
    )
    rows = list(register.register_rows(tree["a"], user=secretary))
    assert len(rows) == 1 and len(rows[0][1]) == 14
    assert tree["cell_b"].name in rows[0][1][9]


def test_card_verification_shows_only_public_fields(client, tree, secretary):
    """GIVEN an issued card WHEN its code is opened without signing in THEN
    name, cell and validity show and nothing else; a re-issue invalidates the
    old code; a forged token is unknown."""
    member = MemberFactory(
        organization=tree["cell_a"], citizen_id="001122334455", card_number="12345678"
    )
    member = card.issue_card(member, acting_user=secretary)
    old = card.card_token(member)
    client.logout()
    response = client.get(reverse("members:verify", args=[old]))
    assert response.status_code == 200
    assert member.full_name in response.text and tree["cell_a"].name in response.text
    assert "001122334455" not in response.text and "12345678" not in response.text
    card.issue_card(member, acting_user=secretary)
    assert client.get(reverse("members:verify", args=[old])).status_code == 404
    forged = old[:-2] + ("AA" if not old.endswith("AA") else "BB")
    assert client.get(reverse("members:verify", args=[forged])).status_code == 404


def test_dues_sheet_records_payments(client, tree, secretary):
    member = MemberFactory(organization=tree["cell_a"], dues_category="other")
    client.force_login(secretary)
    month = TODAY.replace(day=1)
    response = client.post(
        reverse("members:dues"),
        {
            "organization": tree["cell_a"].pk,
            "month": f"{month:%Y-%m}",
            "member": [member.pk],
            "paid_on": str(TODAY),
        },
    )
    assert response.status_code == 302
    assert member.dues_payments.get().amount == 3000


def test_handbook_blocks_render(tree, secretary):
    from django.template.loader import render_to_string

    member = MemberFactory(organization=tree["cell_a"], dues_category="other")
    html = render_to_string("members/handbook/profile.html", {"member": member})
    assert member.full_name in html
    html = render_to_string("members/handbook/dues.html", {"member": member})
    assert "3000" in html


def test_import_page_dry_run_then_commit(client, tree, secretary):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hoso.members import imports

    text = imports.template_csv().decode("utf-8-sig").replace("CB-01", "A-1")
    client.force_login(secretary)
    response = client.post(
        reverse("members:import"),
        {
            "organization": tree["a"].pk,
            "file": SimpleUploadedFile("m.csv", text.encode()),
        },
    )
    assert response.status_code == 200
    token = response.context["token"]
    assert not Member.objects.exists()
    response = client.post(reverse("members:import"), {"token": token})
    assert response.status_code == 302
    assert Member.objects.count() == 1


def test_indicator_digital_record_share(tree):
    from hoso.members.indicators import digital_record_share

    complete = MemberFactory(
        organization=tree["cell_a"],
        place_of_birth="Hà Nội",
        hometown="Hà Nội",
        residence="Hà Nội",
        education_general="12/12",
        occupation="Kỹ sư",
        photo=b"\x89PNG",
        citizen_check_status="verified",
    )
    MemberFactory(organization=tree["cell_a"])
    MemberFactory(organization=tree["cell_b"])
    assert complete.pk
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert digital_record_share(tree["a"], start, end) == (1, 2)
    assert digital_record_share(tree["province"], start, end) == (1, 3)
    # Members who left before the period are not counted.
    MemberFactory(
        organization=tree["cell_a"], status="removed", left_on=start - timedelta(1)
    )
    assert digital_record_share(tree["a"], start, end) == (1, 2)


def test_list_queries_do_not_grow_with_rows(
    client, tree, secretary, django_assert_max_num_queries
):
    """Query-count baseline: the list page and list API cost the same for 5
    members as for 40 (no N+1)."""
    for _ in range(5):
        MemberFactory(organization=tree["cell_a"])
    client.force_login(secretary)
    client.get(reverse("members:list"))  # warm the session
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("members:list"))
        client.get("/api/v1/members")
    for _ in range(35):
        MemberFactory(organization=tree["cell_a"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("members:list"))
        client.get("/api/v1/members")


def test_rating_round_shows_each_members_task_results(client, tree, make_user):
    """The annual rating reads the operations centre's evaluation input: the
    tasks a member led with a deadline in the rating year."""
    from hoso.core.testing.factories import OrganizationFactory
    from hoso.members import rating
    from hoso.operations import services as operations
    from hoso.organizations.choices import Kind, Level

    grassroots = OrganizationFactory(
        parent=tree["a"], level=Level.GRASSROOTS, kind=Kind.GRASSROOTS, code="GR"
    )
    cell = OrganizationFactory(
        parent=grassroots, level=Level.CELL, kind=Kind.CELL, code="GR-1"
    )
    secretary = make_user("secretary", tree["a"])
    leader = make_user("secretary", tree["province"])
    lead = make_user("member", cell).person
    member = MemberFactory(organization=cell, person=lead)
    year = timezone.localdate().year
    deadline = min(timezone.localdate() + timedelta(days=10), date(year, 12, 31))
    operations.create_task(
        acting_user=leader,
        title="Số hóa hồ sơ",
        description="Nhập hồ sơ đảng viên.",
        lead=lead,
        deadline=deadline,
        coordinators=[secretary.person],
        product="Báo cáo",
        authority=leader.person,
        organization=cell,
    )
    rnd = rating.open_round(grassroots, year=year, acting_user=secretary)
    client.force_login(secretary)
    page = client.get(reverse("members:rating-round", args=[rnd.pk])).text
    assert member.full_name in page
    assert 'data-test="task-results"' in page
    # One task, not yet due: none on time, late or returned.
    assert "0</span> / <span" in page
