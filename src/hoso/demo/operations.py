"""Demo data of the operations centre: Plan 02-KH/BCĐTW (19 June 2025) as
tasks, and a set of Plan 02 style indicators with a realistic mix of green,
yellow and red for every commune (and cell), rolled up the tree.

`build_small()` is called by the small set (tasks with subtasks for the
demo communes, a report form with submissions, indicator values for four
quarters). `build_indicator_values()` is called by the province and
national sets: it bulk-inserts values for every commune and cell and
rebuilds the results level by level, so the dashboard has the whole tree.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from hoso.operations import live, rollup
from hoso.operations.choices import TaskEventKind, TaskStatus
from hoso.operations.indicators import previous_periods
from hoso.operations.models import Indicator, IndicatorValue, Task, TaskEvent
from hoso.organizations.choices import Level
from hoso.organizations.models import Organization

# The 8 task groups of Plan 02-KH/BCĐTW.
PLAN_02_GROUPS = [
    (
        "Hoàn thiện thể chế",
        "Rà soát, sửa đổi quy chế, quy định bảo đảm cơ sở pháp lý cho chuyển đổi số "
        "trong các cơ quan đảng.",
        "Quy chế làm việc trên môi trường số được ban hành",
    ),
    (
        "Phát triển hạ tầng số",
        "Bảo đảm mạng thông tin diện rộng của Đảng, thiết bị đầu cuối và kết nối "
        "đến cấp xã.",
        "100% cấp ủy cấp xã kết nối mạng diện rộng của Đảng",
    ),
    (
        "Phát triển dữ liệu",
        "Số hóa hồ sơ đảng viên, văn bản, tài liệu lưu trữ; làm sạch dữ liệu trước "
        "khi bàn giao.",
        "Cơ sở dữ liệu đảng viên đầy đủ, đúng, sạch, sống",
    ),
    (
        "Nền tảng, ứng dụng dùng chung",
        "Triển khai hệ thống điều hành, quản lý văn bản, sổ tay đảng viên điện tử "
        "dùng chung.",
        "Hệ thống dùng chung vận hành đến chi bộ",
    ),
    (
        "Phát triển nhân lực",
        "Bồi dưỡng kỹ năng số cho cán bộ, đảng viên; bố trí cán bộ chuyên trách "
        "chuyển đổi số.",
        "100% cán bộ cơ quan đảng được bồi dưỡng kỹ năng số",
    ),
    (
        "Bảo đảm tài chính",
        "Bố trí kinh phí thực hiện các nhiệm vụ chuyển đổi số theo kế hoạch.",
        "Dự toán kinh phí được phê duyệt",
    ),
    (
        "Khối Quốc hội, Mặt trận, tòa án, viện kiểm sát",
        "Phối hợp triển khai chuyển đổi số trong khối Quốc hội, Mặt trận Tổ quốc, "
        "tòa án, viện kiểm sát ở địa phương.",
        "Báo cáo phối hợp triển khai",
    ),
    (
        "An ninh, an toàn, bảo mật",
        "Bảo đảm an toàn thông tin, bảo vệ bí mật nhà nước trên môi trường số; "
        "kiểm tra, đánh giá định kỳ.",
        "Báo cáo đánh giá an toàn thông tin",
    ),
]

# code, name, unit, direction, green, yellow, rule, level, period, computed
INDICATORS = [
    (
        "plan02-basic-conditions",
        "Xã đáp ứng điều kiện cơ bản (Kế hoạch 02)",
        "%",
        "higher",
        90,
        70,
        "share_green",
        Level.COMMUNE,
        "quarter",
        "",
    ),
    (
        "plan02-online-services",
        "Tỷ lệ thủ tục trực tuyến toàn trình",
        "%",
        "higher",
        80,
        50,
        "weighted_mean",
        Level.COMMUNE,
        "quarter",
        "",
    ),
    (
        "plan02-digital-signature",
        "Tỷ lệ văn bản ký số",
        "%",
        "higher",
        90,
        70,
        "mean",
        Level.COMMUNE,
        "quarter",
        "",
    ),
    (
        "plan02-security-incidents",
        "Sự cố an toàn thông tin chưa xử lý",
        "",
        "lower",
        0,
        2,
        "mean",
        Level.COMMUNE,
        "quarter",
        "",
    ),
    (
        "cell-meetings-online",
        "Chi bộ sinh hoạt có tài liệu điện tử",
        "%",
        "higher",
        80,
        50,
        "share_green",
        Level.CELL,
        "quarter",
        "",
    ),
    (
        "documents-on-time",
        "Văn bản đến xử lý đúng hạn",
        "%",
        "higher",
        90,
        75,
        "weighted_mean",
        "",
        "quarter",
        "documents_on_time",
    ),
    (
        "tasks-on-time",
        "Nhiệm vụ hoàn thành đúng hạn",
        "%",
        "higher",
        90,
        70,
        "weighted_mean",
        "",
        "year",
        "tasks_on_time",
    ),
    (
        "digital-records",
        "Đảng viên có hồ sơ điện tử đầy đủ",
        "%",
        "higher",
        95,
        80,
        "weighted_mean",
        "",
        "quarter",
        "digital_records",
    ),
    (
        "meetings-published-early",
        "Sinh hoạt chi bộ có tài liệu gửi trước",
        "%",
        "higher",
        90,
        70,
        "weighted_mean",
        "",
        "quarter",
        "advance_publication",
    ),
]


def create_indicators() -> list[Indicator]:
    """The Plan 02 indicator set (idempotent by code)."""
    indicators = []
    for order, row in enumerate(INDICATORS, start=1):
        code, name, unit, direction, green, yellow, rule, level, period, computed = row
        indicator, _created = Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "direction": direction,
                "green_from": green,
                "yellow_from": yellow,
                "rule": rule,
                "measured_level": level,
                "period_kind": period,
                "computed": computed,
                "order": order,
                "target": 100 if direction == "higher" else 0,
                "target_date": date(2026, 12, 31),
                "rollup_green_from": 80,
                "rollup_yellow_from": 50,
            },
        )
        indicators.append(indicator)
    return indicators


def _draw(indicator: Indicator, rng: random.Random, quality: float, step: int):
    """A value for one organization: `quality` (0..1, fixed per place) and
    the period (later periods better) decide its light — about half green,
    a third yellow, the rest red in the latest quarter."""
    score = quality + 0.06 * step + rng.uniform(-0.12, 0.12)
    if indicator.direction == "lower":
        return float(max(0, round((1 - score) * 5)))
    return round(min(100.0, max(0.0, 35 + 70 * score)), 1)


def build_indicator_values(
    *, seed: int = 1, periods: int = 4, stdout=None, today: date | None = None
) -> int:
    """Values for every commune (and cell) for the last `periods` periods of
    each entered indicator, then a bottom-up rebuild. Returns the values."""
    today = today or timezone.localdate()
    indicators = create_indicators()
    by_level = {
        level: list(Organization.objects.filter(level=level).values_list("pk", "path"))
        for level in (Level.COMMUNE, Level.CELL)
    }
    written = 0
    for indicator in indicators:
        if indicator.computed:
            continue
        rng = random.Random(f"{seed}:{indicator.code}")
        places = by_level[indicator.measured_level]
        quality = {pk: rng.betavariate(4, 2.2) for pk, _path in places}
        spans = previous_periods(indicator.period_kind, today, periods)
        for step, (start, _end) in enumerate(spans):
            rows = [
                IndicatorValue(
                    indicator=indicator,
                    organization_id=pk,
                    org_path=path,
                    period_start=start,
                    value=_draw(indicator, rng, quality[pk], step - len(spans) + 1),
                    weight=float(rng.randint(20, 400)),
                    source="manual",
                )
                for pk, path in places
            ]
            IndicatorValue.objects.bulk_create(rows, batch_size=5000)
            written += len(rows)
            rollup.rebuild(indicator, start, batch=5000)
        if stdout is not None:
            stdout.write(f"  indicator {indicator.code}: {len(places):,} × {periods}")
    return written


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _person(username: str):
    from hoso.accounts.models import Person

    return Person.objects.select_related("user").get(user__username=username)


def _task(
    *,
    organization,
    title,
    description,
    product,
    lead,
    coordinators,
    authority,
    deadline,
    status,
    progress,
    creator,
    parent=None,
    document=None,
    late_days=0,
    returned=0,
) -> Task:
    """A task with a believable history (the demo writes the past directly;
    services refuse deadlines in the past)."""
    task = Task.objects.create(
        organization=organization,
        org_path=organization.path,
        parent=parent,
        title=title,
        description=description,
        product=product,
        lead=lead,
        authority=authority,
        deadline=deadline,
        original_deadline=deadline,
        status=status,
        progress=progress,
        source_document=document,
        source_kind="document" if document else "",
        source_label=(document.symbol if document else "")[:300],
        created_by=creator,
        returned_count=returned,
    )
    task.coordinators.set(coordinators)
    assigned = deadline - timedelta(days=60)
    events = [
        TaskEvent(
            task=task, kind=TaskEventKind.ASSIGNED, actor=creator, created=_at(assigned)
        )
    ]
    if progress:
        events.append(
            TaskEvent(
                task=task,
                kind=TaskEventKind.PROGRESS,
                actor=lead.user,
                progress=min(progress, 60),
                text="Đã triển khai, đang tổng hợp kết quả.",
                created=_at(assigned + timedelta(days=20)),
            )
        )
    if status in (TaskStatus.SUBMITTED, TaskStatus.ACCEPTED):
        submitted = deadline + timedelta(days=late_days)
        task.submitted_at = _at(submitted, 16)
        events.append(
            TaskEvent(
                task=task,
                kind=TaskEventKind.SUBMITTED,
                actor=lead.user,
                progress=100,
                text="Đã hoàn thành, gửi kết quả.",
                created=task.submitted_at,
            )
        )
        if status == TaskStatus.ACCEPTED:
            task.accepted_at = _at(submitted + timedelta(days=2), 10)
            events.append(
                TaskEvent(
                    task=task,
                    kind=TaskEventKind.ACCEPTED,
                    actor=authority.user,
                    created=task.accepted_at,
                )
            )
        task.save(update_fields=["submitted_at", "accepted_at"])
    TaskEvent.objects.bulk_create(events)
    return task


@transaction.atomic
def build_small(*, seed: int = 1, today: date | None = None) -> dict[str, int]:
    """Plan 02 for the small set: 8 group tasks at the province, subtasks
    for the two demo communes in every state, indicators, a report form."""
    from hoso.documents.models import Document

    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:operations")
    province = Organization.objects.get(code="KH")
    secretary = _person("bithu.tinh")
    clerk = _person("vanthu.tinh")
    inspector = _person("kiemtra.tinh")
    central = _person("admin")
    plan = Document.objects.filter(
        organization=province, symbol__startswith="02-KH/BCĐTW"
    ).first()
    communes = [
        (Organization.objects.get(code=code), slug)
        for code, slug in (("KH-01", "nhatrang"), ("KH-02", "dienkhanh"))
    ]
    # Deadlines: the breakthrough phase is over (31/12/2025); the 2026 round
    # of the same groups runs to the end of the year.
    tasks = 0
    for index, (group, description, product) in enumerate(PLAN_02_GROUPS):
        parent = _task(
            organization=province,
            title=f"Kế hoạch 02: {group}",
            description=description,
            product=product,
            lead=secretary,
            coordinators=[clerk, inspector],
            authority=central,
            deadline=date(today.year, 12, 31),
            status=TaskStatus.IN_PROGRESS,
            progress=40 + 5 * index,
            creator=central.user,
            document=plan,
        )
        tasks += 1
        for commune, slug in communes:
            lead = _person(f"bithu.{slug}")
            specialist = _person(f"chuyenvien.{slug}")
            # A mix: on time, late, in progress, overdue, submitted, returned.
            kind = rng.choice(
                [
                    "on_time",
                    "on_time",
                    "late",
                    "progress",
                    "overdue",
                    "submitted",
                    "returned",
                ]
            )
            if kind in ("on_time", "late"):
                deadline = today - timedelta(days=rng.randint(20, 120))
                status, progress = TaskStatus.ACCEPTED, 100
            elif kind == "overdue":
                deadline = today - timedelta(days=rng.randint(3, 30))
                status, progress = TaskStatus.IN_PROGRESS, rng.choice([30, 50, 70])
            elif kind == "submitted":
                deadline = today + timedelta(days=rng.randint(2, 20))
                status, progress = TaskStatus.SUBMITTED, 100
            else:
                deadline = today + timedelta(days=rng.randint(5, 60))
                status = (
                    TaskStatus.RETURNED
                    if kind == "returned"
                    else TaskStatus.IN_PROGRESS
                )
                progress = rng.choice([20, 40, 60])
            _task(
                organization=commune,
                title=f"{group} — {commune.name}",
                description=description,
                product=product,
                lead=lead,
                coordinators=[specialist],
                authority=secretary,
                deadline=deadline,
                status=status,
                progress=progress,
                creator=secretary.user,
                parent=parent,
                late_days=rng.randint(3, 15) if kind == "late" else -rng.randint(0, 5),
                returned=1 if kind == "returned" else 0,
            )
            tasks += 1
    values = build_indicator_values(seed=seed, today=today)
    for indicator in Indicator.objects.exclude(computed=""):
        live.refresh_all(indicator, today)
    _report_form(province, secretary, communes, today)
    return {"tasks": tasks, "indicator_values": values}


def _report_form(province, secretary, communes, today: date) -> None:
    """A monthly Plan 02 progress report to the communes, one submitted."""
    from hoso.operations import reporting

    form = reporting.create_report_form(
        acting_user=secretary.user,
        organization=province,
        title="Báo cáo tiến độ thực hiện Kế hoạch 02 (tháng)",
        description="Số liệu tính đến ngày cuối tháng.",
        target_level=Level.COMMUNE,
        fields=[
            {
                "code": "ho_so_so_hoa",
                "label": "Số hồ sơ đảng viên đã số hóa",
                "kind": "integer",
                "min_value": 0,
                "aggregate": "sum",
            },
            {
                "code": "ty_le_ky_so",
                "label": "Tỷ lệ văn bản ký số (%)",
                "kind": "percent",
                "aggregate": "mean",
            },
            {
                "code": "ket_noi_mang",
                "label": "Đã kết nối mạng diện rộng của Đảng",
                "kind": "boolean",
                "aggregate": "count_yes",
            },
            {
                "code": "kho_khan",
                "label": "Khó khăn, vướng mắc",
                "kind": "text",
                "required": False,
            },
        ],
    )
    start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    report_round = reporting.open_round(
        form,
        acting_user=secretary.user,
        period_start=start,
        period_end=end,
        due_date=end + timedelta(days=5),
    )
    commune, slug = communes[0]
    submission = report_round.submissions.get(organization=commune)
    reporting.submit_report(
        submission,
        acting_user=_person(f"chuyenvien.{slug}").user,
        data={"ho_so_so_hoa": 1240, "ty_le_ky_so": 87.5, "ket_noi_mang": True},
    )
