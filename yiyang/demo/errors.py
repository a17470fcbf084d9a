from django.utils.translation import gettext_lazy as _

from yiyang.core.exceptions import DomainError


class DemoCityMismatch(DomainError):
    """Demo city: the database holds a demo city built with other options, or the options
    cannot build one."""

    code = "demo_city_mismatch"
    status = 409
    default_message = _("This database holds a different demo city; rebuild it with --force.")


class RegistryNotDemo(DomainError):
    """Demo city: the database holds older people the demo generator did not make."""

    code = "registry_not_demo"
    status = 409
    default_message = _(
        "This database holds older people the demo generator did not make; it will not touch "
        "them. Use an empty database for the demo city."
    )


class RegistryReferenced(DomainError):
    """Demo city: other records point at the demo city's people or organisations."""

    code = "registry_referenced"
    status = 409
    default_message = _("Other records point at the demo city's people or organisations.")

    def __init__(self, *, tables: list[str]):
        super().__init__(
            _(
                "Records in %(tables)s point at the demo city's people or organisations; "
                "delete them before rebuilding the demo city."
            )
            % {"tables": ", ".join(tables)}
        )
