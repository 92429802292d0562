"""Fixtures of the organization tests: a commune with records to hand over."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from hoso.accounts.models import Position
from hoso.core.testing.factories import PersonFactory, UserFactory
from hoso.documents.choices import Direction, Status
from hoso.documents.models import CaseFile, Document, DocumentType
from hoso.operations.choices import TaskStatus
from hoso.operations.models import Task


def make_document(organization, direction, status, **extra):
    return Document.objects.create(
        organization=organization,
        org_path=organization.path,
        direction=direction,
        status=status,
        doc_type=DocumentType.objects.get(system="party", code="CV"),
        excerpt="Công văn về việc kiểm tra",
        register_year=2026,
        created_by=UserFactory(),
        **extra,
    )


def make_task(organization, status=TaskStatus.ASSIGNED):
    deadline = timezone.localdate() + timedelta(days=10)
    return Task.objects.create(
        organization=organization,
        org_path=organization.path,
        title="Rà soát hồ sơ đảng viên",
        description="Rà soát và cập nhật hồ sơ.",
        lead=PersonFactory(),
        authority=PersonFactory(),
        deadline=deadline,
        original_deadline=deadline,
        product="Báo cáo rà soát",
        status=status,
        created_by=UserFactory(),
    )


@pytest.fixture
def world(tree, make_user):
    """Commune B with records of every kind, open and closed, and a cell
    (with its own document and task) below it; a province secretary who may
    restructure both communes; the secretary of commune A."""
    b, cell_b = tree["b"], tree["cell_b"]
    b_secretary = make_user("secretary", b)
    b_position = Position.objects.get(person__user=b_secretary)
    b_position.start_date = date(2020, 1, 1)
    b_position.save(update_fields=["start_date"])
    return SimpleNamespace(
        tree=tree,
        a=tree["a"],
        b=b,
        cell_b=cell_b,
        province_secretary=make_user("secretary", tree["province"]),
        a_secretary=make_user("secretary", tree["a"]),
        b_position=b_position,
        incoming_open=make_document(
            b, Direction.INCOMING, Status.INSTRUCTED, arrival_number=5
        ),
        draft=make_document(b, Direction.OUTGOING, Status.DRAFT),
        incoming_closed=make_document(
            b, Direction.INCOMING, Status.COMPLETED, arrival_number=3
        ),
        issued=make_document(
            b, Direction.OUTGOING, Status.ISSUED, number=12, symbol="12-CV/ĐU"
        ),
        cell_document=make_document(cell_b, Direction.INCOMING, Status.REGISTERED),
        open_task=make_task(b),
        accepted_task=make_task(b, TaskStatus.ACCEPTED),
        cell_task=make_task(cell_b),
        open_file=CaseFile.objects.create(
            organization=b, year=2026, code="01", title="Hồ sơ đại hội"
        ),
        closed_file=CaseFile.objects.create(
            organization=b,
            year=2025,
            code="07",
            title="Hồ sơ kiểm tra",
            closed_on=date(2025, 12, 31),
        ),
    )
