"""The base of every user-visible model."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hoso.core.querysets import RestrictedQuerySet


class BaseModel(models.Model):
    """Timestamps plus the restricted manager.

    Subclasses say where their organization path lives with `scope_path_field`
    (for example `"organization__path"`); `None` means the model is not tied to
    an organization and is visible wherever the permission is granted.
    """

    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    scope_path_field: str | None = None
    # The lookup that keeps a subtree: `path_prefix` (core/lookups.py) where
    # a `varchar_pattern_ops` index serves the path on PostgreSQL.
    scope_path_lookup = "startswith"

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, paths: list[str], *, user, action: str) -> Q:
        """Return the filter that keeps objects under any of `paths`.

        `paths` is already collapsed (no path is a prefix of another); an empty
        list with `scope_path_field = None` means "granted, not organization
        bound". Models whose scope is not one field override this.
        """
        if cls.scope_path_field is None:
            return Q()
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(**{f"{cls.scope_path_field}__{cls.scope_path_lookup}": path})
        return q
