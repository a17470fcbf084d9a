"""Forms of the assessment pages. They parse what was typed; assessment.services decides what is
valid, and its field messages are put back beside the fields (core.console.add_domain_errors)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yiyang.core.divisions import city_of
from yiyang.core.timeutils import local_today
from yiyang.core.validation import BoundedDateField
from yiyang.institutions.models import Organisation
from yiyang.regions.selectors import region_filter_choices

from . import grading
from .models import Assessment, AssessmentPolicy
from .selectors import AssessmentFilters

BLANK = [("", _("All"))]


def instrument_choices(*, current_only: bool = False) -> list[tuple[str, str]]:
    ids = grading.instrument_ids()
    if current_only:
        ids = [i for i in ids if AssessmentPolicy.objects.filter(instrument=i).exists()]
    return [(i, grading.instrument_load(i).title) for i in ids]


class AssessmentFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Case number or name"), "autocomplete": "off"}
        ),
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=BLANK + list(Assessment.Status.choices)
    )
    instrument = forms.ChoiceField(label=_("Standard"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = BLANK + region_filter_choices(actor)
        self.fields["instrument"].choices = BLANK + instrument_choices()

    def filters(self) -> AssessmentFilters:
        if not self.is_valid():
            return AssessmentFilters()
        c = self.cleaned_data
        return AssessmentFilters(
            q=c["q"],
            status=c["status"],
            instrument=c["instrument"],
            region_code=c["region"],
            overdue=c["overdue"],
        )


class ApplicationForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Standard"))
    trigger = forms.ChoiceField(
        label=_("Reason for assessment"),
        choices=[c for c in Assessment.Trigger.choices if c[0] != Assessment.Trigger.IMPORTED],
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Assessment.Channel.choices)
    applicant_name = forms.CharField(label=_("Applicant"), max_length=40)
    applicant_relation = forms.CharField(
        label=_("Applicant's relation"),
        max_length=20,
        required=False,
        help_text=_("本人, spouse, son, guardian, agent…"),
    )
    applicant_phone = forms.CharField(label=_("Applicant's phone"), max_length=20, required=False)
    applied_on = BoundedDateField(
        label=_("Applied on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = instrument_choices(current_only=True)
        self.fields["applied_on"].initial = local_today()


class RefuseForm(forms.Form):
    refusal_reason = forms.ChoiceField(
        label=_("Ground for refusal"), choices=Assessment.Refusal.choices
    )
    refusal_note = forms.CharField(
        label=_("Details"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DrawForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Assessment organisation"))

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.filter(kind=Organisation.Kind.ASSESSMENT, is_active=True)
        if case is not None:
            orgs = orgs.filter(region_code__startswith=city_of(case.region_code))
        self.fields["organisation"].choices = [(o.pk, o.name) for o in orgs.order_by("name")]


class ReconcileForm(forms.Form):
    value = forms.ChoiceField(label=_("Agreed answer"))
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        if choices:
            self.fields["value"].choices = list(choices)
        else:
            # diagnoses and risk-event counts have no option list: typed, checked by the service
            self.fields["value"] = forms.CharField(label=_("Agreed answer"), max_length=200)


class ObjectionForm(forms.Form):
    filed_on = BoundedDateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    filed_by = forms.CharField(label=_("Filed by"), max_length=40)
    reason = forms.CharField(
        label=_("Grounds"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filed_on"].initial = local_today()


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Photo, video or PDF"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = AssessmentPolicy
        fields = [
            "instrument",
            "region_code",
            "effective_from",
            "acceptance_workdays",
            "onsite_workdays",
            "notice_workdays",
            "entitlement_workdays",
            "validity_months",
            "reminder_days",
            "reapply_bar_months",
            "assessors_required",
            "evidence_required",
            "source",
        ]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "instrument": forms.Select(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].widget.choices = instrument_choices()
