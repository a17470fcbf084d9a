from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "yiyang.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .services import on_user_logged_in

        # Every sign-in passes through django.contrib.auth.login(); noting the password's
        # deadline there means no session, however it began, skips the password-age check.
        user_logged_in.connect(on_user_logged_in, dispatch_uid="yiyang-password-deadline")
