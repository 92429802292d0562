"""Query-count baselines: lists and the dashboard do not grow per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hoso.core.testing.factories import OrganizationFactory
from hoso.operations import services
from hoso.operations.models import Indicator

pytestmark = pytest.mark.django_db


def _count(client, url, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(queries)


def test_task_list_api_queries_do_not_grow(client, make_task, people):
    client.force_login(people["leader"].user)
    make_task()
    one = _count(client, "/api/v1/tasks")
    for index in range(5):
        make_task(title=f"Nhiệm vụ {index}")
    assert _count(client, "/api/v1/tasks") == one
    page = _count(client, reverse("operations:task-list"))
    for index in range(5):
        make_task(title=f"Nhiệm vụ thêm {index}")
    assert _count(client, reverse("operations:task-list")) == page


def test_dashboard_queries_do_not_grow_with_children(client, tree, people):
    indicator = Indicator.objects.create(
        code="q", name="Q", green_from=80, yellow_from=50, rule="mean"
    )
    today = timezone.localdate()
    user = people["leader"].user
    url = reverse("operations:dashboard-node", args=[tree["province"].pk])
    client.force_login(user)

    def fragment():
        return _count(
            client, url + f"?indicator={indicator.pk}", HTTP_HX_REQUEST="true"
        )

    services.set_indicator_value(
        indicator,
        acting_user=user,
        organization=tree["a"],
        period_start=today,
        value=90,
    )
    before = fragment()
    for index in range(6):
        commune = OrganizationFactory(parent=tree["province"], code=f"Q{index}")
        services.set_indicator_value(
            indicator,
            acting_user=user,
            organization=commune,
            period_start=today,
            value=10 * index,
        )
    assert fragment() == before
