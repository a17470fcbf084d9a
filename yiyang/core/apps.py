from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yiyang.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app's `declarations` module states its capabilities, scope rules, menu section
        # and landing cards (core.registry); importing them all here, once models are loaded,
        # collects them before the first request.
        autodiscover_modules("declarations")
