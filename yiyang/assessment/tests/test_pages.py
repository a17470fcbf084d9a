"""The console pages of the procedure, as an officer clicks through them."""

import datetime as dt
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.assessment import services
from yiyang.assessment.evidence import evidence_store_bytes, served_name
from yiyang.assessment.models import Assessment, AssessmentPolicy, AssessorDraw, Assignment
from yiyang.core.models import AccessLog
from yiyang.core.timeutils import local_today
from yiyang.people.tests.factories import ElderFactory

from .factories import assessor_pool, case_drawn, ltc_answers, officer, policy

pytestmark = pytest.mark.django_db
S = Assessment.Status
JPEG = b"\xff\xd8\xff\xe0" + bytes(100)


@pytest.fixture
def world(city):
    policy()
    pool = assessor_pool(city)
    staff = officer(city)
    elder = ElderFactory(region=city.panlong_community, name="页面老人")
    return pool, staff, elder


def test_an_officer_files_and_runs_a_case_through_the_pages(client, world):
    pool, staff, elder = world
    client.force_login(staff)
    page = client.get(reverse("people:detail", args=[elder.pk]))
    assert reverse("assessment:apply", args=[elder.pk]) in page.content.decode()
    bad = client.post(reverse("assessment:apply", args=[elder.pk]), {"instrument": "ltc-2021"})
    assert bad.status_code == 200
    assert b"has-error" in bad.content
    response = client.post(
        reverse("assessment:apply", args=[elder.pk]),
        {
            "instrument": "ltc-2021",
            "trigger": "first",
            "channel": "agency",
            "applicant_name": "本人",
            "applied_on": "2026-11-02",
        },
    )
    case = Assessment.objects.get(elder=elder)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:detail", args=[case.pk])
    detail = client.get(response["Location"]).content.decode()
    assert case.number in detail and 'data-testid="accept"' in detail
    client.post(reverse("assessment:accept", args=[case.pk]), {"version": case.version})
    client.post(reverse("assessment:draw", args=[case.pk]), {"organisation": pool.organisation.pk})
    case.refresh_from_db()
    assert case.status == S.ASSIGNED
    first, second = Assignment.objects.filter(assessment=case).order_by("id")
    for assignment, answers in ((first, ltc_answers()), (second, ltc_answers(ADL1=10))):
        services.assignment_save(
            actor=assignment.assessor.user,
            assignment_id=assignment.pk,
            answers=answers,
            submit=True,
        )
    detail = client.get(reverse("assessment:detail", args=[case.pk])).content.decode()
    assert "ADL1" in detail and "待核对确认" in detail
    # concluding before reconciling is refused with a message on the case, not a 500
    response = client.post(reverse("assessment:conclude", args=[case.pk]), follow=True)
    assert "ADL1" in response.content.decode() or "evidence" in response.content.decode()
    row = case.discrepancies.get()
    url = reverse("assessment:reconcile", args=[case.pk, row.pk])
    assert client.get(url).status_code == 200
    missing = client.post(url, {"value": "10", "reason": ""})
    assert b"has-error" in missing.content
    client.post(url, {"value": "10", "reason": "当面复核"})
    evidence_store_bytes(actor=staff, assessment_id=case.pk, name="现场.jpg", data=JPEG)
    client.post(reverse("assessment:conclude", args=[case.pk]), {"version": case.version + 2})
    case.refresh_from_db()
    assert case.status == S.ON_SITE_DONE  # stale version: refused
    client.post(reverse("assessment:conclude", args=[case.pk]), {"version": case.version})
    case.refresh_from_db()
    assert case.status == S.CONCLUDED
    detail = client.get(reverse("assessment:detail", args=[case.pk])).content.decode()
    assert 'data-testid="explanation"' in detail and case.grade_label in detail
    notices = client.get(reverse("assessment:notices")).content.decode()
    assert case.number in notices
    client.post(reverse("assessment:notices"), {"case": [case.pk]})
    case.refresh_from_db()
    assert case.status == S.PUBLIC_NOTICE
    pdf = client.get(reverse("assessment:notice_pdf") + f"?from={case.notice_from:%Y-%m-%d}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    letter = client.get(reverse("assessment:letter", args=[case.pk]))
    assert letter.content.startswith(b"%PDF")
    early = client.post(reverse("assessment:effective", args=[case.pk]), follow=True)
    assert case.notice_to.isoformat() in early.content.decode()
    case.refresh_from_db()
    assert case.status == S.PUBLIC_NOTICE


def test_evidence_downloads_are_logged_and_other_cases_ids_do_not_mix(client, world):
    _pool, staff, elder = world
    case = services.application_file(
        actor=staff,
        data=services.ApplicationData(
            elder_id=elder.pk, instrument="ltc-2021", applicant_name="本人"
        ),
    )
    row = evidence_store_bytes(actor=staff, assessment_id=case.pk, name="a.jpg", data=JPEG)
    client.force_login(staff)
    response = client.get(reverse("assessment:evidence", args=[case.pk, row.pk]))
    assert b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert AccessLog.objects.filter(kind="evidence", entity_id=row.pk).count() == 1
    assert client.get(reverse("assessment:evidence", args=[case.pk + 1, row.pk])).status_code == 404


def test_lists_reminders_export_and_policy_pages(client, world, city):
    _pool, staff, elder = world
    case = services.application_file(
        actor=staff,
        data=services.ApplicationData(
            elder_id=elder.pk,
            instrument="ltc-2021",
            applicant_name="本人",
            applied_on=dt.date(2026, 1, 5),
        ),
    )
    client.force_login(staff)
    listing = client.get(reverse("assessment:list"), {"overdue": "on"}).content.decode()
    assert case.number in listing
    reminders = client.get(reverse("assessment:reminders")).content.decode()
    assert case.number in reminders
    export = client.get(reverse("assessment:export"))
    assert export.content[:2] == b"PK"
    city_officer = UserFactory(role=Role.MEDICAL_INSURANCE, region=city.city)
    client.force_login(city_officer)
    page = client.get(reverse("assessment:policies"))
    assert page.status_code == 200
    bad = client.post(
        reverse("assessment:policies"),
        {"instrument": "ltc-2021", "region_code": "53", "effective_from": "2020-01-01"},
    )
    assert b"has-error" in bad.content
    before = AssessmentPolicy.objects.count()
    good = client.post(
        reverse("assessment:policies"),
        {
            "instrument": "ltc-2021",
            "region_code": "5301",
            "effective_from": (local_today() + dt.timedelta(days=30)).isoformat(),
            "acceptance_workdays": 5,
            "onsite_workdays": 10,
            "notice_workdays": 7,
            "entitlement_workdays": 30,
            "validity_months": 24,
            "reminder_days": 60,
            "reapply_bar_months": 6,
            "assessors_required": 2,
            "evidence_required": "on",
            "source": "邹城市长期护理保险工作规范",
        },
    )
    assert good.status_code == 302, good.content.decode()[:2000]
    assert AssessmentPolicy.objects.count() == before + 1


def test_roles_without_the_capability_are_refused(client, world, city):
    _pool, _staff, elder = world
    provider = UserFactory(role=Role.PROVIDER, region=city.panlong)
    client.force_login(provider)
    assert client.get(reverse("assessment:list")).status_code == 403
    assert client.get(reverse("assessment:apply", args=[elder.pk])).status_code == 403
    assert client.get(reverse("assessment:policies")).status_code == 403


def test_the_person_and_their_family_read_their_own_conclusion_and_nobody_elses(
    client, world, city
):
    _pool, staff, elder = world
    other = ElderFactory(region=city.panlong_community, name="邻居老人")
    mine = services.application_file(
        actor=staff,
        data=services.ApplicationData(
            elder_id=elder.pk, instrument="ltc-2021", applicant_name="本人"
        ),
    )
    theirs = services.application_file(
        actor=staff,
        data=services.ApplicationData(
            elder_id=other.pk, instrument="ltc-2021", applicant_name="本人"
        ),
    )
    person = UserFactory(role=Role.ELDER, region=city.panlong, elder=elder)
    client.force_login(person)
    assert client.get(reverse("assessment:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("assessment:detail", args=[theirs.pk])).status_code == 404
    page = client.get(reverse("assessment:detail", args=[mine.pk])).content.decode()
    assert 'data-testid="accept"' not in page  # no steps for the person
    assert client.post(reverse("assessment:accept", args=[mine.pk])).status_code == 403


def test_the_person_and_their_family_see_where_their_case_stands_in_plain_words(
    client, world, city
):
    pool, staff, elder = world
    pool.organisation.contact_phone = "0871-63100000"
    pool.organisation.save()
    case = case_drawn(staff, elder, pool, applicant="女儿")
    child = UserFactory(role=Role.FAMILY, region=city.panlong)
    elder.guardians.create(name="女儿", relation="child", phone="13900000000", account=child)
    for viewer in (UserFactory(role=Role.ELDER, region=city.panlong, elder=elder), child):
        client.force_login(viewer)
        response = client.get(reverse("assessment:detail", args=[case.pk]))
        assert response.status_code == 200
        steps = {m.key: m.state for m in response.context["p"].milestones}
        # applied and accepted are done, the home visit is what comes next, with its date
        assert steps == {
            "applied": "done",
            "accepted": "done",
            "onsite": "current",
            "concluded": "todo",
            "effective": "todo",
        }
        html = response.content.decode()
        assert f"{case.onsite_due:%Y}年{case.onsite_due.month}月{case.onsite_due.day}日" in html
        assert 'href="tel:0871-63100000"' in html
        # and nothing of the officers' page: no steps, no usernames, no codes
        assert staff.username not in html and "ltc-2021" not in html
        assert 'data-testid="steps"' not in html and "assessed_at" not in html


def test_a_refused_application_says_why_to_the_person(client, world, city):
    _pool, staff, elder = world
    case = services.application_file(
        actor=staff,
        data=services.ApplicationData(
            elder_id=elder.pk, instrument="ltc-2021", applicant_name="本人"
        ),
    )
    services.application_refuse(
        actor=staff, assessment_id=case.pk, reason=Assessment.Refusal.NOT_INSURED
    )
    client.force_login(UserFactory(role=Role.ELDER, region=city.panlong, elder=elder))
    response = client.get(reverse("assessment:detail", args=[case.pk]))
    progress = response.context["p"]
    assert str(Assessment.Refusal.NOT_INSURED.label) in progress.stopped
    assert [m.state for m in progress.milestones][:2] == ["done", "stopped"]


@pytest.mark.parametrize(
    "name",
    [
        "accept",
        "refuse",
        "withdraw",
        "draw",
        "conclude",
        "notice",
        "objection",
        "effective",
        "reassess",
        "evidence_upload",
    ],
)
def test_junk_posted_to_every_step_is_refused_without_a_500(client, world, name):
    _pool, staff, elder = world
    case = services.application_file(
        actor=staff,
        data=services.ApplicationData(
            elder_id=elder.pk, instrument="ltc-2021", applicant_name="本人"
        ),
    )
    client.force_login(staff)
    junk = {
        "version": "x",
        "refusal_reason": "<script>",
        "organisation": "1; drop table",
        "filed_on": "yesterday",
        "filed_by": "",
        "reason": "",
        "trigger": "whim",
        "note": "x" * 5000,
        "file": "not a file",
    }
    response = client.post(reverse(f"assessment:{name}", args=[case.pk]), junk, follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == Assessment.Status.APPLIED
    assert Assessment.objects.filter(elder=elder).count() == 1


def test_the_home_page_counts_the_officers_open_and_overdue_cases(client, world, city):
    _pool, staff, elder = world
    services.application_file(
        actor=staff,
        data=services.ApplicationData(
            elder_id=elder.pk,
            instrument="ltc-2021",
            applicant_name="本人",
            applied_on=dt.date(2026, 1, 5),
        ),
    )
    other = ElderFactory(region=city.panlong_community)
    services.application_file(
        actor=staff,
        data=services.ApplicationData(
            elder_id=other.pk, instrument="ltc-2021", applicant_name="本人"
        ),
    )
    client.force_login(staff)
    landing = client.get(reverse("home")).context["landing"]
    cards = landing.values()
    assert (cards["assessments_open"], cards["assessments_overdue"]) == (2, 1)
    assert cards["assessments_to_accept"] == 2
    # the overdue cases are the first line of the officer's work list, marked urgent
    assert landing.tasks[0].key == "assessments_overdue" and landing.tasks[0].is_urgent
    client.force_login(officer(city, region=city.wuhua))
    cards = client.get(reverse("home")).context["landing"].values()
    assert (cards["assessments_open"], cards["assessments_overdue"]) == (0, 0)
    assert "assessments_to_accept" not in cards  # nothing waiting is no work


def test_the_case_page_keeps_codes_and_seeds_behind_technical_details(client, world):
    pool, staff, elder = world
    case = case_drawn(staff, elder, pool)
    client.force_login(staff)
    html = client.get(reverse("assessment:detail", args=[case.pk])).content.decode()
    seed = AssessorDraw.objects.get(assessment=case).seed
    before, _sep, after = html.partition('<details class="tech">')
    assert seed not in before and seed in after
    assert case.instrument_version not in before


@pytest.mark.parametrize("junk", ["²", "①", "٣", "３", "9" * 30, "-1", ""])
def test_case_ids_that_are_not_ids_put_nothing_on_notice(client, world, junk):
    _pool, staff, _elder = world
    client.force_login(staff)
    response = client.post(reverse("assessment:notices"), {"case": [junk]}, follow=True)
    assert response.status_code == 200
    assert not Assessment.objects.filter(notice_from__isnull=False).exists()


@pytest.mark.parametrize(
    ("name", "served"),
    [
        ("现场.html", "现场.jpg"),
        ("photo.jpg.html", "photo.jpg"),
        ("x.svg", "x.jpg"),
        (".htaccess", "evidence.jpg"),
    ],
)
def test_evidence_named_like_a_page_is_stored_and_served_under_its_detected_type(
    client, world, name, served
):
    _pool, staff, elder = world
    case = services.application_file(
        actor=staff,
        data=services.ApplicationData(
            elder_id=elder.pk, instrument="ltc-2021", applicant_name="本人"
        ),
    )
    client.force_login(staff)
    # when a JPEG named like a page is uploaded on the case page
    upload = SimpleUploadedFile(name, JPEG, content_type="text/html")
    response = client.post(reverse("assessment:evidence_upload", args=[case.pk]), {"file": upload})
    assert response.status_code == 302
    # then it is taken by its content, and stored under the detected type's extension
    row = case.evidence.get()
    assert row.content_type == "image/jpeg"
    assert row.file.name.endswith(".jpg") and ".html" not in row.file.name
    # and it is served as a JPEG under a safe name, the original shown only as text
    download = client.get(reverse("assessment:evidence", args=[case.pk, row.pk]))
    assert download["Content-Type"] == "image/jpeg"
    assert download["X-Content-Type-Options"] == "nosniff"
    disposition = download["Content-Disposition"]
    assert ".html" not in disposition and ".svg" not in disposition
    assert served in unquote(disposition) or f'filename="{served}"' in disposition
    detail = client.get(reverse("assessment:detail", args=[case.pk])).content.decode()
    assert escape(row.original_name) in detail


@pytest.mark.parametrize(
    ("name", "content_type", "served"),
    [
        ("a\r\nb;.pdf", "application/pdf", "ab.pdf"),
        ("C:\\Users\\王\\x.exe", "video/mp4", "x.mp4"),
        ("../../etc/passwd", "image/png", "passwd.png"),
        ("", "video/webm", "evidence.webm"),
    ],
)
def test_the_served_name_has_the_detected_extension_and_no_odd_characters(
    name, content_type, served
):
    assert served_name(name, content_type) == served


def test_a_page_named_like_a_photo_is_refused(client, world):
    _pool, staff, elder = world
    case = services.application_file(
        actor=staff,
        data=services.ApplicationData(
            elder_id=elder.pk, instrument="ltc-2021", applicant_name="本人"
        ),
    )
    client.force_login(staff)
    upload = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>")
    client.post(reverse("assessment:evidence_upload", args=[case.pk]), {"file": upload})
    assert not case.evidence.exists()
