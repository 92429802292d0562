"""factory_boy factories for member records."""

from datetime import date

import factory

from hoso.members.choices import MemberStatus, Sex
from hoso.members.models import Member


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    full_name = factory.Sequence(lambda n: f"Trần Thị Thử {n}")
    date_of_birth = date(1980, 5, 17)
    sex = Sex.FEMALE
    ethnicity = "Kinh"
    status = MemberStatus.FULL
    admission_date = date(2010, 3, 2)
    probation_ends = date(2011, 3, 2)
    full_membership_date = date(2011, 3, 2)
    citizen_id = factory.Sequence(lambda n: f"{1000000000 + n:012d}")
    biography_number = factory.Sequence(lambda n: f"{n % 1000000:06d}HN")
