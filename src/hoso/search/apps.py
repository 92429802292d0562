from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "hoso.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # The index follows every change of a document, its files and the
        # organization tree through the outbox (see hoso.search.signals).
        from django.db.models.signals import post_delete, post_save

        from hoso.documents.models import Attachment, Document
        from hoso.organizations.signals import subtree_moved
        from hoso.search import signals

        post_save.connect(
            signals.document_saved, sender=Document, dispatch_uid="search_doc_saved"
        )
        post_delete.connect(
            signals.document_deleted,
            sender=Document,
            dispatch_uid="search_doc_deleted",
        )
        for signal, uid in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(
                signals.attachment_changed,
                sender=Attachment,
                dispatch_uid=f"search_attachment_{uid}",
            )
        subtree_moved.connect(
            signals.subtree_moved, dispatch_uid="search_subtree_moved"
        )
