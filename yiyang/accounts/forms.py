"""Forms parse what people type; the rules live in accounts.services."""

import datetime as dt

from django import forms
from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiyang.core import registry
from yiyang.core.timeutils import LOCAL_TZ, local_today
from yiyang.core.validation import BoundedDateField, IdChoiceField
from yiyang.regions.models import Region

from .errors import BadCredentials
from .models import AccountChange
from .roles import ELDER_ROLES, ORGANISATION_ROLES, Role

PASSWORD_HELP = _(
    "At least 10 characters mixing three of: lower-case letters, upper-case letters, digits, "
    "symbols; not a common password, not only digits, not like the user name."
)


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.user = authenticate(self.request, username=data["username"], password=data["password"])
        if self.user is None:
            error = getattr(self.request, "auth_error", None)
            raise forms.ValidationError(
                error.message if error else BadCredentials.default_message,
                code=error.code if error else "bad_credentials",
            )
        return data


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_HELP,
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        a, b = data.get("new_password"), data.get("new_password2")
        if a and b and a != b:
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("User name, name or phone"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("active", _("Active")), ("disabled", _("Disabled"))],
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions"))] + [
            (r.code, _indent(r)) for r in regions
        ]


def _indent(region: Region) -> str:
    """Streets one step in from their district, communities two: the tree as officers see it."""
    return "\u3000" * max(region.level - Region.Level.DISTRICT, 0) + region.name


class RegionChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return _indent(obj)


class OrganisationChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.region.name}"


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    display_name = forms.CharField(label=_("Name"), max_length=60)
    phone = forms.RegexField(
        label=_("Mobile phone"),
        required=False,
        regex=r"^1\d{10}$",
        max_length=20,
        error_messages={"invalid": _("Enter an 11-digit mobile number starting with 1.")},
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    region = RegionChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        help_text=_("The district or street the account works in."),
    )
    community = RegionChoiceField(
        label=_("Community / village"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("Optional: narrow the region to one community (older people, families)."),
    )
    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        queryset=None,
        required=False,
        help_text=_("Required for caregivers and service-provider staff."),
    )
    elder_id_number = forms.CharField(
        label=_("Older person's ID number"),
        required=False,
        max_length=24,
        help_text=_("Required for an older person's own account: links it to their record."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_HELP,
    )

    def __init__(self, *args, regions, communities, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["community"].queryset = communities
        self.fields["organisation"].queryset = organisations
        # Choosing a region reloads the community and organisation choices beneath it (htmx).
        self.fields["region"].widget.attrs.update(
            {
                "hx-get": reverse("accounts:user_placement"),
                "hx-target": "#placement",
                "hx-trigger": "change",
                "hx-include": "[name='region']",
            }
        )

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        if not all(c.isalnum() or c in "@.+-_" for c in value) or not value.isascii():
            raise forms.ValidationError(_("Letters, digits and @ . + - _ only."))
        return value

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role not in ORGANISATION_ROLES:
            data["organisation"] = None
        if role not in ELDER_ROLES:
            data["elder_id_number"] = ""
        community, region = data.get("community"), data.get("region")
        if (
            community is not None
            and region is not None
            and not community.code.startswith(region.code)
        ):
            self.add_error("community", _("The community is not inside the chosen region."))
        return data

    @property
    def placement(self):
        """The region the account is bound to: the community when one is chosen."""
        return self.cleaned_data.get("community") or self.cleaned_data.get("region")


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_HELP,
    )


class AccountChangeForm(forms.Form):
    """Asking for a change to an administrator's account, or making it under the emergency
    procedure: which change and why."""

    kind = forms.ChoiceField(label=_("Change"), choices=AccountChange.Kind.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who asked, how they proved who they are, and why the change is needed."),
    )


class AccountChangeDecisionForm(forms.Form):
    """The note beside a decision; the step is the button pressed."""

    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("thing", "Name"),
        max_length=100,
        help_text=_("The system that will use the key, e.g. 'Panlong community system'."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=registry.api_scopes, widget=forms.CheckboxSelectMultiple
    )
    region = RegionChoiceField(label=_("Region"), queryset=Region.objects.none())
    expires_on = BoundedDateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for a key without expiry."),
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions

    @property
    def expires_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        # The key works through the whole of its last day, local time.
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=LOCAL_TZ)


class SecurityPolicyForm(forms.Form):
    max_failed_logins = forms.IntegerField(
        label=_("Failed sign-ins before lockout"), min_value=1, max_value=100
    )
    lockout_minutes = forms.IntegerField(label=_("Lockout minutes"), min_value=1, max_value=10080)
    password_max_age_days = forms.IntegerField(
        label=_("Password maximum age (days)"), min_value=1, max_value=3650
    )
    # Left empty, the numbers in force carry over to the new filing.
    sign_ins_per_ip_minute = forms.IntegerField(
        label=_("Sign-in attempts per address and minute"),
        min_value=1,
        max_value=10000,
        required=False,
        help_text=_("Empty: keep the number in force."),
    )
    api_calls_per_ip_minute = forms.IntegerField(
        label=_("API calls per address and minute"),
        min_value=1,
        max_value=1000000,
        required=False,
        help_text=_("Empty: keep the number in force."),
    )
    effective_from = BoundedDateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Today or a later day."),
    )

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day < local_today():
            raise forms.ValidationError(_("A policy cannot start in the past."))
        return day
