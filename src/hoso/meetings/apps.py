from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Paperless meetings: schedule, invitations, agenda with documents,
    QR check-in, speaking queue, open and secret votes, minutes, conclusions
    and online conference bridges (issue 7, SPEC E1–E2)."""

    name = "hoso.meetings"
    label = "meetings"
    verbose_name = _("Meetings")
