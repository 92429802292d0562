"""The one permission primitive: `Model.objects.restrict(user, action)`."""

from __future__ import annotations

from django.db import models

from hoso.core import permissions


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can narrow itself to what a user may do.

    Every query of user data in views, the API, form choices, dashboards,
    search and exports goes through `restrict()`.
    """

    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        """Return the objects on which `user` may perform `action`.

        The scope is the union of the organization subtrees of the user's
        current positions whose role grants `<app>.<action>_<model>`, as one
        path-prefix filter, minus anything classified above the user's
        clearance. Superusers are not limited by organization.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        model = self.model
        permission = permissions.permission_name(model, action)
        if user.is_superuser:
            qs = self
        else:
            paths = permissions.scope_paths(user, permission)
            if paths is None:
                return self.none()
            qs = self.filter(model.scope_q(paths, user=user, action=action))
        if permissions.is_classified(model):
            qs = qs.filter(secrecy__lte=permissions.clearance_of(user))
        return qs
