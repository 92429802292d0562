"""Restructuring: merge and dissolve with the records handed over (SPEC A1)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from hoso.accounts.models import Position
from hoso.core import audit
from hoso.core.models import AuditEntry
from hoso.documents.models import CaseFile, Document, DocumentEvent
from hoso.members.choices import EventKind, MemberStatus
from hoso.members.models import Member
from hoso.members.tests.factories import MemberFactory
from hoso.operations.choices import TaskEventKind
from hoso.operations.models import Task
from hoso.organizations import restructuring
from hoso.organizations.models import Organization


def _state() -> list:
    """Everything a restructuring may touch, to compare before and after."""
    return [
        list(Organization.objects.values_list("pk", "parent", "path", "valid_to")),
        list(Organization.objects.values_list("pk", "successor")),
        list(Document.objects.values_list("pk", "organization", "org_path", "number")),
        list(Task.objects.values_list("pk", "organization", "org_path")),
        list(CaseFile.objects.values_list("pk", "organization")),
        list(Member.objects.values_list("pk", "organization")),
        list(Position.objects.values_list("pk", "end_date")),
        AuditEntry.objects.count(),
        DocumentEvent.objects.count(),
    ]


def test_merge_hands_over_open_records_and_keeps_history(world):
    """GIVEN commune B with open and closed records and a cell
    WHEN the province secretary merges B into commune A
    THEN the cell, open documents, open tasks and open case files are A's
    (paths included), closed ones stay with B, B's positions end, and B ends
    with A as successor, kept under A."""
    on = timezone.localdate() - timedelta(days=1)
    result = restructuring.merge_organizations(
        [world.b], world.a, acting_user=world.province_secretary, effective_date=on
    )
    a = Organization.objects.get(pk=world.a.pk)
    b = Organization.objects.get(pk=world.b.pk)
    cell_b = Organization.objects.get(pk=world.cell_b.pk)
    assert result.totals() == {
        "children": 1,
        "members": 0,
        "transfers": 0,
        "documents": 2,
        "tasks": 1,
        "case_files": 1,
        "positions": 1,
    }
    # The ended source is kept, under its successor.
    assert (b.valid_to, b.successor_id, b.parent_id) == (on, a.pk, a.pk)
    assert b.path == f"{a.path}{b.pk}/"
    assert not b.is_current
    # The cell moved with its records' paths.
    assert cell_b.parent_id == a.pk and cell_b.path == f"{a.path}{cell_b.pk}/"
    assert Document.objects.get(pk=world.cell_document.pk).org_path == cell_b.path
    assert Task.objects.get(pk=world.cell_task.pk).org_path == cell_b.path
    # Open documents and tasks moved, with their timeline.
    for document in (world.incoming_open, world.draft):
        document.refresh_from_db()
        assert (document.organization_id, document.org_path) == (a.pk, a.path)
        assert document.events.filter(action="handed_over").exists()
    assert Document.objects.get(pk=world.incoming_open.pk).arrival_number == 5
    task = Task.objects.get(pk=world.open_task.pk)
    assert (task.organization_id, task.org_path) == (a.pk, a.path)
    assert task.events.filter(kind=TaskEventKind.HANDED_OVER).exists()
    # Closed records stay with B, numbers untouched, paths inside A.
    for document in (world.incoming_closed, world.issued):
        document.refresh_from_db()
        assert (document.organization_id, document.org_path) == (b.pk, b.path)
    assert Document.objects.get(pk=world.issued.pk).number == 12
    assert Document.objects.get(pk=world.incoming_closed.pk).arrival_number == 3
    assert Task.objects.get(pk=world.accepted_task.pk).organization_id == b.pk
    assert CaseFile.objects.get(pk=world.open_file.pk).organization_id == a.pk
    assert CaseFile.objects.get(pk=world.closed_file.pk).organization_id == b.pk
    # Positions end on the effective date and are listed.
    world.b_position.refresh_from_db()
    assert world.b_position.end_date == on
    assert [p.pk for p in result.ended_positions] == [world.b_position.pk]


def test_merge_is_audited_and_chain_verifies(world, capsys):
    """GIVEN the merge of B into A
    WHEN it is done
    THEN one `organizations.merged` entry on B carries the counts, each
    handed-over record has its own entry, and `hoso audit verify` passes."""
    restructuring.merge_organizations(
        [world.b], world.a, acting_user=world.province_secretary
    )
    entry = AuditEntry.objects.get(action="organizations.merged")
    assert entry.object_id == str(world.b.pk)
    assert entry.actor == world.province_secretary
    assert entry.changes["successor"] == [None, world.a.pk]
    assert entry.changes["handed_over"][1]["documents"] == 2
    assert entry.changes["positions_ended"] == [None, [world.b_position.pk]]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "documents.handed_over",
        "operations.task_handed_over",
        "documents.casefile_handed_over",
        "accounts.position_ended",
        "organizations.updated",
    } <= actions
    assert audit.verify_chain().ok
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out


def test_successor_secretary_sees_the_closed_records(world):
    """GIVEN commune A's secretary, who could not see B's records
    WHEN B is merged into A
    THEN through `restrict()` they see B itself and its closed documents."""
    user = world.a_secretary
    assert not Document.objects.restrict(user, "view").filter(pk=world.issued.pk)
    restructuring.merge_organizations(
        [world.b], world.a, acting_user=world.province_secretary
    )
    visible = Document.objects.restrict(user, "view")
    assert visible.filter(pk=world.issued.pk).exists()
    assert visible.filter(pk=world.incoming_closed.pk).exists()
    assert Organization.objects.restrict(user, "view").filter(pk=world.b.pk).exists()


def test_merge_cells_hands_over_members(world):
    """GIVEN cell B-1 with two members on the list and one removed
    WHEN it is merged into cell A-1
    THEN the two members are A-1's with a timeline event, the removed one
    stays, and the ended cell sits under A-1 although cells have no
    (living) children."""
    cell_a, cell_b = world.tree["cell_a"], world.cell_b
    current = [MemberFactory(organization=cell_b) for _ in range(2)]
    removed = MemberFactory(organization=cell_b, status=MemberStatus.REMOVED)
    result = restructuring.merge_organizations(
        [cell_b], cell_a, acting_user=world.province_secretary
    )
    assert result.totals()["members"] == 2
    for member in current:
        member.refresh_from_db()
        assert member.organization_id == cell_a.pk
        event = member.events.get(kind=EventKind.RESTRUCTURED)
        assert event.organization_id == cell_a.pk
        assert cell_b.name in event.note
    removed.refresh_from_db()
    assert removed.organization_id == cell_b.pk
    cell_b.refresh_from_db()
    assert cell_b.parent_id == cell_a.pk
    cell_b.full_clean()  # the ended node stays valid where it is kept
    assert AuditEntry.objects.filter(action="members.restructured").count() == 2


def test_dissolve_into_parent_is_audited_as_dissolution(world):
    """GIVEN cell B-1 without members
    WHEN it is dissolved into commune B, its parent
    THEN it ends with B as successor, stays where it is, and the entry says
    dissolved."""
    result = restructuring.dissolve_organization(
        world.cell_b, world.b, acting_user=world.province_secretary
    )
    cell_b = Organization.objects.get(pk=world.cell_b.pk)
    assert (cell_b.successor_id, cell_b.parent_id) == (world.b.pk, world.b.pk)
    assert cell_b.valid_to == timezone.localdate()
    assert result.totals()["documents"] == 1
    assert Document.objects.get(pk=world.cell_document.pk).organization_id == (
        world.b.pk
    )
    assert AuditEntry.objects.filter(
        action="organizations.dissolved", object_id=str(cell_b.pk)
    ).exists()


def test_failure_half_way_changes_nothing(world, monkeypatch):
    """GIVEN a merge whose task handover fails after the cell, the members and
    the documents have moved
    WHEN the merge runs
    THEN the error comes out and nothing at all has changed."""
    MemberFactory(organization=world.cell_b)
    before = _state()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("hoso.operations.services.hand_over_tasks", broken)
    with pytest.raises(RuntimeError):
        restructuring.merge_organizations(
            [world.b], world.a, acting_user=world.province_secretary
        )
    assert _state() == before


@pytest.mark.parametrize(
    ("user_key", "source_key", "target_key"),
    [("a_secretary", "b", "a"), ("a_secretary", "a", "b")],
)
def test_organizations_outside_scope_are_not_found(
    world, user_key, source_key, target_key
):
    """GIVEN commune A's secretary (no scope over B)
    WHEN they merge B into A, or A into B
    THEN the organization is not found (a 404) and nothing changed."""
    before = _state()
    with pytest.raises(Organization.DoesNotExist):
        restructuring.merge_organizations(
            [getattr(world, source_key)],
            getattr(world, target_key),
            acting_user=getattr(world, user_key),
        )
    with pytest.raises(Organization.DoesNotExist):
        restructuring.preview_merge(
            [getattr(world, source_key)],
            getattr(world, target_key),
            acting_user=getattr(world, user_key),
        )
    assert _state() == before


def test_user_without_change_permission_is_refused(world, make_user):
    """GIVEN a province specialist (may view, not change)
    WHEN they merge B into A
    THEN not found, nothing changed."""
    specialist = make_user("specialist", world.tree["province"])
    before = _state()
    with pytest.raises(Organization.DoesNotExist):
        restructuring.merge_organizations([world.b], world.a, acting_user=specialist)
    assert _state() == before


def _end(organization):
    organization.valid_to = date(2025, 6, 30)
    organization.save(update_fields=["valid_to"])
    return organization


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("empty", "sources", "Choose at least one organization"),
        ("itself", "target", "cannot be its own successor"),
        ("inside", "target", "cannot lie inside"),
        ("ended", "sources", "has already ended"),
        ("ended_target", "target", "has itself ended"),
        ("levels", "target", "Only organizations of the same level"),
        ("future", "effective_date", "cannot be in the future"),
        ("nested", "sources", "lies inside another organization"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(world, case, field, message):
    """GIVEN a merge that makes no sense
    WHEN it is asked for
    THEN a ValidationError names the field, in words, and nothing changed."""
    tree = world.tree
    sources, target, extra = [world.b], world.a, {}
    if case == "empty":
        sources = []
    elif case == "itself":
        sources = [world.a]
    elif case == "inside":
        sources, target = [tree["a"]], tree["cell_a"]
    elif case == "ended":
        sources = [_end(world.b)]
    elif case == "ended_target":
        target = _end(world.a)
    elif case == "levels":
        sources = [world.cell_b]
    elif case == "future":
        extra = {"effective_date": timezone.localdate() + timedelta(days=1)}
    elif case == "nested":
        sources = [world.b, world.cell_b]
    before = _state()
    for service in (restructuring.preview_merge, restructuring.merge_organizations):
        with pytest.raises(ValidationError) as error:
            service(sources, target, acting_user=world.province_secretary, **extra)
        assert field in error.value.message_dict
        assert message in " ".join(error.value.message_dict[field])
    assert _state() == before


def test_dissolve_refusals_name_the_successor_field(world):
    """GIVEN cell B-1 with a member and commune A (no members are counted at
    a commune), and commune B with an open case file whose code A already has
    WHEN they are dissolved into A
    THEN the refusal is on `successor` and nothing changed."""
    MemberFactory(organization=world.cell_b)
    CaseFile.objects.create(organization=world.a, year=2026, code="01", title="Khác")
    before = _state()
    with pytest.raises(ValidationError) as error:
        restructuring.dissolve_organization(
            world.cell_b, world.a, acting_user=world.province_secretary
        )
    assert "cell or to a grassroots" in error.value.message_dict["successor"][0]
    with pytest.raises(ValidationError) as error:
        restructuring.dissolve_organization(
            world.b, world.a, acting_user=world.province_secretary
        )
    assert "2026/01" in error.value.message_dict["successor"][0]
    assert _state() == before


def test_preview_matches_the_merge_and_writes_nothing(world):
    """GIVEN commune B with its records
    WHEN the merge into A is previewed, then done
    THEN the preview wrote nothing and its counts are the merge's."""
    before = _state()
    preview = restructuring.preview_merge(
        [world.b], world.a, acting_user=world.province_secretary
    )
    assert preview.preview
    assert _state() == before
    result = restructuring.merge_organizations(
        [world.b], world.a, acting_user=world.province_secretary
    )
    assert preview.totals() == result.totals()
    assert [p.pk for p in preview.ended_positions] == [
        p.pk for p in result.ended_positions
    ]


# Split ----------------------------------------------------------------------


@pytest.fixture
def second_cell(world):
    from hoso.core.testing.factories import OrganizationFactory
    from hoso.organizations.choices import Kind, Level

    return OrganizationFactory(
        parent=world.b, level=Level.CELL, kind=Kind.CELL, code="B-2", name="Chi bộ 3"
    )


def _parts(first_children=(), second_children=()):
    return [
        {"name": "Đảng bộ xã Bình Đông", "code": "B-E", "children": first_children},
        {"name": "Đảng bộ xã Bình Tây", "code": "B-W", "children": second_children},
    ]


def test_split_shares_out_children_and_hands_open_records_to_the_first(
    world, second_cell, capsys
):
    """GIVEN commune B with two cells and open and closed records
    WHEN the province secretary splits it into East (cell 2) and West (cell 3)
    THEN both communes exist next to B from the effective date, each with its
    cell; East, the successor, holds B's open records; B's positions end and
    B ends under East; the audit chain verifies."""
    result = restructuring.split_organization(
        world.b,
        _parts([world.cell_b], [second_cell]),
        acting_user=world.province_secretary,
    )
    east = Organization.objects.get(code="B-E")
    west = Organization.objects.get(code="B-W")
    today = timezone.localdate()
    for new in (east, west):
        assert new.parent_id == world.tree["province"].pk
        assert (new.level, new.kind, new.valid_from) == (
            world.b.level,
            world.b.kind,
            today,
        )
    assert Organization.objects.get(pk=world.cell_b.pk).parent_id == east.pk
    assert Organization.objects.get(pk=second_cell.pk).parent_id == west.pk
    assert Document.objects.get(pk=world.draft.pk).organization_id == east.pk
    assert Task.objects.get(pk=world.open_task.pk).organization_id == east.pk
    assert CaseFile.objects.get(pk=world.open_file.pk).organization_id == east.pk
    assert Document.objects.get(pk=world.issued.pk).organization_id == world.b.pk
    b = Organization.objects.get(pk=world.b.pk)
    assert (b.successor_id, b.parent_id, b.valid_to) == (east.pk, east.pk, today)
    world.b_position.refresh_from_db()
    assert world.b_position.end_date == today
    assert result.target == east
    assert [h.target for h in result.handovers] == [east, west]
    assert [h.children for h in result.handovers] == [1, 1]
    assert result.totals()["documents"] == 2
    entry = AuditEntry.objects.get(action="organizations.split")
    assert entry.changes["handed_over"][1][str(west.pk)]["children"] == 1
    assert AuditEntry.objects.filter(action="organizations.created").count() == 2
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out


def test_split_shares_out_members(world):
    """GIVEN cell B-1 with three members on the list
    WHEN it is split in two, the second part naming one member
    THEN that member is the second cell's and the others the first's."""
    members = [MemberFactory(organization=world.cell_b) for _ in range(3)]
    restructuring.split_organization(
        world.cell_b,
        [
            {"name": "Chi bộ 2A", "code": "B-1A"},
            {"name": "Chi bộ 2B", "code": "B-1B", "members": [members[1]]},
        ],
        acting_user=world.province_secretary,
    )
    first = Organization.objects.get(code="B-1A")
    second = Organization.objects.get(code="B-1B")
    organizations = [
        Member.objects.get(pk=member.pk).organization_id for member in members
    ]
    assert organizations == [first.pk, second.pk, first.pk]
    assert first.level == world.cell_b.level
    assert Organization.objects.get(pk=world.cell_b.pk).parent_id == first.pk


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("one_part", "parts"),
        ("child_twice", "children"),
        ("foreign_child", "children"),
        ("foreign_member", "members"),
        ("own_field", "parts"),
        ("code_taken", "code"),
        ("ended", "source"),
    ],
)
def test_split_refusals_change_nothing(world, second_cell, case, field):
    """GIVEN a split that makes no sense
    WHEN it is asked for
    THEN a ValidationError names the field and nothing changed (no new
    organization either)."""
    source = world.b
    parts = _parts([world.cell_b], [second_cell])
    if case == "one_part":
        parts = parts[:1]
    elif case == "child_twice":
        parts[1]["children"] = [world.cell_b]
    elif case == "foreign_child":
        parts[1]["children"] = [world.tree["cell_a"]]
    elif case == "foreign_member":
        parts[1]["members"] = [MemberFactory(organization=world.tree["cell_a"])]
    elif case == "own_field":
        parts[1]["parent"] = world.a
    elif case == "code_taken":
        parts[1]["code"] = "A"
    elif case == "ended":
        source = _end(world.b)
    before = _state()
    with pytest.raises(ValidationError) as error:
        restructuring.split_organization(
            source, parts, acting_user=world.province_secretary
        )
    assert field in error.value.message_dict
    assert _state() == before


def test_split_failure_half_way_and_scope(world, second_cell, monkeypatch):
    """GIVEN a split whose document handover fails after the parts were created
    and the cells moved, and a user outside B's scope
    WHEN each asks for the split
    THEN the error comes out, or not found, and nothing changed."""
    before = _state()
    with pytest.raises(Organization.DoesNotExist):
        restructuring.split_organization(
            world.b, _parts(), acting_user=world.a_secretary
        )

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("hoso.documents.services.hand_over_documents", broken)
    with pytest.raises(RuntimeError):
        restructuring.split_organization(
            world.b,
            _parts([world.cell_b], [second_cell]),
            acting_user=world.province_secretary,
        )
    assert _state() == before


def test_split_preview_counts_what_the_split_does_and_writes_nothing(
    world, second_cell
):
    """GIVEN commune B with two cells and open records
    WHEN the province secretary previews its split, then splits it
    THEN the preview wrote nothing and counted per part what the split then
    reports; a refusal, or a user outside B's scope, is the split's own."""
    parts = _parts([world.cell_b], [second_cell])
    before = _state()
    preview = restructuring.preview_split(
        world.b, parts, acting_user=world.province_secretary
    )
    assert _state() == before
    assert preview.preview and preview.target.pk is None
    assert [h.target.code for h in preview.handovers] == ["B-E", "B-W"]
    with pytest.raises(ValidationError) as error:
        restructuring.preview_split(
            world.b, parts[:1], acting_user=world.province_secretary
        )
    assert "parts" in error.value.message_dict
    with pytest.raises(Organization.DoesNotExist):
        restructuring.preview_split(world.b, parts, acting_user=world.a_secretary)
    done = restructuring.split_organization(
        world.b, parts, acting_user=world.province_secretary
    )
    assert [h.counts() for h in preview.handovers] == [
        h.counts() for h in done.handovers
    ]


def test_two_sources_with_the_same_case_file_code_are_refused(world):
    """GIVEN communes A and B, each with an open case file 2026/01
    WHEN both are merged into a third commune
    THEN the refusal names the clashing code on `sources`, nothing changed."""
    from hoso.core.testing.factories import OrganizationFactory

    third = OrganizationFactory(parent=world.tree["province"], code="C")
    CaseFile.objects.create(organization=world.a, year=2026, code="01", title="X")
    before = _state()
    with pytest.raises(ValidationError) as error:
        restructuring.merge_organizations(
            [world.a, world.b], third, acting_user=world.province_secretary
        )
    assert "2026/01" in error.value.message_dict["sources"][0]
    assert _state() == before


def test_merge_of_two_sources_counts_each(world):
    """GIVEN communes A and B
    WHEN both are merged into a third commune
    THEN each has its own handover and audit entry, and the totals add up."""
    from hoso.core.testing.factories import OrganizationFactory

    third = OrganizationFactory(parent=world.tree["province"], code="C")
    result = restructuring.merge_organizations(
        [world.a, world.b], third, acting_user=world.province_secretary
    )
    assert [h.source.pk for h in result.handovers] == [world.a.pk, world.b.pk]
    assert result.totals()["children"] == 2
    assert AuditEntry.objects.filter(action="organizations.merged").count() == 2
    assert set(
        Organization.objects.filter(successor=third).values_list("pk", flat=True)
    ) == {world.a.pk, world.b.pk}


def _transfer(member, origin, target, kind="official"):
    from hoso.members.models import Transfer

    return Transfer.objects.create(
        member=member,
        kind=kind,
        status="sent" if kind == "official" else "active",
        origin=origin,
        target=target,
    )


def test_transfers_under_way_follow_the_successor(world):
    """GIVEN a member of commune A's cell being transferred to cell B-1, and
    another hosted there temporarily, both from a third cell
    WHEN cell B-1 is merged into cell A-1
    THEN both transfers now go to the successor, each with a timeline line,
    and the members stay counted where they were."""
    from hoso.core.testing.factories import OrganizationFactory
    from hoso.organizations.choices import Kind, Level

    third = OrganizationFactory(
        parent=world.a, level=Level.CELL, kind=Kind.CELL, code="A-3", name="Chi bộ 4"
    )
    official = _transfer(MemberFactory(organization=third), third, world.cell_b)
    temporary = _transfer(
        MemberFactory(organization=third), third, world.cell_b, kind="temporary"
    )
    preview = restructuring.preview_merge(
        [world.cell_b], world.tree["cell_a"], acting_user=world.province_secretary
    )
    result = restructuring.merge_organizations(
        [world.cell_b], world.tree["cell_a"], acting_user=world.province_secretary
    )
    assert preview.totals()["transfers"] == result.totals()["transfers"] == 2
    for transfer in (official, temporary):
        transfer.refresh_from_db()
        assert transfer.target_id == world.tree["cell_a"].pk
        assert transfer.member.organization_id == third.pk
        assert transfer.member.events.filter(kind=EventKind.RESTRUCTURED).exists()
    assert AuditEntry.objects.filter(action="members.transfer_handed_over").count() == 2


def test_transfer_between_the_two_organizations_is_refused(world):
    """GIVEN a member of cell A-1 being transferred to cell B-1
    WHEN cell B-1 is merged into cell A-1
    THEN the refusal asks to receive or cancel the transfer, nothing changed."""
    cell_a = world.tree["cell_a"]
    _transfer(MemberFactory(organization=cell_a), cell_a, world.cell_b)
    before = _state()
    with pytest.raises(ValidationError) as error:
        restructuring.merge_organizations(
            [world.cell_b], cell_a, acting_user=world.province_secretary
        )
    assert "receive or cancel" in error.value.message_dict["target"][0]
    assert _state() == before
