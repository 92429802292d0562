from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hoso.accounts"
    label = "accounts"
    verbose_name = _("People and access")

    def ready(self) -> None:
        # Sign-in, sign-out and failed sign-in are audited through auth signals.
        from hoso.accounts import signals  # noqa: F401
