"""Demo documents: believable incoming, outgoing and internal registers.

`build_documents()` fills the registers of the organizations of a demo set:
letters, plans, reports and resolutions from the central bodies, the superior
committee and its advisory agencies, state bodies and subordinate units;
the organization's own issued documents, numbered per type as the Party
rules want; a workflow state for each (most completed, some open, some past
their deadline), a few classified and a few urgent ones. Every organization
below the central level also received the real Resolution 57-NQ/TW and Plan
02-KH/BCĐTW.

Generation and insertion are separate, as in `trees.py`: `generate_documents()`
is a pure function of its inputs (organizations, count, seed, the day the
data ends, the type table and the users), yielding one month of rows at a
time in time order, so primary keys grow with creation time as in a real
register and memory is bounded by one month's documents. `insert` writes each
chunk with COPY (PostgreSQL) or executemany (SQLite) instead of
`bulk_create`, which would spend minutes preparing 20 million values for
500,000 documents and would overwrite `created` (auto_now_add).

Arrival numbers are gap-free per organization per year, issued numbers per
type per committee term (`documents.numbering`), and a `NumberSequence` row
per scope lets later registrations continue after the generated numbers.
"""

from __future__ import annotations

import hashlib
import random
import time
import zlib
from bisect import bisect
from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cached_property
from itertools import accumulate
from operator import itemgetter

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone as django_timezone

from hoso.accounts.models import Position
from hoso.core import audit
from hoso.demo.small import FAMILY, GIVEN, MIDDLE
from hoso.demo.trees import apportion
from hoso.documents.choices import Direction, Status
from hoso.documents.models import (
    Document,
    DocumentEvent,
    DocumentType,
    NumberSequence,
    Term,
)
from hoso.documents.services import build_symbol
from hoso.documents.symbols import PARTY, STATE, Symbol, format_symbol
from hoso.organizations.choices import DocumentStyle, Kind, Level

# Registers start with the new two-level local government (1 July 2025).
SPAN_START = date(2025, 7, 1)
# Vietnam keeps +07:00 all year (no daylight saving time).
VIETNAM = timezone(timedelta(hours=7))
# Rows per COPY / executemany call.
CHUNK_ROWS = 10_000
# Documents a `hoso demo` set gets unless told otherwise (SPEC §3, §7).
SMALL_COUNT = 600
PROVINCE_COUNT = 500_000

# Relative register volume of one organization, by level (agencies apart):
# the province committee's office handles tens of thousands of documents a
# year, a commune committee a few thousand, a cell a few a month.
LEVEL_WEIGHTS = {
    Level.PROVINCE: 250.0,
    "province agency": 40.0,
    Level.COMMUNE: 12.0,
    "commune agency": 4.0,
    Level.GRASSROOTS: 1.5,
    Level.CELL: 0.25,
}
# The small set is for trying the product as a commune's clerk or secretary:
# its communes get fuller registers than their real share.
SMALL_SET_WEIGHTS = {
    Level.PROVINCE: 60.0,
    "province agency": 10.0,
    Level.COMMUNE: 25.0,
    Level.GRASSROOTS: 3.0,
    Level.CELL: 1.0,
}
# Incoming / outgoing / internal shares, by level.
DIRECTION_MIX = {
    Level.PROVINCE: (0.55, 0.35, 0.10),
    Level.COMMUNE: (0.55, 0.35, 0.10),
    Level.GRASSROOTS: (0.65, 0.30, 0.05),
    Level.CELL: (0.70, 0.30, 0.0),
}


@dataclass(frozen=True)
class CentralDocument:
    """A real central document, as public sources quote it."""

    type_code: str
    number: int
    issuer_code: str
    issuer_name: str
    issued: date
    excerpt: str
    signer_name: str = ""
    signer_position: str = ""
    signer_authority: str = ""


POLITBURO = "Bộ Chính trị"
STEERING_COMMITTEE = (
    "Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo "
    "và chuyển đổi số"
)
RESOLUTION_57 = CentralDocument(
    "NQ",
    57,
    "TW",
    POLITBURO,
    date(2024, 12, 22),
    "Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi "
    "số quốc gia",
    "Tô Lâm",
    "Tổng Bí thư",
    "T/M",
)
PLAN_02 = CentralDocument(
    "KH",
    2,
    "BCĐTW",
    STEERING_COMMITTEE,
    date(2025, 6, 19),
    # The title as the press quoted it; the plan guides digital
    # transformation in the Party agencies for the restructured system.
    "Về thúc đẩy chuyển đổi số liên thông, đồng bộ, nhanh, hiệu quả đáp ứng "
    "yêu cầu sắp xếp tổ chức bộ máy của hệ thống chính trị",
)
# Received by every organization below the central level.
EVERYONE_RECEIVED = (RESOLUTION_57, PLAN_02)
# Also received by committees and agencies with a busy register.
COMMITTEES_RECEIVED = (
    CentralDocument(
        "NQ",
        59,
        "TW",
        POLITBURO,
        date(2025, 1, 24),
        "Về hội nhập quốc tế trong tình hình mới",
        "Tô Lâm",
        "Tổng Bí thư",
        "T/M",
    ),
    CentralDocument(
        "CT",
        45,
        "TW",
        POLITBURO,
        date(2025, 4, 14),
        "Về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ "
        "XIV của Đảng",
    ),
    CentralDocument(
        "NQ",
        66,
        "TW",
        POLITBURO,
        date(2025, 4, 30),
        "Về đổi mới công tác xây dựng và thi hành pháp luật đáp ứng yêu cầu phát "
        "triển đất nước trong kỷ nguyên mới",
        "Tô Lâm",
        "Tổng Bí thư",
        "T/M",
    ),
    CentralDocument(
        "NQ",
        68,
        "TW",
        POLITBURO,
        date(2025, 5, 4),
        "Về phát triển kinh tế tư nhân",
        "Tô Lâm",
        "Tổng Bí thư",
        "T/M",
    ),
    CentralDocument(
        "NQ",
        71,
        "TW",
        POLITBURO,
        date(2025, 8, 22),
        "Về đột phá phát triển giáo dục và đào tạo",
        "Tô Lâm",
        "Tổng Bí thư",
        "T/M",
    ),
    CentralDocument(
        "NQ",
        72,
        "TW",
        POLITBURO,
        date(2025, 9, 9),
        "Về một số giải pháp đột phá, tăng cường bảo vệ, chăm sóc và nâng cao sức "
        "khỏe Nhân dân",
        "Tô Lâm",
        "Tổng Bí thư",
        "T/M",
    ),
)

# Central bodies that write to every province and commune: (symbol code,
# name, type mix, pace of numbering relative to other central bodies, start
# of their numbering when it is not the Central Committee's term).
CENTRAL_ISSUERS = [
    ("TW", "Ban Bí thư", {"KL": 4, "TB": 8, "HD": 5, "QĐ": 3, "CV": 6}, 0.4, None),
    ("VPTW", "Văn phòng Trung ương Đảng", {"CV": 80, "TB": 10, "HD": 10}, 3, None),
    ("BTCTW", "Ban Tổ chức Trung ương", {"HD": 30, "CV": 60, "TB": 10}, 1, None),
    ("UBKTTW", "Ủy ban Kiểm tra Trung ương", {"HD": 20, "CV": 60, "TB": 10}, 1, None),
    (
        "BTGDVTW",
        "Ban Tuyên giáo và Dân vận Trung ương",
        {"HD": 30, "CV": 60},
        1,
        date(2025, 2, 1),
    ),
    (
        "BCĐTW",
        STEERING_COMMITTEE,
        {"KH": 10, "CV": 50, "TB": 30, "HD": 10},
        0.1,
        date(2025, 1, 1),
    ),
]
# Type mixes of the other issuers (Party codes unless the issuer is a state body).
SUPERIOR_TYPES = {"CV": 30, "TB": 12, "KH": 10, "HD": 6, "QĐ": 8, "NQ": 3,
                  "CT": 1, "CTr": 3, "KL": 6}  # fmt: skip
AGENCY_TYPES = {"CV": 55, "HD": 18, "TB": 12, "KH": 10, "QĐ": 5}
SUBORDINATE_TYPES = {"BC": 55, "TTr": 20, "CV": 15, "BB": 5, "KH": 5}
STATE_TYPES = {"CV": 55, "QĐ": 15, "KH": 10, "TB": 10, "BC": 5, "GM": 5}
# What an organization issues itself.
OWN_TYPES = {
    Kind.COMMITTEE: {"CV": 30, "BC": 18, "TB": 12, "KH": 10, "QĐ": 15, "NQ": 4,
                     "CT": 1, "KL": 5, "HD": 3, "CTr": 2},
    Kind.AGENCY: {"CV": 45, "HD": 15, "BC": 15, "TB": 10, "KH": 10, "QĐ": 5},
    Kind.GRASSROOTS: {"CV": 25, "BC": 25, "NQ": 15, "QĐ": 10, "KH": 10, "TB": 10,
                      "TTr": 5},
    Kind.CELL: {"NQ": 35, "BC": 35, "BB": 15, "KH": 10, "TTr": 5},
}  # fmt: skip
INTERNAL_TYPES = {"TB": 35, "QĐ": 25, "KH": 20, "BB": 20}
# Documents of a type an issuer of each rank writes in a year: symbol numbers
# grow with the day of the numbering period at roughly this pace.
YEARLY = {"CV": 900, "TB": 220, "KH": 120, "HD": 50, "QĐ": 500, "BC": 260,
          "NQ": 15, "CT": 4, "KL": 60, "QĐi": 8, "TTr": 90, "CTr": 15, "BB": 40,
          "GM": 400}  # fmt: skip
RANK_PACE = {"central": 3.0, "province": 1.0, "commune": 0.35, "grassroots": 0.12,
             "cell": 0.05, "state-province": 2.5, "state-commune": 0.5}  # fmt: skip
# Party numbering restarts with each committee's term (congress to congress).
TERM_STARTS = {
    "central": (date(2021, 2, 1), date(2026, 1, 23)),
    "province": (date(2020, 10, 15), date(2025, 10, 15)),
}

# Vietnamese administrative phrases the excerpts are composed from.
TOPICS = [
    "công tác xây dựng Đảng và hệ thống chính trị",
    "chuyển đổi số trong các cơ quan Đảng",
    "công tác kiểm tra, giám sát và thi hành kỷ luật đảng",
    "công tác phát triển đảng viên",
    "thu, nộp, quản lý và sử dụng đảng phí",
    "công tác bảo vệ chính trị nội bộ",
    "công tác dân vận",
    "phòng, chống tham nhũng, lãng phí, tiêu cực",
    "cải cách hành chính trong các cơ quan Đảng",
    "công tác bảo vệ bí mật nhà nước",
    "sử dụng phần mềm quản lý văn bản và điều hành",
    "cập nhật, chuẩn hóa cơ sở dữ liệu đảng viên",
    "sử dụng chữ ký số trong các cơ quan Đảng",
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "xây dựng nông thôn mới",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên",
    "công tác tuyên truyền, giáo dục chính trị tư tưởng",
    "vận hành chính quyền địa phương hai cấp",
    "sắp xếp, kiện toàn tổ chức bộ máy",
    "công tác cán bộ",
    "quản lý đảng viên đi làm ăn xa",
    "nâng cao chất lượng sinh hoạt chi bộ",
    "thực hiện Quy chế dân chủ ở cơ sở",
    "đấu tranh phản bác các quan điểm sai trái, thù địch",
    "thực hiện Nghị quyết số 57-NQ/TW của Bộ Chính trị",
    "thực hiện Kế hoạch số 02-KH/BCĐTW của Ban Chỉ đạo Trung ương",
    "giải quyết đơn thư khiếu nại, tố cáo",
    "công tác lưu trữ tài liệu của Đảng",
]
TOPICS_2025 = [
    "đại hội đảng bộ các cấp nhiệm kỳ 2025 - 2030",
    "tổng kết công tác năm 2025, phương hướng nhiệm vụ năm 2026",
]
TOPICS_2026 = [
    "học tập, quán triệt Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV của Đảng",
    "bầu cử đại biểu Quốc hội khóa XVI và đại biểu Hội đồng nhân dân các cấp "
    "nhiệm kỳ 2026 - 2031",
]
LETTER_ACTIONS = [
    "triển khai",
    "đôn đốc thực hiện",
    "tăng cường",
    "báo cáo kết quả",
    "góp ý dự thảo văn bản về",
    "cử cán bộ tham gia tập huấn về",
    "rà soát, cập nhật số liệu về",
    "đề nghị cung cấp thông tin về",
    "hướng dẫn một số nội dung về",
    "chấn chỉnh",
]
DECISIONS = [
    "Về việc kết nạp đảng viên",
    "Về việc công nhận đảng viên chính thức",
    "Về việc tặng Huy hiệu Đảng",
    "Về việc chuyển sinh hoạt đảng chính thức",
    "Về việc chuẩn y kết quả bầu cử chi ủy, bí thư, phó bí thư chi bộ",
    "Về việc phân công nhiệm vụ các đồng chí Ủy viên Ban Thường vụ",
    "Về việc thành lập Tổ công tác {topic}",
    "Về việc thành lập Đoàn kiểm tra {topic}",
    "Về việc kiện toàn Ban Chỉ đạo {topic}",
    "Về việc ban hành Quy chế làm việc nhiệm kỳ 2025 - 2030",
]
STATE_DECISIONS = [
    "Về việc giao chỉ tiêu kế hoạch phát triển kinh tế - xã hội năm {year}",
    "Về việc phê duyệt danh mục dữ liệu dùng chung",
    "Về việc thành lập Tổ công tác {topic}",
    "Về việc công bố thủ tục hành chính",
]
PROPOSALS = [
    "Đề nghị kết nạp đảng viên",
    "Đề nghị công nhận đảng viên chính thức",
    "Đề nghị xét tặng Huy hiệu Đảng đợt 03/02 và 19/5",
    "Đề nghị khen thưởng tổ chức đảng và đảng viên năm {year}",
    "Đề nghị bổ sung kinh phí {topic}",
]
MINUTES = [
    "Họp chi bộ thường kỳ tháng {month}/{year}",
    "Hội nghị Ban Chấp hành Đảng bộ {period}",
    "Làm việc của Đoàn kiểm tra về {topic}",
    "Hội nghị kiểm điểm, đánh giá, xếp loại chất lượng năm {year}",
]
INVITATIONS = [
    "Dự hội nghị trực tuyến {topic}",
    "Dự buổi làm việc về {topic}",
    "Dự lễ kỷ niệm {anniversary}",
]
REFUSAL_REASONS = [
    "Văn bản gửi nhầm địa chỉ.",
    "Thiếu chữ ký, đóng dấu; đề nghị gửi lại.",
    "Tệp đính kèm không mở được.",
]


def _pick(rng: random.Random, items):
    """`rng.choice`, without its rejection sampling (fast enough for a
    generator that picks millions of times)."""
    return items[int(rng.random() * len(items))]


def _anniversary(year: int, rng: random.Random) -> str:
    return _pick(
        rng,
        [
            f"{year - 1930} năm Ngày thành lập Đảng Cộng sản Việt Nam "
            f"(03/02/1930 - 03/02/{year})",
            f"{year - 1890} năm Ngày sinh Chủ tịch Hồ Chí Minh "
            f"(19/5/1890 - 19/5/{year})",
            f"{year - 1945} năm Cách mạng Tháng Tám và Quốc khánh 2/9",
        ],
    )


def _period(on: date, rng: random.Random) -> str:
    """The reporting period a document written on `on` is about."""
    year, month = on.year, on.month
    if month == 1:
        return f"năm {year - 1}"
    if month in (6, 7):
        return f"6 tháng đầu năm {year}"
    if month in (9, 10):
        return f"9 tháng đầu năm {year}"
    if month >= 11:
        return f"năm {year}"
    if rng.random() < 0.5:
        return f"tháng {month - 1} năm {year}"
    return f"quý {['I', 'II', 'III', 'IV'][(month - 2) // 3]} năm {year}"


def _topic(on: date, rng: random.Random) -> str:
    extra = TOPICS_2025 if on.year <= 2025 else TOPICS_2026
    if rng.random() < 0.12:
        return _pick(rng, extra)
    return _pick(rng, TOPICS)


def compose_excerpt(
    code: str, on: date, rng: random.Random, issuer: str, committee: bool = True
) -> str:
    """A believable excerpt (trích yếu) for a document of type `code` written
    on `on` by `issuer` (a Party committee or another body)."""
    topic = _topic(on, rng)
    year = on.year
    if code == "CV":
        return f"V/v {_pick(rng, LETTER_ACTIONS)} {topic}"
    if code == "BC":
        kind = _pick(rng, ["Kết quả", "Sơ kết", "Tình hình thực hiện"])
        if on.month in (12, 1) and rng.random() < 0.5:
            return f"Tổng kết {topic} năm {year if on.month == 12 else year - 1}"
        return f"{kind} {topic} {_period(on, rng)}"
    if code == "TB":
        if not committee:
            return _pick(
                rng,
                [
                    f"Kết quả kiểm tra {topic}",
                    f"Về việc tổ chức hội nghị {topic}",
                    f"Ý kiến của {issuer} về {topic}",
                ],
            )
        who = _pick(rng, ["Thường trực", "Ban Thường vụ", "đồng chí Bí thư"])
        return f"Kết luận của {who} {issuer} về {topic}"
    if code in ("KH", "CTr"):
        if rng.random() < 0.15:
            return f"Tổ chức các hoạt động kỷ niệm {_anniversary(year, rng)}"
        verb = _pick(rng, ["Triển khai", "Thực hiện", "Kiểm tra, giám sát"])
        return f"{verb} {topic} năm {year}"
    if code == "HD":
        return _pick(rng, [f"Thực hiện {topic}", f"Một số nội dung về {topic}"]) + (
            f" năm {year}" if rng.random() < 0.4 else ""
        )
    if code == "QĐ":
        return _pick(rng, DECISIONS).format(topic=topic)
    if code == "NQ":
        if rng.random() < 0.5:
            return f"Về lãnh đạo thực hiện nhiệm vụ tháng {on.month}/{year}"
        return f"Về {topic} giai đoạn 2025 - 2030"
    if code == "CT":
        return f"Về tăng cường sự lãnh đạo của Đảng đối với {topic}"
    if code == "KL":
        return f"Về tiếp tục đẩy mạnh {topic}"
    if code == "TTr":
        return _pick(rng, PROPOSALS).format(year=year, topic=topic)
    if code == "BB":
        return _pick(rng, MINUTES).format(
            month=on.month, year=year, period=_period(on, rng), topic=topic
        )
    if code == "GM":
        return _pick(rng, INVITATIONS).format(
            topic=topic, anniversary=_anniversary(year, rng)
        )
    return f"Về {topic}"


def _stable(*parts) -> int:
    """A hash that does not change between interpreters (unlike `hash()`)."""
    return zlib.crc32("\x1f".join(str(part) for part in parts).encode())


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


class _Choice:
    """A weighted choice among fixed items, by bisecting cumulative weights."""

    __slots__ = ("items", "cumulative", "total")

    def __init__(self, weights: dict):
        self.items = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


# Workflow states by the age of the document in days: (up to age, weights).
INCOMING_STATES = [
    (4, {Status.RECEIVED: 25, Status.REGISTERED: 25, Status.PRESENTED: 20,
         Status.INSTRUCTED: 15, Status.PROCESSING: 15}),
    (14, {Status.COMPLETED: 45, Status.REGISTERED: 8, Status.PRESENTED: 7,
          Status.INSTRUCTED: 15, Status.PROCESSING: 23, Status.REFUSED: 1,
          Status.WITHDRAWN: 1}),
    (60, {Status.COMPLETED: 82, Status.INSTRUCTED: 5, Status.PROCESSING: 10,
          Status.REGISTERED: 1, Status.REFUSED: 1, Status.WITHDRAWN: 1}),
    (None, {Status.COMPLETED: 95.5, Status.PROCESSING: 2.5, Status.INSTRUCTED: 1,
            Status.REFUSED: 0.5, Status.WITHDRAWN: 0.5}),
]  # fmt: skip
OUTGOING_STATES = [
    (3, {Status.DRAFT: 35, Status.IN_REVIEW: 20, Status.APPROVED: 15,
         Status.ISSUED: 30}),
    (20, {Status.DRAFT: 5, Status.IN_REVIEW: 5, Status.APPROVED: 3,
          Status.ISSUED: 86, Status.RECALLED: 1}),
    (None, {Status.DRAFT: 1, Status.ISSUED: 98.5, Status.RECALLED: 0.5}),
]  # fmt: skip
_INCOMING_STATES = [(age, _Choice(w)) for age, w in INCOMING_STATES]
_OUTGOING_STATES = [(age, _Choice(w)) for age, w in OUTGOING_STATES]
# Which timeline event stands for each state.
EVENT_ACTIONS = {
    Status.RECEIVED: "received",
    Status.REGISTERED: "registered",
    Status.PRESENTED: "presented",
    Status.INSTRUCTED: "instructed",
    Status.PROCESSING: "processing",
    Status.COMPLETED: "completed",
    Status.REFUSED: "refused",
    Status.WITHDRAWN: "withdrawn",
    Status.DRAFT: "drafted",
    Status.IN_REVIEW: "opinions_requested",
    Status.APPROVED: "approved",
    Status.ISSUED: "issued",
    Status.RECALLED: "recalled",
}
UNNUMBERED_INCOMING = {Status.RECEIVED, Status.REFUSED}
NUMBERED_OUTGOING = {Status.ISSUED, Status.RECALLED}
# Secrecy 1 (Mật) and 2 (Tối mật); urgency 1–4 (Khẩn … Hỏa tốc hẹn giờ).
_SECRECY = _Choice({0: 98.65, 1: 1.2, 2: 0.15})
_URGENCY = _Choice({0: 92.9, 1: 5.0, 2: 1.5, 3: 0.5, 4: 0.1})
_PAGES = _Choice({1: 20, 2: 30, 3: 20, 4: 10, 5: 6, 6: 5, 8: 4, 10: 3, 15: 2})
_DEADLINE_DAYS = (3, 5, 7, 10, 15, 20, 30, 45)


@dataclass(eq=False)
class Unit:
    """An organization as the generator sees it (plain data, no queries)."""

    pk: int
    path: str
    level: str
    kind: str
    code: str
    name: str
    abbreviation: str
    document_style: str = DocumentStyle.PARTY
    parent: Unit | None = None
    children: list[Unit] = field(default_factory=list)

    @cached_property
    def title(self) -> str:
        """The name as an issuer writes it: the committee (Tỉnh ủy, Đảng ủy),
        not the Party organization (Đảng bộ)."""
        if self.kind in (Kind.CELL, Kind.AGENCY) or self.level == Level.CENTRAL:
            return self.name
        rest = self.name.removeprefix("Đảng bộ ")
        if rest == self.name:
            return self.name
        if rest.startswith("tỉnh "):
            return "Tỉnh ủy " + rest.removeprefix("tỉnh ")
        if rest.lower().startswith("thành phố ") and self.level == Level.PROVINCE:
            return "Thành ủy " + rest.removeprefix("thành phố ")
        return "Đảng ủy " + rest

    @cached_property
    def area(self) -> str:
        """The administrative area of the nearest province or commune
        (`tỉnh Bắc Ninh`, `xã An Phú`), for the names of state bodies."""
        unit = self
        while unit is not None and unit.level not in (Level.PROVINCE, Level.COMMUNE):
            unit = unit.parent
        if unit is None:
            return ""
        while unit.kind == Kind.AGENCY and unit.parent is not None:
            unit = unit.parent
        return unit.name.removeprefix("Đảng bộ ")

    @cached_property
    def place(self) -> str:
        """The place name written before the date (`Bắc Ninh, ngày …`)."""
        if self.level == Level.CENTRAL:
            return "Hà Nội"
        area = self.area
        for prefix in ("tỉnh ", "thành phố ", "Thành phố ", "xã ", "phường ",
                       "đặc khu "):  # fmt: skip
            if area.startswith(prefix):
                return area.removeprefix(prefix)
        return area

    @property
    def weight_key(self) -> str:
        if self.kind == Kind.AGENCY:
            return f"{self.level} agency"
        return self.level


@dataclass(eq=False)
class Issuer:
    """Someone who sends documents: a body with its symbol code, the types it
    writes and the pace of its numbering."""

    key: str
    name: str
    code: str
    style: str
    rank: str
    types: _Choice
    place: str
    pk: int | None = None
    head: tuple[str, str, str] = ("", "", "")
    deputy: tuple[str, str, str] = ("", "", "")
    pace: float = 1.0
    since: date | None = None

    @cached_property
    def is_committee(self) -> bool:
        """Whether its excerpts speak of a standing committee and secretary."""
        return _signer_kind(self.name) in ("committee", "secretariat")

    def number_on(self, type_code: str, on: date) -> int:
        """A plausible symbol number for a document of this issuer on `on`:
        Party numbers run per committee term, state numbers per year."""
        if self.style == STATE:
            start = date(on.year, 1, 1)
        else:
            starts = TERM_STARTS.get(self.rank, (SPAN_START,))
            if self.since is not None:
                starts = (self.since,)
            start = max((s for s in starts if s <= on), default=starts[0])
        days = max((on - start).days, 0)
        pace = YEARLY.get(type_code, 30) * RANK_PACE.get(self.rank, 0.3) * self.pace
        spread = int(pace / 365) + 2
        return 1 + int(pace * days / 365) + _stable(self.key, type_code, on) % spread


def _signers(key: str, kind: str, seed: int) -> tuple[tuple, tuple]:
    """(authority, position, name) of the head and the deputy who sign."""
    rng = random.Random(_stable(seed, "signers", key))
    head_name, deputy_name = _person_name(rng), _person_name(rng)
    titles = {
        "committee": (("T/M", "Bí thư"), ("K/T", "Phó Bí thư")),
        "office": (("", "Chánh Văn phòng"), ("K/T", "Phó Chánh Văn phòng")),
        "board": (("", "Trưởng ban"), ("K/T", "Phó Trưởng ban")),
        "inspection": (("T/M", "Chủ nhiệm"), ("K/T", "Phó Chủ nhiệm")),
        "secretariat": (
            ("T/M", "Thường trực Ban Bí thư"),
            ("T/L", "Chánh Văn phòng Trung ương Đảng"),
        ),
        "people": (("T/M", "Chủ tịch"), ("K/T", "Phó Chủ tịch")),
        "department": (("", "Giám đốc"), ("K/T", "Phó Giám đốc")),
    }[kind]
    (a1, p1), (a2, p2) = titles
    return (a1, p1, head_name), (a2, p2, deputy_name)


def _signer_kind(name: str) -> str:
    if name.startswith(("Ban Bí thư", "Ban Chấp hành", "Bộ Chính trị")):
        return "secretariat"
    if name.startswith("Văn phòng"):
        return "office"
    if name.startswith("Ủy ban Kiểm tra"):
        return "inspection"
    if name.startswith("Ban"):
        return "board"
    if name.startswith("Ủy ban nhân dân"):
        return "people"
    if name.startswith("Sở"):
        return "department"
    return "committee"


@dataclass
class Context:
    """Everything the generator needs, read from the database once."""

    units: list[Unit]
    type_ids: dict[tuple[str, str], int]
    creators: dict[int, int]
    fallback_user: int
    leaders: dict[int, int] = field(default_factory=dict)
    terms: dict[int, list[tuple[date, date | None, int]]] = field(default_factory=dict)
    sequences: dict[tuple[int, str], int] = field(default_factory=dict)


@dataclass
class Batch:
    """One month of generated rows, in time order (ids not assigned yet)."""

    documents: list[dict]
    events: list[dict]


class _Generator:
    """Generates the documents of all organizations, month by month."""

    def __init__(
        self,
        context: Context,
        *,
        count: int,
        seed: int,
        today: date,
        weights: dict | None = None,
    ):
        self.context = context
        self.weights = weights or LEVEL_WEIGHTS
        self.seed = seed
        self.rng = random.Random(f"{seed}:documents")
        self.end = today - timedelta(days=1)
        self.start = (
            SPAN_START
            if self.end > SPAN_START + timedelta(days=60)
            else (self.end - timedelta(days=365))
        )
        self.today = today
        self.last_moment = datetime.combine(
            self.end, datetime.max.time(), tzinfo=VIETNAM
        )
        # Letters many organizations received: (issuer, type, number) → text.
        self.letters: dict[tuple, tuple] = {}
        by_pk = {unit.pk: unit for unit in context.units}
        central = {
            unit.abbreviation: unit.pk
            for unit in context.units
            if unit.level == Level.CENTRAL
        }
        self.central = []
        for code, name, types, pace, since in CENTRAL_ISSUERS:
            issuer = self._issuer(
                f"central:{code}", name, code, PARTY, "central", types, "Hà Nội",
                central.get(code),
            )  # fmt: skip
            issuer.pace, issuer.since = pace, since
            self.central.append(issuer)
        self.by_pk = by_pk
        self.issuers: dict[int, tuple[_Choice, list[Issuer]]] = {}
        self.outgoing_types = {
            kind: _Choice(weights) for kind, weights in OWN_TYPES.items()
        }
        self.internal_types = _Choice(INTERNAL_TYPES)
        self.own: dict[int, Issuer] = {}
        self.counters: dict[tuple[int, str], int] = defaultdict(int)
        self.counters.update(context.sequences)
        self.used_scopes: set[tuple[int, str]] = set()
        self.allocation = self._allocate(count)

    # Issuers ---------------------------------------------------------------

    def _issuer(self, key, name, code, style, rank, types, place, pk=None):
        issuer = Issuer(key, name, code, style, rank, _Choice(types), place, pk)
        issuer.head, issuer.deputy = _signers(key, _signer_kind(name), self.seed)
        return issuer

    def _org_issuer(self, unit: Unit, types: dict) -> Issuer:
        return self._issuer(
            f"org:{unit.pk}",
            unit.title,
            unit.abbreviation or unit.code,
            STATE if unit.document_style == DocumentStyle.STATE else PARTY,
            unit.level,
            types,
            unit.place,
            unit.pk,
        )

    def _state_issuers(self, unit: Unit) -> list[Issuer]:
        area = unit.area
        if not area:
            return []
        local = (
            "state-province"
            if area.startswith(("tỉnh", "thành phố", "Thành phố"))
            else "state-commune"
        )
        bodies = [("UBND", f"Ủy ban nhân dân {area}")]
        if local == "state-province":
            bodies += [
                ("SNV", f"Sở Nội vụ {area}"),
                ("SKHCN", f"Sở Khoa học và Công nghệ {area}"),
            ]
        return [
            self._issuer(
                f"state:{code}:{area}",
                name,
                code,
                STATE,
                local,
                STATE_TYPES,
                unit.place,
            )  # fmt: skip
            for code, name in bodies
        ]

    def issuers_of(self, unit: Unit) -> tuple[_Choice, list[Issuer]]:
        """Who writes to `unit`, with how much of its incoming mail each sends."""
        cached = self.issuers.get(unit.pk)
        if cached is not None:
            return cached
        weighted: list[tuple[Issuer, float]] = []
        superior = unit.parent
        if superior is not None and superior.kind == Kind.AGENCY:
            superior = superior.parent
        if unit.kind == Kind.AGENCY:
            # An advisory agency hears from its own committee and the centre.
            superior = unit.parent.parent if unit.parent else None
            if unit.parent is not None:
                weighted.append((self._org_issuer(unit.parent, SUPERIOR_TYPES), 40))
        central_share = {
            Level.PROVINCE: 30,
            Level.COMMUNE: 8,
            Level.GRASSROOTS: 2,
            Level.CELL: 1,
        }.get(unit.level, 0)
        for issuer in self.central:
            weighted.append((issuer, central_share / len(self.central)))
        if superior is not None and superior.level != Level.CENTRAL:
            weighted.append((self._org_issuer(superior, SUPERIOR_TYPES), 45))
            agencies = [c for c in superior.children if c.kind == Kind.AGENCY]
            for agency in agencies:
                weighted.append(
                    (self._org_issuer(agency, AGENCY_TYPES), 30 / len(agencies))
                )
            if (
                superior.parent is not None
                and superior.level
                in (
                    Level.GRASSROOTS,
                    Level.COMMUNE,
                )
                and superior.parent.level != Level.CENTRAL
            ):
                weighted.append((self._org_issuer(superior.parent, SUPERIOR_TYPES), 10))
        subordinates = [c for c in unit.children if c.kind != Kind.AGENCY]
        if subordinates:
            share = 35 if unit.level in (Level.PROVINCE, Level.COMMUNE) else 20
            # A handful of representative subordinates keeps the cache small.
            picked = random.Random(_stable(self.seed, "subs", unit.pk)).sample(
                subordinates, min(12, len(subordinates))
            )
            for child in picked:
                weighted.append(
                    (self._org_issuer(child, SUBORDINATE_TYPES), share / len(picked))
                )
        if unit.level in (Level.PROVINCE, Level.COMMUNE) and unit.kind != Kind.AGENCY:
            states = self._state_issuers(unit)
            for issuer in states:
                weighted.append((issuer, 12 / len(states)))
        if not weighted:
            weighted = [(issuer, 1.0) for issuer in self.central]
        result = (
            _Choice({index: w for index, (_i, w) in enumerate(weighted)}),
            [issuer for issuer, _w in weighted],
        )
        self.issuers[unit.pk] = result
        return result

    def own_issuer(self, unit: Unit) -> Issuer:
        issuer = self.own.get(unit.pk)
        if issuer is None:
            issuer = self._org_issuer(unit, {"CV": 1})
            self.own[unit.pk] = issuer
        return issuer

    # Allocation ------------------------------------------------------------

    def _allocate(self, count: int) -> dict[int, int]:
        """Documents per organization: proportional to the level's volume,
        with a floor so that every organization holds the real central
        documents when the count allows."""
        units = [u for u in self.context.units if u.level != Level.CENTRAL]
        if not units or count <= 0:
            return {}
        floor = 2 if count >= 4 * len(units) else (1 if count >= len(units) else 0)
        weights = [
            self.weights.get(u.weight_key, 1.0) * self.rng.uniform(0.7, 1.3)
            for u in units
        ]
        shares = apportion(count - floor * len(units), weights)
        return {u.pk: floor + share for u, share in zip(units, shares, strict=True)}

    def _months(self) -> list[tuple[int, int, list[date]]]:
        """(year, month, working days) from the start to the end of the span."""
        months = []
        year, month = self.start.year, self.start.month
        while date(year, month, 1) <= self.end:
            last = monthrange(year, month)[1]
            days = [
                day
                for day in (date(year, month, d) for d in range(1, last + 1))
                if self.start <= day <= self.end
                and (day.weekday() < 5 or _stable(self.seed, day) % 30 == 0)
            ]
            if days:
                months.append((year, month, days))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    # Generation ------------------------------------------------------------

    def batches(self) -> Iterator[Batch]:
        months = self._months()
        if not months:
            return
        month_index = {(y, m): i for i, (y, m, _d) in enumerate(months)}
        # Lighter around Tết, heavier at the year-end reporting season.
        season = {1: 1.1, 2: 0.7, 12: 1.3}
        base_weights = [len(days) * season.get(m, 1.0) for _y, m, days in months]
        plan: dict[int, list[int]] = {}
        pinned: dict[int, list[list[tuple[date, CentralDocument]]]] = {}
        for unit in self.context.units:
            total = self.allocation.get(unit.pk, 0)
            if not total:
                continue
            real = list(EVERYONE_RECEIVED)
            if total >= 40 and unit.level in (Level.PROVINCE, Level.COMMUNE):
                real += COMMITTEES_RECEIVED
            real = real[:total]
            slots: list[list[tuple[date, CentralDocument]]] = [[] for _ in months]
            for document in real:
                lag = timedelta(days=self.rng.randint(2, 12))
                arrival = max(document.issued + lag, self.start + lag)
                arrival = min(arrival, self.end)
                slot = month_index.get((arrival.year, arrival.month), len(months) - 1)
                slots[slot].append((arrival, document))
            pinned[unit.pk] = slots
            jitter = [w * self.rng.uniform(0.8, 1.2) for w in base_weights]
            plan[unit.pk] = apportion(total - len(real), jitter)
        for index, (_year, _month, days) in enumerate(months):
            documents: list[dict] = []
            for unit in self.context.units:
                if unit.pk not in plan:
                    continue
                documents.extend(
                    self._unit_month(
                        unit, plan[unit.pk][index], pinned[unit.pk][index], days
                    )
                )
            documents.sort(key=lambda row: (row["created"], row["organization_id"]))
            events = [row.pop("_event") for row in documents]
            yield Batch(documents, events)

    def _moment(self, day: date) -> datetime:
        """A time in office hours on `day` (Vietnam time)."""
        minute = 435 + int(self.rng.random() * 615)  # 07:15 to 17:30
        return datetime(
            day.year, day.month, day.day, minute // 60, minute % 60,
            int(self.rng.random() * 60), tzinfo=VIETNAM,
        )  # fmt: skip

    def _unit_month(self, unit, n, real, days) -> list[dict]:
        """One organization's documents of one month, numbered in time order."""
        mix = DIRECTION_MIX.get(unit.level, DIRECTION_MIX[Level.COMMUNE])
        slots = []
        for _ in range(n):
            r = self.rng.random()
            direction = (
                Direction.INCOMING
                if r < mix[0]
                else (Direction.OUTGOING if r < mix[0] + mix[1] else Direction.INTERNAL)
            )
            day = days[int(self.rng.random() * len(days))]
            slots.append((self._moment(day), day, direction, None))
        for arrival, document in real:
            slots.append((self._moment(arrival), arrival, Direction.INCOMING, document))
        slots.sort(key=lambda slot: slot[0])
        rows = []
        issued = []
        for when, day, direction, document in slots:
            if direction == Direction.INCOMING:
                rows.append(self._incoming(unit, when, day, document))
            else:
                row = self._outgoing(unit, when, day, direction)
                rows.append(row)
                if row["status"] in NUMBERED_OUTGOING:
                    issued.append(row)
        # Numbers are taken when a document is issued, in that order.
        issued.sort(key=lambda row: (row["issued_date"], row["created"]))
        for row in issued:
            self._number_outgoing(unit, row)
        return rows

    def _common(self, unit: Unit, when: datetime, day: date) -> dict:
        rng = self.rng
        return {
            "organization_id": unit.pk,
            "org_path": unit.path,
            "created": when,
            "updated": when,
            "urgency": _URGENCY.pick(rng),
            "secrecy": _SECRECY.pick(rng),
            "page_count": _PAGES.pick(rng),
            "language": "vi",
            "register_year": day.year,
            "created_by_id": self.context.creators.get(
                unit.pk, self.context.fallback_user
            ),
        }

    def _state(self, table, age: int):
        for limit, choice in table:
            if limit is None or age <= limit:
                return choice.pick(self.rng)
        raise AssertionError("unreachable")

    def _later(self, when: datetime, days: int) -> datetime:
        """`days` days and a few hours later (at most the end of the span)."""
        moment = when + timedelta(days=days, minutes=5 + int(self.rng.random() * 300))
        return min(moment, self.last_moment)

    def _incoming(
        self, unit: Unit, when: datetime, local_day: date, real: CentralDocument | None
    ) -> dict:
        rng = self.rng
        row = self._common(unit, when, local_day)
        if real is not None:
            symbol = format_symbol(
                Symbol(PARTY, real.number, real.type_code, real.issuer_code)
            )
            central_pk = next(
                (i.pk for i in self.central if i.code == real.issuer_code), None
            )
            row.update(
                doc_type_id=self.context.type_ids[("party", real.type_code)],
                number=real.number,
                symbol=symbol,
                issuer_name=real.issuer_name,
                issuer_id=central_pk,
                place="Hà Nội",
                issued_date=real.issued,
                excerpt=real.excerpt,
                signer_name=real.signer_name,
                signer_position=real.signer_position,
                signer_authority=real.signer_authority,
                urgency=0,
                secrecy=0,
            )
        else:
            choice, issuers = self.issuers_of(unit)
            issuer = issuers[choice.pick(rng)]
            code = issuer.types.pick(rng)
            issued_on = local_day - timedelta(days=_pick(rng, (0, 1, 1, 2, 3, 5)))
            number = issuer.number_on(code, issued_on)
            key = (issuer.key, code, number)
            letter = self.letters.get(key)
            if letter is None:
                letter = self._letter(issuer, code, number, issued_on)
                if len(self.letters) > 200_000:
                    self.letters.clear()
                self.letters[key] = letter
            symbol, type_key, excerpt, (authority, position, name) = letter
            row.update(
                doc_type_id=self.context.type_ids[type_key],
                number=number,
                symbol=symbol,
                issuer_name=issuer.name,
                issuer_id=issuer.pk,
                place=issuer.place,
                issued_date=issued_on,
                excerpt=excerpt,
                signer_name=name,
                signer_position=position,
                signer_authority=authority,
            )
        row["direction"] = Direction.INCOMING
        row["arrival_date"] = when
        status = self._state(_INCOMING_STATES, (self.today - local_day).days)
        row["status"] = status
        at = when
        if status not in UNNUMBERED_INCOMING:
            scope = f"in:{row['register_year']}"
            key = (unit.pk, scope)
            self.counters[key] += 1
            self.used_scopes.add(key)
            row["arrival_number"] = self.counters[key]
        if status in (Status.INSTRUCTED, Status.PROCESSING, Status.COMPLETED) and (
            rng.random() < 0.55 or row["urgency"]
        ):
            days = _pick(rng, _DEADLINE_DAYS[:3] if row["urgency"] else _DEADLINE_DAYS)
            row["due_date"] = local_day + timedelta(days=days)
        note = ""
        if status == Status.COMPLETED:
            limit = (row.get("due_date") or local_day + timedelta(days=30)) - local_day
            spent = int(rng.random() * (limit.days + (4 if rng.random() < 0.1 else 1)))
            at = self._later(when, spent)
            row["completed_at"] = at
        elif status == Status.PRESENTED:
            row["presented_to_id"] = self.context.leaders.get(unit.pk)
            at = self._later(when, 0)
        elif status in (Status.INSTRUCTED, Status.PROCESSING):
            row["presented_to_id"] = self.context.leaders.get(unit.pk)
            at = self._later(when, int(rng.random() * 3))
        elif status in (Status.REFUSED, Status.WITHDRAWN):
            note = _pick(rng, REFUSAL_REASONS) if status == Status.REFUSED else ""
            at = self._later(when, int(rng.random() * 4))
        row["updated"] = at
        row["_event"] = self._event(row, status, at, note)
        return row

    def _letter(self, issuer: Issuer, code: str, number: int, issued_on: date):
        """Symbol, type, excerpt and signer of a letter. Organizations that
        received the same letter see the same text: it depends on the
        letter, not on them."""
        rng = random.Random(_stable(self.seed, issuer.key, code, number))
        excerpt = compose_excerpt(
            code, issued_on, rng, issuer.name, issuer.is_committee
        )
        signer = issuer.head if rng.random() < 0.6 else issuer.deputy
        if issuer.style == STATE:
            symbol = format_symbol(
                Symbol(STATE, number, None, issuer.code, unit="VP")
                if code == "CV"
                else Symbol(STATE, number, code, issuer.code)
            )
            return symbol, ("state", code), excerpt, signer
        symbol = format_symbol(Symbol(PARTY, number, code, issuer.code))
        return symbol, ("party", code), excerpt, signer

    def _outgoing(
        self, unit: Unit, when: datetime, local_day: date, direction: str
    ) -> dict:
        rng = self.rng
        row = self._common(unit, when, local_day)
        if direction == Direction.INTERNAL:
            code = self.internal_types.pick(rng)
        else:
            choice = self.outgoing_types.get(unit.kind, self.outgoing_types[Kind.CELL])
            code = choice.pick(rng)
        own = self.own_issuer(unit)
        authority, position, name = own.head if rng.random() < 0.6 else own.deputy
        style = "state" if unit.document_style == DocumentStyle.STATE else "party"
        row.update(
            direction=direction,
            doc_type_id=self.context.type_ids[(style, code)],
            issuer_name=unit.title,
            issuer_id=unit.pk,
            place=unit.place,
            excerpt=compose_excerpt(code, local_day, rng, unit.title, own.is_committee),
            signer_name=name,
            signer_position=position,
            signer_authority=authority,
            _code=code,
        )
        status = self._state(_OUTGOING_STATES, (self.today - local_day).days)
        row["status"] = status
        at = when
        if status in NUMBERED_OUTGOING:
            last = date(local_day.year, local_day.month, 1) + timedelta(days=31)
            last = min(last.replace(day=1) - timedelta(days=1), self.end)
            issued_on = min(
                local_day + timedelta(days=_pick(rng, (0, 1, 2, 3, 5))), last
            )
            row["issued_date"] = issued_on
            row["copies"] = 3 + int(rng.random() * 38)
            superior = unit.parent.title if unit.parent else ""
            row["recipients_text"] = (
                f"- {superior} (để báo cáo),\n- Các đồng chí Ủy viên,\n- Lưu Văn phòng."
                if superior
                else "- Các đồng chí Ủy viên,\n- Lưu Văn phòng."
            )
            at = datetime.combine(issued_on, datetime.min.time(), tzinfo=VIETNAM)
            at = max(at + timedelta(hours=16), when)
            if status == Status.RECALLED:
                at = self._later(at, 1 + int(rng.random() * 5))
        elif status != Status.DRAFT:
            at = self._later(when, int(rng.random() * 3))
        row["updated"] = at
        row["_event"] = self._event(row, status, at, "")
        return row

    def _scope(self, unit: Unit, code: str, on: date, direction: str) -> str:
        """The register scope an issued number is taken from, as in
        `documents.numbering`."""
        if direction == Direction.INTERNAL:
            return f"int:{on.year}"
        if unit.document_style == DocumentStyle.STATE:
            return f"out:state:{on.year}"
        term = "term-none"
        for start, end, pk in self.context.terms.get(unit.pk, ()):
            if start <= on and (end is None or end >= on):
                term = f"term-{pk}"
                break
        return f"out:party:{term}:{code}"

    def _number_outgoing(self, unit: Unit, row: dict) -> None:
        code = row["_code"]
        scope = self._scope(unit, code, row["issued_date"], row["direction"])
        key = (unit.pk, scope)
        self.counters[key] += 1
        self.used_scopes.add(key)
        number = self.counters[key]
        row["number"] = number
        row["numbering_scope"] = scope
        row["symbol"] = build_symbol(unit, _TypeCode(code), number)
        if row["status"] == Status.ISSUED:
            row["_event"]["note"] = row["symbol"]

    def _event(self, row: dict, status: str, at: datetime, note: str) -> dict:
        return {
            "at": at,
            "actor_id": row["created_by_id"],
            "action": EVENT_ACTIONS[status],
            "status": status,
            "note": note,
        }


@dataclass(frozen=True)
class _TypeCode:
    """What `services.build_symbol` reads from a document type."""

    code: str


def load_context(organizations: Iterable, users=None) -> Context:
    """Read what the generator needs: the organizations as plain units, the
    type table, who registers each organization's documents, the leaders
    documents are presented to, committee terms and existing sequences."""
    units = [
        Unit(
            org.pk,
            org.path,
            org.level,
            org.kind,
            org.code,
            org.name,
            org.abbreviation,
            org.document_style,
        )
        for org in organizations
    ]
    units.sort(key=lambda unit: unit.pk)
    by_pk = {unit.pk: unit for unit in units}
    by_path = {unit.path: unit for unit in units}
    for unit in units:
        parent_path = unit.path.rstrip("/").rsplit("/", 1)[0] + "/"
        unit.parent = by_path.get(parent_path) if parent_path != "/" else None
        if unit.parent is not None:
            unit.parent.children.append(unit)
    type_ids = {
        (system, code): pk
        for pk, system, code in DocumentType.objects.values_list("pk", "system", "code")
    }
    positions = Position.objects.current().filter(organization_id__in=list(by_pk))
    if users is not None:
        positions = positions.filter(person__user__in=[user.pk for user in users])
    creators: dict[int, int] = {}
    leaders: dict[int, int] = {}
    rows = positions.order_by("role__rank", "pk").values_list(
        "organization_id", "person__user_id", "person_id", "role__code"
    )
    for org_id, user_id, person_id, role in rows:
        # The clerk registers; failing one, whoever holds a position there.
        if role == "clerk":
            creators[org_id] = user_id
        else:
            creators.setdefault(org_id, user_id)
        if role in ("secretary", "deputy_secretary"):
            leaders.setdefault(org_id, person_id)
    user_model = get_user_model()
    candidates = user_model.objects.order_by("-is_superuser", "pk")
    if users is not None:
        candidates = candidates.filter(pk__in=[user.pk for user in users])
    fallback = candidates.values_list("pk", flat=True).first()
    if fallback is None:
        raise ValueError("Documents need a user to have registered them.")
    terms: dict[int, list] = defaultdict(list)
    for org_id, start, end, pk in (
        Term.objects.filter(organization_id__in=list(by_pk))
        .order_by("-start_date")
        .values_list("organization_id", "start_date", "end_date", "pk")
    ):
        terms[org_id].append((start, end, pk))
    sequences = {
        (org_id, scope): last
        for org_id, scope, last in NumberSequence.objects.filter(
            organization_id__in=list(by_pk)
        ).values_list("organization_id", "scope", "last_number")
    }
    return Context(units, type_ids, creators, fallback, leaders, dict(terms), sequences)


def context_from_rows(rows, *, fallback_user: int = 1) -> Context:
    """A context without a database: the organizations of a generated tree
    (`trees.generate_tree`) numbered 1, 2, 3… as `insert_tree` would number
    them in an empty database, and the seeded type tables numbered in order.
    For tests and sizing."""
    from hoso.documents.types import PARTY_TYPES, STATE_TYPES

    units: list[Unit] = []
    for index, row in enumerate(rows):
        parent = units[row.parent] if row.parent is not None else None
        unit = Unit(
            index + 1,
            f"{parent.path if parent else '/'}{index + 1}/",
            row.level,
            row.kind,
            row.code,
            row.name,
            row.abbreviation,
            parent=parent,
        )
        if parent is not None:
            parent.children.append(unit)
        units.append(unit)
    table = [("party", code) for code, _name in PARTY_TYPES] + [
        ("state", code) for code, _name in STATE_TYPES
    ]
    type_ids = {key: index for index, key in enumerate(table, start=1)}
    return Context(units, type_ids, {}, fallback_user)


def generate_documents(
    context: Context,
    *,
    count: int,
    seed: int,
    today: date,
    weights: dict | None = None,
) -> Iterator[Batch]:
    """The documents of all organizations, one month per batch, in time
    order; a pure function of its arguments."""
    generator = _Generator(
        context, count=count, seed=seed, today=today, weights=weights
    )
    yield from generator.batches()


def digest_rows(rows: Iterable[dict]) -> str:
    """A fingerprint of generated documents (organization, register, state,
    numbers, symbol, excerpt, time), in order."""
    hasher = hashlib.sha256()
    for row in rows:
        values = []
        for name in DIGEST_FIELDS:
            value = row.get(name)
            if isinstance(value, datetime):
                value = value.astimezone(UTC)
            values.append("" if value is None else str(value))
        hasher.update("\t".join(values).encode() + b"\n")
    return hasher.hexdigest()


DIGEST_FIELDS = (
    "organization_id",
    "direction",
    "status",
    "arrival_number",
    "number",
    "symbol",
    "excerpt",
    "created",
)


def database_digest(organization_ids: Iterable[int] | None = None) -> str:
    """The same fingerprint, read back from the database in primary-key
    order (the order the rows were generated in)."""
    qs = Document.objects.order_by("pk")
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=list(organization_ids))
    rows = qs.values_list(*DIGEST_FIELDS).iterator(chunk_size=5000)
    return digest_rows(dict(zip(DIGEST_FIELDS, row, strict=True)) for row in rows)


class _Writer:
    """Writes rows with explicit ids, as fast as the database takes them."""

    def __init__(self, model):
        self.model = model
        self.fields = model._meta.concrete_fields
        self.names = [f.attname for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.defaults.pop("id", None)
        self.postgres = connection.vendor == "postgresql"
        kinds = {f.attname: f.get_internal_type() for f in self.fields}
        self.datetimes = [
            i for i, n in enumerate(self.names) if kinds[n] == "DateTimeField"
        ]
        self.dates = [i for i, n in enumerate(self.names) if kinds[n] == "DateField"]
        self.next_id = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        if self.postgres:
            self.sql = f"COPY {table} ({columns}) FROM STDIN"
        else:
            marks = ", ".join(["%s"] * len(self.fields))
            # Names come from the model's metadata, values are parameters.
            self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608

    def assign_ids(self, rows: list[dict]) -> None:
        for row in rows:
            row["id"] = self.next_id
            self.next_id += 1

    def write(self, rows: list[dict]) -> None:
        defaults, values_of = self.defaults, itemgetter(*self.names)
        for start in range(0, len(rows), CHUNK_ROWS):
            values = [
                values_of({**defaults, **row})
                for row in rows[start : start + CHUNK_ROWS]
            ]
            if self.postgres:
                with (
                    connection.cursor() as cursor,
                    cursor.cursor.copy(self.sql) as copy,
                ):
                    for value in values:
                        copy.write_row(value)
            else:
                # SQLite keeps datetimes as naive UTC text (Django's format).
                values = [list(value) for value in values]
                for value in values:
                    for i in self.datetimes:
                        if value[i] is not None:
                            value[i] = str(
                                value[i].astimezone(UTC).replace(tzinfo=None)
                            )
                    for i in self.dates:
                        if value[i] is not None:
                            value[i] = value[i].isoformat()
                with connection.cursor() as cursor:
                    cursor.executemany(self.sql, values)


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(f"{text}\n")


def insert_documents(
    batches: Iterable[Batch], *, stdout=None, with_events: bool = True
) -> int:
    """Write generated batches; returns the number of documents. Call it
    inside a transaction; the id sequences are reset afterwards."""
    documents = _Writer(Document)
    events = _Writer(DocumentEvent)
    total = 0
    reported = 0
    for batch in batches:
        documents.assign_ids(batch.documents)
        for row in batch.documents:
            row.pop("_code", None)
        documents.write(batch.documents)
        if with_events:
            for row, event in zip(batch.documents, batch.events, strict=True):
                event["document_id"] = row["id"]
            events.assign_ids(batch.events)
            events.write(batch.events)
        total += len(batch.documents)
        if total - reported >= 100_000:
            reported = total
            _say(stdout, f"  {total:,} documents…")
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Document, DocumentEvent]
        ):
            cursor.execute(sql)
    return total


@contextmanager
def _bulk_load_settings():
    """Connection settings for a large load, restored afterwards.

    PostgreSQL checks foreign keys row by row instead of queueing a million
    deferred checks until the commit. SQLite gets a 256 MB page cache: with
    its default 2 MB, updating a dozen indexes of a growing table spends
    most of the time evicting and re-reading pages.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            try:
                yield
            finally:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size")
            previous = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size = -262144")
            try:
                yield
            finally:
                cursor.execute(f"PRAGMA cache_size = {int(previous)}")
        else:
            yield


def build_documents(
    organizations,
    *,
    count: int,
    seed: int,
    stdout=None,
    users=None,
    today: date | None = None,
    weights: dict | None = None,
    with_events: bool = True,
    audited: bool = True,
) -> int:
    """Generate and store `count` documents for `organizations`, in one
    transaction; returns how many were stored.

    `users` limits who appears as having registered them (by default the
    clerks and other position holders of each organization, else the first
    superuser). The registers run from 1 July 2025 to yesterday (`today`
    fixes the day, for reproducible output). `weights` sets the relative
    volume per level (`LEVEL_WEIGHTS`). `NumberSequence` rows are set so that
    the next registration or issue continues the generated numbering. With
    `audited=False` the caller records the load in its own audit entry.
    """
    started = time.perf_counter()
    today = today or django_timezone.localdate()
    organizations = list(organizations)
    _say(stdout, f"Generating {count:,} documents (seed {seed})…")
    with transaction.atomic():
        context = load_context(organizations, users)
        generator = _Generator(
            context, count=count, seed=seed, today=today, weights=weights
        )
        with _bulk_load_settings():
            total = insert_documents(
                generator.batches(), stdout=stdout, with_events=with_events
            )
        NumberSequence.objects.bulk_create(
            [
                NumberSequence(
                    organization_id=org_id,
                    scope=scope,
                    last_number=generator.counters[(org_id, scope)],
                )
                for org_id, scope in sorted(generator.used_scopes)
            ],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["organization", "scope"],
            update_fields=["last_number"],
        )
        if audited:
            audit.record(
                "demo.documents_loaded",
                object_type="demo",
                object_repr=f"{total} documents",
                changes={"documents": [None, total], "seed": [None, seed]},
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Document._meta.db_table}")
    _say(
        stdout,
        f"Created {total:,} documents in {time.perf_counter() - started:.1f} s.",
    )
    return total
