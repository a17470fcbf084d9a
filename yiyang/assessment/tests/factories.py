"""Building blocks for assessment tests: a policy, a designated organisation with its pool,
officers, and answers from the standards' worked examples."""

import datetime as dt
import itertools
from dataclasses import dataclass

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.assessment.models import AssessmentPolicy, AssessorProfile
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory

# Worked example P4 of standards/assessment.md §6: grade 3, 重度失能Ⅰ级.
P4_ITEMS = {
    "ADL1": 5,
    "ADL2": 0,
    "ADL3": 0,
    "ADL4": 0,
    "ADL5": 0,
    "ADL6": 0,
    "ADL7": 0,
    "ADL8": 0,
    "ADL9": 0,
    "ADL10": 0,
    "COG1": 4,
    "COG2": 4,
    "COG3": 4,
    "COG4": 4,
    "PER1": 4,
    "PER2": 4,
    "PER3": 4,
}


def ltc_answers(**changes) -> dict:
    return {"items": {**P4_ITEMS, **changes}}


def policy(instrument="ltc-2021", region_code="", **overrides) -> AssessmentPolicy:
    values = {
        "effective_from": dt.date(2020, 1, 1),
        "acceptance_workdays": 5,
        "onsite_workdays": 10,
        "notice_workdays": 5,
        "entitlement_workdays": 30,
        "validity_months": 24,
        "reminder_days": 60,
        "reapply_bar_months": 6,
        "assessors_required": 2,
        "evidence_required": True,
        "source": "test policy",
        **overrides,
    }
    return AssessmentPolicy.objects.create(instrument=instrument, region_code=region_code, **values)


_PHONES = itertools.count(8710000)


@dataclass
class Pool:
    organisation: Organisation
    assessors: list[AssessorProfile]


def assessor_pool(city, size=4, name="昆明市失能评定中心") -> Pool:
    org = OrganisationFactory(
        name=name, kind=Organisation.Kind.ASSESSMENT, region=city.city, region_code=city.city.code
    )
    profiles = []
    for n in range(size):
        user = UserFactory(
            role=Role.ASSESSOR,
            region=city.city,
            display_name=f"评估员{n + 1}",
            phone=f"139{next(_PHONES):08d}",
        )
        profiles.append(
            AssessorProfile.objects.create(
                user=user,
                organisation=org,
                region_code=org.region_code,
                certificate_number=f"PG-{n:04d}",
                qualified_until=dt.date(2099, 12, 31),
            )
        )
    return Pool(org, profiles)


def officer(city, region=None, role=Role.MEDICAL_INSURANCE, **kwargs):
    return UserFactory(role=role, region=region or city.panlong, **kwargs)


def case_drawn(staff, elder, pool, *, instrument="ltc-2021", applicant="本人", seed=None):
    """A case of `elder` filed, accepted and with its assessors drawn from `pool`, fresh."""
    from yiyang.assessment import services
    from yiyang.assessment.models import Assessment

    case = services.application_file(
        actor=staff,
        data=services.ApplicationData(
            elder_id=elder.pk, instrument=instrument, applicant_name=applicant
        ),
    )
    services.application_accept(actor=staff, assessment_id=case.pk)
    services.assessors_draw(
        actor=staff,
        assessment_id=case.pk,
        organisation_id=pool.organisation.pk,
        **({"seed": seed} if seed else {}),
    )
    return Assessment.objects.get(pk=case.pk)
