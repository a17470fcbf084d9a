from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import ServiceItem
from .services import ServiceItemData


class ServiceItemForm(forms.Form):
    """Typing only; the rules (unique code, price, duration) live in service_item_clean."""

    code = forms.CharField(label=_("Item code"), max_length=100)
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=ServiceItem.Category.choices)
    unit = forms.CharField(label=_("Unit"), max_length=100, help_text=_("Such as 次, 小时, 餐."))
    duration_minutes = forms.CharField(
        label=_("Duration (minutes)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    price = forms.CharField(
        label=_("Guide price (yuan)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    qualification = forms.CharField(label=_("Required qualification"), required=False)
    is_ltci = forms.BooleanField(label=_("LTCI item"), required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def for_item(cls, item: ServiceItem) -> "ServiceItemForm":
        return cls(
            initial={
                "code": item.code,
                "name": item.name,
                "category": item.category,
                "unit": item.unit,
                "duration_minutes": item.duration_minutes,
                "price": item.price,
                "qualification": item.qualification,
                "is_ltci": item.is_ltci,
                "is_active": item.is_active,
                "description": item.description,
            }
        )

    def data_object(self) -> ServiceItemData:
        return ServiceItemData(**self.cleaned_data)


class ServiceItemFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All")), *ServiceItem.Category.choices],
    )


WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


class MenuLineForm(forms.Form):
    """Typing only; the rules live in marketplace.menus.menu_line_propose."""

    item_id = forms.ChoiceField(label=_("Service"))
    price = forms.CharField(
        label=_("Your price (yuan)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    area_codes = forms.MultipleChoiceField(
        label=_("Where you serve"), widget=forms.CheckboxSelectMultiple
    )
    opens_at = forms.TimeField(
        label=_("Opens at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes_at = forms.TimeField(
        label=_("Closes at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, items, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_id"].choices = [("", "—")] + [(i.pk, i.name) for i in items]
        self.fields["area_codes"].choices = [(r.code, r.name) for r in areas]
