"""Forms of the registry pages. They parse what was typed; people.services decides what is valid
and its field messages are put back beside the fields (core.console.add_domain_errors)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yiyang.core.console import add_remaining_errors
from yiyang.core.validation import BoundedDateField, parse_id
from yiyang.institutions.selectors import organisation_choices
from yiyang.regions.selectors import community_choices, region_filter_choices

from .models import Elder, Guardian
from .selectors import ElderFilters
from .services import ElderData, elder_clean

BLANK = [("", _("All"))]
YES_NO = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]


def _choices(choices):
    return BLANK + list(choices)


class ElderFilterForm(forms.Form):
    """The list's filters. A value that is not one of the choices is simply ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, pinyin, initials, ID number or phone"),
                "autocomplete": "off",
            }
        ),
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_choices(Elder.Status.choices)
    )
    living_arrangement = forms.ChoiceField(
        label=_("Living arrangement"), required=False, choices=_choices(Elder.Living.choices)
    )
    economic_status = forms.ChoiceField(
        label=_("Economic situation"), required=False, choices=_choices(Elder.Economic.choices)
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=_choices(Elder.Sex.choices))
    age_min = forms.IntegerField(
        label=_("Age from"), required=False, min_value=0, max_value=150, widget=forms.NumberInput
    )
    age_max = forms.IntegerField(
        label=_("Age to"), required=False, min_value=0, max_value=150, widget=forms.NumberInput
    )
    lives_alone = forms.ChoiceField(label=_("Lives alone"), required=False, choices=YES_NO)
    as_of = BoundedDateField(
        label=_("As on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Filter by what held on that day: community, status, living, economy."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        regions = region_filter_choices(actor)
        if regions:
            self.fields["region"].choices = _choices(regions)
        else:
            del self.fields["region"]

    def filters(self):
        """Filters from the values that parsed; bad ones drop out instead of failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        alone = data.get("lives_alone")
        return ElderFilters(
            q=data.get("q") or "",
            region_code=data.get("region") or "",
            status=data.get("status") or "",
            living_arrangement=data.get("living_arrangement") or "",
            economic_status=data.get("economic_status") or "",
            sex=data.get("sex") or "",
            age_min=data.get("age_min"),
            age_max=data.get("age_max"),
            lives_alone={"yes": True, "no": False}.get(alone),
            as_of=data.get("as_of"),
        )


class ElderForm(forms.Form):
    """Registration (with the ID number) and editing (with the version it was read at)."""

    name = forms.CharField(label=_("Name"), max_length=40)
    id_number = forms.CharField(
        label=_("National ID number"),
        max_length=22,
        help_text=_("18 characters; the date of birth and sex are read from it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    region = forms.ChoiceField(label=_("Community / village"))
    address = forms.CharField(label=_("Home address"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, required=False)
    lat = forms.CharField(
        label=_("Latitude"),
        required=False,
        max_length=20,
        help_text=_("Leave empty to use the community's centre."),
    )
    lng = forms.CharField(label=_("Longitude"), required=False, max_length=20)
    lives_alone = forms.BooleanField(label=_("Lives alone"), required=False)
    empty_nest = forms.BooleanField(label=_("Empty-nest"), required=False)
    special_family = forms.BooleanField(label=_("Special family-planning family"), required=False)
    economic_status = forms.ChoiceField(
        label=_("Economic situation"), choices=Elder.Economic.choices
    )
    insurance = forms.ChoiceField(label=_("Medical insurance"), choices=Elder.Insurance.choices)
    living_arrangement = forms.ChoiceField(
        label=_("Living arrangement"), choices=Elder.Living.choices
    )
    institution = forms.ChoiceField(
        label=_("Institution / day-care centre"),
        required=False,
        help_text=_("Required for people living in an institution."),
    )
    facts_from = BoundedDateField(
        label=_("Changes hold from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "The day a change of economic situation, insurance, living arrangement or community "
            "took effect; empty means today."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actor, elder: Elder | None = None, **kwargs):
        if "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(elder) if elder is not None else self.DEFAULTS
        super().__init__(*args, **kwargs)
        self.elder = elder
        communities = community_choices(actor)
        if elder is not None and not any(
            code == elder.region_code for _group, options in communities for code, _n in options
        ):
            # A retired community stays selectable for the people still filed under it.
            communities.append((str(elder.region), [(elder.region_code, str(elder.region))]))
        self.fields["region"].choices = [("", "---------"), *communities]
        institutions = organisation_choices(actor)
        if elder is not None and elder.institution_id:
            current = str(elder.institution_id)
            if current not in {pk for pk, _name in institutions}:
                institutions.append((current, str(elder.institution)))
        self.fields["institution"].choices = [("", "---------"), *institutions]
        if elder is not None:
            # The ID number is fixed once filed; birth date and sex come from it.
            del self.fields["id_number"]
        else:
            del self.fields["version"]
        self.actor = actor

    def clean(self):
        data = super().clean()
        if self.errors:
            add_remaining_errors(
                self,
                lambda: elder_clean(
                    actor=self.actor, data=self.data_for_service(), current=self.elder
                ),
            )
        return data

    # A new record starts from the model's defaults, never from the first option in a list
    # (which would file everybody as 特困).
    DEFAULTS = {
        "ethnicity": "汉族",
        "economic_status": Elder.Economic.ORDINARY,
        "insurance": Elder.Insurance.RESIDENT,
        "living_arrangement": Elder.Living.HOME,
    }

    @staticmethod
    def initial_for(elder: Elder) -> dict:
        return {
            "name": elder.name,
            "region": elder.region_code,
            "address": elder.address,
            "phone": elder.phone,
            "ethnicity": elder.ethnicity,
            "lat": "" if elder.lat is None else str(elder.lat),
            "lng": "" if elder.lng is None else str(elder.lng),
            "lives_alone": elder.lives_alone,
            "empty_nest": elder.empty_nest,
            "special_family": elder.special_family,
            "economic_status": elder.economic_status,
            "insurance": elder.insurance,
            "living_arrangement": elder.living_arrangement,
            "institution": str(elder.institution_id or ""),
            "version": elder.version,
        }

    def data_for_service(self) -> ElderData:
        d = getattr(self, "cleaned_data", {})
        institution = d.get("institution") or ""
        return ElderData(
            name=d.get("name", ""),
            id_number=d.get("id_number", ""),
            region_code=d.get("region", ""),
            address=d.get("address", ""),
            phone=d.get("phone", ""),
            ethnicity=d.get("ethnicity") or "汉族",
            lat=d.get("lat") or None,
            lng=d.get("lng") or None,
            lives_alone=d.get("lives_alone", False),
            empty_nest=d.get("empty_nest", False),
            special_family=d.get("special_family", False),
            economic_status=d.get("economic_status", ""),
            insurance=d.get("insurance", ""),
            living_arrangement=d.get("living_arrangement", ""),
            institution_id=parse_id(institution),
            facts_from=d.get("facts_from"),
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Elder.Status.choices)
    status_date = BoundedDateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the certificate or the new address."),
    )


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Why you need the full number; the reason is kept in the read log."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class GuardianForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    relation = forms.ChoiceField(label=_("Relation"), choices=Guardian.Relation.choices)
    phone = forms.CharField(label=_("Phone"), max_length=20)
    is_guardian = forms.BooleanField(label=_("Legal guardian"), required=False)
    is_emergency_contact = forms.BooleanField(
        label=_("Emergency contact"), required=False, initial=True
    )
    priority = forms.IntegerField(
        label=_("Call order"), initial=1, help_text=_("1 is called first.")
    )
    account_username = forms.CharField(
        label=_("Family account (user name)"),
        required=False,
        max_length=150,
        help_text=_("Optional: link the guardian's own account so they can see this record."),
    )


class HealthForm(forms.Form):
    chronic_conditions = forms.CharField(
        label=_("Chronic conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    medications = forms.CharField(
        label=_("Medications"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    allergies = forms.CharField(
        label=_("Allergies"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    blood_type = forms.CharField(label=_("Blood type"), required=False, max_length=8)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
