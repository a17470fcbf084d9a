import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from yiyang.accounts.tests.factories import UserFactory
from yiyang.core import audit, crypto
from yiyang.core.models import ChangeLog
from yiyang.exchange.models import ImportJob
from yiyang.exchange.sealing import unseal
from yiyang.exchange.services import import_create
from yiyang.exchange.tests.workbook import elder_row, make_workbook, read_sheet
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.people import services as people_services
from yiyang.people.errors import ID_REASONS, ElderNotEditable
from yiyang.people.models import Elder, Guardian, HealthProfile
from yiyang.people.spreadsheets import HEALTH_KEYS
from yiyang.people.tests.factories import ElderFactory, id_number_for


def _import(officer, rows, mode="valid", **kwargs):
    return import_create(
        actor=officer,
        kind="elders",
        mode=mode,
        file_name="老人.xlsx",
        content=make_workbook("elders", rows, **kwargs),
    )


def _errors(job) -> list[tuple]:
    return read_sheet(unseal(job.error_report), "错误明细")[1:]


def _mixed_rows(city):
    """Rows 3, 4 and 6 are good; row 5 has a typo in the ID number, row 7 an unknown
    community and a bad phone."""
    bad_id = id_number_for(2)[:-1] + ("0" if id_number_for(2)[-1] != "0" else "1")
    return [
        elder_row(1, city.panlong_community),
        elder_row(3, city.panlong_community2, living_arrangement="", economic_status=""),
        elder_row(2, city.panlong_community, id_number=bad_id),
        elder_row(
            4, city.panlong_community, guardian_name="", guardian_relation="", guardian_phone=""
        ),
        elder_row(5, city.panlong_community, region_code="530103001999", phone="call me"),
    ]


def test_valid_rows_are_imported_and_bad_rows_reported_when_importing_valid_rows_only(city):
    # given a Panlong officer and a sheet with three good and two bad rows
    officer = UserFactory(region=city.panlong)

    # when they import the valid rows only
    job = _import(officer, _mixed_rows(city), mode="valid")

    # then the good rows are on record with their guardian, health profile and history
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count, job.error_count) == (3, 0, 2)
    assert job.processed_rows == job.total_rows == 5
    assert Elder.objects.count() == 3
    second = Elder.objects.get(id_number_hash=crypto.search_hash(id_number_for(3)))
    assert second.living_arrangement == "home" and second.economic_status == "ordinary"
    assert second.region_code == city.panlong_community2.code
    assert Guardian.objects.filter(elder=second, name="李明", relation="child").exists()
    assert HealthProfile.objects.get(elder=second).chronic_conditions == "高血压"
    assert ChangeLog.objects.filter(action="create", entity_type="people.elder").count() == 3
    # and the error workbook names each bad row as Excel numbers it, the column and the reason
    assert _errors(job) == [
        (5, "身份证号", str(ID_REASONS["checksum"])),
        (7, "社区(村)代码", _("There is no community or village with this code.")),
        (7, "电话", _("Enter a phone number of digits (7 or more).")),
    ]
    bad_rows = read_sheet(unseal(job.error_report), "错误行")
    assert bad_rows[0][-2:] == ("行号", "原因")
    assert [r[-2] for r in bad_rows[2:]] == [5, 7]
    assert bad_rows[3][0] == "王秀英" and bad_rows[3][2] == "530103001999"


def test_all_or_nothing_imports_nothing_when_any_row_is_bad(city):
    officer = UserFactory(region=city.panlong)

    job = _import(officer, _mixed_rows(city), mode="all")

    assert job.status == ImportJob.Status.REJECTED
    assert (job.created_count, job.error_count) == (0, 2)
    assert Elder.objects.count() == 0
    assert ChangeLog.objects.count() == 0
    assert [e[0] for e in _errors(job)] == [5, 7, 7]


def test_all_or_nothing_imports_every_row_when_all_are_valid(city):
    officer = UserFactory(region=city.panlong)
    rows = [elder_row(n, city.panlong_community) for n in range(1, 8)]

    job = _import(officer, rows, mode="all")

    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.error_count) == (7, 0)
    assert not job.error_report
    assert Elder.objects.count() == 7
    assert Guardian.objects.count() == 7
    assert HealthProfile.objects.count() == 7
    log = ChangeLog.objects.filter(action="create").first()
    assert log.actor == officer and log.note.startswith(f"import #{job.pk}")
    # health data is never written into the history in clear
    assert log.changes["chronic_conditions"] == ["***", "***"]
    # and the registry fields read exactly as a registration through the form would
    elder = Elder.objects.get(pk=log.entity_id)
    form_like = audit.diff({}, people_services.elder_snapshot(elder))
    assert {k: v for k, v in log.changes.items() if k in form_like} == form_like


def test_importing_the_same_file_again_updates_instead_of_duplicating(city):
    # given a file imported once
    officer = UserFactory(region=city.panlong)
    rows = [elder_row(n, city.panlong_community) for n in range(1, 5)]
    _import(officer, rows)
    first = Elder.objects.get(id_number_hash=crypto.search_hash(id_number_for(1)))
    cipher = first.id_number_cipher

    # when the same file comes back with one phone number and one guardian phone changed
    rows[0]["phone"] = "13711112222"
    rows[1]["guardian_phone"] = "13655556666"
    rows[2]["region_code"] = city.panlong_community2.code
    job = _import(officer, rows, mode="all")

    # then nothing is duplicated and only the changed people are updated
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 3, 1)
    moved = Elder.objects.get(id_number_hash=crypto.search_hash(id_number_for(3)))
    assert moved.region == city.panlong_community2
    assert moved.region_code == city.panlong_community2.code
    assert Elder.objects.count() == 4
    assert Guardian.objects.count() == 4
    first.refresh_from_db()
    assert first.phone == "13711112222"
    assert first.version == 2
    assert first.updated_at > first.created_at
    assert first.id_number_cipher == cipher
    update = ChangeLog.objects.get(action="update", entity_id=first.pk)
    assert update.changes == {"phone": ["13800000000", "13711112222"]}
    assert Guardian.objects.get(elder__phone="13800000000", phone="13655556666")


def test_a_duplicate_id_number_inside_the_file_is_an_error_on_the_later_row(city):
    officer = UserFactory(region=city.panlong)
    rows = [
        elder_row(1, city.panlong_community),
        elder_row(2, city.panlong_community),
        elder_row(1, city.panlong_community, name="张三"),
    ]

    job = _import(officer, rows)

    assert job.created_count == 2
    assert _errors(job) == [
        (
            5,
            "身份证号",
            _("The same ID number is already on row %(row)s of this file.") % {"row": 3},
        )
    ]


def test_a_community_outside_the_officers_region_is_refused_row_by_row(city):
    # given a Panlong officer with a row filed under a Wuhua community
    officer = UserFactory(region=city.panlong)
    rows = [
        elder_row(1, city.panlong_community),
        elder_row(2, city.wuhua_community),
        elder_row(3, city.panlong_community),
    ]

    job = _import(officer, rows)

    assert job.created_count == 2
    assert _errors(job) == [(4, "社区(村)代码", _("This community is outside your region."))]
    assert not Elder.objects.filter(region_code__startswith=city.wuhua.code).exists()


def test_an_outsider_cannot_update_a_person_on_record_in_another_district(city):
    # given a person on record in Wuhua
    theirs = ElderFactory(region=city.wuhua_community, id_number=id_number_for(7), phone="111")
    panlong = UserFactory(region=city.panlong)

    # when a Panlong officer imports a row with the same ID number
    job = _import(panlong, [elder_row(7, city.panlong_community, phone="13800000000")])

    # then the row is refused as the form would refuse it, and the record is untouched
    assert _errors(job) == [(3, "身份证号", str(ID_REASONS["duplicate"]))]
    theirs.refresh_from_db()
    assert theirs.phone == "111" and theirs.region_code == city.wuhua_community.code


def test_a_closed_record_is_not_updated_by_an_import(city):
    ElderFactory(
        region=city.panlong_community,
        id_number=id_number_for(8),
        status="deceased",
        status_date=dt.date(2024, 1, 1),
    )
    officer = UserFactory(region=city.panlong)

    job = _import(officer, [elder_row(8, city.panlong_community)])

    assert _errors(job) == [(3, "身份证号", str(ElderNotEditable.default_message))]


def test_an_institution_is_linked_by_its_credit_code(city):
    home = OrganisationFactory(region=city.panlong_street)
    officer = UserFactory(region=city.panlong)
    rows = [
        elder_row(1, city.panlong_community, living_arrangement="机构"),
        elder_row(
            2,
            city.panlong_community,
            living_arrangement="机构",
            institution_credit_code=home.credit_code,
        ),
        elder_row(
            3,
            city.panlong_community,
            living_arrangement="institution",
            institution_credit_code="91530100MA6K000000",
        ),
    ]

    job = _import(officer, rows)

    assert Elder.objects.get().institution == home
    assert _errors(job) == [
        (3, "机构信用代码", _("Choose the institution the person lives in.")),
        (5, "机构信用代码", _("There is no organisation with this credit code.")),
    ]


def test_guardian_columns_follow_the_rules_of_adding_a_guardian(city):
    officer = UserFactory(region=city.panlong)
    rows = [
        elder_row(1, city.panlong_community, guardian_relation="朋友"),
        elder_row(2, city.panlong_community, guardian_name="", guardian_phone="12"),
    ]

    job = _import(officer, rows)

    assert _errors(job) == [
        (3, "监护人关系", _("Choose one of the listed options.")),
        (4, "监护人姓名", _("Enter the name.")),
        (4, "监护人电话", _("Enter a phone number of digits (7 or more).")),
    ]


def test_health_columns_left_empty_keep_what_is_on_record(city):
    officer = UserFactory(region=city.panlong)
    rows = [elder_row(1, city.panlong_community, medications="二甲双胍")]
    _import(officer, rows)

    rows[0].update(chronic_conditions="", medications="", allergies="青霉素")
    job = _import(officer, rows)

    profile = HealthProfile.objects.get()
    assert (profile.chronic_conditions, profile.medications, profile.allergies) == (
        "高血压",
        "二甲双胍",
        "青霉素",
    )
    log = ChangeLog.objects.get(action="update")
    assert log.changes == {"allergies": ["***", "***"]}
    assert job.updated_count == 1
    assert set(HEALTH_KEYS) == {"chronic_conditions", "medications", "allergies"}


def test_the_number_of_queries_does_not_grow_with_the_number_of_rows(city):
    officer = UserFactory(region=city.panlong)
    home = OrganisationFactory(region=city.panlong_street)

    def queries(first: int, count: int) -> int:
        rows = [
            elder_row(
                n,
                city.panlong_community,
                living_arrangement="社区",
                institution_credit_code=home.credit_code,
            )
            for n in range(first, first + count)
        ]
        with CaptureQueriesContext(connection) as ctx:
            job = _import(officer, rows)
        assert job.created_count == count
        return len(ctx.captured_queries)

    # (SQLite splits a large bulk insert into a few statements; nothing is per row)
    assert queries(200, 45) - queries(100, 5) <= 3
