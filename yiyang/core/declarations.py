"""What core declares: the audit trail's scope, the holiday calendar, the home page."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import registry, scoping
from .registry import MenuEntry, capability

scoping.declare("core.changelog", region="region_code")
scoping.declare("core.accesslog", region="region_code")

registry.declare_capabilities(
    capability(
        "calendar.manage",
        _("Keep the official holiday calendar"),
        # By value: core sits below the accounts app that defines the roles (the officers who
        # run cases whose deadlines count working days).
        roles=("civil_affairs", "medical_insurance"),
    ),
    # Watching and retrying the delivery of domain events (core.outbox): operations, read by
    # the system administrator, whose pages name records by id and never show personal data.
    capability("events.manage", _("Watch and retry event deliveries"), roles=("system_admin",)),
)

# The console's sections that several apps fill; an app with a section of its own declares it.
registry.declare_section("home", "", order=0)
registry.declare_section("registry", pgettext_lazy("menu section", "Registry"), order=10)
registry.declare_section("data", pgettext_lazy("menu section", "Data"), order=40)
registry.declare_section(
    "administration", pgettext_lazy("menu section", "Administration"), order=90
)

registry.declare_menu("home", [MenuEntry("home", _("Home"), None)])
registry.declare_menu(
    "administration",
    [
        MenuEntry("events:list", _("Event deliveries"), "events.manage", order=50),
        MenuEntry("calendar:list", _("Holiday calendar"), "calendar.manage", order=60),
    ],
)
