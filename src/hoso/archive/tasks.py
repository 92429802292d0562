"""Background jobs of the archive (django-tasks, database backend)."""

from django_tasks import task

from hoso.archive import services
from hoso.organizations.models import Organization


@task()
def scan_organization(organization_id: int, user_id: int | None = None) -> dict:
    """Fingerprint an organization's archive and flag its duplicates (the
    "Scan" button and API enqueue this: a large archive takes minutes)."""
    from django.contrib.auth import get_user_model

    organization = Organization.objects.get(pk=organization_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    result = services.scan_organization(organization, acting_user=user)
    return {
        "documents": result.documents,
        "fingerprinted": result.fingerprinted,
        "flags_created": result.flags_created,
    }
