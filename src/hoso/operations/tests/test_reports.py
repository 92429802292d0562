"""Periodic reports: typed fields, drafts, submission, accept/return,
aggregation up the tree, indicator feeding, exports, reminders."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from hoso.notifications.models import Notification
from hoso.operations import reporting
from hoso.operations.models import (
    Indicator,
    IndicatorResult,
    IndicatorValue,
    ReportSubmission,
)

pytestmark = pytest.mark.django_db

FIELDS = [
    {
        "code": "records",
        "label": "Hồ sơ đã số hóa",
        "kind": "integer",
        "min_value": 0,
        "aggregate": "sum",
    },
    {
        "code": "share",
        "label": "Tỷ lệ",
        "kind": "percent",
        "aggregate": "mean",
        "indicator": "digital",
    },
    {
        "code": "portal",
        "label": "Có cổng thông tin",
        "kind": "boolean",
        "aggregate": "count_yes",
        "required": False,
    },
    {"code": "note", "label": "Ghi chú", "kind": "text", "required": False},
]


@pytest.fixture
def round_(tree, people):
    Indicator.objects.create(
        code="digital",
        name="Tỷ lệ số hóa",
        green_from=90,
        yellow_from=60,
        period_kind="month",
    )
    form = reporting.create_report_form(
        acting_user=people["leader"].user,
        organization=tree["province"],
        title="Báo cáo số hóa tháng",
        target_level="commune",
        fields=FIELDS,
    )
    today = timezone.localdate()
    return reporting.open_round(
        form,
        acting_user=people["leader"].user,
        period_start=today.replace(day=1),
        period_end=today.replace(day=1) + timedelta(days=27),
        due_date=today + timedelta(days=5),
    )


def test_form_validation(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        reporting.create_report_form(
            acting_user=people["leader"].user,
            organization=tree["province"],
            title="",
            fields=[
                {
                    "code": "a",
                    "label": "A",
                    "kind": "integer",
                    "min_value": 5,
                    "max_value": 1,
                }
            ],
        )
    errors = excinfo.value.message_dict
    assert {"title", "target_level", "fields"} <= set(errors)
    assert "minimum is above the maximum" in errors["fields"][0]
    with pytest.raises(PermissionDenied):
        reporting.create_report_form(
            acting_user=people["commune"].user,
            organization=tree["province"],
            title="x",
            target_level="cell",
            fields=FIELDS[:1],
        )


def test_round_targets_and_notifies(round_, tree, people):
    orgs = set(round_.submissions.values_list("organization_id", flat=True))
    assert orgs == {tree["a"].pk, tree["b"].pk}
    assert Notification.objects.filter(
        kind="report.opened", recipient=people["specialist"].user
    ).exists()


def test_fill_submit_accept_aggregate(round_, tree, people):
    """GIVEN a monthly report to communes A and B
    WHEN A saves a draft, then submits with a bad then a good answer, B
    submits, and the province accepts A and returns B
    THEN drafts may be incomplete, bad answers are named, the aggregate
    sums and averages what was submitted, and A's share feeds the
    indicator at A."""
    a = ReportSubmission.objects.get(round=round_, organization=tree["a"])
    b = ReportSubmission.objects.get(round=round_, organization=tree["b"])
    specialist = people["specialist"].user
    reporting.save_draft(a, acting_user=specialist, data={"records": "12"})
    a.refresh_from_db()
    assert (a.status, a.data) == ("draft", {"records": 12})
    with pytest.raises(ValidationError) as excinfo:
        reporting.submit_report(
            a, acting_user=specialist, data={"records": "1.5", "share": "120"}
        )
    errors = excinfo.value.message_dict
    assert "whole number" in errors["records"][0]
    assert "0 to 100" in errors["share"][0]
    with pytest.raises(ValidationError) as excinfo:
        reporting.submit_report(a, acting_user=specialist, data={"records": "3"})
    assert "required" in excinfo.value.message_dict["share"][0]
    reporting.submit_report(
        a,
        acting_user=specialist,
        data={"records": "120", "share": "95", "portal": "yes"},
    )
    with pytest.raises(ReportSubmission.DoesNotExist):
        reporting.submit_report(b, acting_user=specialist, data={})
    reporting.submit_report(
        b, acting_user=people["other"].user, data={"records": 30, "share": 45}
    )
    rows, total, _fields = reporting.rollup_rows(
        round_, tree["province"], people["leader"].user
    )
    assert total == {"records": 150, "share": 70.0, "portal": 1}
    with pytest.raises(PermissionDenied):
        reporting.accept_report(a, acting_user=specialist)
    reporting.accept_report(a, acting_user=people["leader"].user)
    reporting.return_report(b, acting_user=people["leader"].user, reason="Sai số liệu")
    value = IndicatorValue.objects.get(organization=tree["a"])
    assert (value.value, value.source) == (95, "report")
    assert IndicatorResult.objects.get(organization=tree["province"]).light == 3
    b.refresh_from_db()
    assert b.status == "returned"
    reporting.submit_report(
        b, acting_user=people["other"].user, data={"records": 31, "share": 61}
    )


def test_pages_exports_and_api(round_, tree, people, client):
    a = ReportSubmission.objects.get(round=round_, organization=tree["a"])
    client.force_login(people["specialist"].user)
    assert client.get(reverse("operations:report-forms")).status_code == 200
    url = reverse("operations:report-submission", args=[a.pk])
    response = client.post(url, {"action": "submit", "records": "x"})
    assert response.status_code == 200 and "enter a number" in response.content.decode()
    client.post(
        url, {"action": "submit", "records": "7", "share": "91", "portal": "no"}
    )
    a.refresh_from_db()
    assert a.status == "submitted" and a.data["portal"] is False
    client.force_login(people["leader"].user)
    page = client.get(reverse("operations:report-round", args=[round_.pk]))
    assert page.status_code == 200
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        response = client.get(
            reverse("operations:report-export", args=[round_.pk, fmt])
        )
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(magic)
    api = client.get(f"/api/v1/report-periods/{round_.pk}/aggregate").json()
    assert api["total"]["records"] == 7
    response = client.post(f"/api/v1/report-submissions/{a.pk}/accept")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    client.force_login(people["other"].user)
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/report-submissions/{a.pk}").status_code == 404


def test_report_reminders_once(round_, tree, people):
    today = timezone.localdate()
    soon = reporting.send_report_reminders_now(today + timedelta(days=4))
    assert soon >= 2
    assert reporting.send_report_reminders_now(today + timedelta(days=4)) == 0
    late = reporting.send_report_reminders_now(today + timedelta(days=6))
    assert late >= 2
    assert reporting.send_report_reminders_now(today + timedelta(days=6)) == 0
