"""The small demo set carries meetings and handbook content."""

from django.utils import timezone

from hoso.demo.small import build_small
from hoso.handbook.models import Feedback, LibraryEntry, StudySession
from hoso.meetings import indicators
from hoso.meetings.models import Bridge, Meeting, Minutes
from hoso.organizations.models import Organization


def test_small_set_has_meetings_and_handbook(db):
    users = build_small(documents=60)
    assert {"dangvien2.nhatrang", "dangvien5.dienkhanh"} <= {u.username for u in users}
    cells_with_series = (
        Meeting.objects.filter(series__isnull=False).values("organization").distinct()
    )
    assert cells_with_series.count() == 2
    assert Minutes.objects.filter(status="approved").count() == 2
    assert Meeting.objects.filter(kind="conference", online=True).count() == 1
    assert Bridge.objects.count() == 4
    assert LibraryEntry.objects.filter(document__symbol="57-NQ/TW").exists()
    assert StudySession.objects.get().questions.count() == 2
    assert Feedback.objects.filter(status="answered").count() == 2
    province = Organization.objects.get(code="KH")
    held = Meeting.objects.filter(status="closed").first()
    day = timezone.localdate(held.starts_at)
    assert indicators.advance_publication_share(province, day, day) == (2, 2)
