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

        from django.core import checks

        checks.register(_declared_capabilities)


def _declared_capabilities(app_configs, **kwargs):
    """Every capability a declaration names is declared by some app."""
    from django.core import checks

    from .registry import undeclared

    return [
        checks.Error(
            f"{where} names the capability {code!r}, which no app declares", id="yiyang.E001"
        )
        for where, code in undeclared()
    ]
