from django import forms
from django.utils.translation import gettext_lazy as _

from . import kinds
from .models import ImportJob


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Data"), choices=())
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
        self.fields["kind"].choices = kinds.labels(kinds.importable(user))
