"""The procedure from application to an effective conclusion, and every refusal on the way."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.assessment import services
from yiyang.assessment.errors import (
    AlreadySubmitted,
    AnswersInvalid,
    OpenCaseExists,
    PolicyMissing,
    PoolTooSmall,
    ReapplyBarred,
    TransitionRefused,
)
from yiyang.assessment.evidence import evidence_add, evidence_open
from yiyang.assessment.grading import instrument_load
from yiyang.assessment.models import Assessment, AssessorTie, Assignment, Discrepancy
from yiyang.assessment.services import ApplicationData
from yiyang.core import events
from yiyang.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from yiyang.core.models import AccessLog, ChangeLog
from yiyang.core.timeutils import local_today
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people.models import Elder, Fact, Guardian
from yiyang.people.tests.factories import ElderFactory

from .factories import assessor_pool, ltc_answers, officer, policy

pytestmark = pytest.mark.django_db
S = Assessment.Status
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


@pytest.fixture
def setup(city):
    policy()
    pool = assessor_pool(city)
    staff = officer(city)
    elder = ElderFactory(region=city.panlong_community)
    return pool, staff, elder


def file_case(staff, elder, **kwargs):
    data = ApplicationData(
        elder_id=elder.pk, instrument="ltc-2021", applicant_name="本人", **kwargs
    )
    return services.application_file(actor=staff, data=data)


def to_assigned(staff, elder, pool, seed="s1"):
    case = file_case(staff, elder)
    services.application_accept(actor=staff, assessment_id=case.pk)
    services.assessors_draw(
        actor=staff, assessment_id=case.pk, organisation_id=pool.organisation.pk, seed=seed
    )
    return Assessment.objects.get(pk=case.pk)


def submit_all(case, answers_by_assessor):
    for assignment in Assignment.objects.filter(assessment=case, round=case.round).order_by("id"):
        services.assignment_save(
            actor=assignment.assessor.user,
            assignment_id=assignment.pk,
            answers=answers_by_assessor(assignment),
            submit=True,
        )
    return Assessment.objects.get(pk=case.pk)


def attach_photo(actor, case):
    upload = io.BytesIO(JPEG)
    upload.name = "现场照片.jpg"
    upload.size = len(JPEG)
    return evidence_add(actor=actor, assessment_id=case.pk, upload=upload)


def test_a_case_runs_from_application_to_effective_and_tells_the_other_apps(
    setup, django_capture_on_commit_callbacks
):
    pool, staff, elder = setup
    heard = []
    unsubscribe = events.subscribe(services.EVENT_EFFECTIVE, heard.append)
    try:
        case = to_assigned(staff, elder, pool)
        assert case.status == S.ASSIGNED
        assert case.assessment_org == pool.organisation
        case = submit_all(case, lambda a: ltc_answers())
        assert case.status == S.ON_SITE_DONE
        attach_photo(staff, case)
        case = services.assessment_conclude(actor=staff, assessment_id=case.pk)
        assert (case.grade, case.grade_label) == (3, "重度失能Ⅰ级")
        assert case.result["scores"] == {"ADL": 5, "COG": 16, "PER": 12}
        services.notice_publish(actor=staff, assessment_ids=[case.pk], start=dt.date(2026, 9, 7))
        case.refresh_from_db()
        # Monday 7 September 2026, five working days: Monday to Friday.
        assert (case.notice_from, case.notice_to) == (dt.date(2026, 9, 7), dt.date(2026, 9, 11))
        with django_capture_on_commit_callbacks(execute=True):
            report = services.assessments_advance(today=dt.date(2026, 9, 14))
        assert report.made_effective == 1
        assert services.assessments_advance(today=dt.date(2026, 9, 14)).made_effective == 0
    finally:
        unsubscribe()
    case.refresh_from_db()
    elder.refresh_from_db()
    assert case.status == S.EFFECTIVE
    assert (case.valid_from, case.valid_to) == (dt.date(2026, 9, 14), dt.date(2028, 9, 13))
    assert elder.disability_grade == 3
    # the grade is a dated fact from the conclusion's first day, naming the case
    grade = Fact.objects.get(elder=elder, kind=Fact.Kind.DISABILITY)
    assert (grade.value, grade.valid_from, grade.valid_to) == ("3", dt.date(2026, 9, 14), None)
    assert (grade.source, grade.reference) == (Fact.Source.ASSESSMENT, case.number)
    assert ChangeLog.objects.filter(
        entity_type="people.elder", entity_id=elder.pk, changes__disability_grade=[None, 3]
    ).exists()
    assert len(heard) == 1
    assert heard[0].aggregate == f"elder:{elder.pk}"
    assert heard[0].payload["grade"] == 3
    assert heard[0].payload["elder_id"] == elder.pk
    assert heard[0].payload["registry_field"] == "disability_grade"


def test_the_event_is_not_delivered_when_the_transaction_rolls_back(
    setup, django_capture_on_commit_callbacks
):
    pool, staff, elder = setup
    case = to_assigned(staff, elder, pool)
    submit_all(case, lambda a: ltc_answers())
    attach_photo(staff, case)
    services.assessment_conclude(actor=staff, assessment_id=case.pk)
    heard = []
    unsubscribe = events.subscribe(services.EVENT_EFFECTIVE, heard.append)
    try:
        from django.db import transaction

        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            # no public notice needed when the policy says 0 days: make a case that needs none
            case.round = 2
            case.save(update_fields=["round"])
            services.assessment_make_effective(actor=staff, assessment_id=case.pk)
            raise RuntimeError("roll back")
    finally:
        unsubscribe()
    assert heard == [] and callbacks == []
    elder.refresh_from_db()
    assert elder.disability_grade is None


def test_the_deadline_is_thirty_working_days_across_the_national_day_holiday(setup):
    _pool, staff, elder = setup
    case = file_case(staff, elder, applied_on=dt.date(2025, 9, 26))
    # Friday 26 September 2025: Sunday 28 September and Saturday 11 October are 调休 working
    # days, 1-8 October are holidays; weekdays alone would give 7 November.
    assert case.due_on == dt.date(2025, 11, 13)
    assert case.due_provisional is False
    assert case.acceptance_due == dt.date(2025, 10, 10)


def test_the_draw_is_reproducible_and_leaves_out_conflicts(setup, city):
    pool, staff, elder = setup
    care_home = OrganisationFactory(region=city.panlong, region_code=city.panlong.code)
    Elder.objects.filter(pk=elder.pk).update(
        living_arrangement=Elder.Living.INSTITUTION, institution=care_home
    )
    a1, a2, a3, _a4 = pool.assessors
    a1.employer = care_home
    a1.save()
    AssessorTie.objects.create(assessor=a2, elder=elder, relation=AssessorTie.Relation.FAMILY)
    # a3 is the person's daughter by the guardian record's phone
    Guardian.objects.create(
        elder=elder, name="女儿", relation="child", phone=a3.user.phone, is_guardian=True
    )
    with pytest.raises(PoolTooSmall) as refused:
        to_assigned(staff, elder, pool)
    assert refused.value.fields.keys() == {"organisation"}
    extra = assessor_pool(city, size=3, name="第二评估机构").assessors
    for p in extra:
        p.organisation = pool.organisation
        p.save()
    case = Assessment.objects.get(elder=elder)
    draw = services.assessors_draw(
        actor=staff, assessment_id=case.pk, organisation_id=pool.organisation.pk, seed="abc"
    )
    reasons = {row["id"]: row["reason"] for row in draw.excluded}
    assert reasons == {a1.id: "works_at_residence", a2.id: "family_tie", a3.id: "family_tie"}
    assert set(draw.chosen) <= set(draw.pool)
    assert not set(draw.chosen) & {a1.id, a2.id, a3.id}
    assert services.draw_replay(draw)
    assert draw.chosen == services.draw_pick("abc", list(reversed(draw.pool)), 2)
    draw.chosen = list(reversed(draw.chosen)) if draw.chosen[0] != draw.chosen[1] else draw.chosen
    assert not services.draw_replay(draw)


def test_different_answers_must_be_reconciled_with_a_reason_before_the_conclusion(setup):
    pool, staff, elder = setup
    case = to_assigned(staff, elder, pool)
    first, second = Assignment.objects.filter(assessment=case).order_by("id")
    case = submit_all(
        case,
        lambda a: ltc_answers(ADL1=10, COG1=3) if a.pk == second.pk else ltc_answers(),
    )
    rows = {d.item: d for d in Discrepancy.objects.filter(assessment=case)}
    assert set(rows) == {"ADL1", "COG1"}
    assert rows["ADL1"].values == {str(first.pk): 5, str(second.pk): 10}
    attach_photo(staff, case)
    with pytest.raises(TransitionRefused) as refused:
        services.assessment_conclude(actor=staff, assessment_id=case.pk)
    assert "ADL1" in str(refused.value.message)
    with pytest.raises(ValidationFailed) as bad:
        services.discrepancy_resolve(
            actor=first.assessor.user, discrepancy_id=rows["ADL1"].pk, value=7, reason=""
        )
    assert set(bad.value.fields) == {"value", "reason"}
    services.discrepancy_resolve(
        actor=first.assessor.user, discrepancy_id=rows["ADL1"].pk, value=10, reason="复核进食"
    )
    services.discrepancy_resolve(
        actor=staff, discrepancy_id=rows["COG1"].pk, value=4, reason="再次询问"
    )
    case = services.assessment_conclude(actor=staff, assessment_id=case.pk)
    assert case.answers["items"]["ADL1"] == 10
    assert case.answers["items"]["COG1"] == 4
    assert case.result["scores"]["ADL"] == 10


def test_an_objection_sends_the_case_to_different_assessors_whose_result_is_final(setup, city):
    pool, staff, elder = setup
    case = to_assigned(staff, elder, pool)
    case = submit_all(case, lambda a: ltc_answers())
    attach_photo(staff, case)
    services.assessment_conclude(actor=staff, assessment_id=case.pk)
    # two days ago: the notice is open on any day the suite runs (a Saturday's opens on Monday)
    two_days_ago = local_today() - dt.timedelta(days=2)
    services.notice_publish(actor=staff, assessment_ids=[case.pk], start=two_days_ago)
    case.refresh_from_db()
    with pytest.raises(ValidationFailed) as late:
        services.objection_file(
            actor=staff,
            assessment_id=case.pk,
            filed_on=case.notice_from - dt.timedelta(days=1),
            filed_by="女儿",
            reason="不服",
        )
    assert "filed_on" in late.value.fields
    services.objection_file(
        actor=staff,
        assessment_id=case.pk,
        filed_on=case.notice_from,
        filed_by="女儿",
        reason="评定过低",
    )
    case.refresh_from_db()
    assert (case.status, case.round) == (S.OBJECTED, 2)
    assert case.objections.get().grade == 3  # the first round's grade, kept
    first_round = set(
        Assignment.objects.filter(assessment=case, round=1).values_list("assessor", flat=True)
    )
    draw = services.assessors_draw(
        actor=staff, assessment_id=case.pk, organisation_id=pool.organisation.pk
    )
    assert not set(draw.chosen) & first_round
    assert {row["reason"] for row in draw.excluded} == {"earlier_round"}
    case = submit_all(Assessment.objects.get(pk=case.pk), lambda a: ltc_answers(ADL1=10))
    attach_photo(staff, case)
    case = services.assessment_conclude(actor=staff, assessment_id=case.pk)
    with pytest.raises(TransitionRefused):
        services.notice_publish(actor=staff, assessment_ids=[case.pk])
    case = services.assessment_make_effective(actor=staff, assessment_id=case.pk)
    assert case.status == S.EFFECTIVE
    assert case.result["scores"]["ADL"] == 10


def test_steps_out_of_order_are_refused_and_change_nothing(setup):
    pool, staff, elder = setup
    case = file_case(staff, elder)
    for step in (
        lambda: services.assessment_conclude(actor=staff, assessment_id=case.pk),
        lambda: services.notice_publish(actor=staff, assessment_ids=[case.pk]),
        lambda: services.assessment_make_effective(actor=staff, assessment_id=case.pk),
        lambda: services.assessors_draw(
            actor=staff, assessment_id=case.pk, organisation_id=pool.organisation.pk
        ),
    ):
        with pytest.raises(TransitionRefused) as refused:
            step()
        assert refused.value.code == "bad_transition"
        assert refused.value.fields == {"status": refused.value.message}
    case.refresh_from_db()
    assert (case.status, case.version) == (S.APPLIED, 1)
    services.application_refuse(
        actor=staff, assessment_id=case.pk, reason=Assessment.Refusal.NOT_INSURED
    )
    with pytest.raises(TransitionRefused):
        services.application_accept(actor=staff, assessment_id=case.pk)


def test_refusal_needs_one_of_the_five_grounds(setup):
    _pool, staff, elder = setup
    case = file_case(staff, elder)
    with pytest.raises(ValidationFailed) as bad:
        services.application_refuse(actor=staff, assessment_id=case.pk, reason="dislike")
    assert "refusal_reason" in bad.value.fields
    with pytest.raises(ValidationFailed) as bad:
        services.application_refuse(actor=staff, assessment_id=case.pk, reason="other")
    assert "refusal_note" in bad.value.fields
    case.refresh_from_db()
    assert case.status == S.APPLIED


def test_an_application_names_every_bad_field(setup):
    _pool, staff, _elder = setup
    with pytest.raises(ValidationFailed) as bad:
        services.application_file(
            actor=staff,
            data=ApplicationData(
                elder_id=999999,
                instrument="no-such",
                trigger="whim",
                channel="pigeon",
                applicant_name="",
                applicant_phone="12",
                applied_on=local_today() + dt.timedelta(days=1),
            ),
        )
    assert set(bad.value.fields) == {
        "elder",
        "instrument",
        "trigger",
        "channel",
        "applicant_name",
        "applicant_phone",
        "applied_on",
    }
    assert not Assessment.objects.exists()


def test_one_open_case_per_person_and_no_policy_no_case(setup, city):
    _pool, staff, elder = setup
    file_case(staff, elder)
    with pytest.raises(OpenCaseExists):
        file_case(staff, elder)
    with pytest.raises(PolicyMissing):
        services.application_file(
            actor=staff,
            data=ApplicationData(
                elder_id=elder.pk, instrument="gbt-42195-2022", applicant_name="本人"
            ),
        )


def test_no_disability_bars_a_new_application_but_not_a_change_of_condition(setup):
    pool, staff, elder = setup
    ltc = instrument_load("ltc-2021")
    answers = {"items": {i.id: max(i.scores) for i in ltc.items.values()}}  # P1: fully able
    case = submit_all(to_assigned(staff, elder, pool), lambda a: answers)
    attach_photo(staff, case)
    case = services.assessment_conclude(actor=staff, assessment_id=case.pk)
    case.round = 2  # final: no notice, so it takes effect at once
    case.save(update_fields=["round"])
    case = services.assessment_make_effective(actor=staff, assessment_id=case.pk)
    assert case.grade == 0
    with pytest.raises(ReapplyBarred) as barred:
        file_case(staff, elder)
    assert barred.value.fields.keys() == {"trigger"}
    again = file_case(staff, elder, trigger=Assessment.Trigger.DISCHARGE)
    assert again.previous == case


def test_a_later_effective_conclusion_supersedes_the_earlier_one(setup):
    pool, staff, elder = setup

    def effective(items_changes, seed):
        case = Assessment.objects.filter(elder=elder, status=S.APPLIED).first() or file_case(
            staff, elder
        )
        services.application_accept(actor=staff, assessment_id=case.pk)
        services.assessors_draw(
            actor=staff, assessment_id=case.pk, organisation_id=pool.organisation.pk, seed=seed
        )
        case = submit_all(
            Assessment.objects.get(pk=case.pk), lambda a: ltc_answers(**items_changes)
        )
        attach_photo(staff, case)
        services.assessment_conclude(actor=staff, assessment_id=case.pk)
        Assessment.objects.filter(pk=case.pk).update(round=2)
        return services.assessment_make_effective(actor=staff, assessment_id=case.pk)

    first = effective({}, "a")
    services.application_file(
        actor=staff,
        data=ApplicationData(
            elder_id=elder.pk,
            instrument="ltc-2021",
            applicant_name="女儿",
            trigger=Assessment.Trigger.DISCHARGE,
        ),
    )
    second = effective({"ADL1": 0}, "b")
    first.refresh_from_db()
    assert first.status == S.SUPERSEDED
    assert first.superseded_by == second
    assert Assessment.objects.get(pk=second.pk).previous == first


def test_expired_conclusions_expire_once(setup):
    pool, staff, elder = setup
    case = to_assigned(staff, elder, pool)
    submit_all(case, lambda a: ltc_answers())
    attach_photo(staff, case)
    services.assessment_conclude(actor=staff, assessment_id=case.pk)
    Assessment.objects.filter(pk=case.pk).update(round=2)
    case = services.assessment_make_effective(actor=staff, assessment_id=case.pk)
    day_after = case.valid_to + dt.timedelta(days=1)
    assert services.assessments_advance(today=case.valid_to).expired == 0
    assert services.assessments_advance(today=day_after).expired == 1
    assert services.assessments_advance(today=day_after).expired == 0
    case.refresh_from_db()
    assert (case.status, case.ended_on) == (S.EXPIRED, day_after)


def test_assessors_save_partial_answers_and_cannot_change_after_submitting(setup):
    pool, staff, elder = setup
    case = to_assigned(staff, elder, pool)
    mine = Assignment.objects.filter(assessment=case).first()
    user = mine.assessor.user
    services.assignment_save(actor=user, assignment_id=mine.pk, answers={"items": {"ADL1": 5}})
    with pytest.raises(AnswersInvalid) as bad:
        services.assignment_save(actor=user, assignment_id=mine.pk, answers={"items": {"ADL1": 7}})
    assert bad.value.fields == {"ADL1": bad.value.problems[0].message}
    with pytest.raises(AnswersInvalid) as incomplete:
        services.assignment_save(
            actor=user, assignment_id=mine.pk, answers={"items": {"ADL1": 5}}, submit=True
        )
    assert {p.code for p in incomplete.value.problems} == {"missing_item"}
    services.assignment_save(actor=user, assignment_id=mine.pk, answers=ltc_answers(), submit=True)
    # the same submission sent again from a phone that was offline is harmless
    services.assignment_save(actor=user, assignment_id=mine.pk, answers=ltc_answers(), submit=True)
    with pytest.raises(AlreadySubmitted):
        services.assignment_save(
            actor=user, assignment_id=mine.pk, answers=ltc_answers(ADL1=10), submit=True
        )
    other = Assignment.objects.filter(assessment=case).exclude(pk=mine.pk).first()
    with pytest.raises(NotFound):
        services.assignment_save(actor=user, assignment_id=other.pk, answers={})


def test_an_older_save_from_another_device_does_not_overwrite_a_newer_one(setup):
    pool, staff, elder = setup
    case = to_assigned(staff, elder, pool)
    mine = Assignment.objects.filter(assessment=case).first()
    user = mine.assessor.user
    now = dt.datetime(2026, 9, 1, 10, 0, tzinfo=dt.UTC)
    services.assignment_save(
        actor=user, assignment_id=mine.pk, answers={"items": {"ADL1": 10}}, saved_at=now
    )
    services.assignment_save(
        actor=user,
        assignment_id=mine.pk,
        answers={"items": {"ADL1": 5}},
        saved_at=now - dt.timedelta(minutes=5),
    )
    mine.refresh_from_db()
    assert mine.answers["items"] == {"ADL1": 10}


def test_evidence_is_checked_and_every_download_logged(setup):
    pool, staff, elder = setup
    case = to_assigned(staff, elder, pool)
    row = attach_photo(staff, case)
    assert row.kind == "photo" and len(row.sha256) == 64
    assert "现场" not in row.file.name  # no personal data in stored names
    _row, handle = evidence_open(actor=staff, evidence_id=row.pk)
    assert handle.read() == JPEG
    handle.close()
    assert AccessLog.objects.filter(kind="evidence", entity_id=row.pk).count() == 1
    fake = io.BytesIO(b"MZ\x90\x00 not a photo")
    fake.name = "virus.jpg"
    fake.size = 17
    with pytest.raises(ValidationFailed) as bad:
        evidence_add(actor=staff, assessment_id=case.pk, upload=fake)
    assert "file" in bad.value.fields
    # tamper with the stored file: the next download refuses
    storage = row.file.storage
    name = row.file.name
    storage.delete(name)
    from django.core.files.base import ContentFile

    storage.save(name, ContentFile(JPEG + b"x"))
    from yiyang.assessment.errors import EvidenceCorrupt

    with pytest.raises(EvidenceCorrupt):
        evidence_open(actor=staff, evidence_id=row.pk)


def test_staff_of_another_district_cannot_see_or_move_a_case(setup, city):
    _pool, staff, elder = setup
    case = file_case(staff, elder)
    outsider = officer(city, region=city.wuhua)
    assert not services.visible_assessments(outsider).filter(pk=case.pk).exists()
    with pytest.raises(NotFound):
        services.application_accept(actor=outsider, assessment_id=case.pk)
    provider = UserFactory(role=Role.PROVIDER, region=city.panlong)
    with pytest.raises(PermissionDenied):
        services.application_accept(actor=provider, assessment_id=case.pk)


def test_assessors_see_only_cases_they_were_drawn_for(setup):
    pool, staff, elder = setup
    case = to_assigned(staff, elder, pool)
    chosen = {a.assessor.user for a in Assignment.objects.filter(assessment=case)}
    for profile in pool.assessors:
        visible = services.visible_assessments(profile.user).filter(pk=case.pk).exists()
        assert visible == (profile.user in chosen)


def test_the_draw_runs_in_a_bounded_number_of_queries(setup, city):
    pool, staff, elder = setup
    case = file_case(staff, elder)
    services.application_accept(actor=staff, assessment_id=case.pk)
    with CaptureQueriesContext(connection) as queries:
        services.assessors_draw(
            actor=staff, assessment_id=case.pk, organisation_id=pool.organisation.pk
        )
    assert len(queries) < 25


def test_only_designated_assessment_organisations_can_be_drawn_from(setup, city):
    _pool, staff, elder = setup
    case = file_case(staff, elder)
    services.application_accept(actor=staff, assessment_id=case.pk)
    care_home = OrganisationFactory(
        region=city.panlong, region_code=city.panlong.code, kind=Organisation.Kind.CARE_HOME
    )
    with pytest.raises(ValidationFailed) as bad:
        services.assessors_draw(actor=staff, assessment_id=case.pk, organisation_id=care_home.pk)
    assert "organisation" in bad.value.fields


def test_an_application_cannot_pose_as_an_imported_record(setup):
    _pool, staff, elder = setup
    with pytest.raises(ValidationFailed) as bad:
        file_case(staff, elder, trigger=Assessment.Trigger.IMPORTED)
    assert set(bad.value.fields) == {"trigger"}
