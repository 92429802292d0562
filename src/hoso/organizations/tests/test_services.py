"""Organization services: paths, moves, validation, permission, audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hoso.core.models import AuditEntry
from hoso.organizations import services
from hoso.organizations.choices import Kind, Level
from hoso.organizations.models import Organization


def test_create_child_gets_path_and_audit(tree, make_user):
    """GIVEN a province secretary WHEN they create a commune under the province
    THEN its path extends the parent's and the creation is audited."""
    secretary = make_user("secretary", tree["province"])
    commune = services.create_organization(
        acting_user=secretary,
        parent=tree["province"],
        level=Level.COMMUNE,
        kind=Kind.COMMITTEE,
        code="C-NEW",
        name="Đảng bộ phường Mới",
        abbreviation="ĐU",
    )
    assert commune.path == f"{tree['province'].path}{commune.pk}/"
    assert commune.depth == tree["province"].depth + 1
    entry = AuditEntry.objects.get(action="organizations.created")
    assert entry.object_id == str(commune.pk)
    assert entry.actor == secretary
    assert entry.changes["code"] == [None, "C-NEW"]
    assert entry.org_path == commune.path


def test_create_outside_scope_is_refused(tree, make_user):
    """GIVEN the secretary of commune A WHEN they create under commune B
    THEN PermissionDenied and nothing is written."""
    secretary = make_user("secretary", tree["a"])
    before = Organization.objects.count()
    with pytest.raises(PermissionDenied):
        services.create_organization(
            acting_user=secretary,
            parent=tree["b"],
            level=Level.CELL,
            kind=Kind.CELL,
            code="X",
            name="Chi bộ X",
        )
    assert Organization.objects.count() == before


def test_member_cannot_create(tree, make_user):
    member = make_user("member", tree["a"])
    with pytest.raises(PermissionDenied):
        services.create_organization(
            acting_user=member,
            parent=tree["a"],
            level=Level.CELL,
            kind=Kind.CELL,
            code="X",
            name="Chi bộ X",
        )


@pytest.mark.parametrize(
    ("parent_key", "level", "field"),
    [("cell_a", Level.CELL, "parent"), ("a", Level.PROVINCE, "level")],
)
def test_level_rules(tree, make_user, parent_key, level, field):
    """A cell has no children; a child is never above its parent's level."""
    secretary = make_user("secretary", tree["province"])
    with pytest.raises(ValidationError) as error:
        services.create_organization(
            acting_user=secretary,
            parent=tree[parent_key],
            level=level,
            kind=Kind.CELL,
            code="BAD",
            name="Sai cấp",
        )
    assert field in error.value.message_dict


def test_duplicate_code_refused(tree, make_user):
    secretary = make_user("secretary", tree["province"])
    with pytest.raises(ValidationError) as error:
        services.create_organization(
            acting_user=secretary,
            parent=tree["a"],
            level=Level.CELL,
            kind=Kind.CELL,
            code="A-1",
            name="Trùng mã",
        )
    assert "code" in error.value.message_dict


def test_move_subtree_rewrites_descendant_paths(tree, make_user):
    """GIVEN commune A with a cell WHEN A's cell moves under commune B
    THEN the cell's path and depth follow, and the change is audited."""
    secretary = make_user("secretary", tree["province"])
    grassroots = services.create_organization(
        acting_user=secretary,
        parent=tree["a"],
        level=Level.GRASSROOTS,
        kind=Kind.GRASSROOTS,
        code="G",
        name="Đảng bộ cơ sở G",
    )
    cell = services.create_organization(
        acting_user=secretary,
        parent=grassroots,
        level=Level.CELL,
        kind=Kind.CELL,
        code="G-1",
        name="Chi bộ G1",
    )
    services.update_organization(grassroots, acting_user=secretary, parent=tree["b"])
    grassroots.refresh_from_db()
    cell.refresh_from_db()
    assert grassroots.path == f"{tree['b'].path}{grassroots.pk}/"
    assert cell.path == f"{grassroots.path}{cell.pk}/"
    assert cell.depth == grassroots.depth + 1
    assert tree["b"].descendants().filter(pk=cell.pk).exists()
    assert not tree["a"].descendants().filter(pk=cell.pk).exists()
    entry = AuditEntry.objects.filter(action="organizations.updated").get()
    assert entry.changes["parent"] == [tree["a"].pk, tree["b"].pk]


def test_move_under_own_descendant_refused(tree, make_user):
    secretary = make_user("secretary", tree["province"])
    with pytest.raises(ValidationError):
        services.update_organization(
            tree["a"], acting_user=secretary, parent=tree["cell_a"]
        )


def test_update_outside_scope_is_not_found(tree, make_user):
    secretary = make_user("secretary", tree["a"])
    with pytest.raises(Organization.DoesNotExist):
        services.update_organization(tree["b"], acting_user=secretary, name="Đổi")


def test_dates_in_order(tree, make_user):
    import datetime

    secretary = make_user("secretary", tree["province"])
    with pytest.raises(ValidationError) as error:
        services.update_organization(
            tree["a"],
            acting_user=secretary,
            valid_from=datetime.date(2025, 7, 1),
            valid_to=datetime.date(2025, 1, 1),
        )
    assert "valid_to" in error.value.message_dict


def test_ancestors_and_descendants(tree):
    assert list(tree["cell_a"].ancestors()) == [
        tree["central"],
        tree["province"],
        tree["a"],
    ]
    assert set(tree["province"].descendants()) == {
        tree["a"],
        tree["b"],
        tree["cell_a"],
        tree["cell_b"],
    }
