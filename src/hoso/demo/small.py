"""The `small` demo set: one province, a few communes, their grassroots
organizations and cells, and a demo user for every role in two communes."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from hoso.accounts.models import Person, Position, Role
from hoso.core import audit
from hoso.core.choices import Secrecy
from hoso.demo.meetings import build_meetings
from hoso.organizations.choices import Kind, Level
from hoso.organizations.models import Organization

DEMO_PASSWORD = "Hoso@demo2026"

COMMUNES = [
    ("phường Nha Trang", "nhatrang"),
    ("xã Diên Khánh", "dienkhanh"),
    ("phường Cam Ranh", "camranh"),
    ("xã Vạn Ninh", "vanninh"),
]
GRASSROOTS = ["Công an {place}", "Trường Trung học cơ sở {place}"]
CELLS_IN_GRASSROOTS = ["Chi bộ {n}", "Chi bộ {n}"]
VILLAGE_CELLS = ["Chi bộ tổ dân phố {n}", "Chi bộ thôn {n}", "Chi bộ khu phố {n}"]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc", "Đức"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Quang",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
]

# (role code, username stem, title template)
COMMUNE_ROLES = [
    ("secretary", "bithu", "Bí thư Đảng ủy {place}"),
    ("deputy_secretary", "phobithu", "Phó Bí thư Đảng ủy {place}"),
    ("standing_member", "thuongvu", "Ủy viên Ban Thường vụ Đảng ủy {place}"),
    ("clerk", "vanthu", "Văn thư Đảng ủy {place}"),
    ("specialist", "chuyenvien", "Chuyên viên Văn phòng Đảng ủy {place}"),
    ("inspector", "kiemtra", "Chủ nhiệm Ủy ban Kiểm tra Đảng ủy {place}"),
    ("administrator", "quantri", "Quản trị hệ thống Đảng ủy {place}"),
]


@dataclass
class DemoUser:
    username: str
    password: str
    full_name: str
    role: str
    organization: str


def _org(parent, level, kind, code, name, abbreviation, **extra) -> Organization:
    org = Organization(
        parent=parent,
        level=level,
        kind=kind,
        code=code,
        name=name,
        abbreviation=abbreviation,
        path=f"/new-{code}/",
        **extra,
    )
    org.save()
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.depth = parent.depth + 1 if parent else 0
    org.save(update_fields=["path", "depth"])
    return org


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


@transaction.atomic
def build_small(seed: int = 1, documents: int | None = None) -> list[DemoUser]:
    """Create the small set; returns the demo users with their passwords.

    `documents` is how many demo documents to generate (a few hundred by
    default, see `hoso.demo.documents`)."""
    rng = random.Random(seed)
    user_model = get_user_model()
    roles = {role.code: role for role in Role.objects.all()}
    start = date(2025, 7, 1)

    central = _org(
        None, Level.CENTRAL, Kind.COMMITTEE, "TW", "Ban Chấp hành Trung ương Đảng", "TW"
    )
    _org(
        central, Level.CENTRAL, Kind.AGENCY, "VPTW", "Văn phòng Trung ương Đảng", "VPTW"
    )
    province = _org(
        central,
        Level.PROVINCE,
        Kind.COMMITTEE,
        "KH",
        "Đảng bộ tỉnh Khánh Hòa",
        "TU",
        valid_from=start,
    )
    _org(province, Level.PROVINCE, Kind.AGENCY, "KH-VP", "Văn phòng Tỉnh ủy", "VPTU")
    _org(
        province,
        Level.PROVINCE,
        Kind.AGENCY,
        "KH-UBKT",
        "Ủy ban Kiểm tra Tỉnh ủy",
        "UBKTTU",
    )
    communes = []
    for index, (place, slug) in enumerate(COMMUNES, start=1):
        commune = _org(
            province,
            Level.COMMUNE,
            Kind.COMMITTEE,
            f"KH-{index:02d}",
            f"Đảng bộ {place}",
            "ĐU",
            valid_from=start,
        )
        communes.append((commune, place, slug))
        place_short = place.split(" ", 1)[1]
        for g_index, template in enumerate(GRASSROOTS, start=1):
            grassroots = _org(
                commune,
                Level.GRASSROOTS,
                Kind.GRASSROOTS,
                f"KH-{index:02d}-G{g_index}",
                f"Đảng bộ {template.format(place=place_short)}",
                "ĐU",
            )
            for c_index, cell_name in enumerate(CELLS_IN_GRASSROOTS, start=1):
                _org(
                    grassroots,
                    Level.CELL,
                    Kind.CELL,
                    f"KH-{index:02d}-G{g_index}-C{c_index}",
                    f"{cell_name.format(n=c_index)} — {grassroots.name[8:]}",
                    "CB",
                )
        for v_index, template in enumerate(VILLAGE_CELLS, start=1):
            _org(
                commune,
                Level.CELL,
                Kind.CELL,
                f"KH-{index:02d}-C{v_index}",
                f"{template.format(n=v_index)}, {place}",
                "CB",
            )

    users: list[DemoUser] = []

    def make_user(
        username,
        role_code,
        organization,
        title,
        clearance=Secrecy.NONE,
        superuser=False,
    ):
        full_name = _name(rng)
        user = user_model(username=username, is_staff=superuser, is_superuser=superuser)
        user.set_password(DEMO_PASSWORD)
        user.save()
        person = Person.objects.create(
            user=user,
            full_name=full_name,
            clearance=clearance,
            email=f"{username}@demo.hoso.local",
            phone=f"09{rng.randrange(10**7, 10**8)}",
        )
        if role_code:
            Position.objects.create(
                person=person,
                organization=organization,
                role=roles[role_code],
                title=title,
                start_date=start,
            )
        users.append(
            DemoUser(
                username,
                DEMO_PASSWORD,
                full_name,
                str(roles[role_code].name) if role_code else "superuser",
                organization.name if organization else "—",
            )
        )
        return person

    make_user("admin", None, None, "", superuser=True)
    make_user(
        "bithu.tinh", "secretary", province, "Bí thư Tỉnh ủy", clearance=Secrecy.SECRET
    )
    make_user("vanthu.tinh", "clerk", province, "Văn thư Văn phòng Tỉnh ủy")
    make_user("kiemtra.tinh", "inspector", province, "Ủy viên Ủy ban Kiểm tra Tỉnh ủy")
    for commune, place, slug in communes[:2]:
        for role_code, stem, title in COMMUNE_ROLES:
            make_user(f"{stem}.{slug}", role_code, commune, title.format(place=place))
        cell = commune.children.filter(level=Level.CELL).order_by("code").first()
        member = make_user(f"dangvien.{slug}", "member", cell, "Đảng viên")
        # A member who is also the cell's secretary: two positions to choose from.
        Position.objects.create(
            person=member,
            organization=cell,
            role=roles["secretary"],
            title=f"Bí thư {cell.name}",
            start_date=start,
        )
    # Demo documents in every register (hoso.demo.documents), recorded in the
    # same audit entry as the rest of the set.
    from hoso.demo import documents as demo_documents

    document_count = demo_documents.build_documents(
        Organization.objects.all(),
        count=demo_documents.SMALL_COUNT if documents is None else documents,
        seed=seed,
        weights=demo_documents.SMALL_SET_WEIGHTS,
        audited=False,
    )
    _demo_certificates(province, [c for c, _p, _s in communes[:2]])
    from hoso.demo import operations as demo_operations  # Plan 02 (issue 6)
    from hoso.demo.members import build_small_members

    # Members first: meetings invite the cells' members.
    build_small_members(seed)

    demo_operations.build_small(seed=seed)
    users += build_meetings(
        province, [c for c, *_ in communes[:2]], password=DEMO_PASSWORD
    )
    audit.record(
        "demo.loaded",
        object_type="demo",
        object_repr="small",
        changes={
            "organizations": [None, Organization.objects.count()],
            "users": [None, len(users)],
            "documents": [None, document_count],
        },
    )
    return users


def _demo_certificates(province, communes) -> None:
    """An internal CA, a signing certificate for every secretary and deputy,
    and seal certificates for the province and the demo communes, so signing
    works out of the box."""
    from hoso.signing import ca

    ca.init_internal_ca("Tỉnh ủy Khánh Hòa")
    leaders = Position.objects.filter(
        role__code__in=["secretary", "deputy_secretary"],
        organization__in=[province, *communes],
    ).select_related("person")
    for position in leaders:
        ca.issue_person_certificate(position.person, organization=position.organization)
    for organization in [province, *communes]:
        ca.issue_organization_certificate(organization)
