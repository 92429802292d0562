"""Query scopes for organizations."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from hoso.core.querysets import RestrictedQuerySet


class OrganizationQuerySet(RestrictedQuerySet):
    """Organizations, with tree scopes built on the materialized path."""

    def subtree(self, path: str) -> OrganizationQuerySet:
        """Everything under (and including) the organization at `path`."""
        return self.filter(path__startswith=path)

    def current(self, on: date) -> OrganizationQuerySet:
        """Organizations valid on a day."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        )
