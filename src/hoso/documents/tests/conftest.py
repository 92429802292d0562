"""Fixtures for the documents office: two communes with their people."""

import pytest

from hoso.accounts.models import Position, Role
from hoso.core.testing.factories import PersonFactory
from hoso.documents.models import DocumentType


@pytest.fixture
def nq(db):
    return DocumentType.objects.get(system="party", code="NQ")


@pytest.fixture
def cv(db):
    return DocumentType.objects.get(system="party", code="CV")


@pytest.fixture
def staff(tree):
    """A clerk, a secretary and a specialist in commune A; a clerk and a
    secretary in commune B; a clerk at the province."""

    def person(role, org, clearance=0):
        p = PersonFactory(clearance=clearance)
        Position.objects.create(
            person=p, organization=org, role=Role.objects.get(code=role)
        )
        return p

    return {
        "clerk_a": person("clerk", tree["a"]),
        "secretary_a": person("secretary", tree["a"]),
        "specialist_a": person("specialist", tree["a"]),
        "clerk_b": person("clerk", tree["b"]),
        "secretary_b": person("secretary", tree["b"]),
        "clerk_p": person("clerk", tree["province"]),
        "secretary_p": person("secretary", tree["province"]),
    }


@pytest.fixture
def incoming(tree, staff, nq):
    """Register one incoming document in commune A."""
    from hoso.documents import services

    def make(**extra):
        fields = {
            "doc_type": nq,
            "symbol": "57-NQ/TW",
            "issuer_name": "Ban Chấp hành Trung ương",
            "excerpt": "Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo",
            **extra,
        }
        return services.create_incoming(
            organization=tree["a"], acting_user=staff["clerk_a"].user, **fields
        )

    return make
