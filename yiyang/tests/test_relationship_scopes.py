"""Relationship scopes: an assessor sees the people of the cases they were drawn for and nothing
else of the registry, a caregiver the residents of their care home; rules of several apps for
one model add up; a rule `via` a relation follows the parent's rules, whoever declared them.

The console's pages are walked as a drawn assessor against another case of the same district,
so a page added later that reads around scoping fails here."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.urls import get_resolver

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.assessment import services
from yiyang.assessment.models import Assessment, Assignment, Evidence
from yiyang.assessment.tests.factories import (
    assessor_pool,
    case_drawn,
    ltc_answers,
    officer,
    policy,
)
from yiyang.core import scoping
from yiyang.core.exceptions import NotFound
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people.models import Elder, Guardian, HealthProfile
from yiyang.people.tests.factories import ElderFactory
from yiyang.tests.test_scoping_walk import SKIP, _patterns, _text


def _case(staff, elder, pool):
    return case_drawn(staff, elder, pool, seed="s")


@pytest.fixture
def drawn(city):
    """Two cases of Panlong; the assessor `me` was drawn for the first only."""
    policy()
    staff = officer(city)
    pool = assessor_pool(city, size=2)
    other_pool = assessor_pool(city, size=2, name="五华评估中心")
    mine = ElderFactory(region=city.panlong_community, name="甲所评老人")
    theirs = ElderFactory(region=city.panlong_community, name="乙隐藏老人")
    Guardian.objects.create(elder=mine, name="甲女儿", relation="child", phone="13800001111")
    Guardian.objects.create(elder=theirs, name="乙隐藏女儿", relation="child", phone="13800002222")
    my_case = _case(staff, mine, pool)
    their_case = _case(staff, theirs, other_pool)
    me = Assignment.objects.filter(assessment=my_case).first().assessor.user
    return {
        "me": me,
        "mine": mine,
        "theirs": theirs,
        "my_case": my_case,
        "their_case": their_case,
        "pool": pool,
        "other_pool": other_pool,
        "staff": staff,
    }


def test_an_assessor_sees_the_people_of_their_cases_and_no_one_else(drawn):
    me = drawn["me"]
    assert me.scope_kind == scoping.ASSESSOR
    assert list(scoping.scoped(Elder.objects.all(), me)) == [drawn["mine"]]
    assert list(scoping.scoped(Assessment.objects.all(), me)) == [drawn["my_case"]]
    # what hangs off a person or a case follows them
    guardians = scoping.scoped(Guardian.objects.all(), me)
    assert [g.name for g in guardians] == ["甲女儿"]
    assignments = scoping.scoped(Assignment.objects.all(), me)
    assert {a.assessment_id for a in assignments} == {drawn["my_case"].pk}
    # the organisation whose pool they are in, and no other
    assert list(scoping.scoped(Organisation.objects.all(), me)) == [drawn["pool"].organisation]
    with pytest.raises(NotFound):
        scoping.scoped_get(Elder.objects.all(), me, pk=drawn["theirs"].pk)


def test_an_assessor_of_the_same_district_who_was_not_drawn_sees_nothing(city, drawn):
    stranger = UserFactory(role=Role.ASSESSOR, region=city.panlong)
    assert not scoping.scoped(Elder.objects.all(), stranger).exists()
    assert not scoping.scoped(Assessment.objects.all(), stranger).exists()


def test_a_caregiver_sees_the_residents_of_their_care_home(city):
    home = OrganisationFactory(region=city.panlong_street)
    resident = ElderFactory(
        region=city.panlong_community, institution=home, living_arrangement="institution"
    )
    ElderFactory(region=city.panlong_community)
    caregiver = UserFactory(role=Role.CAREGIVER, region=city.panlong, organisation=home)
    assert caregiver.scope_kind == scoping.CAREGIVER
    assert list(scoping.scoped(Elder.objects.all(), caregiver)) == [resident]
    assert list(scoping.scoped(Organisation.objects.all(), caregiver)) == [home]
    HealthProfile.objects.create(elder=resident, allergies="青霉素")
    assert scoping.scoped(HealthProfile.objects.all(), caregiver).count() == 1


def test_rules_of_two_apps_for_one_model_add_up(city, monkeypatch):
    # given a provider sees its residents, and another app adds the people it serves at home
    home = OrganisationFactory(region=city.panlong_street)
    resident = ElderFactory(
        region=city.panlong_community, institution=home, living_arrangement="institution"
    )
    served = ElderFactory(region=city.panlong_community)
    ElderFactory(region=city.panlong_community)
    staff = UserFactory(role=Role.PROVIDER, region=city.panlong, organisation=home)
    key = ("people.elder", scoping.ORGANISATION)
    monkeypatch.setitem(scoping._rules, key, [*scoping._rules[key], lambda a: Q(pk=served.pk)])
    # then staff see both, once each, and what hangs off them follows
    assert sorted(
        scoping.scoped(Elder.objects.all(), staff).values_list("pk", flat=True)
    ) == sorted([resident.pk, served.pk])
    Guardian.objects.create(
        elder=served, name="服务对象家属", relation="child", phone="13800009999"
    )
    assert scoping.scoped(Guardian.objects.all(), staff).count() == 1


def test_a_rule_seen_through_a_relation_keeps_negation_and_nesting():
    q = ~Q(a=1) | (Q(b__in=[2]) & ~Q(c=3))
    seen = scoping._prefixed(q, "elder")
    assert str(seen) == str(~Q(elder__a=1) | (Q(elder__b__in=[2]) & ~Q(elder__c=3)))


def test_a_model_without_rules_is_refused_not_shown(city):
    from yiyang.marketplace.models import ServiceItem

    with pytest.raises(ImproperlyConfigured):
        scoping.scoped(ServiceItem.objects.all(), UserFactory(region=city.panlong))


def test_an_unknown_scope_kind_cannot_be_declared():
    with pytest.raises(ImproperlyConfigured):
        scoping.rule("people.elder", "neighbour")


def _fill(path: str, ids: dict) -> str | None:
    replacements = {
        "elders/<int:pk>": f"elders/{ids['elder']}",
        "<int:guardian_pk>": ids["guardian"],
        "assessments/<int:pk>": f"assessments/{ids['case']}",
        "assessments/apply/<int:elder_id>": f"assessments/apply/{ids['elder']}",
        "<int:evidence_id>": ids["evidence"],
        "<int:assignment_id>": ids["assignment"],
        "organisations/<int:pk>": f"organisations/{ids['org']}",
    }
    for token, value in replacements.items():
        path = path.replace(token, str(value))
    return None if "<" in path else "/" + path


def test_a_drawn_assessor_walks_every_page_and_never_sees_another_case(client, drawn):
    from yiyang.assessment.evidence import evidence_store_bytes

    their_case = drawn["their_case"]
    evidence = evidence_store_bytes(
        actor=drawn["staff"], assessment_id=their_case.pk, name="乙隐藏.jpg", data=b"\xff\xd8" * 9
    )
    assert isinstance(evidence, Evidence)
    theirs = {
        "elder": drawn["theirs"].pk,
        "guardian": drawn["theirs"].guardians.first().pk,
        "case": their_case.pk,
        "evidence": evidence.pk,
        "assignment": Assignment.objects.filter(assessment=their_case).first().pk,
        "org": drawn["other_pool"].organisation.pk,
    }
    client.force_login(drawn["me"])
    walked = 0
    for path, name, _pattern in _patterns(get_resolver().url_patterns):
        if path.startswith("api/") or name in SKIP:
            continue
        url = _fill(path, theirs)
        if url is None:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            walked += 1
            assert response.status_code != 500, (method, url)
            if response.status_code == 200:
                assert "乙隐藏" not in _text(response), (method, url)
    assert walked > 40
    # and their own person's record opens
    assert client.get(f"/elders/{drawn['mine'].pk}/").status_code == 200
    assert client.get(f"/assessments/{drawn['my_case'].pk}/").status_code == 200


def test_a_drawn_assessor_still_submits_their_form(drawn):
    me, case = drawn["me"], drawn["my_case"]
    assignment = Assignment.objects.get(assessment=case, assessor__user=me)
    services.assignment_save(
        actor=me, assignment_id=assignment.pk, answers=ltc_answers(), submit=True
    )
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None


def _order_fill(path: str, ids: dict) -> str | None:
    replacements = {
        "elders/<int:pk>": f"elders/{ids['elder']}",
        "<int:guardian_pk>": ids["guardian"],
        "orders/<int:pk>": f"orders/{ids['order']}",
        "<int:complaint_id>": ids["complaint"],
        "<int:payment_id>": ids["payment"],
        "<int:standing_id>": ids["standing"],
        "<int:task_id>": ids["callback"],
        "<slug:step>": "accept",
    }
    for token, value in replacements.items():
        path = path.replace(token, str(value))
    return None if "<" in path else "/" + path


@pytest.fixture
def serving(city):
    """One home-care provider with two caregivers; the first serves 甲 now; another provider's
    order for 乙, whose name and note must never show to either."""
    import datetime as dt

    from yiyang.marketplace.models import (
        CallbackTask,
        Complaint,
        Payment,
        RecurringOrder,
    )
    from yiyang.marketplace.tests.factories import order_row

    home_care = Organisation.Kind.HOME_CARE
    mine = OrganisationFactory(region=city.panlong_street, kind=home_care, name="甲方居家服务")
    other = OrganisationFactory(region=city.panlong_street, kind=home_care, name="乙方居家服务")
    me = UserFactory(role=Role.CAREGIVER, region=city.panlong, organisation=mine)
    colleague = UserFactory(role=Role.CAREGIVER, region=city.panlong, organisation=mine)
    manager = UserFactory(role=Role.PROVIDER, region=city.panlong, organisation=mine)
    ours = ElderFactory(region=city.panlong_community, name="甲老人")
    theirs = ElderFactory(region=city.panlong_community, name="乙隐藏")
    Guardian.objects.create(elder=theirs, name="乙隐藏女儿", relation="child", phone="13800007777")
    my_order = order_row(mine, ours, code="REL-A")
    my_order.status, my_order.caregiver = "assigned", me
    my_order.save()
    their_order = order_row(other, theirs, code="REL-B", marker="乙隐藏地址")
    ids = {
        "elder": theirs.pk,
        "guardian": theirs.guardians.first().pk,
        "order": their_order.pk,
        "complaint": Complaint.objects.create(
            order=their_order,
            elder=theirs,
            region_code=theirs.region_code,
            provider=other,
            category="late",
            text="乙隐藏投诉",
            due_on=dt.date(2026, 12, 31),
        ).pk,
        "payment": Payment.objects.create(
            order=their_order, amount=1, method="cash", paid_at=their_order.created_at,
            receipt_number="SJREL-B",
        ).pk,
        "standing": RecurringOrder.objects.create(
            elder=theirs, region_code=theirs.region_code, provider=other, offer=their_order.offer,
            weekday=2, starts_at=dt.time(9), ends_at=dt.time(11), first_day=dt.date(2026, 12, 1),
            channel="phone",
        ).pk,
        "callback": CallbackTask.objects.create(
            elder=theirs, region_code=theirs.region_code, raised_at=their_order.created_at
        ).pk,
    }  # fmt: skip
    return {"me": me, "colleague": colleague, "manager": manager, "ours": ours, "my_order": my_order, "ids": ids}  # fmt: skip


def test_a_caregiver_and_a_provider_walk_every_page_and_never_see_anothers_order(client, serving):
    walked = 0
    for actor in (serving["me"], serving["manager"], serving["colleague"]):
        client.force_login(actor)
        for path, name, _pattern in _patterns(get_resolver().url_patterns):
            if path.startswith("api/") or name in SKIP:
                continue
            url = _order_fill(path, serving["ids"])
            if url is None:
                continue
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                walked += 1
                assert response.status_code != 500, (actor.role, method, url)
                if response.status_code == 200:
                    assert "乙隐藏" not in _text(response), (actor.role, method, url)
    assert walked > 120
    # the caregiver opens the person they serve now, and their colleague does not
    client.force_login(serving["me"])
    assert client.get(f"/elders/{serving['ours'].pk}/").status_code == 200
    assert client.get(f"/orders/{serving['my_order'].pk}/").status_code == 200
    client.force_login(serving["colleague"])
    assert client.get(f"/elders/{serving['ours'].pk}/").status_code == 404
