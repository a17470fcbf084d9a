"""Forms of the organisation pages; institutions.services decides what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiyang.core.console import add_remaining_errors
from yiyang.core.validation import BoundedDateField
from yiyang.regions.selectors import region_choices, region_filter_choices

from .models import Organisation
from .selectors import OrganisationFilters
from .services import OrganisationData, organisation_clean

BLANK = [("", _("All"))]


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, pinyin or credit code"),
                "autocomplete": "off",
            }
        ),
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=BLANK + list(Organisation.Kind.choices)
    )
    ownership = forms.ChoiceField(
        label=_("Public / private"),
        required=False,
        choices=BLANK + list(Organisation.Ownership.choices),
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    is_active = forms.ChoiceField(
        label=_("In operation"),
        required=False,
        choices=[("", _("All")), ("yes", _("Yes")), ("no", _("No"))],
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        regions = region_filter_choices(actor)
        if regions:
            self.fields["region"].choices = BLANK + regions
        else:
            del self.fields["region"]

    def filters(self) -> OrganisationFilters:
        """Filters from the values that parsed; bad ones drop out instead of failing the page."""
        self.is_valid()
        d = getattr(self, "cleaned_data", {})
        return OrganisationFilters(
            q=d.get("q") or "",
            kind=d.get("kind") or "",
            ownership=d.get("ownership") or "",
            region_code=d.get("region") or "",
            is_active={"yes": True, "no": False}.get(d.get("is_active")),
        )


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganisationForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=120)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=24,
        required=False,
        help_text=_("18 characters (GB 32100-2015)."),
    )
    # No preselected type: the officer must choose one.
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", "---------"), *Organisation.Kind.choices]
    )
    ownership = forms.ChoiceField(
        label=_("Public / private"), choices=[("", "---------"), *Organisation.Ownership.choices]
    )
    region = forms.ChoiceField(label=_("Region"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lat = forms.CharField(label=_("Latitude"), max_length=20, required=False)
    lng = forms.CharField(label=_("Longitude"), max_length=20, required=False)
    land_area = forms.CharField(label=_("Land area (m²)"), max_length=20, required=False)
    floor_area = forms.CharField(label=_("Floor area (m²)"), max_length=20, required=False)
    beds = forms.CharField(label=_("Beds"), max_length=10, required=False)
    has_medical_agreement = forms.BooleanField(
        label=_("Medical-care cooperation agreement"), required=False
    )
    licence_number = forms.CharField(
        label=_("Licence / filing number"), max_length=60, required=False
    )
    licence_valid_from = BoundedDateField(
        label=_("Licence valid from"), required=False, widget=_date_input()
    )
    licence_valid_to = BoundedDateField(
        label=_("Licence valid to"), required=False, widget=_date_input()
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    is_active = forms.BooleanField(label=_("In operation"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actor, organisation: Organisation | None = None, **kwargs):
        if organisation is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(organisation)
        super().__init__(*args, **kwargs)
        choices = region_choices(actor)
        if organisation is not None and organisation.region_code not in {c for c, _n in choices}:
            choices.append((organisation.region_code, str(organisation.region)))
        self.fields["region"].choices = [("", "---------"), *choices]
        if organisation is None:
            del self.fields["version"]
        self.actor, self.organisation = actor, organisation

    def clean(self):
        data = super().clean()
        if self.errors:
            add_remaining_errors(
                self,
                lambda: organisation_clean(
                    actor=self.actor, data=self.data_for_service(), current=self.organisation
                ),
            )
        return data

    @staticmethod
    def initial_for(org: Organisation) -> dict:
        def text(value):
            return "" if value is None else str(value)

        return {
            "name": org.name,
            "credit_code": org.credit_code or "",
            "kind": org.kind,
            "ownership": org.ownership,
            "region": org.region_code,
            "address": org.address,
            "lat": text(org.lat),
            "lng": text(org.lng),
            "land_area": text(org.land_area),
            "floor_area": text(org.floor_area),
            "beds": text(org.beds),
            "has_medical_agreement": org.has_medical_agreement,
            "licence_number": org.licence_number,
            "licence_valid_from": org.licence_valid_from,
            "licence_valid_to": org.licence_valid_to,
            "contact_name": org.contact_name,
            "contact_phone": org.contact_phone,
            "is_active": org.is_active,
            "version": org.version,
        }

    def data_for_service(self) -> OrganisationData:
        d = getattr(self, "cleaned_data", {})
        return OrganisationData(
            name=d.get("name", ""),
            kind=d.get("kind", ""),
            ownership=d.get("ownership", ""),
            region_code=d.get("region", ""),
            credit_code=d.get("credit_code", ""),
            address=d.get("address", ""),
            lat=d.get("lat") or None,
            lng=d.get("lng") or None,
            land_area=d.get("land_area") or None,
            floor_area=d.get("floor_area") or None,
            beds=d.get("beds") or None,
            has_medical_agreement=d.get("has_medical_agreement", False),
            licence_number=d.get("licence_number", ""),
            licence_valid_from=d.get("licence_valid_from"),
            licence_valid_to=d.get("licence_valid_to"),
            contact_name=d.get("contact_name", ""),
            contact_phone=d.get("contact_phone", ""),
            is_active=d.get("is_active", False),
        )
