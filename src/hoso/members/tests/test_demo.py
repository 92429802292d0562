"""The demo member records: the small set and the bulk loader."""

import pytest
from django.contrib.auth import get_user_model

from hoso.demo import members as demo_members
from hoso.members import dues
from hoso.members.choices import MemberStatus
from hoso.members.models import Member, RatingRound, Transfer
from hoso.organizations.choices import Level
from hoso.organizations.models import Organization


@pytest.mark.django_db
def test_small_set_members():
    """GIVEN the small demo set WHEN built THEN every cell has members, some
    are probationary, transfers are under way, dues are partly paid with one
    member flagged, a rating round waits, and demo members are linked."""
    from hoso.demo.small import build_small

    build_small(seed=1, documents=0)
    cells = Organization.objects.filter(level=Level.CELL)
    assert not cells.exclude(members__isnull=False).exists()
    assert Member.objects.filter(status=MemberStatus.PROBATIONARY).exists()
    assert Transfer.objects.filter(kind="official", status="sent").count() == 2
    assert Transfer.objects.filter(kind="temporary", status="active").count() == 1
    assert RatingRound.objects.get().status == "cell_review"
    assert (
        Member.objects.filter(person__user__username__startswith="dangvien.").count()
        == 2
    )
    admin = get_user_model().objects.get(username="admin")
    province = Organization.objects.get(code="KH")
    assert dues.flagged_for_removal(province, user=admin)
    names = set(Member.objects.values_list("full_name", flat=True))
    assert len(names) > 50


@pytest.mark.django_db
def test_bulk_loader_uses_the_import_path():
    """GIVEN the province tree WHEN 3,000 generated members are loaded THEN
    they spread over the cells with unique numbers and valid ages."""
    from hoso.demo import trees
    from hoso.members import validators, workdays

    trees.insert_tree(trees.generate_tree("province", seed=1))
    loaded = demo_members.build_for_tree("province", seed=1, count=3000)
    assert loaded == Member.objects.count() == 3000
    assert Member.objects.values("organization").distinct().count() > 500
    for member in Member.objects.all()[:300]:
        validators.validate_citizen_id(member.citizen_id)
        validators.validate_biography_number(member.biography_number)
        if member.card_number:
            validators.validate_card_number(member.card_number)
        assert 18 <= workdays.age_on(member.date_of_birth, member.admission_date) <= 60
