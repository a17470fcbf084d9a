"""The audit administrator searches the change history and the sensitive-read log of their
region; the search is read-only and never fails on bad input."""

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core import audit
from yiyang.core.exceptions import PermissionDenied
from yiyang.core.models import AccessLog
from yiyang.people.models import Elder
from yiyang.people.tests.factories import ElderFactory
from yiyang.supervision.selectors import AuditFilters, audit_search


@pytest.fixture
def trail(city):
    """Changes and reads in Panlong and one of each in Wuhua."""
    officer = UserFactory(username="mz_wang", region=city.panlong)
    doctor = UserFactory(username="doc_li", role=Role.DOCTOR, region=city.panlong)
    elder = ElderFactory(region=city.panlong_community, name="张秀英")
    other = ElderFactory(region=city.panlong_community, name="李桂兰")
    outsider = ElderFactory(region=city.wuhua_community, name="王建国")
    rows = {
        "create": audit.record_change(actor=officer, entity=elder, action="create"),
        "update": audit.record_change(
            actor=officer,
            entity=elder,
            action="update",
            changes={"phone": ["1", "2"]},
            note="moved flat",
        ),
        "other": audit.record_change(actor=doctor, entity=other, action="update"),
        "wuhua": audit.record_change(actor=None, entity=outsider, action="create"),
        "read": audit.record_read(
            actor=doctor, kind="health", entity=elder, reason="follow-up visit"
        ),
        "reveal": audit.record_read(
            actor=officer, kind="id_number", entity=other, reason="subsidy check"
        ),
        "wuhua_read": audit.record_read(actor=None, kind="health", entity=outsider),
    }
    rows["elder"], rows["other_elder"] = elder, other
    return rows


@pytest.fixture
def auditor(city):
    return UserFactory(username="audit_pl", role=Role.AUDIT_ADMIN, region=city.panlong)


def _ids(qs) -> set[int]:
    return {row.pk for row in qs}


def test_the_search_stays_inside_the_auditors_region(city, trail, auditor):
    changes = audit_search(actor=auditor, filters=AuditFilters())
    assert trail["wuhua"].pk not in _ids(changes)
    assert {trail["create"].pk, trail["update"].pk, trail["other"].pk} <= _ids(changes)
    reads = audit_search(actor=auditor, filters=AuditFilters(log="reads"))
    assert _ids(reads) == {trail["read"].pk, trail["reveal"].pk}
    # and a city auditor sees both districts
    city_auditor = UserFactory(role=Role.AUDIT_ADMIN, region=city.city)
    assert trail["wuhua"].pk in _ids(audit_search(actor=city_auditor))


def test_only_the_audit_administrator_may_search(city, trail):
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.CIVIL_AFFAIRS):
        with pytest.raises(PermissionDenied):
            audit_search(actor=UserFactory(role=role, region=city.panlong))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"actor": "MZ_WANG"}, {"create", "update"}),
        ({"entity_type": "people.elder", "kind": "update"}, {"update", "other"}),
        ({"kind": "create"}, {"create"}),
        ({"q": "moved"}, {"update"}),
        ({"q": "李桂兰"}, {"other"}),
    ],
)
def test_changes_are_found_by_actor_type_kind_and_text(city, trail, auditor, filters, expected):
    found = audit_search(actor=auditor, filters=AuditFilters(**filters))
    assert _ids(found) == {trail[name].pk for name in expected}


def test_changes_are_found_by_record(city, trail, auditor):
    found = audit_search(
        actor=auditor,
        filters=AuditFilters(entity_type="people.elder", entity_id=trail["elder"].pk),
    )
    assert _ids(found) == {trail["create"].pk, trail["update"].pk}


def test_reads_are_found_by_kind_and_reason(city, trail, auditor):
    by_kind = audit_search(actor=auditor, filters=AuditFilters(log="reads", kind="id_number"))
    assert _ids(by_kind) == {trail["reveal"].pk}
    by_reason = audit_search(actor=auditor, filters=AuditFilters(log="reads", q="follow-up"))
    assert _ids(by_reason) == {trail["read"].pk}


def test_the_date_range_is_in_local_days(city, trail, auditor):
    # given a row written at 00:30 Beijing time on 2 March 2025, still 1 March in UTC
    just_after_midnight = dt.datetime(2025, 3, 2, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with mock.patch("django.utils.timezone.now", return_value=just_after_midnight):
        late = audit.record_change(actor=None, entity=trail["other_elder"], action="update")
    march_1, march_2 = dt.date(2025, 3, 1), dt.date(2025, 3, 2)

    def found(**dates):
        return _ids(audit_search(actor=auditor, filters=AuditFilters(**dates)))

    # then it belongs to the local day 2 March, not to 1 March
    assert found(date_from=march_2, date_to=march_2) == {late.pk}
    assert found(date_from=march_1, date_to=march_1) == set()
    # and open-ended ranges work both ways
    assert late.pk not in found(date_from=dt.date(2025, 3, 3))
    assert trail["create"].pk in found(date_from=dt.date(2025, 3, 3))
    assert found(date_to=march_2) == {late.pk}


def test_the_page_searches_and_pages(client, city, trail, auditor, django_assert_max_num_queries):
    client.force_login(auditor)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("supervision:audit"), {"actor": "doc_li"})
    assert response.status_code == 200
    assert _ids(response.context["page_obj"]) == {trail["other"].pk}
    reads = client.get(reverse("supervision:audit"), {"log": "reads", "kind": "health"})
    assert _ids(reads.context["page_obj"]) == {trail["read"].pk}
    assert "follow-up visit" in reads.content.decode()


def test_the_page_says_records_changes_and_places_in_words_not_codes(client, city, trail, auditor):
    audit.record_change(
        actor=None,
        entity=trail["elder"],
        action="update",
        changes={"economic_status": ["ordinary", "dibao"], "lives_alone": [False, True]},
    )
    client.force_login(auditor)
    html = client.get(reverse("supervision:audit"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = html.content.decode()
    # the field names and choices in words, the kind of record and its district by name
    with translation.override("zh-hans"):
        economic = str(Elder._meta.get_field("economic_status").verbose_name)
        ordinary, dibao = str(Elder.Economic.ORDINARY.label), str(Elder.Economic.DIBAO.label)
        kind = str(Elder._meta.verbose_name)
    assert f"<b>{economic}</b>：{ordinary} → {dibao}" in page
    assert "<b>独居</b>：否 → 是" in page
    body = page.split("<tbody>")[1]
    assert f">{kind} · {city.panlong_community.name}</small>" in body
    assert "ordinary" not in body and ">people.elder" not in body


@pytest.mark.parametrize(
    "params",
    [
        {"entity_id": "abc"},
        {"entity_id": "-1"},
        {"entity_id": "99999999999999999999999"},
        {"date_from": "2024-13-45"},
        {"date_from": "9999-12-31"},
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01", "date_to": "0001-01-01"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"date_from": "2025-03-02", "date_to": "2025-03-01"},
        {"log": "everything"},
        {"kind": "nonsense"},
        {"entity_type": "auth.secret"},
        {"page": "-1"},
        {"page": "999999"},
        {"q": "x" * 5000},
    ],
)
def test_bad_search_input_never_breaks_the_page(client, city, trail, auditor, params):
    client.force_login(auditor)
    response = client.get(reverse("supervision:audit"), params)
    assert response.status_code == 200
    export = client.get(reverse("supervision:audit_export"), params)
    assert export.status_code == 200


def test_the_trail_is_read_only_on_the_page(client, city, trail, auditor):
    client.force_login(auditor)
    assert client.post(reverse("supervision:audit"), {"q": "x"}).status_code == 405
    assert client.post(reverse("supervision:audit_export")).status_code == 405


def test_the_search_exports_to_csv_with_formulas_neutralised(client, city, auditor):
    # given a record whose label starts like a spreadsheet formula
    elder = ElderFactory(region=city.panlong_community, name="=HYPERLINK")
    audit.record_change(actor=auditor, entity=elder, action="update", note="@cmd")
    client.force_login(auditor)
    # when the auditor exports the search
    response = client.get(reverse("supervision:audit_export"), {"q": "HYPERLINK"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    # then the row is there, and no cell starts a formula
    assert rows[0][0] == "time" and len(rows) == 2
    assert rows[1][5] == "'=HYPERLINK" and rows[1][7] == "'@cmd"
    # and the export itself is logged as a sensitive read
    logged = AccessLog.objects.get(kind="export", actor=auditor)
    assert logged.entity_type == "core.changelog" and "HYPERLINK" in logged.reason
    assert "attachment" in response["Content-Disposition"]


def test_sign_in_events_can_be_searched_by_kind(client, city, auditor):
    from yiyang.accounts.tests.factories import PASSWORD

    UserFactory(username="zhangwei", region=city.panlong)
    client.post(reverse("accounts:login"), {"username": "zhangwei", "password": "wrong-Pass-1"})
    client.post(reverse("accounts:login"), {"username": "zhangwei", "password": PASSWORD})
    signin = audit_search(actor=auditor, filters=AuditFilters(kind="signin"))
    ok = audit_search(actor=auditor, filters=AuditFilters(kind="signin_ok"))
    assert signin.count() == 2 and ok.count() == 1
    assert ok.get().actor.username == "zhangwei"
    assert timezone.now() - ok.get().at < dt.timedelta(minutes=1)


@pytest.mark.parametrize("field", ["date_from", "date_to"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_day_outside_the_date_range_is_named_and_left_out_of_the_search(
    client, city, trail, auditor, field, day
):
    client.force_login(auditor)
    response = client.get(reverse("supervision:audit"), {field: day})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert getattr(response.context["filters"], field) is None
