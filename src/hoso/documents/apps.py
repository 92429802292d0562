from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "hoso.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        # Documents copy their organization's path; follow subtree moves.
        from hoso.core import waiting
        from hoso.documents import casefiles, services, signals  # noqa: F401

        # The home page lists the user's document desks and files due.
        waiting.register(services.waiting_items)
        waiting.register(casefiles.waiting_items)
