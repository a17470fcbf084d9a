"""The assessor's phone pages: the task list, the form, sync and evidence (views_mobile)."""

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.assessment import grading, services
from yiyang.assessment.models import Assessment, Assignment, Evidence
from yiyang.assessment.services import ApplicationData
from yiyang.assessment.tests.factories import P4_ITEMS, assessor_pool, ltc_answers, officer, policy
from yiyang.core.error_codes import error_codes
from yiyang.people.tests.factories import ElderFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Site:
    case: Assessment
    mine: Assignment  # the first drawn assessor's
    theirs: Assignment  # the second's


def _assigned(city, pool, boss, *, name="王秀英", instrument="ltc-2021") -> Site:
    elder = ElderFactory(
        region=city.panlong_community,
        name=name,
        address="白塔路12号",
        phone="13812345678",
        lat=Decimal("25.041000"),
        lng=Decimal("102.712000"),
    )
    case = services.application_file(
        actor=boss,
        data=ApplicationData(elder_id=elder.id, instrument=instrument, applicant_name="本人"),
    )
    services.application_accept(actor=boss, assessment_id=case.id)
    services.assessors_draw(actor=boss, assessment_id=case.id, organisation_id=pool.organisation.id)
    first, second = (
        Assignment.objects.filter(assessment=case)
        .select_related("assessor__user")
        .order_by("assessor_id")
    )
    case.refresh_from_db()
    return Site(case, first, second)


@pytest.fixture
def boss(city):
    policy("ltc-2021")
    policy("gbt-42195-2022")
    return officer(city)


@pytest.fixture
def pool(city):
    # Exactly two in the pool: both are drawn for every case.
    return assessor_pool(city, size=2)


@pytest.fixture
def site(city, pool, boss) -> Site:
    return _assigned(city, pool, boss)


@pytest.fixture
def stranger(city):
    """An assessor of another organisation, drawn for nothing here."""
    return assessor_pool(city, size=1, name="五华区评估站").assessors[0].user


def _sync(client, assignment, body, *, raw=None):
    return client.post(
        reverse("assessor:sync", args=[assignment.pk]),
        data=raw if raw is not None else json.dumps(body),
        content_type="application/json",
    )


def _half(items: dict) -> dict:
    return {"items": {k: v for k, v in items.items() if k.startswith("ADL")}}


# --- tasks ---------------------------------------------------------------------------------


def test_the_task_list_shows_the_assessors_own_cases_open_first(
    client, city, pool, boss, stranger, django_assert_max_num_queries
):
    # given two cases for the same two assessors; the first assessor has submitted the first
    done = _assigned(city, pool, boss, name="李桂兰")
    todo = _assigned(city, pool, boss, name="张建国")
    services.assignment_save(
        actor=done.mine.assessor.user,
        assignment_id=done.mine.pk,
        answers=ltc_answers(),
        submit=True,
    )
    client.force_login(done.mine.assessor.user)
    # when the assessor opens the task list
    with django_assert_max_num_queries(6):
        response = client.get(reverse("assessor:tasks"))
    # then both cases show, the open one first, the submitted one with its badge
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("张建国") < html.index("李桂兰")
    assert todo.case.number in html
    assert "白塔路12号" in html
    assert "尚义社区居委会" in html
    assert html.count('data-testid="submitted"') == 1
    # in two lists: what is left to do (with its deadline), and what is done (without one)
    open_part, done_part = html.split('data-testid="done-tasks"')
    assert "张建国" in open_part and "李桂兰" in done_part
    assert "请于" not in done_part and "提交于" in done_part
    # and the open visit offers a call to the person and their home on the phone's own map
    assert 'href="tel:13812345678"' in open_part
    assert 'href="geo:25.041000,102.712000?q=' in open_part
    assert 'data-testid="call"' not in done_part and 'data-testid="map"' not in done_part
    # and an assessor of another organisation sees neither
    client.force_login(stranger)
    html = client.get(reverse("assessor:tasks")).content.decode()
    assert "张建国" not in html
    assert "李桂兰" not in html


def test_people_who_do_not_assess_cannot_open_the_task_list(client, city, boss):
    client.force_login(boss)
    assert client.get(reverse("assessor:tasks")).status_code == 403


# --- form ----------------------------------------------------------------------------------


def test_the_form_shows_the_person_and_one_screen_per_section(client, site):
    # given the first assessor, who saved two answers earlier
    user = site.mine.assessor.user
    services.assignment_save(
        actor=user, assignment_id=site.mine.pk, answers={"items": {"ADL1": 5, "COG2": 3}}
    )
    client.force_login(user)
    # when they open the form
    response = client.get(reverse("assessor:form", args=[site.mine.pk]))
    # then it is a phone page with the person's name, age, address and case number
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="viewport"' in html
    assert "王秀英" in html
    assert "白塔路12号" in html
    assert site.case.number in html
    assert str(response.context["age"]) in html
    # and one screen per LTC-2021 form and a review screen, each item with its options
    # (the ten ADL items over two screens, so that no screen runs on for thousands of pixels)
    screens = response.context["screens"]
    assert [s.id for s in screens] == ["ADL", "ADL-2", "COG", "PER"]
    assert [s.label for s in screens][:2] == ["日常生活活动能力（1/2）", "日常生活活动能力（2/2）"]
    assert max(sum(len(q.choices) for q in s.questions) for s in screens) <= 20
    assert 'data-screen-id="review"' in html
    assert html.count('type="radio"') == sum(
        len(q.choices) for s in response.context["screens"] for q in s.questions
    )
    # and what was saved is ticked
    assert 'name="ADL1" value="5" checked' in html
    assert 'name="COG2" value="3" checked' in html
    assert "mobile-form.js" in html
    config = response.context["config"]
    assert config["isOpen"] is True
    assert config["storageKey"] == f"yiyang.assignment.{site.mine.pk}"


def test_the_gbt_form_has_a_screen_for_coma_diagnoses_and_risk_events(client, city, pool, boss):
    site = _assigned(city, pool, boss, instrument="gbt-42195-2022")
    client.force_login(site.mine.assessor.user)
    response = client.get(reverse("assessor:form", args=[site.mine.pk]))
    screens = response.context["screens"]
    assert [s.id for s in screens] == ["B1", "B1-2", "B2", "B3", "B3-2", "B4", "extra"]
    extra = screens[-1]
    assert extra.takes_diagnoses
    names = [q.name for q in extra.questions]
    assert names[0] == "coma"
    assert "risk_events.fall" in names
    falls = next(q for q in extra.questions if q.name == "risk_events.fall")
    assert [c.value for c in falls.choices] == ["0", "1", "2", "3"]
    assert 'name="diagnoses"' in response.content.decode()


def test_a_submitted_form_opens_read_only(client, site):
    user = site.mine.assessor.user
    services.assignment_save(
        actor=user, assignment_id=site.mine.pk, answers=ltc_answers(), submit=True
    )
    client.force_login(user)
    response = client.get(reverse("assessor:form", args=[site.mine.pk]))
    assert response.context["config"]["isOpen"] is False
    assert response.context["config"]["isSubmitted"] is True
    assert 'data-testid="form-state"' in response.content.decode()


def test_another_assessor_gets_404_for_someone_elses_form(client, site, stranger):
    # given an assessor drawn for nothing, and the second assessor of the same case
    for user in (stranger, site.theirs.assessor.user):
        client.force_login(user)
        # when they open the first assessor's form, sync or evidence
        # then it is not there for them
        assert client.get(reverse("assessor:form", args=[site.mine.pk])).status_code == 404
        response = _sync(client, site.mine, {"answers": ltc_answers()})
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert client.get(reverse("assessor:evidence", args=[site.mine.pk])).status_code == 404
    site.mine.refresh_from_db()
    assert site.mine.answers == {}


def test_signed_out_visitors_are_sent_to_sign_in(client, site):
    response = _sync(client, site.mine, {"answers": {}})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- sync ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        ("{not json", "bad_json", None),
        ("", "bad_json", None),
        ("[1, 2]", "bad_json", None),
        ('{"answers": [1]}', "bad_type", "answers"),
        ('{"answers": {"items": [["ADL1", 5]]}}', "bad_type", "items"),
        ('{"answers": {"items": {}, "risk_events": 3}}', "bad_type", "risk_events"),
        ('{"answers": {}, "submit": "yes"}', "bad_type", "submit"),
        ('{"answers": {}, "saved_at": "yesterday"}', "bad_saved_at", "saved_at"),
        ('{"answers": {}, "saved_at": "2025-02-30T10:00:00Z"}', "bad_saved_at", "saved_at"),
        ('{"answers": {}, "saved_at": 12}', "bad_saved_at", "saved_at"),
        ("[" * 100_000, "bad_json", None),
    ],
)
def test_malformed_requests_get_400_with_a_stable_code(client, site, raw, code, field):
    client.force_login(site.mine.assessor.user)
    response = _sync(client, site.mine, None, raw=raw)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    if field:
        assert field in body["fields"]
    # and the code is one the documented list gives with this status
    assert (code, 400) in {(e.code, e.status) for e in error_codes()}


@pytest.mark.parametrize("encoding", ["multipart", "form"])
def test_answers_sent_as_a_form_are_refused_as_not_json_and_save_nothing(client, site, encoding):
    client.force_login(site.mine.assessor.user)
    url = reverse("assessor:sync", args=[site.mine.pk])
    data = {"answers": "²", "submit": "true"}
    if encoding == "multipart":
        response = client.post(url, data)
    else:
        response = client.post(
            url, "answers=%C2%B2", content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_json"
    site.mine.refresh_from_db()
    assert site.mine.saved_at is None and site.mine.submitted_at is None


def test_malformed_answers_after_submission_are_400_not_500(client, site):
    # the service compares a resent submission before validating it
    user = site.mine.assessor.user
    services.assignment_save(
        actor=user, assignment_id=site.mine.pk, answers=ltc_answers(), submit=True
    )
    client.force_login(user)
    response = _sync(client, site.mine, {"answers": {"items": {}, "diagnoses": "F00"}})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_type"
    assert "diagnoses" in response.json()["fields"]


def test_a_bad_score_is_refused_naming_the_item(client, site):
    client.force_login(site.mine.assessor.user)
    # when a score that is not one of ADL1's options is sent, and a true for COG1
    response = _sync(client, site.mine, {"answers": {"items": {"ADL1": 7, "COG1": True}}})
    # then the answer is 400 with each item named and nothing is saved
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bad_score"
    assert set(body["fields"]) == {"ADL1", "COG1"}
    assert {p["code"] for p in body["problems"]} == {"bad_score", "bad_type"}
    site.mine.refresh_from_db()
    assert site.mine.answers == {}
    assert site.mine.saved_at is None


def test_a_partial_save_then_a_submission(client, site):
    client.force_login(site.mine.assessor.user)
    first = timezone.now() - dt.timedelta(minutes=30)
    # when half the items are saved, from the phone's clock half an hour ago
    response = _sync(client, site.mine, {"answers": _half(P4_ITEMS), "saved_at": first.isoformat()})
    # then they are stored, unsubmitted
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert response.json()["submitted"] is False
    site.mine.refresh_from_db()
    assert site.mine.answers["items"] == _half(P4_ITEMS)["items"]
    assert site.mine.saved_at == first
    assert site.mine.submitted_at is None
    # and a save from before that, arriving late, changes nothing
    stale = _sync(
        client,
        site.mine,
        {
            "answers": {"items": {"ADL1": 10}},
            "saved_at": (first - dt.timedelta(minutes=5)).isoformat(),
        },
    )
    assert stale.status_code == 200
    site.mine.refresh_from_db()
    assert site.mine.answers["items"]["ADL1"] == P4_ITEMS["ADL1"]
    # and submitting with items missing names every one of them
    missing = _sync(client, site.mine, {"answers": _half(P4_ITEMS), "submit": True})
    assert missing.status_code == 400
    assert missing.json()["code"] == "missing_item"
    assert set(missing.json()["fields"]) == {k for k in P4_ITEMS if not k.startswith("ADL")}
    # when every item is submitted
    done = _sync(
        client,
        site.mine,
        {"answers": ltc_answers(), "submit": True, "saved_at": timezone.now().isoformat()},
    )
    # then the assignment is submitted with its grade
    assert done.status_code == 200
    assert done.json()["submitted"] is True
    site.mine.refresh_from_db()
    assert site.mine.submitted_at is not None
    assert site.mine.result["grade"] == 3
    # and sending the same submission again (the phone did not hear the answer) is harmless
    again = _sync(client, site.mine, {"answers": ltc_answers(), "submit": True})
    assert again.status_code == 200
    assert again.json()["submitted"] is True
    # but changing an answer afterwards is refused
    changed = _sync(client, site.mine, {"answers": ltc_answers(ADL1=10), "submit": True})
    assert changed.status_code == 409
    assert changed.json()["code"] == "already_submitted"


def test_a_phone_clock_ahead_does_not_shadow_later_saves(client, site):
    client.force_login(site.mine.assessor.user)
    ahead = timezone.now() + dt.timedelta(days=2)
    _sync(client, site.mine, {"answers": {"items": {"ADL1": 5}}, "saved_at": ahead.isoformat()})
    site.mine.refresh_from_db()
    assert site.mine.saved_at <= timezone.now()
    _sync(
        client,
        site.mine,
        {"answers": {"items": {"ADL1": 10}}, "saved_at": timezone.now().isoformat()},
    )
    site.mine.refresh_from_db()
    assert site.mine.answers["items"]["ADL1"] == 10


def test_the_case_is_on_site_done_when_both_assessors_have_submitted(client, site):
    # given the first assessor submitted from their phone
    client.force_login(site.mine.assessor.user)
    assert _sync(client, site.mine, {"answers": ltc_answers(), "submit": True}).status_code == 200
    site.case.refresh_from_db()
    assert site.case.status == Assessment.Status.ASSIGNED
    # when the second submits, answering one item differently
    client.force_login(site.theirs.assessor.user)
    response = _sync(client, site.theirs, {"answers": ltc_answers(ADL1=10), "submit": True})
    # then the on-site step is done, with the differing item to reconcile
    assert response.status_code == 200
    site.case.refresh_from_db()
    assert site.case.status == Assessment.Status.ON_SITE_DONE
    assert list(site.case.discrepancies.values_list("item", flat=True)) == ["ADL1"]


def test_a_closed_case_refuses_saves_with_its_code(client, site, boss):
    services.application_withdraw(actor=boss, assessment_id=site.case.pk, note="本人去世")
    client.force_login(site.mine.assessor.user)
    response = _sync(client, site.mine, {"answers": {"items": {"ADL1": 5}}})
    assert response.status_code == 409
    assert response.json()["code"] == "bad_transition"


def test_a_complete_save_answers_with_the_forms_scores_and_grade_before_the_submission(
    client, site
):
    client.force_login(site.mine.assessor.user)
    # a partial save has nothing to show yet
    partial = _sync(client, site.mine, {"answers": _half(ltc_answers())})
    assert partial.status_code == 200 and partial.json()["preview"] is None
    # every item answered: the scores of each form and the grade the engine gives
    whole = _sync(client, site.mine, {"answers": ltc_answers()}).json()
    expected = grading.answers_grade(
        instrument=grading.instrument_load("ltc-2021"), answers=ltc_answers()
    )
    assert whole["submitted"] is False
    assert whole["preview"]["label"] == expected.label
    assert [s["score"] for s in whole["preview"]["scores"]] == list(expected.scores.values())
    # and the form page carries it for the review screen
    response = client.get(reverse("assessor:form", args=[site.mine.pk]))
    assert response.context["config"]["preview"] == whole["preview"]


def test_sync_takes_only_post(client, site):
    client.force_login(site.mine.assessor.user)
    assert client.get(reverse("assessor:sync", args=[site.mine.pk])).status_code == 405


def test_sync_needs_the_csrf_token(site):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(site.mine.assessor.user)
    page = client.get(reverse("assessor:form", args=[site.mine.pk]))
    token = page.cookies["csrftoken"].value
    url = reverse("assessor:sync", args=[site.mine.pk])
    body = json.dumps({"answers": {"items": {"ADL1": 5}}})
    assert client.post(url, body, content_type="application/json").status_code == 403
    response = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


# --- evidence ------------------------------------------------------------------------------


def test_an_assessor_attaches_a_photo_and_sees_it_listed(client, site):
    client.force_login(site.mine.assessor.user)
    url = reverse("assessor:evidence", args=[site.mine.pk])
    # when a photo taken with the phone is uploaded
    response = client.post(
        url, {"file": SimpleUploadedFile("IMG_0001.png", PNG, "image/png"), "note": "卧室"}
    )
    # then it is attached to the case and listed
    assert response.status_code == 302
    row = Evidence.objects.get(assessment=site.case)
    assert row.kind == Evidence.Kind.PHOTO
    assert row.uploaded_by == site.mine.assessor.user
    html = client.get(url).content.decode()
    assert "IMG_0001.png" in html
    assert 'accept="image/*,video/*"' in html
    assert 'capture="environment"' in html


def test_a_file_that_is_not_a_photo_or_video_is_refused_beside_the_field(client, site):
    client.force_login(site.mine.assessor.user)
    response = client.post(
        reverse("assessor:evidence", args=[site.mine.pk]),
        {"file": SimpleUploadedFile("notes.txt", b"hello there", "text/plain")},
    )
    assert response.status_code == 400
    assert response.context["error"]
    assert not Evidence.objects.filter(assessment=site.case).exists()


def _queued(client, url, client_id, *, name="IMG_0003.png", content=PNG, taken_at=None):
    """What the phone's queue (evidence-queue.js) posts: the form, its id, the phone's clock."""
    return client.post(
        url,
        {
            "file": SimpleUploadedFile(name, content, "image/png"),
            "client_id": client_id,
            "taken_at": taken_at or "2026-12-01T09:30:00+08:00",
        },
        HTTP_ACCEPT="application/json",
    )


def test_a_queued_photo_sent_twice_is_attached_once_with_the_phones_time(client, site):
    client.force_login(site.mine.assessor.user)
    url = reverse("assessor:evidence", args=[site.mine.pk])
    client_id = "6f1c2a9e-1b7d-4c55-9a0e-2f4b8d1e7c30"
    # when the phone sends a queued photo, and sends it again (the first answer was lost)
    first = _queued(client, url, client_id)
    again = _queued(client, url, client_id)
    # then both answers name the same attachment, and only one is stored
    assert first.status_code == again.status_code == 200
    assert first.json()["ok"] and first.json()["id"] == again.json()["id"]
    row = Evidence.objects.get(assessment=site.case)
    assert row.client_id == client_id
    # and the phone's clock is kept beside the server's
    assert row.taken_at.isoformat() == "2026-12-01T01:30:00+00:00"
    assert row.uploaded_at > row.taken_at
    # while another photo with its own id is a second attachment
    assert _queued(client, url, "another-photo-1").json()["id"] != row.pk
    assert Evidence.objects.filter(assessment=site.case).count() == 2


@pytest.mark.parametrize(
    "client_id, taken_at, field",
    [
        ("no spaces allowed", None, "client_id"),
        ("x" * 65, None, "client_id"),
        ("ok-id", "yesterday", "taken_at"),
        ("ok-id", "9999-12-31T23:59:59", "taken_at"),
    ],
)
def test_a_queued_photo_with_a_bad_id_or_time_is_refused_by_name(
    client, site, client_id, taken_at, field
):
    client.force_login(site.mine.assessor.user)
    url = reverse("assessor:evidence", args=[site.mine.pk])
    response = _queued(client, url, client_id, taken_at=taken_at)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Evidence.objects.exists()


def test_a_queued_file_that_is_not_a_photo_is_refused_in_json_with_the_reason(client, site):
    client.force_login(site.mine.assessor.user)
    url = reverse("assessor:evidence", args=[site.mine.pk])
    response = _queued(client, url, "page-1", name="page.html", content=b"<html><script>")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["fields"]["file"]
    assert not Evidence.objects.exists()


def test_the_photo_page_of_an_open_form_may_be_kept_on_the_phone(client, site):
    client.force_login(site.mine.assessor.user)
    response = client.get(reverse("assessor:evidence", args=[site.mine.pk]))
    assert response["X-Yiyang-Offline"] == "keep"
    tasks = client.get(reverse("assessor:tasks")).content.decode()
    assert f'data-offline-url="/assess/{site.mine.pk}/evidence/"' in tasks


def test_another_assessor_cannot_attach_to_someone_elses_case(client, site, stranger):
    client.force_login(stranger)
    response = client.post(
        reverse("assessor:evidence", args=[site.mine.pk]),
        {"file": SimpleUploadedFile("IMG_0002.png", PNG, "image/png")},
    )
    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_an_officer_is_not_an_assessor_here(client, site, boss):
    # Officers work in the console; the phone pages are for the drawn assessors only.
    client.force_login(boss)
    assert client.get(reverse("assessor:form", args=[site.mine.pk])).status_code == 403
    assert _sync(client, site.mine, {"answers": {}}).status_code == 403


def test_an_assessor_of_another_district_is_an_outsider(client, site, city):
    outsider = UserFactory(role=Role.ASSESSOR, region=city.wuhua)
    client.force_login(outsider)
    assert client.get(reverse("assessor:form", args=[site.mine.pk])).status_code == 404
    assert _sync(client, site.mine, {"answers": {}}).status_code == 404


# --- working without a connection ----------------------------------------------------------


def test_the_service_worker_is_plain_javascript_the_same_for_everyone(client, site, boss):
    # given an assessor and an officer, both signed in
    url = reverse("assessor:service_worker")
    assessor = site.mine.assessor.user
    bodies = []
    for user in (assessor, boss):
        client.force_login(user)
        # when the browser fetches the worker
        response = client.get(url)
        # then it is JavaScript the browser must check again on every update
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/javascript")
        assert response["Cache-Control"] == "no-cache"
        assert "csrftoken" not in response.cookies
        bodies.append(response.content.decode())
    # and it is the same text for both: nothing about the user or their cases is in it
    assert bodies[0] == bodies[1]
    script = bodies[0]
    assert site.case.elder.name not in script
    assert assessor.username not in script
    assert site.case.number not in script
    assert "/static/assessment/mobile-form.js" in script
    assert 'new URL("/assess/"' in script


def test_the_service_worker_is_for_signed_in_users_only(client):
    # Like every page but sign-in: a signed-out browser's update check is redirected, and the
    # browser keeps the worker it has.
    response = client.get(reverse("assessor:service_worker"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_only_an_open_form_is_marked_to_be_kept_on_the_phone(client, site):
    user = site.mine.assessor.user
    client.force_login(user)
    url = reverse("assessor:form", args=[site.mine.pk])
    # an open form may be kept for use without a connection
    assert client.get(url)["X-Yiyang-Offline"] == "keep"
    # a submitted one may not: the worker drops its copy when it sees the page without the mark
    services.assignment_save(
        actor=user, assignment_id=site.mine.pk, answers=ltc_answers(), submit=True
    )
    assert "X-Yiyang-Offline" not in client.get(url)


def test_the_task_list_names_only_the_open_forms_for_the_phone_to_keep(client, city, pool, boss):
    # given one submitted case and one open case
    done = _assigned(city, pool, boss, name="李桂兰")
    todo = _assigned(city, pool, boss, name="张建国")
    user = done.mine.assessor.user
    services.assignment_save(
        actor=user, assignment_id=done.mine.pk, answers=ltc_answers(), submit=True
    )
    client.force_login(user)
    # when the assessor opens the task list
    html = client.get(reverse("assessor:tasks")).content.decode()
    # then only the open form and its photo page are offered to the service worker, and the
    # note waits for them
    assert html.count("data-offline-url=") == 2
    assert f'data-offline-url="{reverse("assessor:form", args=[todo.mine.pk])}"' in html
    assert f'data-offline-url="{reverse("assessor:evidence", args=[todo.mine.pk])}"' in html
    assert 'data-testid="offline-note" hidden' in html
    assert reverse("assessor:service_worker") in html
