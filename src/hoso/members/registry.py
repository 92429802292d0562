"""Citizen-ID check against the national population registry.

The connector (`HttpRegistryConnector`) speaks the small JSON API that the
bundled simulator (`hoso registry-sim`, `registry_sim.py`) serves, documented
in docs/registry-api.md:

    POST /v1/citizens/verify
      {"citizen_id": "001085000111", "full_name": "…", "date_of_birth": "1985-09-02"}
    200 {"found": true, "match": true | false, "mismatched": ["full_name", …]}
    404 {"found": false}

Checks never run inside a web request: `request_check` stores a pending
`CitizenIdCheck` and enqueues `tasks.check_citizen_id` after the commit. The
job calls the registry with a time-out, retries an unreachable registry a
few times with a growing delay, and stores the result and its time on the
check and on the member.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoso.core import audit, permissions
from hoso.members.choices import CitizenCheckStatus, EventKind
from hoso.members.models import CitizenIdCheck, Member, MemberEvent

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
RETRY_DELAYS = (5, 30, 120)  # seconds before attempts 2, 3, 4


class RegistryUnavailable(Exception):
    """The registry did not answer (time-out, refused, 5xx)."""


@dataclass
class RegistryAnswer:
    found: bool
    match: bool = False
    mismatched: list[str] = field(default_factory=list)


class HttpRegistryConnector:
    """The population registry over HTTP (JSON), with a time-out."""

    def __init__(self, base_url: str | None = None, timeout: float | None = None):
        self.base_url = (base_url or settings.MEMBERS_REGISTRY_URL).rstrip("/")
        self.timeout = timeout or settings.MEMBERS_REGISTRY_TIMEOUT
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("The registry URL must be http(s).")

    def verify(self, citizen_id: str, full_name: str, date_of_birth) -> RegistryAnswer:
        body = json.dumps(
            {
                "citizen_id": citizen_id,
                "full_name": full_name,
                "date_of_birth": date_of_birth.isoformat(),
            }
        ).encode()
        # The scheme is checked in __init__: http(s) only.
        request = urllib.request.Request(  # noqa: S310
            f"{self.base_url}/v1/citizens/verify",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                data = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return RegistryAnswer(found=False)
            raise RegistryUnavailable(f"HTTP {exc.code}") from exc
        except (OSError, ValueError) as exc:  # refused, time-out, bad JSON
            raise RegistryUnavailable(str(exc) or type(exc).__name__) from exc
        return RegistryAnswer(
            found=bool(data.get("found", True)),
            match=bool(data.get("match")),
            mismatched=[str(x) for x in data.get("mismatched", [])],
        )


def get_connector() -> HttpRegistryConnector:
    return HttpRegistryConnector()


def request_check(member: Member, *, acting_user) -> CitizenIdCheck:
    """Queue a check of the member's citizen ID (answers at once; the job
    does the talking)."""
    if not permissions.has_permission(
        acting_user, "members.view_sensitive_member", member.organization
    ):
        raise PermissionDenied
    if not member.citizen_id:
        raise ValidationError({"citizen_id": _("The member has no citizen ID.")})
    from hoso.members.tasks import check_citizen_id

    with transaction.atomic():
        member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
        check = CitizenIdCheck.objects.create(member=member, requested_by=acting_user)
        member.citizen_check_status = CitizenCheckStatus.PENDING
        member.save(update_fields=["citizen_check_status"])
        audit.record(
            "members.citizen_check_requested",
            obj=member,
            actor=acting_user,
            changes={"check": [None, check.pk]},
        )
        transaction.on_commit(lambda: check_citizen_id.enqueue(check.pk))
    return check


def run_check(check_id: int, connector=None) -> str:
    """One attempt of a check; returns the check's status afterwards.

    Idempotent: a check that is no longer pending is left alone. An
    unreachable registry leaves it pending for a retry until the attempts
    are used up, then marks it failed.
    """
    connector = connector or get_connector()
    with transaction.atomic():
        check = (
            CitizenIdCheck.objects.select_for_update(of=("self",))
            .select_related("member__organization")
            .filter(pk=check_id)
            .first()
        )
        if check is None or check.status != CitizenCheckStatus.PENDING:
            return check.status if check else "missing"
        member = check.member
        check.attempts += 1
        try:
            answer = connector.verify(
                member.citizen_id, member.full_name, member.date_of_birth
            )
        except RegistryUnavailable as exc:
            check.message = str(exc)[:500]
            if check.attempts < MAX_ATTEMPTS:
                check.save(update_fields=["attempts", "message"])
                return CitizenCheckStatus.PENDING
            status = CitizenCheckStatus.FAILED
        else:
            if not answer.found:
                status = CitizenCheckStatus.NOT_FOUND
            elif answer.match:
                status = CitizenCheckStatus.VERIFIED
            else:
                status = CitizenCheckStatus.MISMATCH
            check.mismatched = answer.mismatched
            check.message = ""
        now = timezone.now()
        check.status = status
        check.checked_at = now
        check.save()
        Member.objects.filter(pk=member.pk).update(
            citizen_check_status=status, citizen_checked_at=now
        )
        MemberEvent.objects.create(
            member=member,
            kind=EventKind.CITIZEN_ID_CHECKED,
            on=timezone.localdate(),
            organization=member.organization,
            details={"status": status, "mismatched": check.mismatched},
        )
        audit.record(
            "members.citizen_checked",
            obj=member,
            changes={
                "citizen_check_status": [CitizenCheckStatus.PENDING, status],
                "mismatched": [None, check.mismatched],
            },
        )
    return status
