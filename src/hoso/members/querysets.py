"""Query scopes for member records."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from hoso.core.querysets import RestrictedQuerySet
from hoso.members.choices import CURRENT_STATUSES, MemberStatus


class MemberQuerySet(RestrictedQuerySet):
    """Members, with the scopes the register and the counts need."""

    def current(self) -> MemberQuerySet:
        """Members on the list: probationary and full members."""
        return self.filter(status__in=CURRENT_STATUSES)

    def probationary(self) -> MemberQuerySet:
        return self.filter(status=MemberStatus.PROBATIONARY)

    def in_subtree(self, path: str) -> MemberQuerySet:
        """Members counted in the organization at `path` or below it."""
        return self.filter(organization__path__startswith=path)

    def probation_due(self, on: date) -> MemberQuerySet:
        """Probationary members whose 12 months are over on `on`."""
        return self.probationary().filter(probation_ends__lte=on)


class TransferQuerySet(RestrictedQuerySet):
    """Transfers: both the origin's and the target's side see them."""

    def open(self) -> TransferQuerySet:
        from hoso.members.choices import TransferStatus

        return self.filter(status__in=[TransferStatus.SENT, TransferStatus.ACTIVE])

    def inbox(self, paths: list[str] | None) -> TransferQuerySet:
        """Open transfers arriving in any of `paths` (None: everywhere)."""
        qs = self.open()
        if paths is None:
            return qs
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(target__path__startswith=path)
        return qs.filter(q)
