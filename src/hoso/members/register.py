"""The member register (sổ đảng viên, mẫu 7-HSĐV): 14 columns, shown on a
page and exported as XLSX or PDF with the document registers' builders
(`hoso.documents.registers`), so the printed layout is the same.

The register of an organization lists the members counted in its subtree
(on the list or not any more: deceased, removed, expelled) and the members
who were transferred out of it, with the dates and places of transfers.
Every export of personal data is audited.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import FileResponse
from django.utils import timezone

from hoso.core import audit, permissions
from hoso.documents import registers as builders
from hoso.members.choices import TransferKind, TransferStatus
from hoso.members.models import Member, Transfer

TITLE = "SỔ ĐẢNG VIÊN"
COLUMNS = (
    builders.Column("STT", 5),
    builders.Column("Họ và tên đang dùng / Họ và tên khai sinh", 24),
    builders.Column("Giới tính, dân tộc, tôn giáo", 14),
    builders.Column("Quê quán", 18),
    builders.Column(
        "Trình độ: giáo dục phổ thông, lý luận chính trị, chuyên môn, ngoại ngữ", 20
    ),
    builders.Column("Nghề nghiệp trước khi vào Đảng / hiện nay", 18),
    builders.Column("Ngày vào Đảng / ngày chính thức", 12),
    builders.Column("Số thẻ, số lý lịch, số huy hiệu", 14),
    builders.Column("Quân đội / công an / nghỉ hưu", 10),
    builders.Column("Chuyển đi (ngày, nơi đến)", 16),
    builders.Column("Chuyển đến (ngày, nơi đi)", 16),
    builders.Column("Ngày từ trần", 11),
    builders.Column("Ngày và hình thức ra khỏi Đảng", 16),
    builders.Column("Ghi chú", 14),
)
assert len(COLUMNS) == 14

SEX = {"male": "Nam", "female": "Nữ"}
SERVICE = {"army": "Quân đội", "police": "Công an", "retired": "Nghỉ hưu"}


def _d(value: date | None) -> str:
    return builders.format_date(value) if value else ""


def _join(*parts, sep: str = ", ") -> str:
    return sep.join(str(p) for p in parts if p)


def register_row(number: int, member: Member, paths: list[str]) -> list:
    """One member as the 14 cells of the register."""
    out = inn = ""
    for transfer in member.official_transfers:
        origin_in = any(transfer.origin.path.startswith(p) for p in paths)
        target_in = any(transfer.target.path.startswith(p) for p in paths)
        if origin_in and not target_in:
            out = _join(_d(transfer.received_on), transfer.target.name)
        elif target_in and not origin_in:
            inn = _join(_d(transfer.received_on), transfer.origin.name)
    leaving = ""
    if member.left_on and member.leaving_form:
        leaving = _join(_d(member.left_on), member.leaving_form)
    notes = member.notes
    if member.exempt_since:
        notes = _join(f"Miễn sinh hoạt từ {_d(member.exempt_since)}", notes, sep="; ")
    return [
        number,
        _join(member.full_name, member.birth_name, sep=" / "),
        _join(SEX.get(member.sex, ""), member.ethnicity, member.religion or "Không"),
        member.hometown,
        _join(
            member.education_general,
            member.political_theory,
            member.professional,
            member.languages,
        ),
        _join(member.occupation_before, member.occupation, sep=" / "),
        _join(_d(member.admission_date), _d(member.full_membership_date), sep=" / "),
        _join(member.card_number, member.biography_number, member.badge_number),
        SERVICE.get(member.service_background, ""),
        out,
        inn,
        _d(member.died_on),
        leaving,
        notes,
    ]


def register_queryset(organization, *, user, action: str = "view"):
    """Members of the register of `organization` that `user` may see: those
    counted in its subtree, plus those transferred out of it."""
    if not permissions.has_permission(user, f"members.{action}_member", organization):
        raise PermissionDenied
    path = organization.path
    moved_out = Transfer.objects.filter(
        kind=TransferKind.OFFICIAL,
        status=TransferStatus.RECEIVED,
        origin__path__startswith=path,
    ).values("member_id")
    return (
        Member.objects.filter(
            Q(organization__path__startswith=path) | Q(pk__in=moved_out)
        )
        .select_related("organization")
        .prefetch_related(
            Prefetch(
                "transfers",
                queryset=Transfer.objects.filter(
                    kind=TransferKind.OFFICIAL, status=TransferStatus.RECEIVED
                )
                .select_related("origin", "target")
                .order_by("received_on"),
                to_attr="official_transfers",
            )
        )
        .defer("photo")
        .order_by("admission_date", "full_name", "pk")
    )


def register_rows(organization, *, user, limit: int | None = None):
    """(member, 14 cells) for the page, in admission order."""
    qs = register_queryset(organization, user=user)
    if limit is not None:
        qs = qs[:limit]
    paths = [organization.path]
    for number, member in enumerate(qs, start=1):
        yield member, register_row(number, member, paths)


def export_register(organization, fmt: str, *, user) -> FileResponse:
    """The 7-HSĐV register of `organization` as XLSX or PDF; audited."""
    if fmt not in ("xlsx", "pdf"):
        raise ValueError(f"Unknown register format {fmt!r}.")
    queryset = register_queryset(organization, user=user, action="export")
    form = builders.RegisterForm(
        slug="so-dang-vien",
        title=TITLE,
        columns=COLUMNS,
        row=lambda member, today: [],
        prefetch=lambda u: [],
        date_field="admission_date",
        ordering=("admission_date",),
    )
    today = timezone.localdate()
    heading = builders.Heading(
        organizations=[organization.name],
        title=TITLE,
        period=f"Đến ngày {builders.format_date(today)}",
        years=str(today.year),
    )
    tally = builders.Tally()
    limit = builders.MAX_ROWS if fmt == "xlsx" else builders.MAX_PDF_ROWS
    tally.limit = limit
    paths = [organization.path]

    def rows():
        for number, member in enumerate(
            queryset[: limit + 1].iterator(chunk_size=builders.CHUNK_SIZE), start=1
        ):
            if number > limit:
                tally.truncated = True
                return
            tally.rows += 1
            yield register_row(number, member, paths)

    if fmt == "xlsx":
        output = builders.build_xlsx(form, heading, rows(), tally)
        content_type = builders.XLSX_CONTENT_TYPE
    else:
        output = builders.build_pdf(form, heading, rows(), tally)
        content_type = builders.PDF_CONTENT_TYPE
    audit.record(
        "members.register_exported",
        actor=user,
        organization=organization,
        object_type="members.register",
        object_repr=f"{TITLE} {organization.name}",
        changes={"rows": [None, tally.rows], "format": [None, fmt]},
    )
    response = FileResponse(
        output,
        as_attachment=True,
        filename=f"so-dang-vien-{organization.code}-{today:%Y%m%d}.{fmt}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
