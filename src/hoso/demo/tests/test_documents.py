"""Demo documents: determinism, counts, gap-free numbering that later
registrations continue, and that the permission filter still holds."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from hoso.core.models import AuditEntry
from hoso.demo import documents as demo
from hoso.demo import trees
from hoso.demo.small import build_small
from hoso.documents import services
from hoso.documents.choices import Direction, Status
from hoso.documents.models import (
    Document,
    DocumentEvent,
    DocumentType,
    NumberSequence,
)
from hoso.documents.models.document import OPEN_INCOMING
from hoso.organizations.choices import Level
from hoso.organizations.models import Organization

FIXED_DAY = date(2026, 11, 20)


def users():
    return get_user_model().objects


@pytest.fixture
def small_set(db):
    """The small set without its documents (each test generates its own)."""
    build_small(seed=1, documents=0)
    return Organization.objects.all()


def build(count: int, *, seed: int = 1, today: date | None = None) -> int:
    return demo.build_documents(
        Organization.objects.all(),
        count=count,
        seed=seed,
        today=today or timezone.localdate(),
        weights=demo.SMALL_SET_WEIGHTS,
    )


def test_generation_is_deterministic():
    """GIVEN a tree, a count, a seed and a day WHEN the documents are
    generated twice THEN the rows are the same; another seed gives others."""
    context = demo.context_from_rows(trees.generate_tree("province", seed=1))

    def digest(seed: int) -> str:
        batches = demo.generate_documents(
            context, count=3000, seed=seed, today=FIXED_DAY
        )
        return demo.digest_rows(row for batch in batches for row in batch.documents)

    assert digest(7) == digest(7)
    assert digest(8) != digest(7)


def test_generation_does_not_depend_on_the_interpreter():
    """GIVEN a fresh interpreter with another hash seed WHEN it generates the
    same documents THEN the digest is the same (nothing depends on hash())."""
    script = (
        "import django; django.setup(); from datetime import date; "
        "from hoso.demo import documents as d, trees; "
        "c = d.context_from_rows(trees.generate_tree('province', seed=1)); "
        "b = d.generate_documents(c, count=2000, seed=3, today=date(2026, 11, 20)); "
        "print(d.digest_rows(r for x in b for r in x.documents))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "hoso.config.settings")
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    context = demo.context_from_rows(trees.generate_tree("province", seed=1))
    batches = demo.generate_documents(context, count=2000, seed=3, today=FIXED_DAY)
    expected = demo.digest_rows(row for batch in batches for row in batch.documents)
    assert result.stdout.strip() == expected


def test_generation_is_chunked_by_month():
    """The rows come one month at a time, in time order, so memory holds one
    month and primary keys will grow with creation time."""
    context = demo.context_from_rows(trees.generate_tree("province", seed=1))
    batches = list(
        demo.generate_documents(context, count=30_000, seed=1, today=FIXED_DAY)
    )
    months = {(2025, 7), (2026, 11)}
    assert len(batches) == 17
    assert sum(len(batch.documents) for batch in batches) == 30_000
    # July 2025 is the fullest: every organization received the real
    # central documents then.
    assert max(len(batch.documents) for batch in batches) < 30_000 / 4
    created = [row["created"] for batch in batches for row in batch.documents]
    assert created == sorted(created)
    first, last = created[0], created[-1]
    assert {(first.year, first.month), (last.year, last.month)} == months
    assert last.date() < FIXED_DAY


def test_small_set_registers(small_set):
    """GIVEN the small set WHEN 600 documents are generated THEN every
    organization below the central level received Resolution 57-NQ/TW and
    Plan 02-KH/BCĐTW, the registers mix incoming, outgoing and internal
    documents in every state of the workflow, a few are secret or urgent,
    and each has one timeline event for its current state."""
    assert build(600, today=FIXED_DAY) == 600
    documents = Document.objects.all()
    assert documents.count() == 600

    below_central = Organization.objects.exclude(level=Level.CENTRAL)
    for symbol in ("57-NQ/TW", "02-KH/BCĐTW"):
        holders = set(
            documents.filter(symbol=symbol, direction=Direction.INCOMING).values_list(
                "organization_id", flat=True
            )
        )
        assert holders == set(below_central.values_list("pk", flat=True))
    resolution = documents.filter(symbol="57-NQ/TW").first()
    assert resolution.issued_date == date(2024, 12, 22)
    assert resolution.doc_type == DocumentType.objects.get(system="party", code="NQ")
    assert "khoa học, công nghệ, đổi mới sáng tạo" in resolution.excerpt
    plan = documents.filter(symbol="02-KH/BCĐTW").first()
    assert plan.issued_date == date(2025, 6, 19)
    assert plan.arrival_date.date() >= demo.SPAN_START

    directions = Counter(documents.values_list("direction", flat=True))
    assert directions[Direction.INCOMING] > directions[Direction.OUTGOING] > 0
    assert directions[Direction.INTERNAL] > 0
    statuses = Counter(documents.values_list("status", flat=True))
    assert statuses[Status.COMPLETED] > 600 / 3
    assert statuses[Status.ISSUED] > 0
    assert sum(statuses[status] for status in OPEN_INCOMING) > 0
    assert documents.overdue(today=FIXED_DAY).exists()
    assert documents.filter(secrecy__gt=0).exists()
    assert documents.filter(urgency__gt=0).exists()
    assert not documents.filter(created__date__gte=FIXED_DAY).exists()

    events = Counter(DocumentEvent.objects.values_list("document_id", flat=True))
    assert len(events) == 600 and set(events.values()) == {1}
    current = Document.objects.filter(pk=OuterRef("document_id")).values("status")
    assert not DocumentEvent.objects.exclude(status=Subquery(current[:1])).exists()
    # The demo clerk registered the commune's documents.
    clerk = users().get(username="vanthu.nhatrang")
    commune = clerk.person.positions.get().organization
    assert set(
        documents.filter(organization=commune).values_list("created_by", flat=True)
    ) == {clerk.pk}


def test_the_rows_stored_are_the_rows_generated(small_set):
    """What is in the database is exactly the generation's output, with
    primary keys in creation order."""
    build(300, seed=4, today=FIXED_DAY)
    context = demo.load_context(Organization.objects.all())
    context.sequences = {}  # as before the load
    batches = demo.generate_documents(
        context, count=300, seed=4, today=FIXED_DAY, weights=demo.SMALL_SET_WEIGHTS
    )
    expected = demo.digest_rows(row for batch in batches for row in batch.documents)
    assert demo.database_digest() == expected
    pks = list(Document.objects.order_by("created", "pk").values_list("pk", flat=True))
    assert pks == sorted(pks)


def test_numbers_are_gap_free_and_sequences_continue_them(small_set):
    """Arrival numbers run 1..N per organization and year without gaps,
    issued numbers 1..N per organization and numbering scope, and each
    scope's `NumberSequence` holds N."""
    build(600, today=FIXED_DAY)
    arrivals: dict[tuple, list[int]] = defaultdict(list)
    for org, year, number in Document.objects.filter(
        arrival_number__isnull=False
    ).values_list("organization_id", "register_year", "arrival_number"):
        arrivals[(org, f"in:{year}")].append(number)
    issued: dict[tuple, list[int]] = defaultdict(list)
    for org, scope, number in Document.objects.exclude(numbering_scope="").values_list(
        "organization_id", "numbering_scope", "number"
    ):
        issued[(org, scope)].append(number)
    assert arrivals and issued
    sequences = {
        (org, scope): last
        for org, scope, last in NumberSequence.objects.values_list(
            "organization_id", "scope", "last_number"
        )
    }
    for key, numbers in {**arrivals, **issued}.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
        assert sequences[key] == len(numbers), key
    assert set(sequences) == set(arrivals) | set(issued)
    # Registered documents carry numbers; unregistered and refused ones don't.
    assert not Document.objects.filter(
        direction=Direction.INCOMING,
        status=Status.RECEIVED,
        arrival_number__isnull=False,
    ).exists()
    assert not Document.objects.filter(
        direction=Direction.INCOMING, status=Status.COMPLETED, arrival_number=None
    ).exists()
    # Issued symbols are built from the number, the type and the issuer.
    issued_doc = Document.objects.filter(status=Status.ISSUED).first()
    assert issued_doc.symbol == services.build_symbol(
        issued_doc.organization, issued_doc.doc_type, issued_doc.number
    )


def test_later_registration_and_issue_continue_the_numbering(small_set):
    """GIVEN generated registers WHEN the commune's clerk registers a new
    incoming document and issues a new letter THEN they take the next
    arrival number of the year and the next number of the letter register,
    and get fresh primary keys."""
    build(600)
    clerk = users().get(username="vanthu.nhatrang")
    secretary = users().get(username="bithu.nhatrang")
    commune = clerk.person.positions.get().organization
    year = timezone.localdate().year
    last_arrival = Document.objects.filter(
        organization=commune, register_year=year
    ).aggregate(top=Max("arrival_number"))["top"]
    assert last_arrival
    top_pk = Document.objects.aggregate(top=Max("pk"))["top"]

    incoming = services.create_incoming(
        organization=commune,
        acting_user=clerk,
        doc_type=DocumentType.objects.get(system="party", code="CV"),
        symbol="1234-CV/VPTU",
        issuer_name="Văn phòng Tỉnh ủy",
        excerpt="V/v triển khai chữ ký số",
    )
    assert incoming.arrival_number == last_arrival + 1
    assert incoming.pk > top_pk

    letter_type = DocumentType.objects.get(system="party", code="CV")
    last_letter = Document.objects.filter(
        organization=commune, numbering_scope="out:party:term-none:CV"
    ).aggregate(top=Max("number"))["top"]
    assert last_letter
    draft = services.create_draft(
        organization=commune,
        acting_user=clerk,
        doc_type=letter_type,
        excerpt="V/v báo cáo kết quả chuyển đổi số",
    )
    services.approve(draft, acting_user=secretary)
    issued = services.issue(draft, acting_user=clerk)
    assert issued.number == last_letter + 1
    assert issued.symbol == f"{last_letter + 1:02d}-CV/ĐU"


def test_restrict_still_hides_other_organizations(small_set):
    """GIVEN generated registers WHEN a commune clerk (no clearance) and the
    province secretary (cleared for "Mật") list documents THEN the clerk sees
    exactly the unclassified documents of the commune's subtree, and the
    secretary the whole province up to "Mật"."""
    build(600, today=FIXED_DAY)
    clerk = users().get(username="vanthu.nhatrang")
    commune = clerk.person.positions.get().organization
    visible = Document.objects.restrict(clerk, "view")
    expected = Document.objects.filter(org_path__startswith=commune.path, secrecy=0)
    assert set(visible.values_list("pk", flat=True)) == set(
        expected.values_list("pk", flat=True)
    )
    assert visible.exists()
    other = Organization.objects.get(code="KH-02")
    assert Document.objects.filter(organization=other).exists()
    assert not visible.filter(org_path__startswith=other.path).exists()

    secretary = users().get(username="bithu.tinh")
    province = secretary.person.positions.get().organization
    seen = Document.objects.restrict(secretary, "view")
    assert (
        seen.count()
        == Document.objects.filter(
            org_path__startswith=province.path, secrecy__lte=1
        ).count()
    )
    assert not seen.filter(secrecy__gt=1).exists()


def test_demo_command_generates_documents(db):
    """`hoso demo --documents N` stores N documents and records them in the
    demo's audit entry; the small set has a few hundred by default."""
    out = io.StringIO()
    call_command("demo", scale="small", seed=2, documents=120, stdout=out)
    assert Document.objects.count() == 120
    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.action, entry.object_repr) == ("demo.loaded", "small")
    assert entry.changes["documents"] == [None, 120]
    assert demo.SMALL_COUNT >= 300


def test_province_tree_with_documents(db):
    """The province set with a few thousand documents: every commune
    committee holds Resolution 57 and registers of its own, and the
    generator's pace keeps the province committee the busiest register."""
    out = io.StringIO()
    trees.build_tree("province", seed=1, stdout=out, documents=4000)
    assert "Created 4,000 documents" in out.getvalue()
    communes = Organization.objects.filter(level=Level.COMMUNE)
    with_resolution = Document.objects.filter(
        symbol="57-NQ/TW", organization__level=Level.COMMUNE
    ).values("organization_id")
    assert with_resolution.distinct().count() == communes.count() == 100
    per_org = Counter(Document.objects.values_list("organization_id", flat=True))
    province = Organization.objects.get(level=Level.PROVINCE, kind="committee")
    assert per_org.most_common(1)[0][0] == province.pk
