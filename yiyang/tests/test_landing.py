"""The landing page of each role, filled by the cards the apps declare: the work waiting today
and the figures in the officer's scope, the provider's organisation, an older person's own
records in large print, the administrators' tasks; few queries. Assessors on a phone land on
their task list."""

import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people.models import Elder, Guardian
from yiyang.people.tests.factories import ElderFactory


def _cards(response) -> dict:
    return response.context["landing"].values()


def _resolves(name, *args) -> bool:
    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


@pytest.fixture
def registry(city):
    """Panlong: two homes (30 + 20 beds), one community centre; four active people (two at
    home, one in day care, one in a home) and one deceased. Wuhua: one home, one person."""
    home = OrganisationFactory(region=city.panlong_street, beds=30)
    OrganisationFactory(region=city.panlong_street, beds=20)
    OrganisationFactory(
        region=city.panlong_street, beds=None, kind=Organisation.Kind.COMMUNITY_CENTRE
    )
    OrganisationFactory(region=city.wuhua_street, beds=99)
    ElderFactory(region=city.panlong_community)
    ElderFactory(region=city.panlong_community2)
    ElderFactory(region=city.panlong_community, living_arrangement=Elder.Living.COMMUNITY)
    resident = ElderFactory(
        region=city.panlong_community, living_arrangement=Elder.Living.INSTITUTION, institution=home
    )
    ElderFactory(
        region=city.panlong_community, status=Elder.Status.DECEASED, status_date="2024-01-01"
    )
    ElderFactory(region=city.wuhua_community)
    return {"home": home, "resident": resident}


# Nine queries: six for the session, the user and the page frame, two for the registry's
# figures, one for the assessment cases (the default officer, civil affairs, runs them).
def test_an_officer_sees_the_figures_of_their_district(
    client, city, registry, django_assert_max_num_queries
):
    officer = UserFactory(region=city.panlong)
    client.force_login(officer)
    # one query or two per card: the registry's, the assessments' and the marketplace's (its
    # complaints, disputed orders and menu lines to approve are three tables)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    cards = _cards(response)
    assert cards["elders"] == 4
    assert cards["organisations"] == 3
    assert cards["care_homes"] == 2
    assert cards["beds"] == 50
    living = {
        row["key"]: (row["value"], row["share"])
        for row in response.context["landing"].panel("registry")["living"]
    }
    assert living == {"home": (2, 50.0), "community": (1, 25.0), "institution": (1, 25.0)}


def test_a_wuhua_officer_sees_none_of_panlongs_figures(client, city, registry):
    client.force_login(UserFactory(region=city.wuhua))
    cards = _cards(client.get(reverse("home")))
    assert cards["elders"] == 1 and cards["organisations"] == 1 and cards["beds"] == 99


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.CAREGIVER])
def test_provider_staff_and_caregivers_see_their_organisation(client, city, registry, role):
    staff = UserFactory(role=role, region=city.panlong, organisation=registry["home"])
    client.force_login(staff)
    response = client.get(reverse("home"))
    head = response.context["landing"].panel("own_organisation")
    assert head["organisation"] == registry["home"]
    assert b'data-testid="my-organisation"' in response.content
    cards = _cards(response)
    assert cards["residents"] == 1 and cards["beds"] == 30
    assert cards["occupancy"] == pytest.approx(3.3)


def test_an_older_person_sees_their_own_record_in_large_print(
    client, city, registry, django_assert_max_num_queries
):
    me = ElderFactory(region=city.panlong_community, name="张桂兰")
    account = UserFactory(role=Role.ELDER, region=city.panlong_community, elder=me)
    client.force_login(account)
    with django_assert_max_num_queries(9):  # the last one: their services coming and to confirm
        response = client.get(reverse("home"))
    people = response.context["landing"].panel("my_people")["elders"]
    assert [p["name"] for p in people] == ["张桂兰"]
    assert people[0]["is_self"]
    assert b"elder-card" in response.content
    if _resolves("people:detail", me.pk):
        assert people[0]["url"] == reverse("people:detail", args=[me.pk])
        assert people[0]["url"].encode() in response.content
    else:
        assert people[0]["url"] is None


def test_a_family_member_sees_their_wards_and_nobody_else(client, city, registry):
    ward = ElderFactory(region=city.panlong_community, name="刘德明")
    family = UserFactory(role=Role.FAMILY, region=city.panlong_community)
    Guardian.objects.create(
        elder=ward, name="儿子", relation="child", phone="13800000000", account=family
    )
    client.force_login(family)
    people = client.get(reverse("home")).context["landing"].panel("my_people")["elders"]
    assert [p["name"] for p in people] == ["刘德明"]
    assert not people[0]["is_self"]


@pytest.mark.parametrize(
    ("role", "keys"),
    [
        (Role.SYSTEM_ADMIN, {"accounts", "locked", "disabled", "api_keys"}),
        (
            Role.SECURITY_ADMIN,
            {
                "max_failed_logins",
                "lockout_minutes",
                "password_max_age_days",
                "account_changes_waiting",
            },
        ),
        (Role.AUDIT_ADMIN, {"changes_today", "lockouts_today", "reads_today"}),
    ],
)
def test_administrators_see_their_tasks(client, city, role, keys, django_assert_max_num_queries):
    admin = UserFactory(role=role, region=city.panlong)
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("home"))
    landing = response.context["landing"]
    assert set(_cards(response)) - keys <= TASK_LINKS[role]
    assert keys <= set(_cards(response))
    assert landing.tasks  # what they come to do, as links
    assert landing.panel("registry") is None and "elders" not in _cards(response)


# The administrators' work lists also hold links without a count.
TASK_LINKS = {
    Role.SYSTEM_ADMIN: {"user_create", "user_find", "api_key_issue"},
    Role.SECURITY_ADMIN: {"policy_file"},
    Role.AUDIT_ADMIN: {"audit_search"},
}


def test_locked_accounts_are_the_system_administrators_urgent_work(client, city):
    from django.utils import timezone

    # given a locked account in the administrator's district
    UserFactory(region=city.panlong, locked_until=timezone.now() + dt.timedelta(minutes=9))
    client.force_login(UserFactory(role=Role.SYSTEM_ADMIN, region=city.panlong))
    # when they open their landing page
    response = client.get(reverse("home"))
    landing = response.context["landing"]
    # then the locked account heads the work list, marked urgent
    assert landing.tasks[0].key == "locked" and landing.tasks[0].value == 1
    assert landing.tasks[0].is_urgent
    assert b'class="urgent"' in response.content


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"


def test_an_assessor_on_a_phone_lands_on_their_tasks_and_on_a_desktop_sees_a_work_list(
    client, city
):
    assessor = UserFactory(role=Role.ASSESSOR, region=city.panlong)
    client.force_login(assessor)
    # on a phone the home page is their task list
    response = client.get(reverse("home"), HTTP_USER_AGENT=IPHONE)
    assert response.status_code == 302 and response["Location"] == reverse("assessor:tasks")
    # on a desktop it is a work list that leads there
    response = client.get(reverse("home"), HTTP_USER_AGENT=DESKTOP)
    assert response.status_code == 200
    tasks = {t.key: t for t in response.context["landing"].tasks}
    assert tasks["visits_open"].value == 0 and tasks["visits_open"].url == reverse("assessor:tasks")


def test_an_officer_on_a_phone_still_lands_on_the_home_page(client, city):
    client.force_login(UserFactory(region=city.panlong))
    assert client.get(reverse("home"), HTTP_USER_AGENT=IPHONE).status_code == 200
