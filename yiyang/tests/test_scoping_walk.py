"""Every console page, walked as staff of two sibling districts: neither sees the other's data.

The URL patterns are read from the resolver, so a page added later is walked too (a pattern
whose parameters this walk cannot fill fails the test). The API has its own walk over the
OpenAPI document in yiyang/api/tests.
"""

import datetime as dt
import io
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from yiyang.accounts.models import ApiKey, User
from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.assessment.models import Assessment
from yiyang.core import audit
from yiyang.core.models import AccessLog, ChangeLog
from yiyang.exchange.models import ImportJob
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.marketplace.models import (
    CallbackTask,
    Complaint,
    Payment,
    RecurringOrder,
    ServiceItem,
)
from yiyang.marketplace.tests.factories import order_row
from yiyang.people.models import Elder, Guardian
from yiyang.people.tests.factories import ElderFactory

ROLES = (
    Role.CIVIL_AFFAIRS,
    Role.ASSESSOR,
    Role.SYSTEM_ADMIN,
    Role.AUDIT_ADMIN,
    Role.SECURITY_ADMIN,
    Role.MEDICAL_INSURANCE,
    Role.PROVIDER,
)
SKIP = {"set_language", "accounts:login", "accounts:logout"}


def _patterns(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = (
                f"{namespace}:{p.namespace}"
                if namespace and p.namespace
                else (p.namespace or namespace)
            )
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield prefix + str(p.pattern), name, p


@dataclass
class District:
    label: str
    marker: str
    code: str
    staff: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)


def _build(city, label, marker, district, street, community, outsider_code):
    d = District(label=label, marker=marker, code=district.code)
    home = OrganisationFactory(region=street, name=f"{marker}养老院")
    elder = ElderFactory(
        region=community,
        name=f"{marker}老人",
        institution=home,
        living_arrangement="institution",
        phone="13900001111",
    )
    guardian = Guardian.objects.create(
        elder=elder, name=f"{marker}女儿", relation="child", phone="13800002222"
    )
    for role in ROLES:
        d.staff[role] = UserFactory(
            role=role,
            region=district,
            display_name=f"{marker}{role}",
            organisation=home if role == Role.PROVIDER else None,
        )
    officer = d.staff[Role.CIVIL_AFFAIRS]
    audit.record_change(actor=officer, entity=elder, action="update", changes={"phone": ["1", "2"]})
    audit.record_read(actor=officer, kind="id_number", entity=elder, reason=f"{marker}核对")
    key = ApiKey.objects.create(
        name=f"{marker}密钥",
        prefix=marker.encode().hex()[:8],
        secret_hash="0" * 64,
        scopes=["elders.view"],
        region=district,
        region_code=district.code,
    )
    job = ImportJob.objects.create(
        kind="elders",
        mode="valid",
        status="done",
        file_name=f"{marker}.xlsx",
        upload=b"",
        actor=officer,
        region_code=district.code,
    )
    item = ServiceItem.objects.create(
        code=f"X{district.code}",
        name="助浴",
        category="bathing",
        unit="次",
        duration_minutes=60,
        price="50.00",
    )
    case = _assessment(city, marker, elder, d.staff[Role.MEDICAL_INSURANCE])
    order = order_row(home, elder, code=f"O{district.code}", marker=marker)
    callback = CallbackTask.objects.create(
        elder=elder, region_code=elder.region_code, raised_at=order.created_at
    )
    standing = RecurringOrder.objects.create(
        elder=elder,
        region_code=elder.region_code,
        provider=home,
        offer=order.offer,
        weekday=2,
        starts_at=dt.time(9),
        ends_at=dt.time(11),
        first_day=dt.date(2026, 12, 1),
        channel="phone",
    )
    complaint = Complaint.objects.create(
        order=order,
        elder=elder,
        region_code=elder.region_code,
        provider=home,
        category="late",
        text=f"{marker}投诉",
        due_on=dt.date(2026, 12, 31),
    )
    payment = Payment.objects.create(
        order=order,
        amount=1,
        method="cash",
        paid_at=order.created_at,
        receipt_number=f"SJ{district.code}",
    )
    from yiyang.accounts.services import account_change_request

    change = account_change_request(
        actor=d.staff[Role.SYSTEM_ADMIN],
        user_id=d.staff[Role.AUDIT_ADMIN].pk,
        kind="disable",
        reason=f"{marker}离职",
    )
    d.ids = {
        "assessment": case.pk,
        "discrepancy": case.discrepancies.first().pk,
        "evidence": case.evidence.first().pk,
        "assignment": case.assignments.first().pk,
        "item": item.pk,
        "elder": elder.pk,
        "org": home.pk,
        "guardian": guardian.pk,
        "user": officer.pk,
        "key": key.pk,
        "job": job.pk,
        "change": change.pk,
        "order": order.pk,
        "line": order.offer_id,
        "payment": payment.pk,
        "callback": callback.pk,
        "standing": standing.pk,
        "complaint": complaint.pk,
    }
    return d


def _assessment(city, marker, elder, officer):
    """A case on site with two differing forms and a photo: every assessment page has a row."""
    from yiyang.assessment import services
    from yiyang.assessment.evidence import evidence_store_bytes
    from yiyang.assessment.models import Assignment
    from yiyang.assessment.tests.factories import assessor_pool, ltc_answers

    pool = assessor_pool(city, size=2, name=f"{marker}评估中心")
    case = services.application_file(
        actor=officer,
        data=services.ApplicationData(
            elder_id=elder.pk, instrument="ltc-2021", applicant_name=f"{marker}申请人"
        ),
    )
    services.application_accept(actor=officer, assessment_id=case.pk)
    services.assessors_draw(
        actor=officer, assessment_id=case.pk, organisation_id=pool.organisation.pk
    )
    for n, assignment in enumerate(Assignment.objects.filter(assessment=case).order_by("id")):
        services.assignment_save(
            actor=assignment.assessor.user,
            assignment_id=assignment.pk,
            answers=ltc_answers(ADL1=5 + 5 * n),
            submit=True,
        )
    evidence_store_bytes(
        actor=officer, assessment_id=case.pk, name=f"{marker}.jpg", data=b"\xff\xd8\xff" + bytes(99)
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def districts(city):
    from yiyang.assessment.tests.factories import policy

    policy()
    panlong = _build(
        city,
        "panlong",
        "潘龙标记",
        city.panlong,
        city.panlong_street,
        city.panlong_community,
        "530102",
    )
    wuhua = _build(
        city, "wuhua", "吴华标记", city.wuhua, city.wuhua_street, city.wuhua_community, "530103"
    )
    return panlong, wuhua


def _fill(path: str, other: District) -> str | None:
    """Put the other district's ids into a pattern's parameters."""
    replacements = {
        "<int:pk>": {
            "accounts/users/": other.ids["user"],
            "accounts/api-keys/": other.ids["key"],
            "accounts/changes/": other.ids["change"],
            "elders/": other.ids["elder"],
            "organisations/": other.ids["org"],
            "assessments/": other.ids["assessment"],
            "orders/": other.ids["order"],
        },
        "<int:guardian_pk>": {"elders/": other.ids["guardian"]},
        "<int:discrepancy_id>": {"assessments/": other.ids["discrepancy"]},
        "<int:evidence_id>": {"assessments/": other.ids["evidence"]},
        "<int:elder_id>": {"assessments/apply/": other.ids["elder"]},
        "<int:assignment_id>": {"assess/": other.ids["assignment"]},
        # the holiday calendar is the country's, shared by every district
        "<int:year>": {"calendar/": 2027},
        # event deliveries are the platform's plumbing, shown without payloads
        "<int:delivery_id>": {"events/": 1},
        "<int:job_id>": {"exchange/jobs/": other.ids["job"]},
        # the service catalogue is the city's, shared by every district
        "<int:item_id>": {"services/": other.ids["item"]},
        "<int:line_id>": {"services/menus/": other.ids["line"]},
        "<int:payment_id>": {"orders/payments/": other.ids["payment"]},
        "<int:task_id>": {"orders/callbacks/": other.ids["callback"]},
        "<int:standing_id>": {"orders/standing/": other.ids["standing"]},
        "<int:complaint_id>": {"orders/complaints/": other.ids["complaint"]},
    }
    for token, by_prefix in replacements.items():
        if token in path:
            value = next((v for prefix, v in by_prefix.items() if path.startswith(prefix)), None)
            if value is None:
                return None
            path = path.replace(token, str(value))
    path = path.replace("<str:code>", other.code)
    path = path.replace("<slug:kind>", "elders")
    path = path.replace("<slug:step>", "accept")
    if "<" in path:
        return None
    return "/" + path


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":  # a workbook: read every cell
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return body.decode("utf-8", errors="replace")


def _walk(client, me: District, other: District):
    patterns = [
        p
        for p in _patterns(get_resolver().url_patterns)
        if not p[0].startswith("api/") and p[1] not in SKIP
    ]
    assert len(patterns) > 20
    unfillable = []
    for role, user in me.staff.items():
        client.force_login(user)
        for path, _name, _pattern in patterns:
            url = _fill(path, other)
            if url is None:
                unfillable.append(path)
                continue
            for method in ("get", "post"):
                # the query searches by a prefix of the names, so its echo is not a leak
                for query in ("", f"?region={other.code}&q={other.marker[:2]}"):
                    response = getattr(client, method)(url + query)
                    assert response.status_code != 500, (role, method, url)
                    if response.status_code == 200:
                        assert other.marker not in _text(response), (role, method, url + query)
                    elif method == "get" and "<" in path:
                        # another district's record: not found, never forbidden-but-present
                        assert response.status_code in (302, 403, 404, 405), (role, url)
    assert not unfillable, f"the walk cannot fill: {sorted(set(unfillable))}"


def test_neither_district_sees_or_changes_the_others_data(client, districts):
    panlong, wuhua = districts
    before = {
        "elders": list(Elder.objects.order_by("pk").values_list("pk", "version", "status")),
        "guardians": Guardian.objects.count(),
        "assessments": list(
            Assessment.objects.order_by("pk").values_list("pk", "version", "status")
        ),
        "reads": AccessLog.objects.count(),
        "keys": list(ApiKey.objects.order_by("pk").values_list("pk", "is_active")),
        "users": list(User.objects.order_by("pk").values_list("pk", "is_active", "password")),
    }
    _walk(client, panlong, wuhua)
    _walk(client, wuhua, panlong)
    # and nothing of either district was changed by the other's POSTs
    assert (
        list(Elder.objects.order_by("pk").values_list("pk", "version", "status"))
        == (before["elders"])
    )
    assert Guardian.objects.count() == before["guardians"]
    assert (
        list(Assessment.objects.order_by("pk").values_list("pk", "version", "status"))
        == before["assessments"]
    )
    assert list(ApiKey.objects.order_by("pk").values_list("pk", "is_active")) == before["keys"]
    assert (
        list(User.objects.order_by("pk").values_list("pk", "is_active", "password"))
        == (before["users"])
    )
    # and no sensitive read of the other district was logged (list pages log nothing)
    assert (
        not AccessLog.objects.filter(entity_label__contains="标记老人")
        .exclude(reason__contains="核对")
        .exists()
    )
    assert ChangeLog.objects.filter(entity_label__contains="潘龙标记").exists()
