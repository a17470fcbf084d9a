"""The supervision figures of assessment (DESIGN.md §2.12): workload, turnaround, disagreement,
objections, grades in force and assessors whose grades stray. Read-only; GET only."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from yiyang.core.console import domain_errors_as_http
from yiyang.core.scoping import require
from yiyang.core.validation import BoundedDateField

from . import figures
from .grading import instrument_ids, instrument_load


def _instrument_choices() -> list[tuple[str, str]]:
    """The shipped instrument definitions, read from their files (cached): no query."""
    return [(i, f"{instrument_load(i).title} ({i})") for i in instrument_ids()]


class AssessmentFiguresForm(forms.Form):
    date_from = BoundedDateField(
        label=_("Applied from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, such as 2025-01-01.")},
    )
    date_to = BoundedDateField(
        label=_("Applied to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, such as 2025-12-31.")},
    )
    instrument = forms.ChoiceField(label=_("Instrument"), required=False)
    min_cases = forms.IntegerField(
        label=_("Minimum shared cases"),
        required=False,
        initial=figures.DEFAULT_MIN_CASES,
        min_value=0,
        max_value=100_000,
        error_messages={
            "invalid": _("Enter the minimum number of shared cases as a whole number, e.g. 10."),
            "min_value": _("The minimum number of shared cases cannot be negative."),
            "max_value": _("The minimum number of shared cases can be at most 100000."),
        },
    )
    gap = forms.DecimalField(
        label=_("Grade gap"),
        required=False,
        initial=figures.DEFAULT_GAP,
        min_value=0,
        max_value=10,
        max_digits=4,
        decimal_places=2,
        error_messages={
            "invalid": _("Enter the grade gap as a number, e.g. 0.5."),
            "min_value": _("The grade gap cannot be negative."),
            "max_value": _("The grade gap can be at most 10."),
            "max_digits": _("The grade gap can be at most 10, with up to two decimals."),
            "max_decimal_places": _("The grade gap can have at most two decimals."),
            "max_whole_digits": _("The grade gap can be at most 10."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [("", _("All instruments")), *_instrument_choices()]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date lies before the start date."))
        return data

    def choices(self) -> tuple[figures.FigureFilters, int, object]:
        """The filter and thresholds as far as they were understood: a field with an error
        falls back to its default, and its message stands beside it."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        filters = figures.FigureFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            instrument=data.get("instrument") or "",
        )
        min_cases = data.get("min_cases")
        gap = data.get("gap")
        return (
            filters,
            figures.DEFAULT_MIN_CASES if min_cases is None else min_cases,
            figures.DEFAULT_GAP if gap is None else gap,
        )


def _grade_charts(grades: list[dict]) -> list[dict]:
    """One stacked bar chart per instrument: every district along the axis, one series per
    grade in the instrument's order (mildest first, so the colours darken with the grade), the
    bars in cases per 1,000 older people on record, the counts beside them for the tooltip."""
    return [
        {
            "id": table["instrument"],
            "title": table["title"],
            "districts": [line["name"] for line in table["districts"]],
            "unit": _("per 1,000 older people"),
            "cases": _("cases"),
            "series": [
                {
                    "name": grade["label"],
                    "data": [line["rates"][i] or 0 for line in table["districts"]],
                    "counts": [line["counts"][i] for line in table["districts"]],
                }
                for i, grade in enumerate(table["grades"])
            ],
        }
        for table in grades
    ]


@require_GET
@domain_errors_as_http
def assessment_figures(request):
    require(request.user, figures.CAPABILITY)
    form = AssessmentFiguresForm(request.GET or None)
    filters, min_cases, gap = form.choices()
    found = figures.assessment_figures(
        actor=request.user, filters=filters, min_cases=min_cases, gap=gap
    )
    return render(
        request,
        "assessment/figures.html",
        {
            "form": form,
            "filters": filters,
            "min_cases": min_cases,
            "gap": gap,
            "charts": _grade_charts(found["grades"]),
            **found,
        },
    )
