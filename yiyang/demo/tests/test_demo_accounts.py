import pytest
from django.test import Client

from yiyang.accounts.models import User
from yiyang.accounts.roles import Role
from yiyang.core.exceptions import NotFound
from yiyang.core.scoping import scoped_get
from yiyang.demo.services import DEMO_PASSWORD, ROLE_ACCOUNTS, demo_accounts_ensure
from yiyang.people.models import Elder, Guardian
from yiyang.people.selectors import elder_list


def test_there_is_a_demo_account_for_every_role(small_city):
    roles = set(
        User.objects.filter(username__in=[a.username for a in ROLE_ACCOUNTS]).values_list(
            "role", flat=True
        )
    )
    assert roles == set(Role.values)
    assert len(Role.values) == 13


def test_each_demo_account_signs_in_with_the_documented_password(small_city):
    for spec in ROLE_ACCOUNTS:
        # given the demo city and one of its accounts
        client = Client()
        # when the account signs in on the login page
        response = client.post(
            "/accounts/login/", {"username": spec.username, "password": DEMO_PASSWORD}
        )
        # then it is let in and sees its landing page
        assert response.status_code == 302, (spec.username, response.content[:300])
        assert client.get("/").status_code == 200, spec.username


def test_accounts_are_bound_to_panlong_except_the_city_and_wuhua_officers(small_city):
    accounts = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    assert accounts["demo_civil_city"].region_code == "5301"
    assert accounts["demo_civil_wuhua"].region_code == "530102"
    for spec in ROLE_ACCOUNTS:
        if spec.username not in ("demo_civil_city", "demo_civil_wuhua"):
            assert accounts[spec.username].region_code == "530103"
    assert accounts["demo_provider"].organisation.name == "盘龙区黑龙潭鸿福老年公寓"
    assert accounts["demo_caregiver"].organisation.region_code.startswith("530103")
    # and every home-care provider has a manager and caregivers
    providers = User.objects.filter(username__startswith="demo_provider_")
    caregivers = User.objects.filter(username__startswith="demo_caregiver_")
    assert providers.count() == 42 and caregivers.count() == 126
    assert {u.organisation.kind for u in providers.select_related("organisation")} == {"home_care"}


def test_the_elder_and_family_accounts_see_only_their_own_record(small_city):
    elder_user = User.objects.get(username="demo_elder")
    family = User.objects.get(username="demo_family")
    assert elder_user.elder.region_code.startswith("530103")
    assert Guardian.objects.get(account=family).elder_id == elder_user.elder_id
    assert list(elder_list(actor=elder_user).values_list("id", flat=True)) == [elder_user.elder_id]
    assert list(elder_list(actor=family).values_list("id", flat=True)) == [elder_user.elder_id]


def test_panlong_and_wuhua_officers_see_only_their_own_district(small_city):
    # given the Panlong, Wuhua and city officers of the demo
    panlong = User.objects.get(username="demo_civil")
    wuhua = User.objects.get(username="demo_civil_wuhua")
    city = User.objects.get(username="demo_civil_city")
    in_panlong = Elder.objects.filter(region_code__startswith="530103")
    in_wuhua = Elder.objects.filter(region_code__startswith="530102")
    assert in_panlong.exists() and in_wuhua.exists()
    # when each lists older people
    # then each sees exactly their own district, and the city officer sees all
    assert set(elder_list(actor=panlong).values_list("id", flat=True)) == set(
        in_panlong.values_list("id", flat=True)
    )
    assert set(elder_list(actor=wuhua).values_list("id", flat=True)) == set(
        in_wuhua.values_list("id", flat=True)
    )
    assert elder_list(actor=city).count() == Elder.objects.count()
    # and an outsider asking for a Panlong record by id gets NotFound
    with pytest.raises(NotFound):
        scoped_get(Elder.objects.all(), wuhua, pk=in_panlong.first().pk)


def test_demo_accounts_can_be_reset_after_a_lockout(small_city):
    # given a demo account locked after failed sign-ins
    user = User.objects.get(username="demo_civil")
    client = Client()
    for _ in range(6):
        client.post("/accounts/login/", {"username": "demo_civil", "password": "wrong-Password1"})
    user.refresh_from_db()
    assert user.locked_until is not None
    # when the demo accounts are ensured again
    demo_accounts_ensure()
    # then it signs in again, and nothing was duplicated
    response = client.post(
        "/accounts/login/", {"username": "demo_civil", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert User.objects.filter(username="demo_civil").count() == 1
