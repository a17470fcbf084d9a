"""institutions.services: the register of care homes, centres, providers and bureaus."""

import datetime as dt
from decimal import Decimal

import pytest

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiyang.core.models import ChangeLog
from yiyang.institutions import services
from yiyang.institutions.errors import CREDIT_CODE_REASONS
from yiyang.institutions.models import Organisation
from yiyang.institutions.services import OrganisationData
from yiyang.institutions.tests.factories import OrganisationFactory, credit_code


@pytest.fixture
def officer(city):
    return UserFactory(region=city.panlong, role=Role.CIVIL_AFFAIRS)


@pytest.fixture
def outsider(city):
    return UserFactory(region=city.wuhua, role=Role.CIVIL_AFFAIRS)


def _data(city, **overrides) -> OrganisationData:
    values = {
        "name": "盘龙区社会福利院",
        "kind": "care_home",
        "ownership": "public",
        "region_code": city.panlong_street.code,
        "credit_code": credit_code(900),
        "address": "拓东路 99 号",
        "land_area": "5300.5",
        "floor_area": "8200",
        "beds": "260",
        "has_medical_agreement": True,
        "licence_number": "民养证 530103-001",
        "licence_valid_from": dt.date(2022, 1, 1),
        "licence_valid_to": dt.date(2027, 12, 31),
        "contact_name": "张院长",
        "contact_phone": "0871-63123456",
    }
    values.update(overrides)
    return OrganisationData(**values)


def _refusal(actor, data) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        services.organisation_create(actor=actor, data=data)
    return caught.value.fields


# --- create ----------------------------------------------------------------------------------


def test_create_registers_an_organisation_with_every_figure(city, officer):
    org = services.organisation_create(actor=officer, data=_data(city))
    org.refresh_from_db()
    assert org.credit_code == credit_code(900)
    assert (org.land_area, org.floor_area, org.beds) == (Decimal("5300.50"), Decimal("8200"), 260)
    assert org.region_code == city.panlong_street.code
    assert org.name_pinyin.startswith("panlongqu")
    assert (org.lat, org.lng) == (city.panlong_street.lat, city.panlong_street.lng)
    assert org.has_medical_agreement and org.is_active and org.version == 1


def test_create_writes_a_history_row(city, officer):
    org = services.organisation_create(actor=officer, data=_data(city))
    log = ChangeLog.objects.get(entity_type="institutions.organisation", entity_id=org.pk)
    assert log.action == "create" and log.actor == officer
    assert log.changes["beds"] == [None, 260]


def test_the_credit_code_is_optional(city, officer):
    org = services.organisation_create(actor=officer, data=_data(city, credit_code=""))
    assert org.credit_code is None


def test_a_lower_case_credit_code_is_stored_upper_case(city, officer):
    code = credit_code(901)
    org = services.organisation_create(
        actor=officer, data=_data(city, credit_code=f" {code.lower()} ")
    )
    assert org.credit_code == code


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("12345", "length"),
        ("9153010" + "3MJ0000001" + "23", "length"),
        ("91530103MJ000000I!", "format"),
    ],
)
def test_a_malformed_credit_code_is_refused_with_its_reason(city, officer, raw, reason):
    assert _refusal(officer, _data(city, credit_code=raw))["credit_code"] == str(
        CREDIT_CODE_REASONS[reason]
    )


def test_a_credit_code_with_a_typo_is_refused(city, officer):
    good = credit_code(902)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    typo = good[:-1] + next(c for c in alphabet if c != good[-1])
    assert _refusal(officer, _data(city, credit_code=typo))["credit_code"] == str(
        CREDIT_CODE_REASONS["checksum"]
    )


def test_a_credit_code_already_registered_is_refused(city, officer):
    services.organisation_create(actor=officer, data=_data(city))
    fields = _refusal(officer, _data(city, name="另一家养老院"))
    assert fields == {"credit_code": str(CREDIT_CODE_REASONS["duplicate"])}


def test_the_same_name_twice_in_one_region_is_refused(city, officer):
    services.organisation_create(actor=officer, data=_data(city))
    fields = _refusal(officer, _data(city, credit_code=credit_code(903)))
    assert set(fields) == {"name"}


def test_the_same_name_in_another_region_is_allowed(city, officer):
    services.organisation_create(actor=officer, data=_data(city))
    other = services.organisation_create(
        actor=officer,
        data=_data(city, credit_code=credit_code(904), region_code=city.panlong_community.code),
    )
    assert other.pk


def test_a_licence_ending_before_it_starts_is_refused(city, officer):
    fields = _refusal(
        officer,
        _data(city, licence_valid_from=dt.date(2025, 1, 1), licence_valid_to=dt.date(2024, 12, 31)),
    )
    assert "licence_valid_to" in fields


def test_a_licence_of_one_day_is_allowed(city, officer):
    day = dt.date(2025, 1, 1)
    org = services.organisation_create(
        actor=officer, data=_data(city, licence_valid_from=day, licence_valid_to=day)
    )
    assert org.licence_valid_to == day


def test_a_region_of_another_district_is_refused(city, officer):
    assert "region" in _refusal(officer, _data(city, region_code=city.wuhua_street.code))


def test_a_region_above_the_district_is_refused(city):
    city_officer = UserFactory(region=city.city)
    assert "region" in _refusal(city_officer, _data(city, region_code=city.city.code))


@pytest.mark.parametrize("code", ["", "530103999", "not-a-code"])
def test_a_missing_or_unknown_region_is_refused(city, officer, code):
    assert "region" in _refusal(officer, _data(city, region_code=code))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "casino"),
        ("ownership", "both"),
        ("land_area", "big"),
        ("land_area", "-1"),
        ("floor_area", "NaN"),
        ("beds", "many"),
        ("beds", "200000"),
        ("lat", "100"),
        ("lng", "west"),
        ("contact_phone", "call the boss"),
        ("name", ""),
        ("name", "院" * 121),
    ],
)
def test_bad_fields_are_refused_by_name(city, officer, field, value):
    assert field in _refusal(officer, _data(city, **{field: value}))


def test_every_bad_field_is_reported_at_once(city, officer):
    fields = _refusal(
        officer,
        OrganisationData(
            name="", kind="x", ownership="y", region_code="", credit_code="1", beds="z"
        ),
    )
    assert set(fields) == {"name", "kind", "ownership", "region", "credit_code", "beds"}
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.OPERATOR, Role.ELDER, Role.SYSTEM_ADMIN])
def test_only_officers_may_register_organisations(city, role):
    org = OrganisationFactory(region=city.panlong_street) if role == Role.PROVIDER else None
    actor = UserFactory(region=city.panlong, role=role, organisation=org)
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=actor, data=_data(city))


# --- update ----------------------------------------------------------------------------------


@pytest.fixture
def org(city, officer):
    return services.organisation_create(actor=officer, data=_data(city))


def test_update_changes_figures_raises_the_version_and_writes_history(city, officer, org):
    updated = services.organisation_update(
        actor=officer, organisation_id=org.pk, data=_data(city, beds="300"), version=1
    )
    assert updated.beds == 300 and updated.version == 2
    log = ChangeLog.objects.get(entity_id=org.pk, action="update")
    assert log.changes == {"beds": [260, 300]}


def test_update_may_keep_its_own_credit_code(city, officer, org):
    updated = services.organisation_update(
        actor=officer, organisation_id=org.pk, data=_data(city, address="新址")
    )
    assert updated.credit_code == credit_code(900)


def test_update_cannot_take_another_organisations_credit_code(city, officer, org):
    other = OrganisationFactory(region=city.panlong_street)
    with pytest.raises(ValidationFailed) as caught:
        services.organisation_update(
            actor=officer, organisation_id=org.pk, data=_data(city, credit_code=other.credit_code)
        )
    assert "credit_code" in caught.value.fields


def test_update_without_changes_writes_nothing(city, officer, org):
    services.organisation_update(actor=officer, organisation_id=org.pk, data=_data(city))
    org.refresh_from_db()
    assert org.version == 1
    assert not ChangeLog.objects.filter(action="update").exists()


def test_a_stale_update_is_refused(city, officer, org):
    services.organisation_update(actor=officer, organisation_id=org.pk, data=_data(city, beds=1))
    with pytest.raises(Conflict):
        services.organisation_update(
            actor=officer, organisation_id=org.pk, data=_data(city, beds=2), version=1
        )
    org.refresh_from_db()
    assert org.beds == 1


def test_an_outsider_cannot_update(city, outsider, org):
    with pytest.raises(NotFound):
        services.organisation_update(
            actor=outsider, organisation_id=org.pk, data=_data(city, beds="1")
        )


def test_an_update_cannot_move_an_organisation_out_of_the_region(city, officer, org):
    with pytest.raises(ValidationFailed) as caught:
        services.organisation_update(
            actor=officer,
            organisation_id=org.pk,
            data=_data(city, region_code=city.wuhua_community.code),
        )
    assert "region" in caught.value.fields


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1899, 12, 31)])
def test_the_service_refuses_licence_dates_outside_the_date_range(city, officer, day):
    fields = _refusal(officer, _data(city, licence_valid_from=day, licence_valid_to=day))
    assert set(fields) == {"licence_valid_from", "licence_valid_to"}
    assert not Organisation.objects.exists()


def test_licence_dates_at_the_ends_of_the_range_are_taken(city, officer):
    data = _data(
        city, licence_valid_from=dt.date(1900, 1, 1), licence_valid_to=dt.date(2100, 12, 31)
    )
    org = services.organisation_create(actor=officer, data=data)
    assert (org.licence_valid_from, org.licence_valid_to) == (
        data.licence_valid_from,
        data.licence_valid_to,
    )
