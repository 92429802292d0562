"""Indicator values, computed indicators kept live through the outbox, the
dashboard pages and API."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from hoso.operations import live, services
from hoso.operations.choices import Light
from hoso.operations.dashboard import current_period
from hoso.operations.models import (
    Indicator,
    IndicatorOutbox,
    IndicatorResult,
    Task,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(db):
    return Indicator.objects.create(
        code="portal",
        name="Cổng thông tin",
        unit="%",
        green_from=90,
        yellow_from=60,
        rule="share_green",
        rollup_green_from=100,
        rollup_yellow_from=50,
        period_kind="quarter",
    )


def test_value_entry_rolls_up_and_is_audited(portal, tree, people):
    """GIVEN communes A and B under the province
    WHEN A enters 95 and B 40
    THEN the province is yellow (half its children green) and counts one
    green and one red below; B's correction to 92 turns it green."""
    from hoso.core.models import AuditEntry

    today = timezone.localdate()
    commune_user = people["commune"].user
    with pytest.raises(PermissionDenied):
        services.set_indicator_value(
            portal,
            acting_user=commune_user,
            organization=tree["b"],
            period_start=today,
            value=1,
        )
    services.set_indicator_value(
        portal,
        acting_user=commune_user,
        organization=tree["a"],
        period_start=today,
        value=95,
    )
    services.set_indicator_value(
        portal,
        acting_user=people["other"].user,
        organization=tree["b"],
        period_start=today,
        value=40,
    )
    start = current_period(portal)
    province = IndicatorResult.objects.get(
        indicator=portal, organization=tree["province"], period_start=start
    )
    assert (province.light, province.green_below, province.red_below) == (
        Light.YELLOW,
        1,
        1,
    )
    services.set_indicator_value(
        portal,
        acting_user=people["other"].user,
        organization=tree["b"],
        period_start=today,
        value=92,
    )
    province.refresh_from_db()
    assert province.light == Light.GREEN and province.value == 100
    assert (
        AuditEntry.objects.filter(action="operations.indicator_value_set").count() == 3
    )


def test_value_validation(portal, tree, people):
    portal.measured_level = "commune"
    portal.save()
    with pytest.raises(ValidationError) as excinfo:
        services.set_indicator_value(
            portal,
            acting_user=people["leader"].user,
            organization=tree["province"],
            period_start=timezone.localdate(),
            value=None,
            weight=-1,
        )
    assert set(excinfo.value.message_dict) == {"organization", "value", "weight"}


def test_computed_tasks_on_time_follows_tasks(
    make_task, tree, people, django_capture_on_commit_callbacks
):
    """GIVEN the computed "tasks on time" indicator
    WHEN a task of commune A goes overdue and later is accepted
    THEN the outbox job turns A (and the province) red, then green."""
    indicator = Indicator.objects.create(
        code="tasks",
        name="Tasks on time",
        green_from=90,
        yellow_from=70,
        rule="weighted_mean",
        computed="tasks_on_time",
        period_kind="year",
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        task = make_task()
    # One refresh job per transaction, enqueued on commit.
    assert IndicatorOutbox.objects.exists() and len(callbacks) >= 1
    Task.objects.filter(pk=task.pk).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )
    task.refresh_from_db()
    task.save()
    live.drain_outbox()
    assert not IndicatorOutbox.objects.exists()
    start = current_period(indicator)
    result = IndicatorResult.objects.get(
        indicator=indicator, organization=tree["a"], period_start=start
    )
    assert (result.value, result.light) == (0, Light.RED)
    province = IndicatorResult.objects.get(
        indicator=indicator, organization=tree["province"], period_start=start
    )
    assert province.light == Light.RED and province.red_below == 1
    # Handed in on the deadline day and accepted: on time.
    task.status = "accepted"
    task.submitted_at = timezone.now() - timedelta(days=1)
    task.save()
    live.drain_outbox()
    result.refresh_from_db()
    assert (result.value, result.light) == (100, Light.GREEN)


def test_provider_interface(make_task, tree):
    from hoso.operations.indicators import tasks_on_time

    task = make_task()
    today = timezone.localdate()
    assert tasks_on_time(tree["province"], today, today + timedelta(days=30)) == (0, 0)
    Task.objects.filter(pk=task.pk).update(deadline=today - timedelta(days=1))
    assert tasks_on_time(tree["province"], today - timedelta(days=5), today) == (0, 1)
    assert tasks_on_time(tree["b"], today - timedelta(days=5), today) == (0, 0)


@pytest.fixture
def without_members_app(monkeypatch):
    """The members provider as it resolves where that app is not installed."""
    from hoso.operations import indicators

    label, _path, topic = indicators.COMPUTED_PROVIDERS["digital_records"]
    monkeypatch.setitem(
        indicators.COMPUTED_PROVIDERS,
        "digital_records",
        (label, "hoso.not_installed.indicators.digital_record_share", topic),
    )


def test_providers_of_missing_apps_are_not_available(
    tree, people, client, without_members_app
):
    indicator = Indicator.objects.create(
        code="records",
        name="Hồ sơ số",
        green_from=90,
        yellow_from=70,
        computed="digital_records",
    )
    assert not live.available("digital_records")
    assert live.refresh_all(indicator) == 0
    client.force_login(people["leader"].user)
    response = client.get(
        reverse("operations:dashboard-node", args=[tree["province"].pk]),
        {"indicator": indicator.pk},
    )
    assert 'data-test="not-available"' in response.content.decode()


def test_dashboard_page_api_and_scope(portal, tree, people, client):
    today = timezone.localdate()
    for org, value in ((tree["a"], 95), (tree["b"], 40)):
        services.set_indicator_value(
            portal,
            acting_user=people["leader"].user,
            organization=org,
            period_start=today,
            value=value,
        )
    client.force_login(people["leader"].user)
    assert client.get(reverse("operations:dashboard")).status_code == 302
    url = reverse("operations:dashboard-node", args=[tree["province"].pk])
    page = client.get(url, {"indicator": portal.pk}).content.decode()
    assert 'data-light="warning"' in page and 'hx-trigger="every 4s"' in page
    fragment = client.get(url, {"indicator": portal.pk}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    commune = client.get(
        reverse("operations:dashboard-node", args=[tree["b"].pk]),
        {"indicator": portal.pk},
    ).content.decode()
    assert "Rank 2 of 2" in commune and 'data-test="behind"' in commune
    api = client.get(
        f"/api/v1/dashboard/{tree['province'].pk}", {"indicator": portal.pk}
    ).json()
    assert api["node"]["light"] == "yellow"
    assert [c["light"] for c in api["children"]] == ["red", "green"]
    assert api["children"][0]["rank"] == 2 and api["children"][0]["of"] == 2
    client.force_login(people["other"].user)
    assert client.get(url, {"indicator": portal.pk}).status_code == 404
    response = client.get(
        f"/api/v1/dashboard/{tree['province'].pk}", {"indicator": portal.pk}
    )
    assert response.status_code == 404


def test_indicator_pages_and_api(portal, tree, people, client):
    client.force_login(people["leader"].user)
    assert client.get(reverse("operations:indicator-list")).status_code == 200
    detail = reverse("operations:indicator", args=[portal.pk])
    response = client.post(
        detail,
        {
            "organization": tree["a"].pk,
            "period_start": "2026-01-15",
            "value": "97",
            "weight": "1",
        },
    )
    assert response.status_code == 302
    values = client.get(f"/api/v1/indicators/{portal.pk}/values").json()["items"]
    assert values[0]["period_start"] == "2026-01-01" and values[0]["value"] == 97
    response = client.post(
        "/api/v1/indicators",
        {"code": "bad", "name": "Bad", "green_from": 1, "yellow_from": 5},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "green_from"
    response = client.post(
        f"/api/v1/indicators/{portal.pk}/values",
        {"organization": tree["b"].pk, "period_start": "2026-02-01", "value": 50},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_indicators_command(portal, tree, people, without_members_app):
    from io import StringIO

    from django.core.management import call_command

    today = timezone.localdate()
    services.set_indicator_value(
        portal,
        acting_user=people["leader"].user,
        organization=tree["a"],
        period_start=today,
        value=95,
    )
    IndicatorResult.objects.all().delete()
    out = StringIO()
    call_command("indicators", "rebuild", stdout=out)
    assert "portal: 1 periods" in out.getvalue()
    assert IndicatorResult.objects.get(organization=tree["central"]).light == 3
    Indicator.objects.create(
        code="records",
        name="x",
        green_from=1,
        yellow_from=0,
        computed="digital_records",
    )
    call_command("indicators", "refresh", stdout=out)
    assert "records: not available" in out.getvalue()


def test_documents_on_time_provider_and_outbox(tree, people, make_user):
    """GIVEN two incoming documents of commune A, due in the past, one
    completed by its deadline and one still open
    THEN the provider counts 1 of 2 for A and for the province, none for B,
    and registering a document marks the indicator stale."""
    from hoso.documents import services as documents
    from hoso.documents.models import Document, DocumentType
    from hoso.operations.indicators import documents_on_time

    Indicator.objects.create(
        code="docs",
        name="Docs",
        green_from=90,
        yellow_from=70,
        computed="documents_on_time",
        rule="weighted_mean",
    )
    clerk = make_user("clerk", tree["a"])
    nq = DocumentType.objects.get(system="party", code="NQ")
    made = [
        documents.create_incoming(
            organization=tree["a"],
            acting_user=clerk,
            doc_type=nq,
            symbol=f"{n}-NQ/TW",
            issuer_name="Trung ương",
            excerpt="Về chuyển đổi số",
        )
        for n in (1, 2)
    ]
    assert IndicatorOutbox.objects.filter(topic="documents").exists()
    today = timezone.localdate()
    due = today - timedelta(days=3)
    Document.objects.filter(pk=made[0].pk).update(
        due_date=due,
        status="completed",
        completed_at=timezone.now() - timedelta(days=5),
    )
    Document.objects.filter(pk=made[1].pk).update(due_date=due)
    start = today - timedelta(days=10)
    assert documents_on_time(tree["a"], start, today) == (1, 2)
    assert documents_on_time(tree["province"], start, today) == (1, 2)
    assert documents_on_time(tree["b"], start, today) == (0, 0)


def test_member_records_indicator_follows_member_changes(tree, people):
    """GIVEN the "complete digital records" indicator (members app)
    WHEN a member of cell A-1 is added, then transferred to cell B-1
    THEN each change marks both places stale, and after the outbox is
    drained commune A and B count what they now hold."""
    from hoso.members.indicators import digital_record_share
    from hoso.members.tests.factories import MemberFactory

    indicator = Indicator.objects.create(
        code="records",
        name="Hồ sơ số",
        green_from=90,
        yellow_from=70,
        computed="digital_records",
    )
    assert live.available("digital_records")
    member = MemberFactory(organization=tree["cell_a"])
    assert IndicatorOutbox.objects.filter(topic="members").exists()
    live.drain_outbox()
    today = timezone.localdate()
    start, end = live.period_bounds(indicator.period_kind, today)
    assert digital_record_share(tree["a"], start, end)[1] == 1
    member.organization = tree["cell_b"]
    member.save()
    paths = set(
        IndicatorOutbox.objects.filter(topic="members").values_list(
            "org_path", flat=True
        )
    )
    assert paths == {tree["cell_a"].path, tree["cell_b"].path}
    live.drain_outbox()
    assert not IndicatorOutbox.objects.exists()
    assert digital_record_share(tree["a"], start, end)[1] == 0
    assert digital_record_share(tree["b"], start, end)[1] == 1
