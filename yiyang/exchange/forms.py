from django import forms
from django.utils.translation import gettext_lazy as _

from yiyang.institutions.forms import OrganisationFilterForm
from yiyang.institutions.selectors import OrganisationFilters
from yiyang.marketplace.models import ServiceItem
from yiyang.marketplace.selectors import ServiceItemFilters
from yiyang.people.forms import ElderFilterForm
from yiyang.people.selectors import ElderFilters

from .models import ImportJob
from .services import CAPABILITIES


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Data"), choices=ImportJob.Kind.choices)
    mode = forms.ChoiceField(
        label=_("When some rows have errors"),
        choices=ImportJob.Mode.choices,
        initial=ImportJob.Mode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("Excel file"),
        help_text=_("An .xlsx file made from the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the kinds this account may import (the service checks again).
        self.fields["kind"].choices = [
            (value, label)
            for value, label in ImportJob.Kind.choices
            if user is not None and all(user.has_capability(c) for c in CAPABILITIES[value])
        ]


def _text(query, name: str) -> str:
    return (query.get(name) or "").strip()[:100]


def _bool(query, name: str) -> bool | None:
    return {"yes": True, "1": True, "true": True, "no": False, "0": False, "false": False}.get(
        _text(query, name).lower()
    )


def elder_filters(query, *, actor) -> ElderFilters:
    """The elder list's own filters, read from its query string exactly as the list reads it."""
    return ElderFilterForm(query, actor=actor).filters()


def organisation_filters(query, *, actor) -> OrganisationFilters:
    return OrganisationFilterForm(query, actor=actor).filters()


def service_item_filters(query, *, actor=None) -> ServiceItemFilters:
    category = _text(query, "category")
    return ServiceItemFilters(
        q=_text(query, "q"),
        category=category if category in ServiceItem.Category.values else "",
        is_ltci=_bool(query, "is_ltci"),
        is_active=_bool(query, "is_active"),
    )


FILTERS = {
    "elders": elder_filters,
    "organisations": organisation_filters,
    "service_items": service_item_filters,
}
