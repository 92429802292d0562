"""The `province` and `national` demo sets: large, believable organization trees.

Generation and insertion are separate on purpose. `generate_tree()` is a pure
function of (scale, seed) that returns plain rows, so a test can regenerate
the same tree and compare it with what is in the database; `insert_tree()`
turns the rows into a handful of bulk INSERT statements, because one
`save()` (plus the path update) per organization would take minutes for the
53,000 organizations of the national set.

The national set follows the administrative map in force since 1 July 2025:
34 provinces and centrally-run cities, 3,321 communes, wards and special
zones, no district level.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from hoso.accounts.models import Person, Position, Role
from hoso.core import audit
from hoso.core.choices import Secrecy
from hoso.demo.small import DEMO_PASSWORD, FAMILY, GIVEN, MIDDLE, DemoUser
from hoso.organizations.choices import Kind, Level
from hoso.organizations.models import Organization

SCALES = ("province", "national")
START = date(2025, 7, 1)
# Rows per INSERT on PostgreSQL; Django lowers it on SQLite to stay under the
# bound-parameter limit.
BATCH_SIZE = 2000

NATIONAL_UNITS = 50_000  # grassroots organizations and cells, all provinces
PROVINCE_COMMUNES = 100
PROVINCE_UNITS = 1_500
# The province of the `province` set: it has 99 communes in reality, the
# closest to the 100 the reference set asks for.
PROVINCE_SCALE_CODE = "BNI"

ROOT = ("TW", "Ban Chấp hành Trung ương Đảng", "TW")
# (code, name, symbol abbreviation)
CENTRAL_AGENCIES = [
    ("VPTW", "Văn phòng Trung ương Đảng", "VPTW"),
    ("BTCTW", "Ban Tổ chức Trung ương", "BTCTW"),
    ("UBKTTW", "Ủy ban Kiểm tra Trung ương", "UBKTTW"),
    ("BTGDVTW", "Ban Tuyên giáo và Dân vận Trung ương", "BTGDVTW"),
    ("BNCTW", "Ban Nội chính Trung ương", "BNCTW"),
    ("BCSCLTW", "Ban Chính sách, chiến lược Trung ương", "BCSCLTW"),
    # Codes stay ASCII (they appear in URLs and file names); the symbol
    # abbreviation keeps the Đ used on documents.
    ("BDNTW", "Ban Đối ngoại Trung ương", "BĐNTW"),
]
# (code suffix, name before "Tỉnh ủy"/"Thành ủy", abbreviation before TU/ThU)
PROVINCE_AGENCIES = [
    ("VP", "Văn phòng", "VP"),
    ("UBKT", "Ủy ban Kiểm tra", "UBKT"),
    ("BTC", "Ban Tổ chức", "BTC"),
    ("BTGDV", "Ban Tuyên giáo và Dân vận", "BTGDV"),
    ("BNC", "Ban Nội chính", "BNC"),
]


class ProvinceSpec(NamedTuple):
    """One province or centrally-run city of the post-2025 map.

    `communes` is the official number of commune-level units (xã, phường and
    đặc khu together, 3,321 in all); the split into wards is approximate.
    `villages` are the words used locally for a rural hamlet, `quarter` the
    word for an urban residential group.
    """

    code: str
    name: str  # "tỉnh Lai Châu", "thành phố Hà Nội"
    communes: int
    wards: int
    special_zones: tuple[str, ...]
    villages: tuple[str, ...]
    quarter: str

    @property
    def is_city(self) -> bool:
        """A centrally-run city: its committee is the Thành ủy (ThU)."""
        return self.name.lower().startswith("thành phố")


_NORTH = ("thôn",)
_SOUTH = ("ấp",)
PROVINCES = [
    ProvinceSpec("HN", "thành phố Hà Nội", 126, 51, (), _NORTH, "tổ dân phố"),
    ProvinceSpec("HUE", "thành phố Huế", 40, 19, (), _NORTH, "tổ dân phố"),
    ProvinceSpec("LCH", "tỉnh Lai Châu", 38, 2, (), ("bản",), "tổ dân phố"),
    ProvinceSpec("DBI", "tỉnh Điện Biên", 45, 3, (), ("bản",), "tổ dân phố"),
    ProvinceSpec("SLA", "tỉnh Sơn La", 75, 8, (), ("bản",), "tổ dân phố"),
    ProvinceSpec("LSO", "tỉnh Lạng Sơn", 65, 4, (), ("thôn",), "khối"),
    ProvinceSpec(
        "QNI", "tỉnh Quảng Ninh", 54, 30, ("Vân Đồn", "Cô Tô"), _NORTH, "khu phố"
    ),
    ProvinceSpec("THO", "tỉnh Thanh Hóa", 166, 19, (), ("thôn", "bản"), "tổ dân phố"),
    ProvinceSpec("NAN", "tỉnh Nghệ An", 130, 11, (), ("xóm", "bản"), "khối"),
    ProvinceSpec("HTI", "tỉnh Hà Tĩnh", 69, 9, (), _NORTH, "tổ dân phố"),
    ProvinceSpec("CBA", "tỉnh Cao Bằng", 56, 3, (), ("xóm",), "tổ dân phố"),
    ProvinceSpec("TQU", "tỉnh Tuyên Quang", 124, 7, (), ("thôn", "bản"), "tổ dân phố"),
    ProvinceSpec("LCA", "tỉnh Lào Cai", 99, 10, (), ("thôn", "bản"), "tổ dân phố"),
    ProvinceSpec("TNG", "tỉnh Thái Nguyên", 92, 15, (), ("xóm",), "tổ dân phố"),
    ProvinceSpec("PTH", "tỉnh Phú Thọ", 148, 15, (), ("xóm", "khu"), "tổ dân phố"),
    ProvinceSpec("BNI", "tỉnh Bắc Ninh", 99, 33, (), _NORTH, "tổ dân phố"),
    ProvinceSpec("HYE", "tỉnh Hưng Yên", 104, 11, (), _NORTH, "tổ dân phố"),
    ProvinceSpec(
        "HP",
        "thành phố Hải Phòng",
        114,
        45,
        ("Cát Hải", "Bạch Long Vĩ"),
        _NORTH,
        "tổ dân phố",
    ),
    ProvinceSpec("NBI", "tỉnh Ninh Bình", 129, 32, (), _NORTH, "tổ dân phố"),
    ProvinceSpec("QTR", "tỉnh Quảng Trị", 78, 8, ("Cồn Cỏ",), _NORTH, "khu phố"),
    ProvinceSpec("DN", "thành phố Đà Nẵng", 94, 23, (), _NORTH, "tổ dân phố"),
    ProvinceSpec("QNG", "tỉnh Quảng Ngãi", 96, 9, ("Lý Sơn",), _NORTH, "tổ dân phố"),
    ProvinceSpec("GLA", "tỉnh Gia Lai", 135, 25, (), ("thôn", "làng"), "tổ dân phố"),
    ProvinceSpec("KHO", "tỉnh Khánh Hòa", 65, 16, ("Trường Sa",), _NORTH, "tổ dân phố"),
    ProvinceSpec("LDO", "tỉnh Lâm Đồng", 124, 20, ("Phú Quý",), _NORTH, "tổ dân phố"),
    ProvinceSpec("DLA", "tỉnh Đắk Lắk", 102, 14, (), ("thôn", "buôn"), "tổ dân phố"),
    ProvinceSpec(
        "HCM", "Thành phố Hồ Chí Minh", 168, 113, ("Côn Đảo",), _SOUTH, "khu phố"
    ),
    ProvinceSpec("DNA", "tỉnh Đồng Nai", 95, 23, (), _SOUTH, "khu phố"),
    ProvinceSpec("TNI", "tỉnh Tây Ninh", 96, 14, (), _SOUTH, "khu phố"),
    ProvinceSpec("CT", "thành phố Cần Thơ", 103, 31, (), _SOUTH, "khu vực"),
    ProvinceSpec("VLO", "tỉnh Vĩnh Long", 124, 19, (), _SOUTH, "khóm"),
    ProvinceSpec("DTH", "tỉnh Đồng Tháp", 102, 20, (), _SOUTH, "khóm"),
    ProvinceSpec("CMA", "tỉnh Cà Mau", 64, 9, (), _SOUTH, "khóm"),
    ProvinceSpec(
        "AGI",
        "tỉnh An Giang",
        102,
        14,
        ("Phú Quốc", "Kiên Hải", "Thổ Châu"),
        _SOUTH,
        "khóm",
    ),
]

# Syllables that Vietnamese place names are commonly built from; a commune,
# village or enterprise name is an ordered pair of two different ones.
FIRST_SYLLABLES = [
    "An",
    "Bình",
    "Cẩm",
    "Đông",
    "Đức",
    "Hải",
    "Hòa",
    "Hồng",
    "Hưng",
    "Kim",
    "Lâm",
    "Long",
    "Minh",
    "Mỹ",
    "Nam",
    "Ngọc",
    "Phú",
    "Phước",
    "Quang",
    "Quảng",
    "Sơn",
    "Tân",
    "Tây",
    "Thái",
    "Thanh",
    "Thạnh",
    "Trung",
    "Vĩnh",
    "Xuân",
    "Yên",
]
SECOND_SYLLABLES = [
    "An",
    "Bình",
    "Điền",
    "Đông",
    "Dương",
    "Hà",
    "Hải",
    "Hiệp",
    "Hòa",
    "Hưng",
    "Khánh",
    "Lạc",
    "Lộc",
    "Lợi",
    "Long",
    "Mỹ",
    "Nghĩa",
    "Phong",
    "Phú",
    "Sơn",
    "Tây",
    "Thành",
    "Thịnh",
    "Thọ",
    "Thuận",
    "Tiến",
    "Trạch",
    "Tường",
    "Xuyên",
    "Yên",
]
PLACE_NAMES = [
    f"{first} {second}"
    for first in FIRST_SYLLABLES
    for second in SECOND_SYLLABLES
    if first != second
]

# Grassroots party organizations (đảng bộ cơ sở) under a commune; {place} is
# "xã An Phú", {pair} a generated proper name.
GRASSROOTS = [
    "Đảng bộ Công an {place}",
    "Đảng bộ Cơ quan Ủy ban nhân dân {place}",
    "Đảng bộ Trường Trung học phổ thông {pair}",
    "Đảng bộ Công ty Cổ phần {pair}",
    "Đảng bộ Bệnh viện Đa khoa khu vực {pair}",
]
# Only in rural communes (xã, đặc khu).
RURAL_GRASSROOTS = ["Đảng bộ Hợp tác xã Nông nghiệp {pair}"]
# Cells directly under a commune besides the residential ones.
INSTITUTION_CELLS = [
    "Chi bộ Quân sự {place}",
    "Chi bộ Trạm Y tế {place}",
    "Chi bộ Trường Tiểu học {pair}, {place}",
    "Chi bộ Trường Mầm non {pair}, {place}",
    "Chi bộ Trường Trung học cơ sở {pair}, {place}",
]


@dataclass(frozen=True, slots=True)
class OrganizationRow:
    """One organization to create; `parent` is the index of an earlier row."""

    parent: int | None
    level: str
    kind: str
    code: str
    name: str
    abbreviation: str
    valid_from: date | None = None


class _Rows(list):
    """The rows of a tree under construction, parents before children."""

    def add(self, parent: int | None, level, kind, code, name, abbr, valid_from=None):
        self.append(
            OrganizationRow(parent, str(level), str(kind), code, name, abbr, valid_from)
        )
        return len(self) - 1


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` that sum exactly
    to `total` (largest remainder; ties go to the earlier entry)."""
    scale = total / sum(weights)
    shares = [weight * scale for weight in weights]
    parts = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (parts[i] - shares[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _commune_weight(kind: str) -> float:
    # Wards are denser (more residential groups and enterprises), island
    # special zones smaller.
    return {"phường": 1.25, "xã": 1.0, "đặc khu": 0.5}[kind]


def _commune_kinds(spec: ProvinceSpec, communes: int, wards: int) -> list[str]:
    """Wards first, then rural communes, then special zones, as official
    lists order them."""
    # A province built at another size than its real one (the province set)
    # gets no island special zones: they are real places, not fillers.
    zones = len(spec.special_zones) if communes == spec.communes else 0
    return (
        ["phường"] * wards + ["xã"] * (communes - wards - zones) + ["đặc khu"] * zones
    )


def _add_province(
    rows: _Rows,
    root: int,
    spec: ProvinceSpec,
    *,
    communes: int,
    wards: int,
    units: int,
    seed: int,
) -> None:
    """A province committee, its agencies, communes, grassroots and cells."""
    # Each province draws from its own stream, so changing one province's
    # data does not rename the communes of every province after it.
    rng = random.Random(f"{seed}:{spec.code}")
    committee, abbr = ("Thành ủy", "ThU") if spec.is_city else ("Tỉnh ủy", "TU")
    province = rows.add(
        root,
        Level.PROVINCE,
        Kind.COMMITTEE,
        spec.code,
        f"Đảng bộ {spec.name}",
        abbr,
        START,
    )
    for suffix, name, short in PROVINCE_AGENCIES:
        rows.add(
            province,
            Level.PROVINCE,
            Kind.AGENCY,
            f"{spec.code}-{suffix}",
            f"{name} {committee}",
            f"{short}{abbr}",
        )
    kinds = _commune_kinds(spec, communes, wards)
    zones = kinds.count("đặc khu")
    names = rng.sample(PLACE_NAMES, len(kinds) - zones) + list(
        spec.special_zones[:zones]
    )
    budgets = apportion(
        units, [_commune_weight(kind) * rng.uniform(0.6, 1.4) for kind in kinds]
    )
    for number, (kind, name, budget) in enumerate(
        zip(kinds, names, budgets, strict=True), start=1
    ):
        code = f"{spec.code}-{number:03d}"
        place = f"{kind} {name}"
        commune = rows.add(
            province,
            Level.COMMUNE,
            Kind.COMMITTEE,
            code,
            f"Đảng bộ {place}",
            "ĐU",
            START,
        )
        _add_commune_units(rows, commune, code, place, kind, spec, budget, rng)


def _add_commune_units(
    rows: _Rows,
    commune: int,
    code: str,
    place: str,
    kind: str,
    spec: ProvinceSpec,
    budget: int,
    rng: random.Random,
) -> None:
    """Exactly `budget` grassroots organizations and cells under a commune:
    a few grassroots organizations with their cells, the rest cells directly
    under the commune (institutions first, then villages or quarters)."""
    # Every unit uses at most one generated name, so `budget` names suffice
    # and none repeats within the commune.
    pairs = iter(rng.sample(PLACE_NAMES, min(budget, len(PLACE_NAMES))))
    # A grassroots organization takes itself plus at least two cells; keep
    # at least two cells directly under the commune.
    most = min(4, (budget - 2) // 3)
    count = rng.randint(1, most) if most >= 1 else 0
    remaining = budget - 2
    templates = GRASSROOTS if kind == "phường" else GRASSROOTS + RURAL_GRASSROOTS
    for index, template in enumerate(rng.sample(templates, count), start=1):
        # Leave room for the grassroots organizations still to come.
        room = remaining - 3 * (count - index) - 1
        cells = min(rng.randint(2, 5), room)
        remaining -= 1 + cells
        name = template.format(place=place, pair=next(pairs))
        grassroots = rows.add(
            commune, Level.GRASSROOTS, Kind.GRASSROOTS, f"{code}-G{index}", name, "ĐU"
        )
        short = name.removeprefix("Đảng bộ ")
        for number in range(1, cells + 1):
            rows.add(
                grassroots,
                Level.CELL,
                Kind.CELL,
                f"{code}-G{index}-C{number:02d}",
                f"Chi bộ {number} — {short}",
                "CB",
            )
    direct = remaining + 2
    institutions = rng.sample(INSTITUTION_CELLS, min(direct, rng.randint(1, 3)))
    for number in range(1, direct + 1):
        if number <= len(institutions):
            template = institutions[number - 1]
            name = template.format(place=place, pair=next(pairs))
        elif kind == "phường":
            name = f"Chi bộ {spec.quarter} {number - len(institutions)}, {place}"
        else:
            village = rng.choice(spec.villages)
            name = f"Chi bộ {village} {next(pairs)}, {place}"
        rows.add(commune, Level.CELL, Kind.CELL, f"{code}-C{number:02d}", name, "CB")


def generate_tree(scale: str, *, seed: int) -> list[OrganizationRow]:
    """The rows of a demo tree, parents before children; a pure function of
    (scale, seed), so the same seed always yields the same tree."""
    if scale not in SCALES:
        raise ValueError(f"Unknown demo scale: {scale!r}")
    rows = _Rows()
    root = rows.add(None, Level.CENTRAL, Kind.COMMITTEE, *ROOT)
    if scale == "province":
        spec = next(spec for spec in PROVINCES if spec.code == PROVINCE_SCALE_CODE)
        _add_province(
            rows,
            root,
            spec,
            communes=PROVINCE_COMMUNES,
            wards=round(spec.wards * PROVINCE_COMMUNES / spec.communes),
            units=PROVINCE_UNITS,
            seed=seed,
        )
        return list(rows)
    for code, name, abbr in CENTRAL_AGENCIES:
        rows.add(root, Level.CENTRAL, Kind.AGENCY, code, name, abbr)
    budgets = apportion(
        NATIONAL_UNITS,
        [
            sum(
                _commune_weight(kind)
                for kind in _commune_kinds(spec, spec.communes, spec.wards)
            )
            for spec in PROVINCES
        ],
    )
    for spec, units in zip(PROVINCES, budgets, strict=True):
        _add_province(
            rows,
            root,
            spec,
            communes=spec.communes,
            wards=spec.wards,
            units=units,
            seed=seed,
        )
    return list(rows)


def count_rows(rows: Iterable[OrganizationRow]) -> dict[str, int]:
    """Organizations per level, agencies counted apart, top of the tree first."""
    counts = Counter(
        f"{row.level} agency" if row.kind == Kind.AGENCY else row.level for row in rows
    )
    order = [key for level in Level.values for key in (level, f"{level} agency")]
    return {key: counts[key] for key in order if counts[key]}


def _digest(entries: Iterable[tuple]) -> str:
    hasher = hashlib.sha256()
    for entry in entries:
        line = "\t".join("" if value is None else str(value) for value in entry)
        hasher.update(line.encode() + b"\n")
    return hasher.hexdigest()


def tree_digest(rows: list[OrganizationRow]) -> str:
    """A fingerprint of generated rows: code, name, parent code, level, kind,
    abbreviation and start of validity of each, in order."""
    return _digest(
        (
            row.code,
            row.name,
            rows[row.parent].code if row.parent is not None else None,
            row.level,
            row.kind,
            row.abbreviation,
            row.valid_from,
        )
        for row in rows
    )


def database_digest() -> str:
    """The same fingerprint, read back from the organizations in the database
    (in primary-key order, which is the order they were generated in)."""
    return _digest(
        Organization.objects.order_by("pk")
        .values_list(
            "code",
            "name",
            "parent__code",
            "level",
            "kind",
            "abbreviation",
            "valid_from",
        )
        .iterator(chunk_size=5000)
    )


def _say(stdout, text: str) -> None:
    if stdout is not None:
        # A trailing newline works for both a plain stream and Django's
        # OutputWrapper (which adds one only when missing).
        stdout.write(f"{text}\n")


LEVEL_LABELS = {
    Level.CENTRAL: "central committee and agencies",
    Level.PROVINCE: "provinces and their agencies",
    Level.COMMUNE: "communes and wards",
    Level.GRASSROOTS: "grassroots organizations",
    Level.CELL: "cells",
}


def insert_tree(rows: list[OrganizationRow], *, stdout=None) -> list[int]:
    """Bulk-insert generated rows; returns their primary keys, in row order.

    Primary keys are assigned here (after the current maximum) so each path
    (`/1/7/42/`) and depth is known before the INSERT, exactly as
    `organizations.services.create_organization` would compute them. Call it
    inside a transaction; it resets the primary-key sequence afterwards so
    ordinary inserts continue after the new rows.
    """
    base = Organization.objects.aggregate(top=Max("pk"))["top"] or 0
    pks = list(range(base + 1, base + 1 + len(rows)))
    paths: list[str] = []
    depths: list[int] = []
    by_level: dict[str, list[Organization]] = {level: [] for level in Level.values}
    for index, row in enumerate(rows):
        pk = pks[index]
        if row.parent is None:
            paths.append(f"/{pk}/")
            depths.append(0)
        else:
            if row.parent >= index:
                raise ValueError(f"Row {row.code} comes before its parent.")
            paths.append(f"{paths[row.parent]}{pk}/")
            depths.append(depths[row.parent] + 1)
        by_level[row.level].append(
            Organization(
                pk=pk,
                parent_id=pks[row.parent] if row.parent is not None else None,
                level=row.level,
                kind=row.kind,
                code=row.code,
                name=row.name,
                abbreviation=row.abbreviation,
                valid_from=row.valid_from,
                path=paths[index],
                depth=depths[index],
            )
        )
    # Level by level, so every parent exists before its children even where
    # foreign keys are checked immediately.
    for level, organizations in by_level.items():
        if organizations:
            _say(stdout, f"  {LEVEL_LABELS[level]}: {len(organizations):,}…")
            Organization.objects.bulk_create(organizations, batch_size=BATCH_SIZE)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Organization]):
            cursor.execute(sql)
    return pks


def _create_users(
    scale: str, rows: list[OrganizationRow], pks: list[int], seed: int
) -> list[DemoUser]:
    """The superuser, and for the province set the province secretary."""
    rng = random.Random(f"{seed}:users")
    user_model = get_user_model()
    users: list[DemoUser] = []

    def make_user(username, *, superuser=False, clearance=Secrecy.NONE):
        full_name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
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
        return person

    admin = make_user("admin", superuser=True)
    users.append(DemoUser("admin", DEMO_PASSWORD, admin.full_name, "superuser", "—"))
    if scale == "province":
        index = next(i for i, row in enumerate(rows) if row.level == Level.PROVINCE)
        role = Role.objects.get(code="secretary")
        person = make_user("bithu.tinh", clearance=Secrecy.SECRET)
        Position.objects.create(
            person=person,
            organization_id=pks[index],
            role=role,
            title="Bí thư Tỉnh ủy",
            start_date=START,
        )
        users.append(
            DemoUser(
                "bithu.tinh",
                DEMO_PASSWORD,
                person.full_name,
                str(role.name),
                rows[index].name,
            )
        )
    return users


def build_tree(
    scale: str,
    *,
    seed: int,
    stdout=None,
    documents: int | None = None,
    members: int | None = None,
) -> dict[str, int]:
    """Create the `province` or `national` demo set in one transaction.

    Returns the number of organizations per level (agencies apart). Progress
    and the demo users' credentials go to `stdout` when given. `documents`
    is how many demo documents to generate (by default 500,000 for the
    province set, SPEC §3, and none for the national set).
    """
    started = time.perf_counter()
    _say(stdout, f"Generating the {scale} tree (seed {seed})…")
    rows = generate_tree(scale, seed=seed)
    with transaction.atomic():
        pks = insert_tree(rows, stdout=stdout)
        users = _create_users(scale, rows, pks, seed)
        _say(
            stdout,
            f"Created {len(rows):,} organizations in "
            f"{time.perf_counter() - started:.1f} s.",
        )
        # Demo documents in every register (hoso.demo.documents), recorded in
        # the same audit entry as the tree.
        from hoso.demo import documents as demo_documents

        if documents is None:
            documents = demo_documents.PROVINCE_COUNT if scale == "province" else 0
        document_count = (
            demo_documents.build_documents(
                Organization.objects.all(),
                count=documents,
                seed=seed,
                stdout=stdout,
                audited=False,
            )
            if documents
            else 0
        )
        from hoso.demo.members import build_for_tree

        build_for_tree(scale, seed=seed, stdout=stdout, count=members)
        from hoso.demo import operations as demo_operations  # indicators (issue 6)

        demo_operations.build_indicator_values(seed=seed, stdout=stdout)
        audit.record(
            "demo.loaded",
            object_type="demo",
            object_repr=scale,
            changes={
                "organizations": [None, len(rows)],
                "users": [None, len(users)],
                "documents": [None, document_count],
            },
        )
    if stdout is not None:
        _say(stdout, "\nDemo users (password / username / role / organization):")
        for user in users:
            _say(
                stdout,
                f"  {user.password:<16} {user.username:<22} {user.role:<28} "
                f"{user.organization}",
            )
        _say(stdout, "")
    return count_rows(rows)
