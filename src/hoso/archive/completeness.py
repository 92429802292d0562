"""The completeness report of one organization's archive.

What a clerk checks before handing an archive over: how many documents per
year and type, how many are digitized (have files) and with how many pages,
how many scanned records still wait for review, and which numbers are
missing from each register's sequence.

Every figure is one aggregate query; the gaps are found in SQL with a window
function (each number compared with the one before it in its register
scope), so only the gaps themselves leave the database, capped at
`MAX_GAP_ROWS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, ExtractYear, Lag
from django.utils.translation import gettext as _

from hoso.core import permissions
from hoso.documents.choices import Direction
from hoso.documents.models import Attachment, Document, NumberSequence, Term
from hoso.organizations.models import Organization

# Named here because the report belongs to no model: roles grant it with
# "archive.*" or "archive.view_*".
VIEW_PERMISSION = "archive.view_completeness"
# Gap ranges read from the database at most (all registers together).
MAX_GAP_ROWS = 5000
# Gap ranges spelled out per register; the rest are counted.
SHOWN_RANGES = 60


def gaps_in(numbers: Iterable[int], *, start: int = 1) -> list[tuple[int, int]]:
    """Missing ranges in an ascending sequence of numbers that should run
    from `start` without gaps: [1, 2, 3, 5, 8] → [(4, 4), (6, 7)].
    Streams its input (duplicates are ignored)."""
    gaps = []
    expected = start
    for number in numbers:
        if number > expected:
            gaps.append((expected, number - 1))
        expected = max(expected, number + 1)
    return gaps


def format_ranges(ranges: Iterable[tuple[int, int]]) -> str:
    """Ranges written compactly: [(4, 4), (6, 7)] → "4, 6–7"."""
    return ", ".join(
        str(first) if first == last else f"{first}–{last}" for first, last in ranges
    )


@dataclass
class RegisterGaps:
    """The missing numbers of one register scope."""

    scope: str
    label: str
    numbers: int = 0
    highest: int = 0
    last_taken: int = 0
    ranges: list[tuple[int, int]] = field(default_factory=list)
    more_ranges: int = 0

    @property
    def missing(self) -> int:
        return sum(last - first + 1 for first, last in self.ranges)

    @property
    def text(self) -> str:
        shown = format_ranges(self.ranges[:SHOWN_RANGES])
        hidden = len(self.ranges) - SHOWN_RANGES + self.more_ranges
        if hidden > 0:
            shown += " " + _("… and %(count)d more ranges") % {"count": hidden}
        return shown


@dataclass
class YearRow:
    """Documents of one year and type, per register."""

    year: int | None
    doc_type: str
    incoming: int = 0
    outgoing: int = 0
    internal: int = 0

    @property
    def total(self) -> int:
        return self.incoming + self.outgoing + self.internal


@dataclass
class CompletenessReport:
    """Everything the completeness page and API show."""

    organization: Organization
    rows: list[YearRow]
    documents: int
    with_files: int
    pages: int
    without_page_count: int
    awaiting_review: int
    awaiting_review_available: bool
    awaiting_review_note: str
    registers: list[RegisterGaps]
    gaps_truncated: bool

    @property
    def without_files(self) -> int:
        return self.documents - self.with_files

    @property
    def registers_with_gaps(self) -> list[RegisterGaps]:
        return [register for register in self.registers if register.ranges]


def may_view(user, organization: Organization) -> bool:
    """Whether the user may see this organization's completeness report."""
    return Organization.objects.restrict(user, "view").filter(
        pk=organization.pk
    ).exists() and permissions.has_permission(user, VIEW_PERMISSION, organization)


# Counts -----------------------------------------------------------------------


def _rows(documents) -> list[YearRow]:
    """Documents per year (of the document's date, else its register year)
    and type, per register: one GROUP BY."""
    year = Coalesce(
        ExtractYear("issued_date"), F("register_year"), output_field=IntegerField()
    )
    grouped = (
        documents.annotate(year=year)
        .values("year", "doc_type__code", "doc_type__name", "direction")
        .annotate(count=Count("id"))
        .order_by("-year", "doc_type__name", "direction")
    )
    rows: dict[tuple, YearRow] = {}
    for item in grouped:
        key = (item["year"], item["doc_type__code"])
        row = rows.setdefault(
            key,
            YearRow(
                year=item["year"],
                doc_type=f"{item['doc_type__name']} ({item['doc_type__code']})",
            ),
        )
        if item["direction"] == Direction.INCOMING:
            row.incoming += item["count"]
        elif item["direction"] == Direction.OUTGOING:
            row.outgoing += item["count"]
        else:
            row.internal += item["count"]
    return list(rows.values())


def _digitized(documents) -> dict:
    """Documents, those with files, their pages: one aggregate."""
    has_files = Exists(Attachment.objects.filter(document=OuterRef("pk")))
    totals = documents.annotate(has_files=has_files).aggregate(
        documents=Count("id"),
        with_files=Count("id", filter=Q(has_files=True)),
        pages=Sum("page_count", filter=Q(has_files=True)),
        without_page_count=Count(
            "id", filter=Q(has_files=True, page_count__isnull=True)
        ),
    )
    totals["pages"] = totals["pages"] or 0
    return totals


REVIEW_STATUSES = {"pending", "review", "needs_review", "awaiting_review"}


def _organization_lookup(model) -> str | None:
    """How a model reaches its organization: `organization`, or one hop
    through a foreign key (`batch__organization`)."""
    names = {f.name: f for f in model._meta.get_fields()}
    if "organization" in names and names["organization"].is_relation:
        return "organization"
    for candidate in model._meta.get_fields():
        if not (candidate.many_to_one or candidate.one_to_one) or not (
            candidate.concrete
        ):
            continue
        related = candidate.related_model
        if related is None or related is Organization:
            continue
        if any(f.name == "organization" for f in related._meta.get_fields()):
            return f"{candidate.name}__organization"
    return None


def awaiting_review(organization: Organization) -> tuple[int, bool, str]:
    """(count, available, note): scanned records of the organization still
    waiting for a clerk's review, from the digitization app when it has an
    `IntakeRecord` model reachable from an organization; else 0, saying why."""
    try:
        model = apps.get_model("digitization", "IntakeRecord")
    except LookupError:
        return 0, False, _("Scan intake is not installed; no records are counted.")
    lookup = _organization_lookup(model)
    if lookup is None:
        return (
            0,
            False,
            _("Scan intake records have no organization; none are counted."),
        )
    records = model._default_manager.filter(**{lookup: organization})
    field_names = {f.name for f in model._meta.get_fields()}
    if "status" in field_names:
        status_field = model._meta.get_field("status")
        known = {value for value, _label in (status_field.choices or [])}
        statuses = (REVIEW_STATUSES & known) if known else {"pending"}
        records = records.filter(status__in=statuses or {"pending"})
    return records.count(), True, ""


# Gaps -------------------------------------------------------------------------


_PARTY_SCOPE = re.compile(r"^out:party:term-(?P<term>\d+|none):(?P<code>.+)$")


def scope_label(scope: str, terms: dict[int, str] | None = None) -> str:
    """A register scope in words: "in:2026" → "Incoming register 2026"."""
    kind, _sep, rest = scope.partition(":")
    if kind == "in":
        return _("Incoming register %(year)s") % {"year": rest}
    if kind == "int":
        return _("Internal register %(year)s") % {"year": rest}
    if scope.startswith("out:state:"):
        return _("Outgoing register %(year)s") % {"year": scope.rsplit(":", 1)[1]}
    match = _PARTY_SCOPE.match(scope)
    if match:
        term = match["term"]
        term_name = (
            (terms or {}).get(int(term), term) if term != "none" else _("no term")
        )
        return _("Outgoing %(code)s, term %(term)s") % {
            "code": match["code"],
            "term": term_name,
        }
    return scope


def _register_gaps(organization: Organization) -> tuple[list[RegisterGaps], bool]:
    """The gaps of every register scope of the organization.

    Counted over all the organization's documents, whatever the reader's
    clearance: registers are numbered gap-free across secrecy levels, so a
    number held by a classified document is known to exist anyway, and
    leaving it out would report a false gap. Only numbers leave the
    database, never a classified document's metadata.
    """
    own = Document.objects.filter(organization=organization)
    incoming = own.filter(direction=Direction.INCOMING, arrival_number__isnull=False)
    numbered = own.filter(number__isnull=False).exclude(numbering_scope="")
    registers: dict[str, RegisterGaps] = {}

    def register(scope: str) -> RegisterGaps:
        return registers.setdefault(scope, RegisterGaps(scope=scope, label=scope))

    for year, count, highest in (
        incoming.values("register_year")
        .annotate(count=Count("id"), highest=Max("arrival_number"))
        .values_list("register_year", "count", "highest")
    ):
        item = register(f"in:{year}")
        item.numbers, item.highest = count, highest
    for scope, count, highest in (
        numbered.values("numbering_scope")
        .annotate(count=Count("id"), highest=Max("number"))
        .values_list("numbering_scope", "count", "highest")
    ):
        item = register(scope)
        item.numbers, item.highest = count, highest

    gap_rows = [
        *(
            (f"in:{year}", prev, number)
            for year, prev, number in _gap_query(
                incoming, "arrival_number", "register_year"
            )
        ),
        *_gap_query(numbered, "number", "numbering_scope"),
    ]
    truncated = len(gap_rows) > MAX_GAP_ROWS
    for scope, prev, number in gap_rows[:MAX_GAP_ROWS]:
        register(scope).ranges.append((prev + 1, number - 1))

    # Numbers taken from the sequence after the highest one on record: the
    # documents that took them are missing too (or the numbers were reserved).
    for scope, last in NumberSequence.objects.filter(
        organization=organization, scope__in=list(registers)
    ).values_list("scope", "last_number"):
        item = registers[scope]
        item.last_taken = last
        if last > item.highest:
            item.ranges.append((item.highest + 1, last))

    term_ids = {
        int(match["term"])
        for scope in registers
        if (match := _PARTY_SCOPE.match(scope)) and match["term"] != "none"
    }
    terms = dict(Term.objects.filter(pk__in=term_ids).values_list("pk", "name"))
    for item in registers.values():
        item.label = scope_label(item.scope, terms)
        item.ranges.sort()
    ordered = sorted(registers.values(), key=lambda item: item.scope)
    return ordered, truncated


def _gap_query(documents, number_field: str, partition_field: str):
    """(partition, previous number, number) for every number that does not
    follow the one before it: the gaps, computed by the database."""
    previous = Window(
        Lag(number_field, default=0),
        partition_by=[F(partition_field)],
        order_by=F(number_field).asc(),
    )
    return (
        documents.annotate(previous=previous)
        .filter(**{f"{number_field}__gt": F("previous") + 1})
        .order_by(partition_field, number_field)
        .values_list(partition_field, "previous", number_field)[: MAX_GAP_ROWS + 1]
    )


# The report -------------------------------------------------------------------


def completeness_report(organization: Organization, *, user) -> CompletenessReport:
    """The report for one organization, as `user` may see it: counts cover
    the documents within the user's scope and clearance."""
    documents = Document.objects.restrict(user, "view").filter(
        organization=organization
    )
    totals = _digitized(documents)
    review_count, review_available, review_note = awaiting_review(organization)
    registers, truncated = _register_gaps(organization)
    return CompletenessReport(
        organization=organization,
        rows=_rows(documents),
        documents=totals["documents"],
        with_files=totals["with_files"],
        pages=totals["pages"],
        without_page_count=totals["without_page_count"],
        awaiting_review=review_count,
        awaiting_review_available=review_available,
        awaiting_review_note=review_note,
        registers=registers,
        gaps_truncated=truncated,
    )
