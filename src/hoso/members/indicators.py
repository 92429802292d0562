"""Live indicators computed from the member records (for the indicators
app and the dashboard).

A member's digital record is *complete* when every required field of the
2-HSĐV form is filled (`models.member.REQUIRED_PROFILE_FIELDS`: name, date
and place of birth, sex, ethnicity, hometown, residence, citizen ID, general
education, occupation, admission date, biography number), a photo is
stored, and the citizen ID has been verified against the population
registry (`citizen_check_status == "verified"`).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from hoso.members.choices import CitizenCheckStatus
from hoso.members.models import Member
from hoso.members.models.member import REQUIRED_PROFILE_FIELDS

_NULLABLE = {"date_of_birth", "admission_date", "citizen_id", "biography_number"}


def complete_record_q() -> Q:
    """The filter matching members whose digital record is complete."""
    q = Q(photo__isnull=False, citizen_check_status=CitizenCheckStatus.VERIFIED)
    for name in REQUIRED_PROFILE_FIELDS:
        q &= Q(**{f"{name}__isnull": False})
        if name not in ("date_of_birth", "admission_date"):
            q &= ~Q(**{name: ""})
    return q


def digital_record_share(organization, start: date, end: date) -> tuple[int, int]:
    """(members with a complete digital record, all members) in the subtree
    of `organization`, counting the members on the list at some time in
    [start, end] (admitted by `end`, not left before `start`)."""
    members = Member.objects.filter(
        organization__path__startswith=organization.path,
        admission_date__lte=end,
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
    result = members.aggregate(
        complete=Count("pk", filter=complete_record_q()), total=Count("pk")
    )
    return result["complete"], result["total"]
