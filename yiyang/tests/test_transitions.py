"""Every life cycle the apps declare (core.transitions) refuses every step its table does not
allow: from every status, by every kind of actor. And the assessment services consult their
table: each service step at a status the table does not allow is refused and changes nothing,
and the case page offers exactly the steps the table allows."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.assessment import selectors, services
from yiyang.assessment.models import Assessment
from yiyang.assessment.tests.factories import assessor_pool, officer, policy
from yiyang.assessment.transitions import CASE
from yiyang.core import registry, transitions
from yiyang.core.exceptions import PermissionDenied
from yiyang.core.transitions import Machine, Step, TransitionRefused
from yiyang.people.tests.factories import ElderFactory

MACHINES = transitions.machines()


class Everyone:
    """An actor holding every declared capability."""

    pk = 0
    is_authenticated = True

    def has_capability(self, capability):
        return registry.is_declared(capability)


class Nobody(Everyone):
    def has_capability(self, capability):
        return False


def _cases(machine):
    return [(machine, step, status) for step in machine.steps for status in machine.statuses]


def test_the_apps_declare_their_life_cycles():
    assert "assessment.assessment" in {m.entity for m in MACHINES}


@pytest.mark.parametrize(
    ("machine", "step", "status"),
    [c for m in MACHINES for c in _cases(m)],
    ids=lambda v: getattr(v, "entity", None) or getattr(v, "name", None) or str(v),
)
def test_a_step_from_a_status_the_table_does_not_list_is_refused_by_anyone(machine, step, status):
    record = SimpleNamespace(**{machine.field: status})
    if status in step.source:
        return  # allowed from here: covered below
    for actor, by_platform in ((Everyone(), False), (None, True)):
        with pytest.raises(TransitionRefused):
            machine.check(actor, record, step.name, by_platform=by_platform)


@pytest.mark.parametrize(
    ("machine", "step"),
    [(m, s) for m in MACHINES for s in m.steps],
    ids=lambda v: getattr(v, "entity", None) or getattr(v, "name", None),
)
def test_who_may_take_a_step_is_the_tables_answer(machine, step):
    record = SimpleNamespace(**{machine.field: sorted(step.source)[0]})
    # nobody without the capability or the relation takes it
    with pytest.raises(PermissionDenied):
        machine.check(Nobody(), record, step.name)
    # the platform's own steps are never a person's, whatever they hold
    if step.by_platform:
        with pytest.raises(PermissionDenied):
            machine.check(Everyone(), record, step.name)
    else:
        assert registry.is_declared(step.capability), (machine.entity, step.name)


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.entity)
def test_every_status_is_reached_or_left_by_some_step(machine):
    touched = {s for step in machine.steps for s in step.source} | {
        step.target for step in machine.steps if step.target
    }
    assert set(machine.statuses.values) <= touched


def test_a_table_naming_a_status_the_model_lacks_is_a_bug():
    with pytest.raises(ImproperlyConfigured):
        Machine("x.y", Assessment.Status, [Step("go", "go", {"applied"}, "nowhere")])


# --- the assessment services consult their table -----------------------------------------------


@pytest.fixture
def world(city):
    policy()
    return assessor_pool(city), officer(city), ElderFactory(region=city.panlong_community)


def _service_steps(pool, staff, case):
    return {
        "accept": lambda: services.application_accept(actor=staff, assessment_id=case.pk),
        "refuse": lambda: services.application_refuse(
            actor=staff, assessment_id=case.pk, reason=Assessment.Refusal.NOT_INSURED
        ),
        "draw": lambda: services.assessors_draw(
            actor=staff, assessment_id=case.pk, organisation_id=pool.organisation.pk
        ),
        "conclude": lambda: services.assessment_conclude(actor=staff, assessment_id=case.pk),
        "notice": lambda: services.notice_publish(actor=staff, assessment_ids=[case.pk]),
        "effective": lambda: services.assessment_make_effective(actor=staff, assessment_id=case.pk),
        "withdraw": lambda: services.application_withdraw(
            actor=staff, assessment_id=case.pk, note="本人撤回"
        ),
    }


@pytest.mark.parametrize("status", [Assessment.Status.REFUSED, Assessment.Status.WITHDRAWN])
def test_every_service_step_the_table_refuses_at_a_status_changes_nothing(world, status):
    pool, staff, elder = world
    case = services.application_file(
        actor=staff,
        data=services.ApplicationData(
            elder_id=elder.pk, instrument="ltc-2021", applicant_name="本人"
        ),
    )
    if status == Assessment.Status.REFUSED:
        services.application_refuse(
            actor=staff, assessment_id=case.pk, reason=Assessment.Refusal.NOT_INSURED
        )
    else:
        services.application_withdraw(actor=staff, assessment_id=case.pk, note="本人撤回")
    case.refresh_from_db()
    before = (case.status, case.version)
    for name, call in _service_steps(pool, staff, case).items():
        assert not CASE.allows(case, name)
        with pytest.raises(TransitionRefused):
            call()
        case.refresh_from_db()
        assert (case.status, case.version) == before, name


def test_the_case_page_and_the_api_offer_exactly_the_tables_steps(client, city, world):
    _pool, staff, elder = world
    case = services.application_file(
        actor=staff,
        data=services.ApplicationData(
            elder_id=elder.pk, instrument="ltc-2021", applicant_name="本人"
        ),
    )
    expected = [s.name for s in CASE.offered(staff, case)]
    assert expected == ["accept", "refuse", "add_evidence", "withdraw"]
    client.force_login(staff)
    detail = client.get(reverse("assessment:detail", args=[case.pk])).context["d"]
    assert detail.steps == expected
    assert detail.actions == ["accept", "refuse", "withdraw"]
    body = client.get(f"/api/v1/assessments/{case.pk}").json()
    assert body["steps"] == expected
    # an officer who may only read is offered nothing
    reader = officer(city, role=Role.HEALTH)
    assert selectors.steps_offered(reader, case) == []
