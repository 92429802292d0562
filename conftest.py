"""Shared pytest fixtures."""

import pytest
from django.utils import translation

from hoso.core.testing.factories import (
    OrganizationFactory,
    PersonFactory,
    PositionFactory,
)
from hoso.organizations.choices import Kind, Level


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Each test writes audit checkpoints to its own file; passwords hash with
    a fast hasher (argon2 stays the product's first hasher, see
    accounts/tests/test_auth.py)."""
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.log"
    # Tests read messages in English (the source language); the tests of the
    # Vietnamese default set LANGUAGE_CODE back to "vi" themselves.
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
    yield
    translation.deactivate()


@pytest.fixture
def tree(db):
    """central → province → communes A and B → a cell in each."""
    central = OrganizationFactory(
        level=Level.CENTRAL,
        code="TW",
        name="Ban Chấp hành Trung ương",
        abbreviation="TW",
    )
    province = OrganizationFactory(
        parent=central, level=Level.PROVINCE, code="P1", name="Đảng bộ tỉnh Thử"
    )
    commune_a = OrganizationFactory(parent=province, code="A", name="Đảng bộ xã An")
    commune_b = OrganizationFactory(parent=province, code="B", name="Đảng bộ xã Bình")
    cell_a = OrganizationFactory(
        parent=commune_a, level=Level.CELL, kind=Kind.CELL, code="A-1", name="Chi bộ 1"
    )
    cell_b = OrganizationFactory(
        parent=commune_b, level=Level.CELL, kind=Kind.CELL, code="B-1", name="Chi bộ 2"
    )
    return {
        "central": central,
        "province": province,
        "a": commune_a,
        "b": commune_b,
        "cell_a": cell_a,
        "cell_b": cell_b,
    }


@pytest.fixture
def make_user(db):
    """make_user(role_code, organization, clearance=0) → a user holding one of
    the default roles at `organization` (no position when role_code is None)."""
    from hoso.accounts.models import Role

    def make(role_code=None, organization=None, clearance=0):
        person = PersonFactory(clearance=clearance)
        if role_code:
            PositionFactory(
                person=person,
                organization=organization,
                role=Role.objects.get(code=role_code),
            )
        return person.user

    return make
