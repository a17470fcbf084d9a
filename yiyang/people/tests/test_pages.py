"""The registry pages as a district officer, an outsider, an older person and a family member
use them: Django's test client, the real database, the real services."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core import crypto
from yiyang.core.models import AccessLog, ChangeLog
from yiyang.core.timeutils import local_today
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people import idnumbers
from yiyang.people.models import Elder, Guardian, HealthProfile
from yiyang.people.tests.factories import ElderFactory, id_number_for

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}


@pytest.fixture
def officer(city):
    return UserFactory(region=city.panlong, role=Role.CIVIL_AFFAIRS)


@pytest.fixture
def outsider(city):
    """A Wuhua officer: same role, sibling district."""
    return UserFactory(region=city.wuhua, role=Role.CIVIL_AFFAIRS)


@pytest.fixture
def elder(city):
    return ElderFactory(region=city.panlong_community, name="曾小红", phone="13987654321")


def _form(city, **overrides):
    data = {
        "name": "单秀英",
        "id_number": id_number_for(7001, sex="F"),
        "region": city.panlong_community.code,
        "address": "拓东路 12 号",
        "phone": "0871-6512345",
        "ethnicity": "汉族",
        "economic_status": "ordinary",
        "insurance": "resident",
        "living_arrangement": "home",
        "institution": "",
    }
    data.update(overrides)
    return data


def _edit_form(elder, **overrides):
    data = {
        "name": elder.name,
        "region": elder.region_code,
        "address": elder.address,
        "phone": elder.phone,
        "ethnicity": elder.ethnicity,
        "economic_status": elder.economic_status,
        "insurance": elder.insurance,
        "living_arrangement": elder.living_arrangement,
        "institution": "",
        "version": elder.version,
    }
    data.update(overrides)
    return data


# --- list ------------------------------------------------------------------------------------


def test_officer_sees_their_district_in_the_list_and_not_the_neighbours(
    client, city, officer, elder
):
    # given a Panlong elder and a Wuhua elder
    theirs = ElderFactory(region=city.wuhua_community, name="李桂兰")
    client.force_login(officer)
    # when the Panlong officer opens the list
    response = client.get(reverse("people:list"))
    # then only the Panlong elder is listed, with a masked ID number
    assert response.status_code == 200
    body = response.content.decode()
    assert elder.name in body
    assert elder.id_number_masked in body
    assert theirs.name not in body
    assert "尚义社区居委会" in body


@pytest.mark.parametrize(
    "query",
    ["曾小", "zengxiaohong", "zxh", "ZENG", "13987654321", "139 8765", "4321", "654321"],
)
def test_the_search_box_finds_a_person_by_characters_pinyin_initials_and_phone(
    client, officer, elder, city, query
):
    # given two people on record
    other = ElderFactory(region=city.panlong_community, name="王建国", phone="13500000000")
    client.force_login(officer)
    # when the officer searches
    response = client.get(reverse("people:list"), {"q": query})
    # then only the person sought is listed
    body = response.content.decode()
    assert elder.name in body
    assert other.name not in body


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("0871-6512345", True),  # as written
        ("08716512345", True),  # its digits
        ("0871", True),  # the first digits
        ("2345", True),  # the last ones
        ("6512", False),  # digits from the middle are not searched (no index serves them)
        ("0872", False),
    ],
)
def test_the_phone_search_matches_the_first_or_last_digits(client, city, officer, query, found):
    # given a person with a landline written with a dash
    person = ElderFactory(region=city.panlong_community, name="赵德明", phone="0871-6512345")
    client.force_login(officer)
    # when the officer searches digits
    response = client.get(reverse("people:list"), {"q": query})
    # then the person is found by the start or the end of the number only
    assert (person.name in response.content.decode()) is found


def test_the_phone_digits_follow_the_phone_on_create_and_edit(city, officer):
    from yiyang.people import services
    from yiyang.people.tests.factories import elder_data

    # given a person registered with a landline
    created = services.elder_create(actor=officer, data=elder_data(city, phone="0871-6512345"))
    assert created.phone_digits == "08716512345"
    # when the phone is changed
    services.elder_update(
        actor=officer,
        elder_id=created.pk,
        data=elder_data(city, phone="139 8765 4321"),
        version=created.version,
    )
    # then the search column follows it
    assert Elder.objects.get(pk=created.pk).phone_digits == "13987654321"


def test_an_eighteen_character_id_number_finds_exactly_its_holder(client, city, officer):
    # given two people on record
    number = id_number_for(42, sex="M")
    holder = ElderFactory(region=city.panlong_community, id_number=number, name="赵德明")
    ElderFactory(region=city.panlong_community, name="周文华")
    client.force_login(officer)
    # when the officer types the full number, in lower case x or with spaces
    response = client.get(reverse("people:list"), {"q": f" {number[:9]} {number[9:].lower()} "})
    # then exactly that person is listed
    body = response.content.decode()
    assert holder.name in body
    assert "周文华" not in body


def test_filters_narrow_the_list(client, city, officer):
    # given people differing in status, living arrangement and living alone
    home = OrganisationFactory(region=city.panlong_street)
    alone = ElderFactory(region=city.panlong_community, name="吴玉珍", lives_alone=True)
    ElderFactory(
        region=city.panlong_community2,
        name="黄淑珍",
        living_arrangement="institution",
        institution=home,
    )
    ElderFactory(
        region=city.panlong_community,
        name="陈志强",
        status="deceased",
        status_date=dt.date(2024, 1, 1),
    )
    client.force_login(officer)
    url = reverse("people:list")
    # then each filter keeps only its rows
    body = client.get(url, {"lives_alone": "yes"}).content.decode()
    assert alone.name in body and "黄淑珍" not in body and "陈志强" not in body
    body = client.get(url, {"living_arrangement": "institution"}).content.decode()
    assert "黄淑珍" in body and alone.name not in body
    body = client.get(url, {"status": "deceased"}).content.decode()
    assert "陈志强" in body and alone.name not in body
    body = client.get(url, {"region": city.panlong_community2.code}).content.decode()
    assert "黄淑珍" in body and alone.name not in body
    body = client.get(url, {"region": city.panlong_street.code}).content.decode()
    assert "黄淑珍" in body and alone.name in body


def test_the_age_range_filter_uses_todays_age(client, city, officer):
    # given a person of 75 and one of 62
    today = local_today()
    old = ElderFactory(
        region=city.panlong_community,
        name="刘国华",
        birth_date=today.replace(year=today.year - 75) - dt.timedelta(days=3),
    )
    young = ElderFactory(
        region=city.panlong_community,
        name="杨丽华",
        birth_date=today.replace(year=today.year - 62) - dt.timedelta(days=3),
    )
    client.force_login(officer)
    # when the officer asks for 70 to 80
    body = client.get(reverse("people:list"), {"age_min": 70, "age_max": 80}).content.decode()
    # then only the older one is listed, with their age
    assert old.name in body and young.name not in body
    assert ">75<" in body


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"age_min": "abc", "age_max": "-5"},
        {"region": "530102001001"},  # a Wuhua community: not a choice for a Panlong officer
        {"region": "'; drop table"},
        {"lives_alone": "maybe", "sex": "X", "economic_status": "rich"},
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999999999999999999"},
        {"q": "x" * 500},
    ],
)
def test_bad_filter_values_are_ignored_not_a_server_error(client, city, officer, elder, params):
    client.force_login(officer)
    response = client.get(reverse("people:list"), params)
    assert response.status_code == 200


def test_the_wuhua_region_filter_does_not_widen_a_panlong_officers_scope(client, city, officer):
    # given a Wuhua elder
    ElderFactory(region=city.wuhua_community, name="西仓坡老人")
    client.force_login(officer)
    # when the Panlong officer forges a Wuhua region in the filter
    body = client.get(reverse("people:list"), {"region": city.wuhua_community.code})
    # then the Wuhua elder stays invisible
    assert "西仓坡老人" not in body.content.decode()


def test_an_htmx_search_returns_only_the_results_fragment(client, officer, elder):
    client.force_login(officer)
    response = client.get(reverse("people:list"), {"q": "曾"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert elder.name in body


def test_the_full_page_carries_the_htmx_wiring_and_works_without_it(client, officer, elder):
    client.force_login(officer)
    body = client.get(reverse("people:list")).content.decode()
    assert 'hx-get="/elders/"' in body
    assert 'hx-target="#results"' in body
    assert 'hx-push-url="true"' in body
    assert 'method="get"' in body  # the plain form still works without JavaScript
    assert "htmx" in body and "cdn" not in body.lower()


def test_the_list_pages_fifty_at_a_time(client, city, officer):
    # given 120 people
    ElderFactory.create_batch(120, region=city.panlong_community)
    client.force_login(officer)
    url = reverse("people:list")
    # when the officer opens pages 1, 2 and 3
    first = client.get(url).context["page_obj"]
    second = client.get(url, {"page": 2}).context["page_obj"]
    third = client.get(url, {"page": 3}).context["page_obj"]
    # then they hold 50, 50 and 20 people, with no person twice
    assert [len(first), len(second), len(third)] == [50, 50, 20]
    assert first.has_next() and second.has_next() and not third.has_next()
    ids = [e.pk for p in (first, second, third) for e in p]
    assert len(set(ids)) == 120
    assert first.total == 120


def test_the_list_runs_a_constant_number_of_queries(
    client, city, officer, django_assert_max_num_queries
):
    # given a handful of people, then many more
    ElderFactory.create_batch(5, region=city.panlong_community)
    client.force_login(officer)
    url = reverse("people:list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    ElderFactory.create_batch(70, region=city.panlong_community2)
    # when the list is opened, filtered, searched and paged
    for params in ({}, {"page": 2}, {"q": "王"}, {"status": "active", "sex": "F"}):
        with django_assert_max_num_queries(len(few.captured_queries) + 1):
            response = client.get(url, params)
        assert response.status_code == 200
    # and the htmx fragment is no dearer
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        client.get(url, {"page": 2}, **HTMX)


def test_the_list_never_counts_the_whole_table(client, city, officer):
    # given more people than one page holds
    ElderFactory.create_batch(60, region=city.panlong_community)
    client.force_login(officer)
    # when pages are opened
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("people:list"), {"page": 2})
    # then every COUNT over the registry is bounded by a LIMIT
    counts = [
        q["sql"]
        for q in ctx.captured_queries
        if "COUNT(" in q["sql"] and "people_elder" in q["sql"]
    ]
    assert counts, "a capped count is expected on page 2"
    assert all("LIMIT" in sql for sql in counts)


# --- detail ----------------------------------------------------------------------------------


def test_the_record_page_shows_the_registry_masked_guardians_and_history(
    client, city, officer, elder
):
    # given a guardian and a change on record
    Guardian.objects.create(elder=elder, name="曾女儿", relation="child", phone="13811112222")
    from yiyang.people import services

    services.elder_update(
        actor=officer,
        elder_id=elder.pk,
        data=services.ElderData(
            name=elder.name,
            id_number="",
            region_code=elder.region_code,
            address="新地址 8 号",
            phone=elder.phone,
        ),
    )
    client.force_login(officer)
    # when the officer opens the record
    response = client.get(reverse("people:detail", args=[elder.pk]))
    body = response.content.decode()
    # then they see the masked number (never the full one), the guardian and the change
    assert response.status_code == 200
    assert elder.id_number_masked in body
    assert "曾女儿" in body
    assert "新地址 8 号" in body and "测试路2号" in body  # the change: old -> new
    assert reverse("people:edit", args=[elder.pk]) in body
    assert reverse("people:reveal", args=[elder.pk]) in body
    assert not AccessLog.objects.exists()  # the record page itself reads nothing sensitive


def test_a_missing_or_absurd_pk_is_a_404(client, officer):
    client.force_login(officer)
    assert client.get("/elders/999999/").status_code == 404
    assert client.get("/elders/99999999999999999999999/").status_code == 404
    assert client.get("/elders/abc/").status_code == 404


# --- create and edit -------------------------------------------------------------------------


def test_an_officer_registers_an_older_person(client, city, officer):
    client.force_login(officer)
    # when the officer fills in the form
    response = client.post(reverse("people:create"), _form(city))
    # then the person is on record with birth date and sex from the number, and in the history
    elder = Elder.objects.get(name="单秀英")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[elder.pk])
    assert elder.sex == "F"
    assert elder.name_pinyin == "shanxiuying"
    assert ChangeLog.objects.filter(entity_id=elder.pk, action="create").exists()


def test_the_registration_form_offers_only_communities_and_homes_in_scope(client, city, officer):
    OrganisationFactory(region=city.panlong_street, name="盘龙养老院")
    OrganisationFactory(region=city.wuhua_street, name="五华养老院")
    client.force_login(officer)
    body = client.get(reverse("people:create")).content.decode()
    assert city.panlong_community.code in body
    assert city.wuhua_community.code not in body
    assert "盘龙养老院" in body and "五华养老院" not in body
    assert "<optgroup" in body and "拓东街道" in body


def test_a_bad_id_number_is_refused_with_the_reason_beside_the_field(client, city, officer):
    client.force_login(officer)
    good = id_number_for(7001, sex="F")
    typo = good[:-1] + ("0" if good[-1] != "0" else "1")
    # when the officer types a number with a wrong check character
    response = client.post(reverse("people:create"), _form(city, id_number=typo))
    # then the form comes back with the reason by the ID field and nothing is stored
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-field="id_number"' in body
    assert response.context["form"].errors["id_number"]
    assert not Elder.objects.filter(name="单秀英").exists()


def test_every_bad_field_is_reported_at_once(client, city, officer):
    client.force_login(officer)
    response = client.post(
        reverse("people:create"),
        _form(
            city,
            id_number=id_number_for(1, birth=dt.date(1990, 1, 1)),
            phone="call me",
            lat="north",
            living_arrangement="institution",
        ),
    )
    errors = response.context["form"].errors
    assert set(errors) >= {"id_number", "phone", "lat", "institution"}
    body = response.content.decode()
    for name in ("id_number", "phone", "lat", "institution"):
        assert f'data-field="{name}"' in body


def test_a_registered_number_cannot_be_registered_twice(client, city, officer):
    client.force_login(officer)
    client.post(reverse("people:create"), _form(city))
    response = client.post(reverse("people:create"), _form(city, name="另一人"))
    assert "id_number" in response.context["form"].errors
    assert Elder.objects.count() == 1


def test_an_officer_edits_a_record(client, city, officer, elder):
    client.force_login(officer)
    # when the officer moves the person to another community
    response = client.post(
        reverse("people:edit", args=[elder.pk]),
        _edit_form(elder, region=city.panlong_community2.code, lives_alone="on"),
    )
    # then the record changes, its version rises and the history says so
    assert response.status_code == 302
    elder.refresh_from_db()
    assert elder.region_code == city.panlong_community2.code
    assert elder.lives_alone is True
    assert elder.version == 2
    log = ChangeLog.objects.get(entity_id=elder.pk, action="update")
    assert "region" in log.changes and "lives_alone" in log.changes


def test_the_edit_form_is_filled_with_the_record_and_its_version(client, officer, elder):
    client.force_login(officer)
    response = client.get(reverse("people:edit", args=[elder.pk]))
    form = response.context["form"]
    assert form.initial["name"] == elder.name
    assert form.initial["version"] == elder.version
    assert "id_number" not in form.fields  # fixed once filed


def test_a_stale_edit_is_refused_and_nothing_is_overwritten(client, city, officer, elder):
    # given someone else saved the record after the form was opened
    stale_version = elder.version
    Elder.objects.filter(pk=elder.pk).update(version=stale_version + 1, address="别人改的")
    client.force_login(officer)
    # when the officer submits the old form
    response = client.post(
        reverse("people:edit", args=[elder.pk]),
        _edit_form(elder, address="我的地址", version=stale_version),
    )
    # then the form says so and the other change stays
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    elder.refresh_from_db()
    assert elder.address == "别人改的"


def test_an_edit_with_a_field_error_shows_it_beside_the_field(client, city, officer, elder):
    client.force_login(officer)
    response = client.post(reverse("people:edit", args=[elder.pk]), _edit_form(elder, phone="abc"))
    assert response.status_code == 200
    assert 'data-field="phone"' in response.content.decode()


# --- status ----------------------------------------------------------------------------------


def test_an_officer_records_a_death_and_the_record_closes(client, officer, elder):
    client.force_login(officer)
    day = local_today() - dt.timedelta(days=2)
    response = client.post(
        reverse("people:status", args=[elder.pk]),
        {"status": "deceased", "status_date": day.isoformat(), "note": "死亡证明 123"},
    )
    assert response.status_code == 302
    elder.refresh_from_db()
    assert (elder.status, elder.status_date) == ("deceased", day)
    log = ChangeLog.objects.get(entity_id=elder.pk, action="status")
    assert log.note == "死亡证明 123"
    # and the record page no longer offers editing or another status change
    body = client.get(reverse("people:detail", args=[elder.pk])).content.decode()
    assert reverse("people:edit", args=[elder.pk]) not in body
    assert reverse("people:status", args=[elder.pk]) not in body


def test_a_status_date_in_the_future_is_refused_beside_the_field(client, officer, elder):
    client.force_login(officer)
    response = client.post(
        reverse("people:status", args=[elder.pk]),
        {"status": "moved_out", "status_date": (local_today() + dt.timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 200
    assert 'data-field="status_date"' in response.content.decode()
    elder.refresh_from_db()
    assert elder.status == "active"


def test_a_garbled_status_form_is_a_field_error(client, officer, elder):
    client.force_login(officer)
    response = client.post(
        reverse("people:status", args=[elder.pk]), {"status": "zombie", "status_date": "soon"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"status", "status_date"}


# --- sensitive reads -------------------------------------------------------------------------


def test_revealing_the_id_number_needs_a_reason_and_is_logged(client, officer, elder):
    client.force_login(officer)
    url = reverse("people:reveal", args=[elder.pk])
    # when the officer gives a reason
    response = client.post(url, {"reason": "核对低保申请材料"})
    # then the full number is shown once, not cached, and the read is logged with the reason
    full = crypto.decrypt(elder.id_number_cipher)
    assert response.status_code == 200
    assert full in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    log = AccessLog.objects.get()
    assert (log.kind, log.entity_id, log.reason, log.actor) == (
        "id_number",
        elder.pk,
        "核对低保申请材料",
        officer,
    )


def test_revealing_through_htmx_returns_the_fragment(client, officer, elder):
    client.force_login(officer)
    response = client.post(
        reverse("people:reveal", args=[elder.pk]),
        {"reason": "核对身份信息"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="reveal-box",
    )
    body = response.content.decode()
    assert "<html" not in body
    assert 'data-testid="full-id-number"' in body


def test_a_reveal_without_a_reason_is_refused_and_not_logged(client, officer, elder):
    client.force_login(officer)
    response = client.post(reverse("people:reveal", args=[elder.pk]), {"reason": "看"})
    assert response.status_code == 200
    assert 'data-field="reason"' in response.content.decode()
    assert 'data-testid="full-id-number"' not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_the_health_profile_is_a_separate_logged_read(client, officer, elder):
    HealthProfile.objects.create(
        elder=elder, chronic_conditions="高血压", medications="氨氯地平", allergies="青霉素"
    )
    client.force_login(officer)
    # the record page does not show it
    assert "高血压" not in client.get(reverse("people:detail", args=[elder.pk])).content.decode()
    # when the officer asks for it
    response = client.get(reverse("people:health", args=[elder.pk]))
    body = response.content.decode()
    # then the conditions, medications and allergies are shown and the read is logged
    assert "高血压" in body and "氨氯地平" in body and "青霉素" in body
    assert AccessLog.objects.filter(kind="health", entity_id=elder.pk, actor=officer).count() == 1
    # and an htmx request gets the fragment only
    fragment = client.get(
        reverse("people:health", args=[elder.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="health-box",
    ).content.decode()
    assert "<html" not in fragment and "高血压" in fragment


def test_an_officer_edits_the_health_profile(client, officer, elder):
    client.force_login(officer)
    assert client.get(reverse("people:health_edit", args=[elder.pk])).status_code == 200
    response = client.post(
        reverse("people:health_edit", args=[elder.pk]),
        {"chronic_conditions": "糖尿病", "medications": "", "allergies": "", "blood_type": "A"},
    )
    assert response.status_code == 302
    assert HealthProfile.objects.get(elder=elder).chronic_conditions == "糖尿病"
    log = ChangeLog.objects.get(entity_id=elder.pk, note="health profile")
    assert log.changes["chronic_conditions"] == ["***", "***"]  # never the contents
    # and the record's history names the field in words, without its contents
    history = client.get(reverse("people:detail", args=[elder.pk])).content.decode()
    assert "chronic_conditions" not in history
    assert "糖尿病" not in history


# --- guardians -------------------------------------------------------------------------------


def test_an_officer_adds_and_removes_a_guardian(client, officer, elder):
    client.force_login(officer)
    response = client.post(
        reverse("people:guardian_add", args=[elder.pk]),
        {
            "name": "曾大伟",
            "relation": "child",
            "phone": "13900001111",
            "is_guardian": "on",
            "is_emergency_contact": "on",
            "priority": 1,
        },
    )
    assert response.status_code == 302
    guardian = Guardian.objects.get(elder=elder)
    assert guardian.is_guardian
    response = client.post(reverse("people:guardian_remove", args=[elder.pk, guardian.pk]))
    assert response.status_code == 302
    assert not Guardian.objects.exists()
    notes = set(ChangeLog.objects.filter(entity_id=elder.pk).values_list("note", flat=True))
    assert notes == {"guardian added", "guardian removed"}


def test_a_guardian_with_a_bad_phone_or_priority_is_refused_beside_the_fields(
    client, officer, elder
):
    client.force_login(officer)
    response = client.post(
        reverse("people:guardian_add", args=[elder.pk]),
        {"name": "曾大伟", "relation": "child", "phone": "12", "priority": 12},
    )
    body = response.content.decode()
    assert 'data-field="phone"' in body and 'data-field="priority"' in body
    assert not Guardian.objects.exists()


def test_removing_needs_post(client, officer, elder):
    guardian = Guardian.objects.create(
        elder=elder, name="甲", relation="child", phone="13800000000"
    )
    client.force_login(officer)
    response = client.get(reverse("people:guardian_remove", args=[elder.pk, guardian.pk]))
    assert response.status_code == 405
    assert Guardian.objects.exists()


def test_removing_through_htmx_redirects_the_whole_page(client, officer, elder):
    guardian = Guardian.objects.create(
        elder=elder, name="甲", relation="child", phone="13800000000"
    )
    client.force_login(officer)
    response = client.post(
        reverse("people:guardian_remove", args=[elder.pk, guardian.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("people:detail", args=[elder.pk])


# --- access ----------------------------------------------------------------------------------


def _pages(elder, guardian):
    pk = elder.pk
    return [
        ("get", reverse("people:detail", args=[pk]), {}),
        ("get", reverse("people:edit", args=[pk]), {}),
        ("post", reverse("people:edit", args=[pk]), {"name": "x"}),
        ("get", reverse("people:status", args=[pk]), {}),
        ("post", reverse("people:status", args=[pk]), {"status": "moved_out"}),
        ("get", reverse("people:reveal", args=[pk]), {}),
        ("post", reverse("people:reveal", args=[pk]), {"reason": "想看看这个人"}),
        ("post", reverse("people:reveal", args=[pk]), {"reason": ""}),
        ("get", reverse("people:health", args=[pk]), {}),
        ("get", reverse("people:health_edit", args=[pk]), {}),
        ("post", reverse("people:health_edit", args=[pk]), {"notes": "x"}),
        ("get", reverse("people:guardian_add", args=[pk]), {}),
        ("post", reverse("people:guardian_remove", args=[pk, guardian.pk]), {}),
    ]


def test_a_wuhua_officer_gets_404_on_every_page_of_a_panlong_elder(client, outsider, elder):
    guardian = Guardian.objects.create(
        elder=elder, name="甲", relation="child", phone="13800000000"
    )
    client.force_login(outsider)
    for method, url, data in _pages(elder, guardian):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    # and nothing was read, written or logged
    assert not AccessLog.objects.exists()
    assert not ChangeLog.objects.exists()
    assert Guardian.objects.filter(pk=guardian.pk).exists()


def test_an_older_person_sees_only_themself_and_cannot_edit(client, city, elder):
    # given an older person's own account and a neighbour on record
    neighbour = ElderFactory(region=city.panlong_community, name="王秀英")
    account = UserFactory(role=Role.ELDER, region=city.panlong_community, elder=elder)
    client.force_login(account)
    # then the list holds only themself
    body = client.get(reverse("people:list")).content.decode()
    assert elder.name in body and neighbour.name not in body
    assert reverse("people:create") not in body
    # their own record opens, without edit buttons or the reveal form
    body = client.get(reverse("people:detail", args=[elder.pk])).content.decode()
    assert reverse("people:edit", args=[elder.pk]) not in body
    assert reverse("people:reveal", args=[elder.pk]) not in body
    assert reverse("people:health", args=[elder.pk]) in body
    # their own health data is theirs to read
    assert client.get(reverse("people:health", args=[elder.pk])).status_code == 200
    # the neighbour's record does not exist for them
    assert client.get(reverse("people:detail", args=[neighbour.pk])).status_code == 404
    assert client.get(reverse("people:health", args=[neighbour.pk])).status_code == 404
    # and changing anything is forbidden
    assert client.get(reverse("people:create")).status_code == 403
    assert client.get(reverse("people:edit", args=[elder.pk])).status_code == 403
    assert (
        client.post(reverse("people:reveal", args=[elder.pk]), {"reason": "看看我自己"}).status_code
        == 403
    )


def test_a_family_account_sees_only_its_ward(client, city, elder):
    # given a daughter's account linked as guardian of her mother
    stranger = ElderFactory(region=city.panlong_community, name="李玉珍")
    daughter = UserFactory(role=Role.FAMILY, region=city.panlong_community)
    Guardian.objects.create(
        elder=elder, name="女儿", relation="child", phone="13800000000", account=daughter
    )
    client.force_login(daughter)
    body = client.get(reverse("people:list")).content.decode()
    assert elder.name in body and stranger.name not in body
    assert client.get(reverse("people:detail", args=[elder.pk])).status_code == 200
    assert client.get(reverse("people:detail", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("people:status", args=[elder.pk])).status_code == 403


def test_a_provider_sees_only_residents_of_their_organisation(client, city):
    home = OrganisationFactory(region=city.panlong_street)
    resident = ElderFactory(
        region=city.panlong_community,
        name="院内老人",
        living_arrangement="institution",
        institution=home,
    )
    ElderFactory(region=city.panlong_community, name="居家老人")
    staff = UserFactory(role=Role.PROVIDER, region=city.panlong, organisation=home)
    client.force_login(staff)
    body = client.get(reverse("people:list")).content.decode()
    assert resident.name in body and "居家老人" not in body


def test_changes_need_post_with_a_csrf_token(city, officer, elder):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(officer)
    response = strict.post(
        reverse("people:status", args=[elder.pk]),
        {"status": "moved_out", "status_date": "2024-01-01"},
    )
    assert response.status_code == 403
    elder.refresh_from_db()
    assert elder.status == "active"


def test_signed_out_visitors_are_sent_to_sign_in(client, elder):
    response = client.get(reverse("people:detail", args=[elder.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_new_record_starts_from_the_ordinary_defaults_not_the_first_option(client, officer):
    client.force_login(officer)
    form = client.get(reverse("people:create")).context["form"]
    assert form.initial["economic_status"] == "ordinary"  # never 特困 by accident
    assert form.initial["living_arrangement"] == "home"


def test_every_page_of_a_record_opens_for_an_officer(client, officer, elder):
    client.force_login(officer)
    for name in ("detail", "edit", "status", "reveal", "health", "health_edit", "guardian_add"):
        response = client.get(reverse(f"people:{name}", args=[elder.pk]))
        assert response.status_code == 200, name
        assert elder.name in response.content.decode(), name
    status_form = client.get(reverse("people:status", args=[elder.pk])).context["form"]
    assert status_form.initial["status"] == "moved_out"  # not the status it already has


# --- in a browser ----------------------------------------------------------------------------


def _sign_in(tab, live_server, user):
    """Reuse a test-client session: the sign-in form has its own browser test."""
    from urllib.parse import urlparse

    from django.test import Client

    client = Client()
    client.force_login(user)
    tab.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": urlparse(live_server.url).hostname,
                "path": "/",
            }
        ]
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_officer_searches_pages_and_reveals_without_reloading(
    page,
    live_server,
    city,
    screenshots,
):
    # given a district with more people than one page
    officer = UserFactory(region=city.panlong)
    ElderFactory.create_batch(55, region=city.panlong_community)
    sought = ElderFactory(region=city.panlong_community, name="曾小红")
    _sign_in(page, live_server, officer)
    page.goto(reverse("people:list"))
    page.evaluate("window.notReloaded = true")
    # when the officer types initials into the search box
    page.fill("#id_q", "zxh")
    page.wait_for_url("**q=zxh**")
    # then the table narrows to the one person, the address bar follows, the page stays
    page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 1")
    assert page.evaluate("window.notReloaded") is True
    page.screenshot(path=screenshots / "people-list-search.png", full_page=True)
    # and clearing the search and paging works in place too
    page.fill("#id_q", "")
    page.wait_for_function("() => document.querySelectorAll('#results tbody tr').length === 50")
    page.click(".pagination a")
    page.wait_for_url("**page=2**")
    assert page.locator("#results tbody tr").count() == 6
    assert page.evaluate("window.notReloaded") is True
    # when the officer opens the record and gives a reason to see the full number
    page.goto(reverse("people:detail", args=[sought.pk]))
    page.fill("#id_reason", "核对身份信息")
    page.click(".reveal-form button")
    # then it appears in place, and the read is logged
    full = crypto.decrypt(sought.id_number_cipher)
    page.wait_for_selector("[data-testid=full-id-number]")
    assert page.inner_text("[data-testid=full-id-number]") == full
    assert AccessLog.objects.filter(entity_id=sought.pk, kind="id_number").count() == 1
    page.screenshot(path=screenshots / "people-detail-reveal.png", full_page=True)


def test_a_form_names_every_bad_field_at_once(client, city):
    # given an officer who leaves the community and address empty, mistypes the ID number's
    # check character and types letters into the phone number
    client.force_login(UserFactory(region=city.panlong))
    good = idnumbers.make(area6="530103", birth_date=dt.date(1950, 3, 1), sequence=1, sex="M")
    typo = good[:17] + ("0" if good[17] != "0" else "1")
    response = client.post(
        reverse("people:create"),
        {
            "name": "张三",
            "id_number": typo,
            "phone": "12ab",
            "economic_status": "ordinary",
            "insurance": "resident",
            "living_arrangement": "home",
        },
    )
    # then one answer names all four fields, each with its own reason
    errors = response.context["form"].errors
    assert set(errors) >= {"region", "address", "id_number", "phone"}
    assert "校验" in errors["id_number"][0] or "check" in errors["id_number"][0]
    assert not Elder.objects.exists()


@pytest.mark.parametrize("few", [0, 2, 100])
def test_a_search_lists_the_same_people_whether_its_matches_are_few_or_many(
    city, officer, outsider, monkeypatch, few
):
    from yiyang.people import selectors

    # given five 单 in the officer's district, one outside it, and others
    inside = [ElderFactory(region=city.panlong_community, name=f"单{c}") for c in "一二三四五"]
    ElderFactory(region=city.wuhua_community, name="单六")
    ElderFactory(region=city.panlong_community, name="王七")
    # when the search is answered from the ids (few matches) or by the plain filter (many)
    monkeypatch.setattr(selectors, "FEW_MATCHES", few)
    found = selectors.elder_list(actor=officer, filters=selectors.ElderFilters(q="单"))
    # then it lists exactly the 单 in scope, in either order, and pages after a cursor
    assert list(found.order_by("id")) == sorted(inside, key=lambda e: e.id)
    assert [e.id for e in found] == [
        e.id for e in sorted(inside, key=lambda e: (e.region_code, e.id))
    ]
    assert list(found.order_by("id").filter(id__gt=inside[1].id)) == inside[2:]
