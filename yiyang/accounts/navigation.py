"""The console's navigation: each entry names the capability that shows it."""

from django.utils.translation import gettext_lazy as _

# (url name, label, capability or None for everyone signed in)
NAVIGATION = [
    ("home", _("Home"), None),
]


def navigation_for(user) -> list[tuple[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        (name, label) for name, label, cap in NAVIGATION if cap is None or user.has_capability(cap)
    ]
