"""Audit of sign-in, sign-out and failed sign-in.

Connected through Django's auth signals (imported in AppConfig.ready) because
these events happen inside django.contrib.auth and django-axes, not in our
services.
"""

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from hoso.core import audit


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in, dispatch_uid="hoso_audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    """Record a successful sign-in."""
    audit.record(
        "auth.login",
        actor=user,
        object_type="auth.user",
        object_id=str(user.pk),
        object_repr=user.get_username(),
        client_ip=_client_ip(request),
    )


@receiver(user_logged_out, dispatch_uid="hoso_audit_logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    """Record a sign-out (user is None when the session had already expired)."""
    if user is None:
        return
    audit.record(
        "auth.logout",
        actor=user,
        object_type="auth.user",
        object_id=str(user.pk),
        object_repr=user.get_username(),
        client_ip=_client_ip(request),
    )


@receiver(user_login_failed, dispatch_uid="hoso_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Record a failed sign-in with the username tried (never the password)."""
    username = str(credentials.get("username", ""))[:150]
    audit.record(
        "auth.login_failed",
        object_type="auth.user",
        object_repr=username,
        client_ip=_client_ip(request),
    )
