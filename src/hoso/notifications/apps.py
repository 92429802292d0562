from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-app notifications with optional e-mail, shared by every app
    (task reminders, meeting invitations, handbook replies)."""

    name = "hoso.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
