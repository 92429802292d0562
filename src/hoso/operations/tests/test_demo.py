"""Plan 02 in the small demo set."""

from collections import Counter

import pytest

from hoso.operations.choices import Light
from hoso.operations.dashboard import current_period
from hoso.operations.models import Indicator, IndicatorResult, ReportSubmission, Task


@pytest.mark.django_db
def test_small_demo_has_plan_02():
    """GIVEN the small demo set WHEN it is built THEN the 8 Plan 02 task
    groups are tasks of the province with subtasks for the demo communes,
    and the commune lights of the current period mix green, yellow and red."""
    from hoso.demo.small import build_small

    build_small(seed=1, documents=0)
    groups = Task.objects.filter(parent=None, organization__code="KH")
    assert groups.count() == 8
    assert Task.objects.filter(parent__in=groups).count() == 16
    statuses = Counter(Task.objects.values_list("status", flat=True))
    assert len(statuses) >= 3
    lights = Counter()
    for indicator in Indicator.objects.filter(computed=""):
        lights.update(
            IndicatorResult.objects.filter(
                indicator=indicator,
                period_start=current_period(indicator),
                organization__level="commune",
            ).values_list("light", flat=True)
        )
    assert lights[Light.GREEN] and lights[Light.YELLOW] and lights[Light.RED]
    assert ReportSubmission.objects.filter(status="submitted").count() == 1
