"""The system administrator's account pages: list, create, detail, enable/disable, reset,
always inside the administrator's own region."""

import pytest
from django.urls import reverse

from yiyang.accounts.models import User
from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import PASSWORD, UserFactory
from yiyang.core.models import ChangeLog
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people.tests.factories import ElderFactory, id_number_for

from .conftest import sign_in, signed_in

NEW = "Kunming-Spring-2027#"


def _accounts(response) -> list[str]:
    return [u.username for u in response.context["page_obj"]]


def test_an_administrator_lists_only_the_accounts_of_their_region(client, city, panlong_admin):
    # given accounts in Panlong (district and community) and in Wuhua
    UserFactory(username="pl_officer", region=city.panlong)
    UserFactory(username="pl_family", role=Role.FAMILY, region=city.panlong_community)
    UserFactory(username="wh_officer", region=city.wuhua)
    UserFactory(username="city_officer", region=city.city)
    client.force_login(panlong_admin)
    # when the Panlong administrator opens the list
    response = client.get(reverse("accounts:users"))
    # then only Panlong's accounts are there
    assert response.status_code == 200
    assert _accounts(response) == ["pl_family", "pl_officer", "sys_panlong"]


def test_the_account_list_searches_and_filters(client, city, panlong_admin):
    UserFactory(username="wangfang", display_name="王芳", role=Role.DOCTOR, region=city.panlong)
    UserFactory(username="lina", display_name="李娜", region=city.panlong_street)
    UserFactory(username="zhaolei", display_name="赵磊", region=city.panlong, is_active=False)
    client.force_login(panlong_admin)
    url = reverse("accounts:users")
    assert _accounts(client.get(url, {"q": "wang"})) == ["wangfang"]
    assert _accounts(client.get(url, {"q": "李"})) == ["lina"]
    assert _accounts(client.get(url, {"role": Role.DOCTOR})) == ["wangfang"]
    assert _accounts(client.get(url, {"region": city.panlong_street.code})) == ["lina"]
    assert _accounts(client.get(url, {"status": "disabled"})) == ["zhaolei"]
    # a region outside the administrator's is not a choice, and is ignored
    response = client.get(url, {"region": city.wuhua.code, "role": "nonsense"})
    assert response.status_code == 200
    assert "wangfang" in _accounts(response)


def test_the_account_list_pages_in_fifties_with_few_queries(
    client, city, panlong_admin, django_assert_max_num_queries
):
    for n in range(60):
        UserFactory(username=f"officer{n:03d}", region=city.panlong)
    client.force_login(panlong_admin)
    with django_assert_max_num_queries(10):
        first = client.get(reverse("accounts:users"))
    assert len(first.context["page_obj"]) == 50 and first.context["page_obj"].has_next()
    second = client.get(reverse("accounts:users"), {"page": 2})
    assert len(second.context["page_obj"]) == 11
    assert client.get(reverse("accounts:users"), {"page": "-3"}).status_code == 200
    assert client.get(reverse("accounts:users"), {"page": "zz"}).status_code == 200


def _create_data(city, **over):
    data = {
        "username": "new_officer",
        "display_name": "新同事",
        "phone": "13812345678",
        "role": Role.CIVIL_AFFAIRS,
        "region": city.panlong_street.pk,
        "password": NEW,
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_an_administrator_opens_an_account_who_can_then_sign_in(client, city, panlong_admin):
    client.force_login(panlong_admin)
    # when the form is filled in
    response = client.post(reverse("accounts:user_create"), _create_data(city))
    # then the account exists where it was placed, and its change is in the history
    user = User.objects.get(username="new_officer")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[user.pk])
    assert user.region == city.panlong_street and user.region_code == city.panlong_street.code
    assert user.password_changed_at is not None
    row = ChangeLog.objects.get(entity_type="accounts.user", entity_id=user.pk, action="create")
    assert row.actor == panlong_admin
    # and the new account signs in with its password
    client.logout()
    assert sign_in(client, "new_officer", NEW).status_code == 302


def test_a_community_narrows_the_region_of_a_new_account(client, city, panlong_admin):
    client.force_login(panlong_admin)
    data = _create_data(
        city, role=Role.FAMILY, username="family1", community=city.panlong_community.pk
    )
    assert client.post(reverse("accounts:user_create"), data).status_code == 302
    assert User.objects.get(username="family1").region == city.panlong_community


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"password": "abcdefgh1234"}, "password"),
        ({"password": "new_officer1A"}, "password"),
        ({"username": "sys_panlong"}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": ""}, "username"),
        ({"display_name": ""}, "display_name"),
        ({"phone": "12345"}, "phone"),
        ({"role": "emperor"}, "role"),
        ({"region": "999999"}, "region"),
        ({"region": "abc"}, "region"),
        ({"region": "²"}, "region"),
        ({"region": "①"}, "region"),
        ({"region": "٣"}, "region"),
        ({"region": "9" * 30}, "region"),
        ({"role": Role.CAREGIVER}, "organisation"),
        ({"role": Role.ELDER}, "elder_id_number"),
        ({"role": Role.ELDER, "elder_id_number": "53010319500301001X"}, "elder_id_number"),
    ],
)
def test_bad_account_input_is_refused_by_the_field(client, city, panlong_admin, over, field):
    client.force_login(panlong_admin)
    response = client.post(reverse("accounts:user_create"), _create_data(city, **over))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not User.objects.filter(display_name="新同事").exists()


def test_a_region_or_organisation_outside_the_administrators_is_not_a_choice(
    client, city, panlong_admin
):
    client.force_login(panlong_admin)
    wuhua_home = OrganisationFactory(region=city.wuhua_street)
    response = client.post(
        reverse("accounts:user_create"), _create_data(city, region=city.wuhua.pk)
    )
    assert "region" in response.context["form"].errors
    response = client.post(
        reverse("accounts:user_create"),
        _create_data(city, role=Role.CAREGIVER, organisation=wuhua_home.pk),
    )
    assert "organisation" in response.context["form"].errors
    assert not User.objects.filter(username="new_officer").exists()


def test_provider_staff_are_placed_in_their_organisation(client, city, panlong_admin):
    home = OrganisationFactory(region=city.panlong_street)
    client.force_login(panlong_admin)
    data = _create_data(city, role=Role.CAREGIVER, organisation=home.pk, username="carer1")
    assert client.post(reverse("accounts:user_create"), data).status_code == 302
    assert User.objects.get(username="carer1").organisation == home


def test_an_older_persons_account_links_to_their_record_by_id_number(client, city, panlong_admin):
    # given an older person of Panlong and one of Wuhua
    number = id_number_for(7001)
    elder = ElderFactory(region=city.panlong_community, id_number=number)
    wuhua_number = id_number_for(7002, area6="530102")
    ElderFactory(region=city.wuhua_community, id_number=wuhua_number)
    client.force_login(panlong_admin)
    # when the Panlong administrator gives the Panlong number (with a space typed in)
    data = _create_data(
        city,
        role=Role.ELDER,
        username="elder1",
        community=city.panlong_community.pk,
        elder_id_number=number[:6] + " " + number[6:].lower(),
    )
    assert client.post(reverse("accounts:user_create"), data).status_code == 302
    assert User.objects.get(username="elder1").elder == elder
    # then a second account for the same person is refused
    data["username"] = "elder1b"
    response = client.post(reverse("accounts:user_create"), data)
    assert "elder_id_number" in response.context["form"].errors
    # and a Wuhua person's number is not found from Panlong
    data.update(username="elder2", elder_id_number=wuhua_number)
    response = client.post(reverse("accounts:user_create"), data)
    assert "elder_id_number" in response.context["form"].errors
    assert not User.objects.filter(username="elder2").exists()


def test_the_placement_choices_follow_the_chosen_region(client, city, panlong_admin):
    home = OrganisationFactory(region=city.panlong_street)
    OrganisationFactory(region=city.wuhua_street)
    client.force_login(panlong_admin)
    response = client.get(
        reverse("accounts:user_placement"),
        {"region": city.panlong_street.pk},
        HTTP_HX_REQUEST="true",
    )
    form = response.context["form"]
    assert {r.code for r in form.fields["community"].queryset} == {
        city.panlong_community.code,
        city.panlong_community2.code,
    }
    assert list(form.fields["organisation"].queryset) == [home]
    response = client.get(reverse("accounts:user_placement"), {"region": city.wuhua.pk})
    assert list(response.context["form"].fields["community"].queryset) == []


def test_placement_choices_for_a_region_with_a_nul_are_refused_naming_it(
    client, city, panlong_admin
):
    client.force_login(panlong_admin)
    response = client.get(reverse("accounts:user_placement"), {"region": "53\x0001"})
    assert response.status_code == 400


def test_a_wuhua_administrator_cannot_see_or_change_a_panlong_account(client, city, wuhua_admin):
    panlong = UserFactory(region=city.panlong)
    client.force_login(wuhua_admin)
    assert client.get(reverse("accounts:user_detail", args=[panlong.pk])).status_code == 404
    for name, data in (
        ("accounts:user_set_active", {"is_active": "0"}),
        ("accounts:user_unlock", {}),
        ("accounts:user_reset_password", {"password": NEW}),
    ):
        assert client.post(reverse(name, args=[panlong.pk]), data).status_code == 404
    panlong.refresh_from_db()
    assert panlong.is_active and panlong.check_password(PASSWORD)
    assert client.get(reverse("accounts:user_detail", args=[99999999])).status_code == 404


def test_disabling_and_enabling_an_account(client, city, panlong_admin):
    officer = UserFactory(username="xu", region=city.panlong)
    client.force_login(panlong_admin)
    url = reverse("accounts:user_set_active", args=[officer.pk])
    # when disabled, the account cannot sign in
    assert client.post(url, {"is_active": "0"}).status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active
    other = client.__class__()
    sign_in(other, "xu")
    assert not signed_in(other)
    # when enabled again, it can
    client.post(url, {"is_active": "1"})
    sign_in(other, "xu")
    assert signed_in(other)
    actions = ChangeLog.objects.filter(entity_type="accounts.user", entity_id=officer.pk)
    assert actions.filter(changes__is_active=[True, False]).exists()


def test_an_administrator_cannot_disable_their_own_account(client, city, panlong_admin):
    client.force_login(panlong_admin)
    url = reverse("accounts:user_set_active", args=[panlong_admin.pk])
    response = client.post(url, {"is_active": "0"}, follow=True)
    assert response.status_code == 200
    panlong_admin.refresh_from_db()
    assert panlong_admin.is_active


def test_changes_need_a_post(client, city, panlong_admin):
    officer = UserFactory(region=city.panlong)
    client.force_login(panlong_admin)
    for name in (
        "accounts:user_set_active",
        "accounts:user_unlock",
        "accounts:user_reset_password",
    ):
        assert client.get(reverse(name, args=[officer.pk])).status_code == 405


def test_changes_need_the_csrf_token(city, panlong_admin):
    from django.test import Client

    officer = UserFactory(region=city.panlong)
    client = Client(enforce_csrf_checks=True)
    client.force_login(panlong_admin)
    url = reverse("accounts:user_set_active", args=[officer.pk])
    assert client.post(url, {"is_active": "0"}).status_code == 403
    officer.refresh_from_db()
    assert officer.is_active


def test_resetting_a_password_and_unlocking(client, city, panlong_admin):
    from django.utils import timezone

    officer = UserFactory(username="gao", region=city.panlong)
    User.objects.filter(pk=officer.pk).update(
        locked_until=timezone.now() + timezone.timedelta(minutes=9), failed_logins=0
    )
    client.force_login(panlong_admin)
    # a weak password is refused by its field, and nothing changes
    response = client.post(
        reverse("accounts:user_reset_password", args=[officer.pk]), {"password": "weak"}
    )
    assert response.status_code == 400
    assert "password" in response.context["reset_form"].errors
    # a strong one is set, and lifts the lock
    response = client.post(
        reverse("accounts:user_reset_password", args=[officer.pk]), {"password": NEW}
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(NEW) and not officer.is_locked
    # unlocking on its own
    User.objects.filter(pk=officer.pk).update(
        locked_until=timezone.now() + timezone.timedelta(minutes=9)
    )
    client.post(reverse("accounts:user_unlock", args=[officer.pk]))
    officer.refresh_from_db()
    assert not officer.is_locked
    detail = client.get(reverse("accounts:user_detail", args=[officer.pk]))
    assert detail.status_code == 200
    assert NEW not in detail.content.decode()


@pytest.mark.parametrize("region", ["²", "①", "３", "9" * 30])
def test_placement_choices_for_a_region_that_is_not_an_id_are_empty(
    client, city, panlong_admin, region
):
    client.force_login(panlong_admin)
    response = client.get(reverse("accounts:user_placement"), {"region": region})
    assert response.status_code == 200
    assert list(response.context["form"].fields["community"].queryset) == []
