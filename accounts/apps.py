from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and login")

    def ready(self) -> None:
        from django.contrib import admin

        from accounts import signals  # noqa: F401  (connects the receivers)
        from accounts.views import admin_login

        # Django admin logs in through our two-step login, never its own form.
        admin.site.login = admin_login
