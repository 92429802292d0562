"""Gap-free numbering of registers under concurrency.

A number is taken by locking the register scope's `NumberSequence` row inside
the transaction that stores the document: concurrent registrations queue on
the row lock (PostgreSQL) or on the write lock (SQLite, transactions begin
IMMEDIATE), and a rolled-back registration gives its number back. So numbers
are unique and have no gaps.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F, Q

from hoso.documents.models import NumberSequence, Term
from hoso.organizations.choices import DocumentStyle


def incoming_scope(year: int) -> str:
    """Arrival numbers run per organization per year."""
    return f"in:{year}"


def outgoing_scope(organization, type_code: str, on: date) -> str:
    """Party style: per document type per committee term (secret documents
    continue the same sequence). State style: per year, all types together
    (NĐ 30/2020)."""
    if organization.document_style == DocumentStyle.STATE:
        return f"out:state:{on.year}"
    term = (
        Term.objects.filter(organization=organization, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .order_by("-start_date")
        .first()
    )
    term_key = f"term-{term.pk}" if term else "term-none"
    return f"out:party:{term_key}:{type_code}"


def internal_scope(year: int) -> str:
    return f"int:{year}"


def take_number(organization, scope: str) -> int:
    """The next number in a scope; call inside the transaction that stores it."""
    assert transaction.get_connection().in_atomic_block, (
        "take_number needs a transaction"
    )
    NumberSequence.objects.bulk_create(
        [NumberSequence(organization=organization, scope=scope, last_number=0)],
        ignore_conflicts=True,
    )
    NumberSequence.objects.filter(organization=organization, scope=scope).update(
        last_number=F("last_number") + 1
    )
    return (
        NumberSequence.objects.select_for_update()
        .values_list("last_number", flat=True)
        .get(organization=organization, scope=scope)
    )


def peek_number(organization, scope: str) -> int:
    """The number the next registration would get (for display only)."""
    last = (
        NumberSequence.objects.filter(organization=organization, scope=scope)
        .values_list("last_number", flat=True)
        .first()
    )
    return (last or 0) + 1
