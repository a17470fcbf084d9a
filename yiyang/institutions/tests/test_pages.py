"""The organisation pages for an officer, an outsider from the sibling district and provider staff."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.models import ChangeLog
from yiyang.core.pinyin import name_initials, name_pinyin
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory, credit_code
from yiyang.people.tests.factories import ElderFactory


@pytest.fixture
def officer(city):
    return UserFactory(region=city.panlong, role=Role.CIVIL_AFFAIRS)


@pytest.fixture
def outsider(city):
    return UserFactory(region=city.wuhua, role=Role.CIVIL_AFFAIRS)


@pytest.fixture
def home(city):
    return OrganisationFactory(
        region=city.panlong_street,
        name="盘龙区颐养院",
        ownership="public",
        beds=120,
        land_area="3000.00",
        floor_area="4500.50",
        has_medical_agreement=True,
        name_pinyin=name_pinyin("盘龙区颐养院", is_person=False),
        name_initials=name_initials("盘龙区颐养院", is_person=False),
    )


def _form(city, **overrides):
    data = {
        "name": "拓东社区养老服务站",
        "credit_code": credit_code(555),
        "kind": "community_station",
        "ownership": "private",
        "region": city.panlong_community.code,
        "address": "拓东路 5 号",
        "lat": "",
        "lng": "",
        "land_area": "200",
        "floor_area": "350.5",
        "beds": "12",
        "licence_number": "",
        "licence_valid_from": "2024-01-01",
        "licence_valid_to": "2028-12-31",
        "contact_name": "李站长",
        "contact_phone": "13700001111",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_officer_lists_the_organisations_of_their_district_only(client, city, officer, home):
    OrganisationFactory(region=city.wuhua_street, name="五华区养老院")
    client.force_login(officer)
    body = client.get(reverse("institutions:list")).content.decode()
    assert home.name in body and "五华区养老院" not in body
    assert reverse("institutions:create") in body


@pytest.mark.parametrize("query", ["颐养", "panlongqu", "plqyyy", "PLQ"])
def test_the_search_finds_by_characters_and_pinyin(client, city, officer, home, query):
    OrganisationFactory(
        region=city.panlong_street,
        name="拓东卫生服务中心",
        kind="medical",
        name_pinyin=name_pinyin("拓东卫生服务中心", is_person=False),
        name_initials=name_initials("拓东卫生服务中心", is_person=False),
    )
    client.force_login(officer)
    body = client.get(reverse("institutions:list"), {"q": query}).content.decode()
    assert home.name in body and "拓东卫生服务中心" not in body


def test_the_search_finds_by_credit_code(client, city, officer, home):
    OrganisationFactory(region=city.panlong_street, name="另一家")
    client.force_login(officer)
    body = client.get(reverse("institutions:list"), {"q": home.credit_code.lower()}).content
    assert home.name in body.decode() and "另一家" not in body.decode()


def test_filters_narrow_the_list(client, city, officer, home):
    OrganisationFactory(
        region=city.panlong_community2, name="明通卫生室", kind="medical", is_active=False
    )
    client.force_login(officer)
    url = reverse("institutions:list")
    body = client.get(url, {"kind": "medical"}).content.decode()
    assert "明通卫生室" in body and home.name not in body
    body = client.get(url, {"ownership": "public"}).content.decode()
    assert home.name in body and "明通卫生室" not in body
    body = client.get(url, {"is_active": "no"}).content.decode()
    assert "明通卫生室" in body and home.name not in body
    body = client.get(url, {"region": city.panlong_community2.code}).content.decode()
    assert "明通卫生室" in body and home.name not in body


@pytest.mark.parametrize(
    "params",
    [{"kind": "casino"}, {"is_active": "perhaps"}, {"region": "zz"}, {"page": "x"}],
)
def test_bad_filter_values_are_ignored(client, officer, home, params):
    client.force_login(officer)
    assert client.get(reverse("institutions:list"), params).status_code == 200


def test_an_htmx_filter_returns_the_results_fragment(client, officer, home):
    client.force_login(officer)
    response = client.get(
        reverse("institutions:list"),
        {"kind": "care_home"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"') and "<html" not in body
    assert home.name in body


def test_the_list_runs_a_constant_number_of_queries(
    client, city, officer, django_assert_max_num_queries
):
    OrganisationFactory.create_batch(3, region=city.panlong_street)
    client.force_login(officer)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("institutions:list"))
    OrganisationFactory.create_batch(60, region=city.panlong_community)
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        client.get(reverse("institutions:list"), {"page": 2})


def test_the_detail_shows_every_figure_residents_and_history(client, city, officer, home):
    ElderFactory.create_batch(
        3, region=city.panlong_community, living_arrangement="institution", institution=home
    )
    client.force_login(officer)
    client.post(
        reverse("institutions:edit", args=[home.pk]),
        _form(
            city,
            name=home.name,
            credit_code=home.credit_code,
            kind=home.kind,
            ownership=home.ownership,
            region=home.region_code,
            beds="130",
            version=home.version,
        ),
    )
    response = client.get(reverse("institutions:detail", args=[home.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["d"].residents == 3
    for text in (home.credit_code, "130", "200", "350.50", "2028-12-31", "李站长"):
        assert text in body, text
    assert response.context["d"].history[0].changes  # the edit is in the history
    assert reverse("institutions:edit", args=[home.pk]) in body


def test_an_officer_registers_an_organisation(client, city, officer):
    client.force_login(officer)
    response = client.post(reverse("institutions:create"), _form(city))
    org = Organisation.objects.get(name="拓东社区养老服务站")
    assert response.status_code == 302
    assert response["Location"] == reverse("institutions:detail", args=[org.pk])
    assert org.beds == 12
    assert ChangeLog.objects.filter(entity_id=org.pk, action="create").exists()


def test_a_bad_credit_code_is_shown_beside_its_field(client, city, officer):
    client.force_login(officer)
    response = client.post(reverse("institutions:create"), _form(city, credit_code="1234"))
    assert response.status_code == 200
    assert 'data-field="credit_code"' in response.content.decode()
    assert not Organisation.objects.exists()


def test_licence_dates_in_the_wrong_order_are_shown_beside_the_end_date(client, city, officer):
    client.force_login(officer)
    response = client.post(
        reverse("institutions:create"),
        _form(city, licence_valid_from="2025-01-01", licence_valid_to="2020-01-01"),
    )
    assert 'data-field="licence_valid_to"' in response.content.decode()


def test_garbled_numbers_and_dates_are_field_errors_not_server_errors(client, city, officer):
    client.force_login(officer)
    response = client.post(
        reverse("institutions:create"),
        _form(city, beds="NaN", land_area="1e999999", licence_valid_from="tomorrow"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "licence_valid_from" in errors


def test_the_region_chooser_offers_only_the_officers_district(client, city, officer):
    client.force_login(officer)
    body = client.get(reverse("institutions:create")).content.decode()
    assert city.panlong_street.code in body and city.wuhua_street.code not in body


def test_a_stale_edit_is_refused(client, city, officer, home):
    Organisation.objects.filter(pk=home.pk).update(version=5)
    client.force_login(officer)
    response = client.post(
        reverse("institutions:edit", args=[home.pk]),
        _form(city, name=home.name, credit_code=home.credit_code, version=1),
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_a_wuhua_officer_gets_404_on_a_panlong_organisation(client, outsider, home):
    client.force_login(outsider)
    assert client.get(reverse("institutions:detail", args=[home.pk])).status_code == 404
    assert client.get(reverse("institutions:edit", args=[home.pk])).status_code == 404
    assert client.post(reverse("institutions:edit", args=[home.pk]), {}).status_code == 404
    home.refresh_from_db()
    assert home.version == 1


def test_provider_staff_see_their_own_organisation_and_cannot_edit(client, city, home):
    other = OrganisationFactory(region=city.panlong_street, name="别家养老院")
    staff = UserFactory(region=city.panlong, role=Role.PROVIDER, organisation=home)
    client.force_login(staff)
    body = client.get(reverse("institutions:list")).content.decode()
    assert home.name in body and other.name not in body
    assert reverse("institutions:create") not in body
    detail = client.get(reverse("institutions:detail", args=[home.pk])).content.decode()
    assert reverse("institutions:edit", args=[home.pk]) not in detail
    assert client.get(reverse("institutions:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("institutions:edit", args=[home.pk])).status_code == 403
    assert client.get(reverse("institutions:create")).status_code == 403


def test_an_older_person_has_no_organisation_pages(client, city):
    elder = ElderFactory(region=city.panlong_community)
    account = UserFactory(role=Role.ELDER, region=city.panlong_community, elder=elder)
    client.force_login(account)
    assert client.get(reverse("institutions:list")).status_code == 403


def test_absurd_ids_are_404(client, officer):
    client.force_login(officer)
    assert client.get("/organisations/99999999999999999999999/").status_code == 404
    assert client.get("/organisations/0/edit/").status_code == 404


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
@pytest.mark.parametrize("field", ["licence_valid_from", "licence_valid_to"])
def test_a_licence_date_outside_the_date_range_is_shown_beside_its_field(
    client, city, officer, field, day
):
    client.force_login(officer)
    response = client.post(reverse("institutions:create"), _form(city, **{field: day}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Organisation.objects.exists()
