"""Demo meetings and handbook content for the small set.

For each demo commune's first cell: four more members with sign-ins, the
regular monthly meeting series (last month's meeting held, with minutes;
the next ones scheduled with their agenda and documents published in
time); a province conference with a bridge per commune; Resolution
57-NQ/TW in the members' library with a study session and a quiz; a
feedback thread between a member and the commune committee.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from hoso.accounts.models import Person, Position, Role
from hoso.organizations.choices import Level

MEMBER_NAMES = ["Trần Thị Mai", "Lê Văn Hùng", "Phạm Thị Lan", "Võ Minh Tuấn"]


def _add_members(cell, slug: str, password: str, start: date) -> list:
    """Four members of the cell, able to sign in (dangvien2.<slug> …)."""
    from hoso.demo.small import DemoUser

    role = Role.objects.get(code="member")
    users = []
    for number, name in enumerate(MEMBER_NAMES, start=2):
        username = f"dangvien{number}.{slug}"
        user = get_user_model()(username=username)
        user.set_password(password)
        user.save()
        person = Person.objects.create(
            user=user, full_name=name, email=f"{username}@demo.hoso.local"
        )
        Position.objects.create(
            person=person,
            organization=cell,
            role=role,
            title="Đảng viên",
            start_date=start,
        )
        users.append(DemoUser(username, password, name, str(role.name), cell.name))
    return users


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _cell_meetings(cell, secretary_user, document) -> None:
    from hoso.meetings import services
    from hoso.meetings.choices import Attendance, VoteKind
    from hoso.meetings.models import AgendaDocument

    today = timezone.localdate()
    last_month = _first_of_month(_first_of_month(today) - timedelta(days=1))
    secretary = secretary_user.person
    _series, meetings = services.generate_monthly_series(
        organization=cell,
        title="Sinh hoạt chi bộ định kỳ",
        day_of_month=5,
        start_time=time(14, 0),
        duration_minutes=120,
        first_month=last_month,
        months=4,
        location=f"Hội trường {cell.name}",
        chair=secretary,
        acting_user=secretary_user,
    )
    held, *coming = meetings
    for meeting in [held, *coming]:
        meeting.secretary = secretary
        meeting.save(update_fields=["secretary"])
        first = services.add_agenda_item(
            meeting,
            title="Kiểm điểm việc thực hiện nghị quyết tháng trước",
            acting_user=secretary_user,
        )
        services.add_agenda_item(
            meeting,
            title="Phương hướng, nhiệm vụ tháng tới",
            acting_user=secretary_user,
        )
        if document is not None:
            services.attach_document(first, document, acting_user=secretary_user)
            # Published two days before the meeting, as the rules ask.
            AgendaDocument.objects.filter(item=first).update(
                published_at=meeting.starts_at - timedelta(days=2)
            )
    # Last month's meeting was held: attendance, a vote, minutes.
    services.start_meeting(held, acting_user=secretary_user)
    participants = list(held.participants.select_related("person__user"))
    for participant in participants[:-1]:
        services.check_in_with_token(
            held, services.checkin_token(participant), acting_user=secretary_user
        )
    services.record_attendance(
        participants[-1],
        attendance=Attendance.ABSENT_EXCUSED,
        reason="Đi công tác",
        acting_user=secretary_user,
    )
    item = held.agenda_items.first()
    services.update_item_notes(
        item,
        notes="Chi bộ hoàn thành các chỉ tiêu tháng; "
        "100% đảng viên đóng đảng phí đúng hạn.",
        acting_user=secretary_user,
    )
    vote = services.create_vote(
        held,
        question="Thông qua nghị quyết sinh hoạt chi bộ tháng",
        kind=VoteKind.YES_NO,
        secret=False,
        item=item,
        acting_user=secretary_user,
    )
    services.open_vote(vote, acting_user=secretary_user)
    for participant in participants[:-1]:
        services.cast_ballot(vote, acting_user=participant.person.user, choice="yes")
    # The secretary accepts the result: the lead and coordinator are others.
    others = [p.person for p in participants if p.person_id != secretary.pk]
    services.add_conclusion(
        held,
        acting_user=secretary_user,
        title="Vận động đảng viên cài đặt Sổ tay đảng viên điện tử",
        lead=others[0],
        deadline=today + timedelta(days=30),
        product="100% đảng viên sử dụng Sổ tay điện tử",
        authority=secretary,
        coordinators=others[1:2],
        item=item,
    )
    services.close_meeting(held, acting_user=secretary_user)
    minutes = services.generate_minutes(held, acting_user=secretary_user)
    services.approve_minutes(minutes, acting_user=secretary_user)


def build_meetings(province, communes, *, password: str) -> list:
    """Meetings and handbook content for the small set; returns the extra
    demo users."""
    from hoso.documents.models import Document
    from hoso.handbook import services as handbook
    from hoso.meetings import services
    from hoso.signing import ca

    start = date(2025, 7, 1)
    users = []
    resolution = (
        Document.objects.filter(organization=province, symbol="57-NQ/TW", secrecy=0)
        .order_by("pk")
        .first()
    )
    province_secretary = (
        Position.objects.filter(organization=province, role__code="secretary")
        .select_related("person__user")
        .first()
        .person.user
    )
    entry = None
    if resolution is not None:
        entry = handbook.publish_to_library(
            resolution,
            organization=province,
            category="resolution",
            title="Nghị quyết 57-NQ/TW về đột phá phát triển khoa học, công nghệ, "
            "đổi mới sáng tạo và chuyển đổi số quốc gia",
            summary="Nghị quyết của Bộ Chính trị ngày 22/12/2024.",
            acting_user=province_secretary,
        )
        handbook.create_study_session(
            entry,
            organization=province,
            title="Học tập, quán triệt Nghị quyết 57-NQ/TW",
            instructions="Đọc toàn văn nghị quyết và trả lời hai câu hỏi.",
            due_date=timezone.localdate() + timedelta(days=30),
            questions=handbook.parse_questions(
                "Nghị quyết 57 do cơ quan nào ban hành? | Quốc hội | *Bộ Chính trị "
                "| Chính phủ\n"
                "Nghị quyết 57 ban hành năm nào? | 2023 | *2024 | 2025"
            ),
            acting_user=province_secretary,
        )
    for commune in communes:
        slug = (
            Position.objects.filter(organization=commune, role__code="secretary")
            .values_list("person__user__username", flat=True)
            .first()
            .split(".", 1)[1]
        )
        cell = commune.children.filter(level=Level.CELL).order_by("code").first()
        users += _add_members(cell, slug, password, start)
        cell_secretary = (
            Position.objects.filter(organization=cell, role__code="secretary")
            .select_related("person__user")
            .first()
            .person
        )
        if ca.internal_ca() is not None:
            ca.issue_person_certificate(cell_secretary, organization=cell)
        document = (
            Document.objects.filter(organization=cell, secrecy=0)
            .order_by("-pk")
            .first()
        )
        _cell_meetings(cell, cell_secretary.user, document)
        commune_secretary = (
            Position.objects.filter(organization=commune, role__code="secretary")
            .select_related("person__user")
            .first()
            .person.user
        )
        member = Person.objects.get(user__username=f"dangvien2.{slug}").user
        feedback = handbook.submit_feedback(
            organization=commune,
            subject="Đề nghị tổ chức lớp bồi dưỡng kỹ năng số",
            body="Đề nghị Đảng ủy mở lớp hướng dẫn sử dụng Sổ tay đảng viên điện tử.",
            acting_user=member,
        )
        handbook.reply_feedback(
            feedback,
            body="Đảng ủy ghi nhận, sẽ tổ chức trong tháng tới.",
            acting_user=commune_secretary,
        )
    # A province conference with a bridge at every commune.
    day = timezone.localdate() + timedelta(days=10)
    starts = timezone.make_aware(datetime.combine(day, time(8, 0)))
    conference = services.schedule_meeting(
        organization=province,
        kind="conference",
        title="Hội nghị trực tuyến quán triệt Nghị quyết 57-NQ/TW",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        location="Hội trường Tỉnh ủy và các điểm cầu",
        online=True,
        acting_user=province_secretary,
    )
    services.add_bridges(
        conference,
        province.children.filter(level=Level.COMMUNE).order_by("code"),
        acting_user=province_secretary,
    )
    return users
