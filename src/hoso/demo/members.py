"""Demo member records.

- `build_small_members`: every cell of the small set gets members with
  Vietnamese names; some are probationary (a few with the 12 months over,
  waiting for the vote), two official transfers and a temporary one are under
  way, the year's dues are partly paid (one member has 3 unpaid months and is
  flagged), a rating round waits for the decision, and the demo members'
  sign-ins are linked to their records (for the member handbook).
- `build_for_tree`: the province (150,000) and national (5,600,000) sets,
  generated straight into a CSV and loaded with the import's COPY path on
  PostgreSQL (bulk inserts on SQLite). No timeline rows are written for these
  generated members (their admission is on the record itself).
"""

from __future__ import annotations

import io
import os
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

FAMILY = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
    "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
]  # fmt: skip
MIDDLE = {
    "male": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Thành", "Quốc"],
    "female": ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Thùy", "Bích"],
}
GIVEN = {
    "male": [
        "An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Khoa", "Long", "Nam",
        "Phong", "Quân", "Sơn", "Tâm", "Thắng", "Tuấn", "Việt", "Huy", "Trung",
    ],
    "female": [
        "Anh", "Chi", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh",
        "Mai", "Nhung", "Phương", "Thảo", "Trang", "Yến", "Vân", "Hằng", "Ngân",
    ],
}  # fmt: skip
OCCUPATIONS = [
    "Cán bộ, công chức", "Giáo viên", "Công an", "Nông dân", "Công nhân",
    "Bác sĩ", "Kỹ sư", "Hưu trí", "Kinh doanh", "Bộ đội",
]  # fmt: skip
EDUCATION = ["12/12", "12/12", "12/12", "9/12"]
THEORY = ["Sơ cấp", "Trung cấp", "Cao cấp", ""]
PROFESSIONAL = ["Cử nhân", "Thạc sĩ", "Kỹ sư", "Trung cấp", "Cao đẳng", ""]
PER_CELL = (6, 11)


def _name(rng: random.Random, sex: str) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"


def _letters(index: int) -> str:
    return chr(65 + index // 26 % 26) + chr(65 + index % 26)


def member_row(
    rng: random.Random,
    index: int,
    cell_id: int,
    place: str,
    province: int,
    today: date | None = None,
):
    """The clean field values of generated member number `index`."""
    from hoso.members import workdays
    from hoso.members.choices import DuesCategory, MemberStatus

    today = today or timezone.localdate()
    sex = "female" if rng.random() < 0.38 else "male"
    age_now = rng.randint(20, 80)
    born = date(today.year - age_now, rng.randint(1, 12), rng.randint(1, 28))
    first_possible = workdays.add_months(born, 18 * 12)
    last_possible = min(workdays.add_months(born, 60 * 12), today - timedelta(days=30))
    span = max((last_possible - first_possible).days, 0)
    admitted = first_possible + timedelta(days=rng.randint(0, span))
    probation_ends = workdays.add_months(admitted, 12)
    full = probation_ends if probation_ends <= today and rng.random() > 0.03 else None
    retired = age_now >= 62
    category = (
        DuesCategory.PENSIONER
        if retired
        else DuesCategory.SALARIED
        if rng.random() < 0.55
        else DuesCategory.OTHER
    )
    salary = (
        rng.randrange(4_500_000, 25_000_000, 50_000)
        if category != DuesCategory.OTHER
        else None
    )
    sex_digit = (0 if sex == "male" else 1) + (2 if born.year >= 2000 else 0)
    return {
        "organization_id": cell_id,
        "status": MemberStatus.FULL if full else MemberStatus.PROBATIONARY,
        "full_name": _name(rng, sex),
        "date_of_birth": born,
        "place_of_birth": place,
        "sex": sex,
        "ethnicity": "Kinh"
        if rng.random() < 0.86
        else rng.choice(
            ["Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Ê Đê", "Chăm"]
        ),
        "religion": ""
        if rng.random() < 0.9
        else rng.choice(["Phật giáo", "Công giáo"]),
        "hometown": place,
        "residence": place,
        "citizen_id": (
            f"{index // 1_000_000 + 1:03d}{sex_digit}{born.year % 100:02d}"
            f"{index % 1_000_000:06d}"
        ),
        "education_general": rng.choice(EDUCATION),
        "political_theory": rng.choice(THEORY),
        "professional": rng.choice(PROFESSIONAL),
        "occupation": "Hưu trí" if retired else rng.choice(OCCUPATIONS),
        "occupation_before": rng.choice(OCCUPATIONS[:7]),
        "service_background": "retired" if retired else "",
        "admission_date": admitted,
        "probation_ends": probation_ends,
        "full_membership_date": full,
        "card_number": f"{10_000_000 + index:08d}" if full else None,
        "biography_number": f"{index % 1_000_000:06d}{_letters(province)}",
        "dues_category": category,
        "insured_salary": salary,
    }


def load_members(
    cells: list[tuple[int, str, int]], count: int, *, seed: int, stdout=None
):
    """Generate `count` members spread over `cells` ((id, place, province
    index)) and load them as the import stores rows: on PostgreSQL streamed
    into one COPY as they are generated (the server stores a batch while the
    next is made), elsewhere staged in a file and bulk-inserted. Returns the
    number loaded."""
    from hoso.members import imports

    if not cells or not count:
        return 0
    started, cpu = time.perf_counter(), time.process_time()
    lines = generated_lines(cells, count, seed=seed, now=timezone.now().isoformat())
    if connection.vendor == "postgresql":
        imports.copy_lines(lines)
    else:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 — removed below
            "w", suffix=".tsv", encoding="utf-8", delete=False
        )
        try:
            handle.writelines(lines)
            handle.close()
            imports.insert_staged(handle.name)
        finally:
            handle.close()
            os.unlink(handle.name)
    if stdout is not None:
        stdout.write(
            f"Generated and loaded {count:,} members in "
            f"{time.perf_counter() - started:.1f} s "
            f"(Python CPU {time.process_time() - cpu:.1f} s)."
        )
    return count


def generated_lines(
    cells: list[tuple[int, str, int]], count: int, *, seed: int, now: str
) -> Iterator[str]:
    """The staged lines of the generated members, in order (one random
    sequence for the whole set, so a seed gives the same members)."""
    from hoso.members import imports

    rng = random.Random(seed)
    today = timezone.localdate()
    for index in range(count):
        cell_id, place, province = cells[index * len(cells) // count]
        yield imports.staged_line(
            member_row(rng, index, cell_id, place, province, today), now
        )


MEMBER_COUNTS = {"province": 150_000, "national": 5_600_000}


def build_for_tree(scale: str, *, seed: int, stdout=None, count: int | None = None):
    """Members for the generated province or national tree (SPEC §3)."""
    from hoso.organizations.choices import Level
    from hoso.organizations.models import Organization

    count = MEMBER_COUNTS.get(scale, 0) if count is None else count
    provinces = {
        path: n
        for n, path in enumerate(
            Organization.objects.filter(level=Level.PROVINCE, kind="committee")
            .order_by("path")
            .values_list("path", flat=True)
        )
    }
    cells = []
    for pk, path, name in (
        Organization.objects.filter(level=Level.CELL)
        .order_by("path")
        .values_list("pk", "path", "name")
    ):
        province = next((n for p, n in provinces.items() if path.startswith(p)), 0)
        cells.append((pk, name, province))
    return load_members(cells, count, seed=seed, stdout=stdout)


# The small set ---------------------------------------------------------------


def _photo(rng: random.Random) -> bytes:
    """A small plain portrait placeholder (PNG)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (90, 120), (rng.randint(150, 230), 200, 215))
    draw = ImageDraw.Draw(image)
    draw.ellipse((25, 18, 65, 62), fill=(120, 90, 70))
    draw.rectangle((15, 70, 75, 120), fill=(40, 60, 120))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def build_small_members(seed: int = 1) -> int:
    """Members for the small demo set (see the module docstring)."""
    from django.contrib.auth import get_user_model

    from hoso.accounts.models import Person
    from hoso.members import dues, rating, services, workdays
    from hoso.members.choices import MemberStatus, RatingLevel
    from hoso.members.models import DuesPayment, Member
    from hoso.organizations.choices import Level
    from hoso.organizations.models import Organization

    rng = random.Random(seed + 55)
    today = timezone.localdate()
    admin = get_user_model().objects.filter(is_superuser=True).first()
    cells = list(Organization.objects.filter(level=Level.CELL).order_by("code"))
    index = 0
    members = []
    for cell in cells:
        place = cell.parent.name.replace("Đảng bộ ", "") if cell.parent else ""
        for _ in range(rng.randint(*PER_CELL)):
            row = member_row(rng, 900_000 + index, cell.pk, place, 0)
            row["biography_number"] = f"{index:06d}KH"
            index += 1
            members.append(Member(**row))
    # A few recent admissions: probationary, some with the 12 months over.
    for member, months in zip(members[::9], [4, 8, 13, 14, 6, 12, 15, 3], strict=False):
        member.status = MemberStatus.PROBATIONARY
        member.admission_date = workdays.add_months(today, -months)
        member.probation_ends = workdays.add_months(member.admission_date, 12)
        member.full_membership_date = None
        member.card_number = None
        member.date_of_birth = date(today.year - rng.randint(22, 40), 3, 15)
    Member.objects.bulk_create(members, batch_size=500)
    members = list(Member.objects.order_by("pk"))

    # The demo members' sign-ins become member records (the handbook).
    for person in Person.objects.filter(user__username__startswith="dangvien."):
        position = person.positions.select_related("organization").first()
        target = next(
            m
            for m in members
            if position and m.organization_id == position.organization_id
        )
        target.person = person
        target.full_name = person.full_name
        target.photo = _photo(rng)
        target.photo_type = "image/png"
        target.card_version = 1
        target.card_valid_until = workdays.add_months(today, 60)
        target.save()

    # Transfers under way: two official, one temporary.
    communes = list(Organization.objects.filter(level=Level.COMMUNE).order_by("code"))
    if len(communes) >= 2 and admin is not None:
        targets = list(
            Organization.objects.filter(
                level=Level.CELL, path__startswith=communes[1].path
            ).order_by("code")
        )
        movers = [
            m
            for m in members
            if m.status == MemberStatus.FULL
            and m.organization.path.startswith(communes[0].path)
            and m.person_id is None
        ][:3]
        for number, member in enumerate(movers):
            if number < 2:
                services.send_transfer(
                    member,
                    target=targets[number % len(targets)],
                    decided_on=today - timedelta(days=10 + number * 20),
                    sent_on=today - timedelta(days=7 + number * 20),
                    acting_user=admin,
                    reason="Chuyển nơi cư trú",
                )
            else:
                services.start_temporary_transfer(
                    member,
                    host=targets[-1],
                    starts_on=today - timedelta(days=30),
                    ends_on=workdays.add_months(today, 5),
                    acting_user=admin,
                    reason="Đi học tập trung",
                    purpose="study",
                )

    # Dues of this year's past months (most paid; some gaps).
    payments = []
    rates = list(dues.DuesRate.objects.all())
    # Up to last month: this month's dues are still being collected.
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    for number, member in enumerate(members):
        unpaid = 3 if number == 5 else (1 if number % 7 == 0 else 0)
        months = dues.months_owed(member, today.year, last)
        for month in months[: max(len(months) - unpaid, 0)]:
            due = dues.amount_due(member, month, rates)
            if due is None:
                continue
            payments.append(
                DuesPayment(
                    member=member,
                    organization_id=member.organization_id,
                    month=month,
                    amount=due,
                    paid_on=month + timedelta(days=rng.randint(2, 20)),
                    recorded_by=admin,
                )
            )
    DuesPayment.objects.bulk_create(payments, batch_size=1000)

    # Last year's rating in the first grassroots organization: cell review.
    grassroots = Organization.objects.filter(level=Level.GRASSROOTS).order_by("code")
    if admin is not None and grassroots.exists():
        rnd = rating.open_round(
            grassroots.first(), year=today.year - 1, acting_user=admin
        )
        ratings = list(rnd.ratings.order_by("pk"))
        for number, item in enumerate(ratings):
            item.self_level = RatingLevel.GOOD if number % 3 else RatingLevel.EXCELLENT
            item.cell_level = (
                RatingLevel.EXCELLENT
                if number == 0
                else RatingLevel.COMPLETED
                if number % 4 == 3
                else RatingLevel.GOOD
            )
            item.save()
        rating.advance_round(rnd, acting_user=admin)
        rnd.refresh_from_db()
    return len(members)
