"""The province and national demo trees: shape, materialized paths,
determinism, and that ordinary inserts still work after the bulk load."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from hoso.accounts.models import Position
from hoso.core.models import AuditEntry
from hoso.core.testing.factories import OrganizationFactory
from hoso.demo import trees
from hoso.organizations.choices import LEVEL_ORDER, Kind, Level
from hoso.organizations.models import Organization
from hoso.organizations.services import create_organization

CODE_LENGTH = Organization._meta.get_field("code").max_length
NAME_LENGTH = Organization._meta.get_field("name").max_length


def assert_rows_well_formed(rows: list[trees.OrganizationRow]) -> None:
    """Parents come first, levels deepen, cells are leaves, codes unique and
    every value fits its column."""
    codes = Counter(row.code for row in rows)
    assert [code for code, count in codes.items() if count > 1] == []
    levels, kinds = set(Level.values), set(Kind.values)
    for index, row in enumerate(rows):
        assert row.level in levels and row.kind in kinds
        assert len(row.code) <= CODE_LENGTH and len(row.name) <= NAME_LENGTH
        if row.parent is None:
            assert index == 0
            continue
        parent = rows[row.parent]
        assert row.parent < index
        assert LEVEL_ORDER[row.level] >= LEVEL_ORDER[parent.level]
        assert parent.level != Level.CELL


def assert_paths_consistent() -> None:
    """Every stored path is the parent's path plus the own id, and the depth
    is the number of ancestors (what `create_organization` would store)."""
    nodes = {
        pk: (parent_id, path, depth)
        for pk, parent_id, path, depth in Organization.objects.values_list(
            "pk", "parent_id", "path", "depth"
        )
    }
    for pk, (parent_id, path, depth) in nodes.items():
        if parent_id is None:
            assert (path, depth) == (f"/{pk}/", 0)
        else:
            _, parent_path, parent_depth = nodes[parent_id]
            assert (path, depth) == (f"{parent_path}{pk}/", parent_depth + 1)
        assert depth == path.count("/") - 2


def level_counts() -> dict[str, int]:
    return dict(Counter(Organization.objects.values_list("level", flat=True)))


def test_generation_is_deterministic():
    """GIVEN a seed WHEN the tree is generated twice THEN the rows are equal,
    and another seed gives another tree."""
    first = trees.generate_tree("province", seed=3)
    assert trees.generate_tree("province", seed=3) == first
    assert trees.tree_digest(trees.generate_tree("province", seed=4)) != (
        trees.tree_digest(first)
    )


def test_generation_does_not_depend_on_the_interpreter():
    """GIVEN a fresh interpreter with another hash seed WHEN it generates the
    same scale and seed THEN the digest is the same (no set or dict order
    leaks into the rows)."""
    script = (
        "import django; django.setup(); from hoso.demo import trees; "
        "print(trees.tree_digest(trees.generate_tree('national', seed=5)))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "hoso.config.settings")
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    expected = trees.tree_digest(trees.generate_tree("national", seed=5))
    assert result.stdout.strip() == expected


def test_province_rows():
    """The province set: the root, one province with its agencies, 100
    communes and exactly 1,500 grassroots organizations and cells, some cells
    inside grassroots organizations and some directly under communes."""
    rows = trees.generate_tree("province", seed=1)
    assert_rows_well_formed(rows)
    counts = trees.count_rows(rows)
    assert counts["central"] == 1 and counts["province"] == 1
    assert counts["province agency"] >= 3
    assert counts["commune"] == 100
    assert counts["grassroots"] + counts["cell"] == 1500
    cell_parents = Counter(
        rows[row.parent].level for row in rows if row.level == "cell"
    )
    assert cell_parents[Level.GRASSROOTS] > 0 and cell_parents[Level.COMMUNE] > 0
    assert rows[0].code == "TW"
    province = next(row for row in rows if row.level == Level.PROVINCE)
    assert province.name == "Đảng bộ tỉnh Bắc Ninh" and province.abbreviation == "TU"


def test_national_rows():
    """The national set: the central bloc, the 34 provinces and cities of the
    post-2025 map (ThU for the six centrally-run cities), each with its
    official number of communes, 3,321 in all, and 50,000 units below."""
    rows = trees.generate_tree("national", seed=1)
    assert_rows_well_formed(rows)
    counts = trees.count_rows(rows)
    assert counts["central"] == 1 and counts["central agency"] >= 6
    assert counts["province"] == 34 and counts["commune"] == 3321
    assert counts["grassroots"] + counts["cell"] == trees.NATIONAL_UNITS
    abbreviations = {row.code: row.abbreviation for row in rows}
    assert {"VPTW", "BTCTW", "UBKTTW"} <= set(abbreviations)
    provinces = {
        row.name: row.abbreviation for row in rows if row.level == Level.PROVINCE
    }
    cities = {name for name, abbreviation in provinces.items() if abbreviation == "ThU"}
    assert cities == {
        "Đảng bộ thành phố Hà Nội",
        "Đảng bộ thành phố Huế",
        "Đảng bộ thành phố Hải Phòng",
        "Đảng bộ thành phố Đà Nẵng",
        "Đảng bộ Thành phố Hồ Chí Minh",
        "Đảng bộ thành phố Cần Thơ",
    }
    assert "Đảng bộ tỉnh Điện Biên" in provinces
    communes = Counter(
        rows[row.parent].code for row in rows if row.level == Level.COMMUNE
    )
    assert communes == {spec.code: spec.communes for spec in trees.PROVINCES}
    assert "Đảng bộ đặc khu Phú Quốc" in {row.name for row in rows}


def test_apportion_sums_exactly():
    assert trees.apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(trees.apportion(50_000, [0.3, 1.7, 2.2, 0.9])) == 50_000


@pytest.mark.django_db
def test_province_demo_command():
    """GIVEN an empty database WHEN `hoso demo --scale province` runs THEN the
    tree is stored with consistent paths, matches a fresh generation, the
    admin and the province secretary can sign in, the load is audited, and a
    later ordinary insert gets a fresh primary key."""
    out = io.StringIO()
    # The 500,000 documents are the bench's business; the tree is tested here
    # (documents are covered by test_documents.py at a small count).
    call_command("demo", scale="province", seed=2, documents=0, members=0, stdout=out)
    output = out.getvalue()

    stored = level_counts()
    assert stored[Level.CENTRAL] == 1
    assert stored[Level.PROVINCE] == 1 + len(trees.PROVINCE_AGENCIES)
    assert stored[Level.COMMUNE] == 100
    assert stored[Level.GRASSROOTS] + stored[Level.CELL] == 1500
    assert "commune: 100" in output and "cells" in output
    assert "bithu.tinh" in output and "Hoso@demo2026" in output
    assert_paths_consistent()
    assert Organization.objects.filter(level=Level.PROVINCE, valid_from=trees.START)
    assert not Organization.objects.filter(
        level=Level.COMMUNE, valid_from__isnull=True
    ).exists()
    assert trees.database_digest() == trees.tree_digest(
        trees.generate_tree("province", seed=2)
    )

    users = get_user_model().objects
    admin = users.get(username="admin")
    assert admin.is_superuser and admin.person.full_name
    assert admin.check_password("Hoso@demo2026")
    secretary = users.get(username="bithu.tinh")
    assert secretary.check_password("Hoso@demo2026")
    position = Position.objects.get(person__user=secretary)
    assert position.role.code == "secretary"
    assert position.organization.code == trees.PROVINCE_SCALE_CODE
    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.action, entry.object_repr) == ("demo.loaded", "province")

    commune = Organization.objects.filter(level=Level.COMMUNE).first()
    created = create_organization(
        acting_user=secretary,
        parent=commune,
        level=Level.CELL,
        kind=Kind.CELL,
        code="NEW-CELL",
        name="Chi bộ mới thành lập",
        abbreviation="CB",
    )
    assert (
        created.pk
        > Organization.objects.exclude(pk=created.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)[0]
    )
    assert created.path == f"{commune.path}{created.pk}/"


@pytest.mark.django_db
def test_insert_continues_after_existing_rows():
    """GIVEN organizations already in the table WHEN a tree is inserted THEN
    its keys start after them and its paths use those keys."""
    existing = OrganizationFactory(code="OLD-ROOT", level=Level.CENTRAL)
    OrganizationFactory(code="OLD-CHILD", parent=existing)
    before = Organization.objects.order_by("-pk").values_list("pk", flat=True)[0]
    rows = trees.generate_tree("province", seed=1)
    pks = trees.insert_tree(rows)
    assert pks[0] == before + 1 and len(pks) == len(rows)
    assert Organization.objects.get(pk=pks[0]).path == f"/{pks[0]}/"
    assert_paths_consistent()


@pytest.mark.slow
@pytest.mark.django_db
def test_national_demo():
    """GIVEN an empty database WHEN the national set is built THEN it holds
    34 provinces, 3,321 communes and about 50,000 grassroots organizations and
    cells with consistent paths, and the ordinary create service still works
    (the primary-key sequence was moved past the bulk-inserted keys)."""
    counts = trees.build_tree("national", seed=1, members=0)
    assert counts["province"] == 34 and counts["commune"] == 3321
    stored = level_counts()
    assert stored[Level.PROVINCE] == 34 + counts["province agency"]
    assert stored[Level.COMMUNE] == 3321
    assert stored[Level.GRASSROOTS] + stored[Level.CELL] >= 45_000
    assert_paths_consistent()
    assert Organization.objects.values("code").distinct().count() == sum(
        stored.values()
    )

    admin = get_user_model().objects.get(username="admin")
    province = Organization.objects.get(code="HCM")
    created = create_organization(
        acting_user=admin,
        parent=province,
        level=Level.COMMUNE,
        kind=Kind.COMMITTEE,
        code="HCM-NEW",
        name="Đảng bộ phường Mới",
        abbreviation="ĐU",
    )
    assert created.path == f"{province.path}{created.pk}/"
    assert created.depth == 2
