"""people.services: every refusal names its field and reason, and every change lands in history."""

import datetime as dt
from decimal import Decimal

import pytest

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core import crypto
from yiyang.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from yiyang.core.models import AccessLog, ChangeLog
from yiyang.core.timeutils import local_today
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people import idnumbers, services
from yiyang.people.errors import ID_REASONS, ElderNotEditable, StaleVersion
from yiyang.people.models import Elder, Guardian, HealthProfile
from yiyang.people.services import ElderData
from yiyang.people.tests.factories import ElderFactory, elder_data, id_number_for


@pytest.fixture
def officer(city):
    return UserFactory(region=city.panlong, role=Role.CIVIL_AFFAIRS)


@pytest.fixture
def outsider(city):
    return UserFactory(region=city.wuhua, role=Role.CIVIL_AFFAIRS)


_data = elder_data


def _refusal(actor, data) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        services.elder_create(actor=actor, data=data)
    return caught.value.fields


def _number(*, birth=dt.date(1950, 1, 1), sex="F", area6="530103", seq=1) -> str:
    return idnumbers.make(area6=area6, birth_date=birth, sequence=seq, sex=sex)


def _years_ago(years: int, days: int = 0) -> dt.date:
    today = local_today()
    return today.replace(year=today.year - years) + dt.timedelta(days=days)


# --- create ----------------------------------------------------------------------------------


def test_create_files_a_person_with_birth_date_and_sex_from_the_number(city, officer):
    number = id_number_for(9001, sex="F", birth=dt.date(1948, 5, 17))
    elder = services.elder_create(actor=officer, data=_data(city))
    elder.refresh_from_db()
    assert elder.birth_date == idnumbers.parse(number).birth_date
    assert elder.sex == "F"
    assert elder.name_pinyin == "zengguilan" and elder.name_initials == "zgl"
    assert elder.region_code == city.panlong_community.code
    assert elder.id_number_masked == idnumbers.mask(number)
    assert elder.id_number_hash == crypto.search_hash(number)
    assert crypto.decrypt(elder.id_number_cipher) == number
    assert number not in elder.id_number_cipher  # encrypted at rest
    assert elder.version == 1 and elder.status == "active"


def test_create_takes_the_community_centre_when_no_coordinates_are_given(city, officer):
    elder = services.elder_create(actor=officer, data=_data(city))
    assert (elder.lat, elder.lng) == (city.panlong_community.lat, city.panlong_community.lng)


def test_create_keeps_given_coordinates(city, officer):
    elder = services.elder_create(actor=officer, data=_data(city, lat="25.05", lng="102.75"))
    assert elder.lat == Decimal("25.050000") and elder.lng == Decimal("102.750000")


def test_create_writes_a_history_row_without_the_id_number(city, officer):
    number = _data(city).id_number
    elder = services.elder_create(actor=officer, data=_data(city))
    log = ChangeLog.objects.get(entity_type="people.elder", entity_id=elder.pk)
    assert log.action == "create"
    assert log.actor == officer
    assert log.changes["name"] == [None, "曾桂兰"]
    assert log.region_code == city.panlong_community.code
    assert number not in str(log.changes)


def test_create_with_health_data_files_the_profile(city, officer):
    elder = services.elder_create(
        actor=officer, data=_data(city, health={"chronic_conditions": "高血压", "allergies": ""})
    )
    assert HealthProfile.objects.get(elder=elder).chronic_conditions == "高血压"


def test_create_normalises_spaces_in_the_name_and_address(city, officer):
    elder = services.elder_create(
        actor=officer, data=_data(city, name="  曾   桂兰 ", address=" 拓东路   1 号 ")
    )
    assert elder.name == "曾 桂兰" and elder.address == "拓东路 1 号"


def test_create_accepts_a_lower_case_x_and_spaces_in_the_number(city, officer):
    number = next(
        n for n in (_number(seq=s) for s in range(400)) if n.endswith("X")
    )  # one number in eleven ends in X
    spaced = f"{number[:6]} {number[6:14]} {number[14:].lower()}"
    elder = services.elder_create(actor=officer, data=_data(city, id_number=spaced))
    assert elder.id_number_hash == crypto.search_hash(number)


@pytest.mark.parametrize(
    ("id_number", "reason"),
    [
        ("", "required"),
        ("53010319500101", "length"),
        ("53010319500101002A", "format"),
        ("5301031950010100AX", "format"),
    ],
)
def test_create_refuses_a_malformed_id_number(city, officer, id_number, reason):
    fields = _refusal(officer, _data(city, id_number=id_number))
    assert fields["id_number"] == str(ID_REASONS[reason])


def test_create_refuses_a_number_with_a_typo(city, officer):
    good = _number()
    typo = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert _refusal(officer, _data(city, id_number=typo))["id_number"] == str(
        ID_REASONS["checksum"]
    )


def test_create_refuses_a_birth_date_that_is_not_a_real_date(city, officer):
    bad = idnumbers.with_check_digit("53010319501332001")
    assert _refusal(officer, _data(city, id_number=bad))["id_number"] == str(
        ID_REASONS["birth_date"]
    )


def test_create_refuses_a_birth_date_in_the_future(city, officer):
    future = _years_ago(-1)
    bad = idnumbers.with_check_digit(f"530103{future:%Y%m%d}002")
    assert _refusal(officer, _data(city, id_number=bad))["id_number"] == str(
        ID_REASONS["birth_date"]
    )


def test_create_refuses_an_unknown_area_code(city, officer):
    bad = _number(area6="990000")
    assert _refusal(officer, _data(city, id_number=bad))["id_number"] == str(ID_REASONS["place"])


def test_create_refuses_people_under_sixty(city, officer):
    young = _number(birth=_years_ago(60, days=1))  # turns 60 tomorrow
    assert _refusal(officer, _data(city, id_number=young))["id_number"] == str(
        ID_REASONS["too_young"]
    )


def test_create_accepts_a_person_on_their_sixtieth_birthday(city, officer):
    elder = services.elder_create(
        actor=officer, data=_data(city, id_number=_number(birth=_years_ago(60)))
    )
    assert elder.pk


def test_create_refuses_a_birth_date_that_disagrees_with_the_number(city, officer):
    birth = idnumbers.parse(_data(city).id_number).birth_date
    data = _data(city, birth_date=birth + dt.timedelta(days=1))
    assert _refusal(officer, data) == {"birth_date": str(ID_REASONS["birth_mismatch"])}


def test_create_refuses_a_sex_that_disagrees_with_the_number(city, officer):
    data = _data(city, sex="M")  # the number is a woman's
    assert _refusal(officer, data) == {"sex": str(ID_REASONS["sex_mismatch"])}


def test_create_accepts_a_matching_birth_date_and_sex(city, officer):
    birth = idnumbers.parse(_data(city).id_number).birth_date
    data = _data(city, birth_date=birth, sex="F")
    assert services.elder_create(actor=officer, data=data).pk


def test_create_refuses_a_number_already_on_record(city, officer):
    services.elder_create(actor=officer, data=_data(city))
    fields = _refusal(officer, _data(city, name="另一个人"))
    assert fields == {"id_number": str(ID_REASONS["duplicate"])}
    assert Elder.objects.count() == 1


def test_create_refuses_a_number_on_record_in_another_district(city, officer, outsider):
    """The registry is one city-wide list: a Wuhua person cannot be filed again in Panlong."""
    number = _number(seq=77)
    services.elder_create(
        actor=outsider,
        data=_data(city, id_number=number, region_code=city.wuhua_community.code),
    )
    fields = _refusal(officer, _data(city, id_number=number))
    assert fields == {"id_number": str(ID_REASONS["duplicate"])}


@pytest.mark.parametrize("name", ["", "   ", "长" * 41])
def test_create_refuses_an_empty_or_overlong_name(city, officer, name):
    assert "name" in _refusal(officer, _data(city, name=name))


@pytest.mark.parametrize("address", ["", "   "])
def test_create_refuses_an_empty_address(city, officer, address):
    assert "address" in _refusal(officer, _data(city, address=address))


@pytest.mark.parametrize("phone", ["call me", "123", "138-abc-0000", "1" * 3 + "-" + "2" * 2])
def test_create_refuses_a_phone_that_is_not_a_phone(city, officer, phone):
    assert "phone" in _refusal(officer, _data(city, phone=phone))


@pytest.mark.parametrize("phone", ["", "0871-65123456", "+86 138 1234 5678"])
def test_create_accepts_ordinary_phone_spellings(city, officer, phone):
    assert services.elder_create(actor=officer, data=_data(city, phone=phone)).pk


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lat", "north"),
        ("lat", "NaN"),
        ("lat", "Infinity"),
        ("lat", "95"),
        ("lng", "200"),
        ("lng", "1e999999"),
    ],
)
def test_create_refuses_coordinates_that_are_not_in_china(city, officer, field, value):
    assert field in _refusal(officer, _data(city, **{field: value}))


@pytest.mark.parametrize("field", ["economic_status", "insurance", "living_arrangement"])
def test_create_refuses_values_outside_the_choices(city, officer, field):
    assert field in _refusal(officer, _data(city, **{field: "bogus"}))


def test_create_refuses_a_missing_region(city, officer):
    assert "region" in _refusal(officer, _data(city, region_code=""))


def test_create_refuses_an_unknown_region(city, officer):
    assert "region" in _refusal(officer, _data(city, region_code="530103999999"))


def test_create_refuses_a_street_instead_of_a_community(city, officer):
    assert "region" in _refusal(officer, _data(city, region_code=city.panlong_street.code))


def test_create_refuses_a_community_of_another_district(city, officer):
    fields = _refusal(officer, _data(city, region_code=city.wuhua_community.code))
    assert "region" in fields


def test_create_refuses_an_institutional_resident_without_an_institution(city, officer):
    fields = _refusal(officer, _data(city, living_arrangement="institution"))
    assert "institution" in fields


def test_create_refuses_an_institution_outside_the_region(city, officer):
    theirs = OrganisationFactory(region=city.wuhua_street)
    fields = _refusal(
        officer, _data(city, living_arrangement="institution", institution_id=theirs.pk)
    )
    assert "institution" in fields


def test_create_refuses_an_institution_that_does_not_exist(city, officer):
    fields = _refusal(officer, _data(city, living_arrangement="institution", institution_id=987654))
    assert "institution" in fields


def test_create_files_an_institutional_resident(city, officer):
    home = OrganisationFactory(region=city.panlong_street)
    elder = services.elder_create(
        actor=officer, data=_data(city, living_arrangement="institution", institution_id=home.pk)
    )
    assert elder.institution == home


def test_create_drops_the_institution_for_people_living_at_home(city, officer):
    home = OrganisationFactory(region=city.panlong_street)
    elder = services.elder_create(
        actor=officer, data=_data(city, living_arrangement="home", institution_id=home.pk)
    )
    assert elder.institution is None


def test_create_reports_every_bad_field_at_once(city, officer):
    fields = _refusal(
        officer,
        ElderData(
            name="",
            id_number="123",
            region_code="",
            address="",
            phone="x",
            lat="abc",
            economic_status="rich",
        ),
    )
    assert set(fields) == {
        "name",
        "id_number",
        "region",
        "address",
        "phone",
        "lat",
        "economic_status",
    }
    assert not Elder.objects.exists()
    assert not ChangeLog.objects.exists()


@pytest.mark.parametrize("role", [Role.ELDER, Role.FAMILY, Role.CAREGIVER, Role.OPERATOR])
def test_create_needs_the_right_to_edit_the_registry(city, role):
    org = OrganisationFactory(region=city.panlong_street) if role == Role.CAREGIVER else None
    actor = UserFactory(region=city.panlong, role=role, organisation=org)
    with pytest.raises(PermissionDenied):
        services.elder_create(actor=actor, data=_data(city))


def test_create_by_a_street_officer_is_limited_to_their_street(city):
    street_officer = UserFactory(region=city.panlong_street)
    assert services.elder_create(actor=street_officer, data=_data(city)).pk
    other = _data(city, id_number=_number(seq=5), region_code=city.wuhua_community.code)
    assert "region" in _refusal(street_officer, other)


# --- update ----------------------------------------------------------------------------------


@pytest.fixture
def elder(city, officer):
    return services.elder_create(actor=officer, data=_data(city))


def _edit(elder, **overrides) -> ElderData:
    values = {
        "name": elder.name,
        "id_number": "",
        "region_code": elder.region_code,
        "address": elder.address,
        "phone": elder.phone,
    }
    values.update(overrides)
    return ElderData(**values)


def test_update_changes_the_record_raises_its_version_and_writes_history(city, officer, elder):
    updated = services.elder_update(
        actor=officer,
        elder_id=elder.pk,
        data=_edit(elder, name="曾桂芳", economic_status="dibao"),
        version=1,
    )
    assert updated.version == 2
    assert updated.name_pinyin == "zengguifang"
    log = ChangeLog.objects.get(entity_id=elder.pk, action="update")
    assert log.changes == {
        "economic_status": ["ordinary", "dibao"],
        "name": ["曾桂兰", "曾桂芳"],
    }


def test_update_keeps_the_id_number_birth_date_and_sex(city, officer, elder):
    before = (elder.id_number_hash, elder.birth_date, elder.sex)
    services.elder_update(
        actor=officer,
        elder_id=elder.pk,
        data=_edit(elder, id_number=_number(seq=3, sex="M"), sex="M"),
    )
    elder.refresh_from_db()
    assert (elder.id_number_hash, elder.birth_date, elder.sex) == before


def test_update_without_changes_writes_nothing(city, officer, elder):
    services.elder_update(actor=officer, elder_id=elder.pk, data=_edit(elder), version=1)
    elder.refresh_from_db()
    assert elder.version == 1
    assert not ChangeLog.objects.filter(action="update").exists()


def test_update_with_a_stale_version_is_refused_and_changes_nothing(city, officer, elder):
    services.elder_update(actor=officer, elder_id=elder.pk, data=_edit(elder, address="新址 1"))
    with pytest.raises(StaleVersion):
        services.elder_update(
            actor=officer, elder_id=elder.pk, data=_edit(elder, address="旧表单"), version=1
        )
    elder.refresh_from_db()
    assert elder.address == "新址 1"


def test_update_reports_bad_fields(city, officer, elder):
    with pytest.raises(ValidationFailed) as caught:
        services.elder_update(
            actor=officer, elder_id=elder.pk, data=_edit(elder, name="", phone="abc")
        )
    assert set(caught.value.fields) == {"name", "phone"}


def test_update_cannot_move_a_person_out_of_the_officers_region(city, officer, elder):
    with pytest.raises(ValidationFailed) as caught:
        services.elder_update(
            actor=officer,
            elder_id=elder.pk,
            data=_edit(elder, region_code=city.wuhua_community.code),
        )
    assert "region" in caught.value.fields


def test_update_by_an_outsider_is_not_found(city, outsider, elder):
    with pytest.raises(NotFound):
        services.elder_update(actor=outsider, elder_id=elder.pk, data=_edit(elder, name="改名"))


def test_update_of_a_closed_record_is_refused(city, officer, elder):
    services.elder_change_status(
        actor=officer, elder_id=elder.pk, status="moved_out", on=local_today()
    )
    with pytest.raises(ElderNotEditable):
        services.elder_update(actor=officer, elder_id=elder.pk, data=_edit(elder, name="改名"))


# --- status ----------------------------------------------------------------------------------


def test_moving_out_and_back_is_recorded_with_dates_and_notes(city, officer, elder):
    day = local_today() - dt.timedelta(days=10)
    services.elder_change_status(
        actor=officer, elder_id=elder.pk, status="moved_out", on=day, note="迁往女儿家"
    )
    elder.refresh_from_db()
    assert (elder.status, elder.status_date, elder.version) == ("moved_out", day, 2)
    services.elder_change_status(
        actor=officer, elder_id=elder.pk, status="active", on=local_today(), note="迁回"
    )
    elder.refresh_from_db()
    assert elder.status == "active"
    logs = ChangeLog.objects.filter(entity_id=elder.pk, action="status").order_by("id")
    assert [log.note for log in logs] == ["迁往女儿家", "迁回"]
    assert logs[0].changes["status"] == ["active", "moved_out"]


def test_a_death_is_final(city, officer, elder):
    services.elder_change_status(
        actor=officer, elder_id=elder.pk, status="deceased", on=local_today()
    )
    for status in ("active", "moved_out"):
        with pytest.raises(ValidationFailed) as caught:
            services.elder_change_status(
                actor=officer, elder_id=elder.pk, status=status, on=local_today()
            )
        assert "status" in caught.value.fields


def test_the_same_status_again_is_refused(city, officer, elder):
    with pytest.raises(ValidationFailed) as caught:
        services.elder_change_status(
            actor=officer, elder_id=elder.pk, status="active", on=local_today()
        )
    assert "status" in caught.value.fields


def test_an_unknown_status_is_refused(city, officer, elder):
    with pytest.raises(ValidationFailed) as caught:
        services.elder_change_status(
            actor=officer, elder_id=elder.pk, status="zombie", on=local_today()
        )
    assert "status" in caught.value.fields


@pytest.mark.parametrize(
    "on",
    [None, local_today() + dt.timedelta(days=1), dt.date(1900, 1, 1)],
    ids=["missing", "future", "before-birth"],
)
def test_a_status_date_must_be_known_past_and_after_birth(city, officer, elder, on):
    with pytest.raises(ValidationFailed) as caught:
        services.elder_change_status(actor=officer, elder_id=elder.pk, status="moved_out", on=on)
    assert "status_date" in caught.value.fields
    elder.refresh_from_db()
    assert elder.status == "active"


def test_status_change_by_an_outsider_is_not_found(city, outsider, elder):
    with pytest.raises(NotFound):
        services.elder_change_status(
            actor=outsider, elder_id=elder.pk, status="deceased", on=local_today()
        )


# --- ID number reveal and health data ---------------------------------------------------------


def test_revealing_the_number_returns_it_and_logs_who_why_and_from_where(city, officer, elder):
    number = services.elder_reveal_id_number(
        actor=officer, elder_id=elder.pk, reason="核对补贴申请", ip="10.0.0.8"
    )
    assert number == _data(city).id_number
    log = AccessLog.objects.get()
    assert (log.kind, log.entity_id, log.reason, log.ip, log.actor) == (
        "id_number",
        elder.pk,
        "核对补贴申请",
        "10.0.0.8",
        officer,
    )


@pytest.mark.parametrize("reason", ["", "   ", "看"])
def test_revealing_without_a_reason_is_refused_and_not_logged(city, officer, elder, reason):
    with pytest.raises(ValidationFailed) as caught:
        services.elder_reveal_id_number(actor=officer, elder_id=elder.pk, reason=reason)
    assert "reason" in caught.value.fields
    assert not AccessLog.objects.exists()


def test_an_outsider_cannot_reveal_even_with_a_bad_reason(city, outsider, elder):
    """Scope is checked before the reason, so the outsider learns nothing."""
    with pytest.raises(NotFound):
        services.elder_reveal_id_number(actor=outsider, elder_id=elder.pk, reason="")
    assert not AccessLog.objects.exists()


def test_an_operator_may_not_reveal_numbers(city, elder):
    operator = UserFactory(region=city.panlong, role=Role.OPERATOR)
    with pytest.raises(PermissionDenied):
        services.elder_reveal_id_number(actor=operator, elder_id=elder.pk, reason="紧急呼叫核实")


def test_reading_health_data_is_logged(city, officer, elder):
    profile = services.health_profile_read(actor=officer, elder_id=elder.pk, reason="随访")
    assert profile.elder_id == elder.pk
    log = AccessLog.objects.get()
    assert (log.kind, log.reason) == ("health", "随访")


def test_updating_health_data_keeps_the_contents_out_of_the_history(city, officer, elder):
    services.health_profile_update(
        actor=officer, elder_id=elder.pk, data={"chronic_conditions": "糖尿病", "blood_type": "O"}
    )
    profile = HealthProfile.objects.get(elder=elder)
    assert (profile.chronic_conditions, profile.blood_type) == ("糖尿病", "O")
    log = ChangeLog.objects.get(entity_id=elder.pk, note="health profile")
    assert log.changes == {"blood_type": ["***", "***"], "chronic_conditions": ["***", "***"]}
    assert "糖尿病" not in str(log.changes)


def test_a_blood_type_longer_than_eight_characters_is_refused(city, officer, elder):
    with pytest.raises(ValidationFailed) as caught:
        services.health_profile_update(
            actor=officer, elder_id=elder.pk, data={"blood_type": "A positive!"}
        )
    assert "blood_type" in caught.value.fields


def test_health_data_of_another_district_is_not_found(city, outsider, elder):
    with pytest.raises(NotFound):
        services.health_profile_read(actor=outsider, elder_id=elder.pk)
    assert not AccessLog.objects.exists()


# --- guardians -------------------------------------------------------------------------------


def test_adding_a_guardian_records_it_in_the_history(city, officer, elder):
    guardian = services.guardian_add(
        actor=officer,
        elder_id=elder.pk,
        name=" 曾  大伟 ",
        relation="child",
        phone="139 0000 1111",
        is_guardian=True,
    )
    assert guardian.name == "曾 大伟"
    log = ChangeLog.objects.get(entity_id=elder.pk, note="guardian added")
    assert log.changes == {"guardian": [None, str(guardian)]}


def test_a_guardian_may_hold_an_account_which_then_sees_the_ward(city, officer, elder):
    account = UserFactory(region=city.panlong_community, role=Role.FAMILY)
    services.guardian_add(
        actor=officer,
        elder_id=elder.pk,
        name="女儿",
        relation="child",
        phone="13900001111",
        account=account,
    )
    assert account.visible_elder_ids() == {elder.pk}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"relation": "boss"}, "relation"),
        ({"phone": ""}, "phone"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "phone me"}, "phone"),
        ({"priority": 0}, "priority"),
        ({"priority": 10}, "priority"),
        ({"priority": "first"}, "priority"),
        ({"priority": None}, "priority"),
    ],
)
def test_a_bad_guardian_is_refused_by_field(city, officer, elder, kwargs, field):
    values = {"name": "女儿", "relation": "child", "phone": "13900001111", "priority": 1}
    values.update(kwargs)
    with pytest.raises(ValidationFailed) as caught:
        services.guardian_add(actor=officer, elder_id=elder.pk, **values)
    assert field in caught.value.fields
    assert not Guardian.objects.exists()


def test_removing_a_guardian_records_it(city, officer, elder):
    guardian = services.guardian_add(
        actor=officer, elder_id=elder.pk, name="邻居", relation="neighbour", phone="13900001111"
    )
    services.guardian_remove(actor=officer, elder_id=elder.pk, guardian_id=guardian.pk)
    assert not Guardian.objects.exists()
    log = ChangeLog.objects.get(entity_id=elder.pk, note="guardian removed")
    assert log.changes == {"guardian": [str(guardian), None]}


def test_a_guardian_of_another_person_cannot_be_removed_through_this_one(city, officer, elder):
    other = ElderFactory(region=city.panlong_community)
    theirs = Guardian.objects.create(elder=other, name="甲", relation="child", phone="13800000000")
    with pytest.raises(NotFound):
        services.guardian_remove(actor=officer, elder_id=elder.pk, guardian_id=theirs.pk)
    assert Guardian.objects.filter(pk=theirs.pk).exists()


def test_guardians_of_another_district_are_out_of_reach(city, outsider, elder):
    with pytest.raises(NotFound):
        services.guardian_add(
            actor=outsider, elder_id=elder.pk, name="甲", relation="child", phone="13800000000"
        )


def test_a_guardian_can_be_linked_to_a_family_account_who_then_sees_the_ward(city):
    from yiyang.accounts.roles import Role
    from yiyang.core.exceptions import ValidationFailed
    from yiyang.core.scoping import scoped
    from yiyang.people.models import Elder
    from yiyang.people.services import guardian_add

    officer = UserFactory(region=city.panlong)
    elder = ElderFactory(region=city.panlong_community)
    daughter = UserFactory(username="daughter", role=Role.FAMILY, region=city.panlong_community)
    outsider = UserFactory(username="faraway", role=Role.FAMILY, region=city.wuhua_community)
    # when the officer links the daughter's account as the guardian
    guardian_add(
        actor=officer,
        elder_id=elder.pk,
        name="女儿",
        relation="child",
        phone="13800000000",
        account_username="daughter",
    )
    # then the daughter's account sees her mother's record
    assert list(scoped(Elder.objects.all(), daughter)) == [elder]
    # and an account of another district cannot be linked
    with pytest.raises(ValidationFailed) as exc:
        guardian_add(
            actor=officer,
            elder_id=elder.pk,
            name="远亲",
            relation="relative",
            phone="13800000001",
            account_username=outsider.username,
        )
    assert "account_username" in exc.value.fields
