"""What the assessment app declares: who runs, performs and supervises assessments, what an
assessor may see, its menu section, its landing cards, and the assessor's phone landing."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiyang.accounts.roles import ASSESSMENT_OFFICERS, OFFICERS, SELF_ROLES, Role
from yiyang.api.routers import declare_router
from yiyang.core import policy, registry, scoping, transitions
from yiyang.core.registry import LandingCard, MenuEntry, Panel, capability
from yiyang.core.scoping import ASSESSOR, REGION
from yiyang.exchange import kinds as exchange_kinds
from yiyang.supervision.figures import FigureSet, declare_figures

from . import api, selectors, spreadsheets
from .models import AssessmentPolicy, AssessorProfile, Assignment
from .transitions import CASE

scoping.declare("assessment.assessment", region="region_code", elder="elder_id")
for child in ("assessordraw", "assignment", "discrepancy", "objection", "evidence"):
    scoping.declare(f"assessment.{child}", via="assessment")
scoping.declare("assessment.assessorprofile", region="region_code", organisation="organisation_id")
scoping.declare("assessment.assessortie", region="elder__region_code", elder="elder_id")


def _drawn_cases(actor) -> Q:
    return Q(pk__in=Assignment.objects.filter(assessor__user_id=actor.pk).values("assessment_id"))


# An assessor sees the cases they were drawn for, the people of those cases, their own pool
# entry and the organisation whose pool they are in: nothing else of the registry.
scoping.rule("assessment.assessment", ASSESSOR)(_drawn_cases)


@scoping.rule("people.elder", ASSESSOR)
def _people_of_drawn_cases(actor) -> Q:
    return Q(
        pk__in=Assignment.objects.filter(assessor__user_id=actor.pk).values("assessment__elder_id")
    )


@scoping.rule("institutions.organisation", ASSESSOR)
def _own_pool(actor) -> Q:
    return Q(pk__in=AssessorProfile.objects.filter(user_id=actor.pk).values("organisation_id"))


@scoping.rule("assessment.assessorprofile", ASSESSOR)
def _own_profile(actor) -> Q:
    return Q(user_id=actor.pk)


policy.declare_kind("assessment", AssessmentPolicy, keys=("instrument",))
transitions.declare(CASE)

registry.declare_capabilities(
    capability(
        "assessments.view",
        _("Read assessments and their conclusions"),
        roles=[*SELF_ROLES, Role.ASSESSOR, *OFFICERS],
        api=True,
    ),
    capability(
        "assessments.manage",
        _("File and decide assessment applications"),
        roles=ASSESSMENT_OFFICERS,
        api=True,
    ),
    capability("assessments.perform", _("Assess on site"), roles=[Role.ASSESSOR]),
    capability(
        "assessments.supervise",
        _("Read the assessment figures"),
        roles=[*ASSESSMENT_OFFICERS, Role.HEALTH],
    ),
    capability("assessments.policy", _("Keep the assessment policy"), roles=ASSESSMENT_OFFICERS),
)

registry.declare_section("assessment", pgettext_lazy("menu section", "Assessment"), order=20)
registry.declare_menu(
    "assessment",
    [
        MenuEntry("assessor:tasks", _("My assessment tasks"), "assessments.perform", order=10),
        MenuEntry("assessment:list", _("Assessments"), "assessments.view", order=20),
        MenuEntry("assessment:policies", _("Assessment policy"), "assessments.policy", order=40),
    ],
)

registry.declare_menu(
    "supervision",
    [MenuEntry("assessment:figures", _("Assessment figures"), "assessments.supervise", order=20)],
)
declare_figures(
    FigureSet(
        "assessment",
        _("Assessment"),
        _(
            "Assessors' and organisations' workload and turnaround, how often assessors "
            "disagree and applicants object, the grades in force by district, and assessors "
            "whose grades stray from their co-assessors'."
        ),
        capability="assessments.supervise",
        url_name="assessment:figures",
        order=10,
    )
)

registry.declare_cards(
    LandingCard(
        "assessment_cases",
        selectors.officer_tiles,
        capability="assessments.manage",
        scope_kinds=frozenset({REGION}),
        order=40,
    ),
    LandingCard(
        "assessment_visits",
        selectors.assessor_tiles,
        capability="assessments.perform",
        order=10,
    ),
)

registry.declare_panel(
    "people.elder",
    Panel("assessments", "assessment/_elder_panel.html", selectors.elder_panel, order=10),
)

# The assessor's phone opens straight on their tasks (the pages that work offline).
registry.declare_landing(roles=[Role.ASSESSOR], url_name="assessor:tasks", phones_only=True)

# Its sheets: the Excel template, import and export (exchange.kinds).
exchange_kinds.declare_kind(spreadsheets.KIND)

# Its REST endpoints (assessment/api.py), under /v1/assessments.
declare_router("/v1/assessments", api.router, order=50)
