"""The holiday calendar pages: officers enter the State Council's notice for a year the installed
package does not cover. Each view parses input, calls core.calendar, and renders."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import calendar
from .console import add_domain_errors, domain_errors_as_http
from .exceptions import DomainError, ValidationFailed


class CalendarYearForm(forms.Form):
    source = forms.CharField(
        label=gettext_lazy("Notice"),
        max_length=calendar.SOURCE_MAX,
        help_text=gettext_lazy("Title or number, e.g. 国务院办公厅关于2027年部分节假日安排的通知"),
    )
    days = forms.CharField(
        label=gettext_lazy("Days the notice changes"),
        widget=forms.Textarea(attrs={"rows": 24, "cols": 40, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One day a line: the date, 休 (rest) or 班 (work), and a name, e.g. "
            "2027-01-01 休 元旦 or 2027-02-06 班 调休上班. List only the weekdays off and the "
            "weekends worked; every other day follows the week."
        ),
    )

    def clean_days(self):
        try:
            return calendar.calendar_year_parse(self.cleaned_data["days"])
        except ValidationFailed as exc:
            raise forms.ValidationError([str(message) for message in exc.fields.values()]) from exc


@require_GET
@domain_errors_as_http
def calendar_list(request):
    rows = calendar.calendar_year_list(actor=request.user)
    return render(
        request,
        "core/calendar_list.html",
        {"rows": rows, "built_in_through": calendar.built_in_through()},
    )


@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def calendar_edit(request, year: int):
    current = calendar.calendar_year_get(actor=request.user, year=year)
    form = CalendarYearForm(
        request.POST or None, initial={"source": current.source, "days": current.text}
    )
    if request.method == "POST" and form.is_valid():
        try:
            calendar.calendar_year_save(
                actor=request.user,
                year=year,
                source=form.cleaned_data["source"],
                days=form.cleaned_data["days"],
            )
        except DomainError as exc:
            # A bad row (`days.<index>`) names its date, so it reads well beside the textarea.
            aliases = {name: "days" for name in exc.fields if name.startswith("days.")}
            add_domain_errors(form, exc, aliases=aliases)
        else:
            messages.success(
                request, _("The holiday calendar for %(year)s is saved.") % {"year": year}
            )
            return redirect("calendar:list")
    return render(
        request,
        "core/calendar_edit.html",
        {"form": form, "current": current, "built_in_through": calendar.built_in_through()},
    )


@require_POST
@domain_errors_as_http
def calendar_delete(request, year: int):
    calendar.calendar_year_delete(actor=request.user, year=year)
    messages.success(
        request, _("The entered holiday calendar for %(year)s is removed.") % {"year": year}
    )
    return redirect("calendar:list")
