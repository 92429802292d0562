import pytest

from hoso.members.tests.factories import MemberFactory


@pytest.fixture
def secretary_a(tree, make_user):
    """The secretary of commune A (scope: commune A and its cell)."""
    return make_user("secretary", tree["a"])


@pytest.fixture
def secretary_b(tree, make_user):
    return make_user("secretary", tree["b"])


@pytest.fixture
def introducers(tree):
    return [MemberFactory(organization=tree["cell_a"]) for _ in range(2)]


@pytest.fixture
def applicant():
    from datetime import date

    return {
        "full_name": "Lê Văn Mới",
        "date_of_birth": date(2000, 1, 15),
        "sex": "male",
        "ethnicity": "Kinh",
        "hometown": "Xã An, tỉnh Thử",
    }
