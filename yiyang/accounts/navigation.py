"""The console's navigation: each entry names the capability that shows it."""

from django.utils.translation import gettext_lazy as _

# (url name, label, capability or None for everyone signed in)
NAVIGATION = [
    ("home", _("Home"), None),
    ("people:list", _("Older people"), "elders.view"),
    ("institutions:list", _("Organisations"), "orgs.view"),
    ("assessor:tasks", _("My assessment tasks"), "assessments.perform"),
    ("assessment:list", _("Assessments"), "assessments.view"),
    ("marketplace:list", _("Service items"), "service_items.view"),
    ("exchange:imports", _("Import / export"), "imports.run"),
    ("exchange:completeness", _("Data completeness"), "completeness.view"),
    ("regions:browse", _("Regions"), "regions.manage"),
    ("accounts:users", _("Accounts"), "accounts.manage"),
    ("accounts:api_keys", _("API keys"), "api_keys.manage"),
    ("events:list", _("Event deliveries"), "events.manage"),
    ("accounts:security", _("Security policy"), "security.manage"),
    ("supervision:assessments", _("Assessment figures"), "assessments.supervise"),
    ("assessment:policies", _("Assessment policy"), "assessments.policy"),
    ("calendar:list", _("Holiday calendar"), "calendar.manage"),
    ("supervision:audit", _("Audit trail"), "audit.view"),
]


def navigation_for(user) -> list[tuple[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        (name, label) for name, label, cap in NAVIGATION if cap is None or user.has_capability(cap)
    ]
