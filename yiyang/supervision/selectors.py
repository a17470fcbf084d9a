"""Read-only figures for supervision: the landing page's numbers, data completeness."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yiyang.core.scoping import scoped


def landing_summary(*, actor) -> list[dict]:
    from yiyang.institutions.models import Organisation
    from yiyang.people.models import Elder

    items = []
    if actor.has_capability("elders.view"):
        elders = scoped(Elder.objects.all(), actor)
        items.append(
            {
                "label": _("Older people on record"),
                "value": elders.filter(status="active").count(),
                "url": reverse("people:list"),
            }
        )
    if actor.has_capability("orgs.view"):
        items.append(
            {
                "label": _("Organisations"),
                "value": scoped(Organisation.objects.all(), actor).count(),
                "url": reverse("institutions:list"),
            }
        )
    return items
