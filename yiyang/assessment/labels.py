"""How the graders' refusals and the definitions' bare ids read to people, through gettext.

The graders speak English with stable codes (errors.CODES) because `yiyang grade` talks to
scripts; pages and the phone form show these instead.
"""

from django.utils.translation import gettext_lazy

from .errors import Problem

PROBLEM_MESSAGES = {
    "missing_item": gettext_lazy("Not answered yet."),
    "bad_score": gettext_lazy("Choose one of the options."),
    "bad_type": gettext_lazy("This answer is not in the expected form."),
    "unknown_item": gettext_lazy("This form has no such item."),
    "unknown_field": gettext_lazy("This form does not take this answer."),
    "bad_diagnosis": gettext_lazy("Enter ICD-10 codes such as F00 or F03.9."),
    "unknown_risk_event": gettext_lazy("This form has no such risk event."),
    "bad_risk_event": gettext_lazy("Choose one of the counts."),
}

# GB/T 42195 A.2.14 / MZ/T 039 care-risk events; the definition files carry only their ids
# through `grading.Instrument`, so their names are given here, through gettext.
RISK_EVENT_LABELS = {
    "fall": gettext_lazy("Falls"),
    "wandering": gettext_lazy("Wandering off, getting lost"),
    "choking": gettext_lazy("Choking on food"),
    "suicide_self_harm": gettext_lazy("Suicide or self-harm"),
    "other": gettext_lazy("Other care-risk events"),
}


def problem_message(problem: Problem) -> str:
    """A grading problem in the reader's language."""
    return str(PROBLEM_MESSAGES.get(problem.code, problem.message))
