"""Complaints: filed by the family, answered by the order's provider, settled by an officer
with an outcome by the policy's deadline; satisfaction per provider and district."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from yiyang.accounts.roles import Role
from yiyang.accounts.tests.factories import UserFactory
from yiyang.core.errors import TransitionRefused
from yiyang.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from yiyang.core.timeutils import local_today
from yiyang.institutions.models import Organisation
from yiyang.institutions.tests.factories import OrganisationFactory
from yiyang.marketplace import complaints
from yiyang.marketplace.models import Complaint
from yiyang.marketplace.ordering import OrderData, order_place, order_step

from .factories import market, tomorrow_at

pytestmark = pytest.mark.django_db


def _served(m, stars=None, hour=9):
    order = order_place(
        actor=m.family,
        data=OrderData(m.elder.pk, m.offer.pk, tomorrow_at(hour), tomorrow_at(hour + 2)),
        channel="mobile",
    )
    for actor, step, values in (
        (m.manager, "accept", {}),
        (m.manager, "assign", {"caregiver_id": m.caregiver.pk}),
        (m.caregiver, "start", {}),
        (m.caregiver, "complete", {}),
        (m.family, "confirm", {}),
    ):
        order = order_step(actor, order.pk, step, **values)
    if stars:
        order = order_step(m.family, order.pk, "rate", stars=stars)
    return order


@pytest.fixture
def m(city):
    return market(city)


def test_a_complaint_is_answered_by_the_provider_and_settled_by_an_officer(client, m):
    order = _served(m)
    complaint = complaints.complaint_file(
        actor=m.family, order_id=order.pk, category="late", text="迟到了一个小时"
    )
    assert complaint.due_on == local_today() + dt.timedelta(days=7)
    assert complaint.provider == m.provider and complaint.status == "open"
    with pytest.raises(PermissionDenied):  # the family does not answer for the provider
        complaints.complaint_step(m.family, complaint.pk, "answer", text="x")
    complaint = complaints.complaint_step(
        m.manager, complaint.pk, "answer", text="路上堵车，已致歉"
    )
    assert complaint.status == "answered" and complaint.answered_at is not None
    with pytest.raises(ValidationFailed) as refused:
        complaints.complaint_step(m.officer, complaint.pk, "settle", outcome="maybe", text="")
    assert set(refused.value.fields) == {"outcome", "text"}
    complaint = complaints.complaint_step(
        m.officer, complaint.pk, "settle", outcome="partly", text="提醒机构准时上门"
    )
    assert (complaint.status, complaint.outcome, complaint.closed_by) == (
        "closed",
        "partly",
        m.officer,
    )
    with pytest.raises(TransitionRefused):
        complaints.complaint_step(m.manager, complaint.pk, "answer", text="again")
    # the pages show it to each of them
    client.force_login(m.family)
    assert (
        "迟到了一个小时"
        in client.get(reverse("orders:complaint", args=[complaint.pk])).content.decode()
    )


def test_a_complaint_needs_a_category_and_words_and_a_caregiver_sent(m):
    waiting = order_place(
        actor=m.family,
        data=OrderData(m.elder.pk, m.offer.pk, tomorrow_at(9), tomorrow_at(11)),
        channel="mobile",
    )
    with pytest.raises(ValidationFailed) as refused:
        complaints.complaint_file(actor=m.family, order_id=waiting.pk, category="x", text="")
    assert set(refused.value.fields) == {"category", "text", "order"}
    assert not Complaint.objects.exists()


def test_another_provider_neither_sees_nor_answers(city, m):
    order = _served(m)
    complaint = complaints.complaint_file(
        actor=m.family, order_id=order.pk, category="quality", text="没洗干净"
    )
    rival = UserFactory(
        role=Role.PROVIDER,
        region=city.panlong,
        organisation=OrganisationFactory(
            region=city.panlong_street, kind=Organisation.Kind.HOME_CARE
        ),
    )
    with pytest.raises(NotFound):
        complaints.complaint_step(rival, complaint.pk, "answer", text="x")


def test_an_open_complaint_past_its_day_is_overdue(m):
    order = _served(m)
    complaint = complaints.complaint_file(
        actor=m.family, order_id=order.pk, category="other", text="其他"
    )
    assert not complaints.is_overdue(complaint)
    assert complaints.is_overdue(complaint, today=complaint.due_on + dt.timedelta(days=1))


def test_satisfaction_is_the_share_rated_4_or_5_per_provider_and_district(client, m, city):
    _served(m, stars=5, hour=8)
    _served(m, stars=4, hour=10)
    _served(m, stars=2, hour=12)
    complaints.complaint_file(
        actor=m.family, order_id=_served(m, hour=14).pk, category="late", text="迟到"
    )
    providers, districts = complaints.satisfaction(actor=m.officer, since=local_today())
    (row,) = providers
    assert (row.label, row.rated, row.satisfied, row.complaints) == (m.provider.name, 3, 2, 1)
    assert row.rate == Decimal("66.67")
    assert [(d.label, d.rated) for d in districts] == [(city.panlong.name, 3)]
    with pytest.raises(PermissionDenied):
        complaints.satisfaction(actor=m.manager, since=local_today())
    client.force_login(m.officer)
    page = client.get(reverse("orders:satisfaction")).content.decode()
    assert "66.67%" in page and m.provider.name in page
