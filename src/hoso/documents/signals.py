"""Keeping documents' copied organization path in step with the tree."""

from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.dispatch import receiver

from hoso.organizations.signals import subtree_moved


@receiver(subtree_moved, dispatch_uid="documents_follow_subtree")
def follow_subtree(sender, old_path: str, new_path: str, **kwargs) -> None:
    """Documents copy their organization's path (so the permission filter
    needs no join); when a subtree moves, rewrite the copies in the same
    transaction."""
    from hoso.documents.models import Document

    Document.objects.filter(org_path__startswith=old_path).update(
        org_path=Concat(Value(new_path), Substr("org_path", len(old_path) + 1))
    )
