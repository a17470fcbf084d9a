"""The person's share: the provider records payments against a served order, never more than
is owed, each with a printable receipt; the monthly statement sums each payer's share."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from yiyang.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from yiyang.core.timeutils import LOCAL_TZ
from yiyang.marketplace import payments
from yiyang.marketplace.models import Payment
from yiyang.marketplace.ordering import OrderData, order_place, order_step

from .factories import market, subsidy, tomorrow_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(city):
    m = market(city)
    subsidy(m.elder, "50.00")
    order = order_place(
        actor=m.family,
        data=OrderData(m.elder.pk, m.offer.pk, tomorrow_at(9), tomorrow_at(11)),
        channel="mobile",
    )
    order_step(m.manager, order.pk, "accept")
    order_step(m.manager, order.pk, "assign", caregiver_id=m.caregiver.pk)
    order_step(m.caregiver, order.pk, "start")
    order = order_step(m.caregiver, order.pk, "complete")
    return m, order


def test_the_person_pays_their_share_in_parts_and_no_more(served):
    m, order = served  # 80 yuan: 50 subsidy, 30 the person
    first = payments.payment_record(actor=m.manager, order_id=order.pk, amount="20", method="cash")
    assert first.receipt_number.startswith("SJ") and first.amount == Decimal("20.00")
    with pytest.raises(ValidationFailed) as refused:
        payments.payment_record(actor=m.manager, order_id=order.pk, amount="10.01", method="cash")
    assert "10.00" in refused.value.fields["amount"]
    payments.payment_record(
        actor=m.manager,
        order_id=order.pk,
        amount="10.00",
        method="mobile",
        reference="WX20261205001",
    )
    assert payments.paid_of(order) == Decimal("30.00")


@pytest.mark.parametrize(
    "amount, method, reference, field",
    [
        ("0", "cash", "", "amount"),
        ("-5", "cash", "", "amount"),
        ("1.234", "cash", "", "amount"),
        ("x", "cash", "", "amount"),
        ("5", "cheque", "", "method"),
        ("5", "bank", "", "reference"),
        ("5", "mobile", "有 空格", "reference"),
    ],
)
def test_a_bad_payment_is_refused_by_field(served, amount, method, reference, field):
    m, order = served
    with pytest.raises(ValidationFailed) as refused:
        payments.payment_record(
            actor=m.manager, order_id=order.pk, amount=amount, method=method, reference=reference
        )
    assert field in refused.value.fields
    assert not Payment.objects.exists()


def test_only_the_orders_provider_records_and_only_once_served(city):
    m = market(city)
    order = order_place(
        actor=m.family,
        data=OrderData(m.elder.pk, m.offer.pk, tomorrow_at(9), tomorrow_at(11)),
        channel="mobile",
    )
    with pytest.raises(ValidationFailed):  # not served yet
        payments.payment_record(actor=m.manager, order_id=order.pk, amount="5", method="cash")
    with pytest.raises(PermissionDenied):
        payments.payment_record(actor=m.family, order_id=order.pk, amount="5", method="cash")
    with pytest.raises((NotFound, PermissionDenied)):
        payments.payment_record(actor=m.officer, order_id=order.pk, amount="5", method="cash")


def test_the_receipt_is_a_pdf_naming_the_service_and_the_shares(served):
    m, order = served
    payment = payments.payment_record(
        actor=m.manager, order_id=order.pk, amount="30", method="cash"
    )
    _row, pdf = payments.receipt_pdf(actor=m.family, payment_id=payment.pk)
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in ("助浴", payment.receipt_number, "50.00", "30.00", "80.00", m.provider.name):
        assert expected in text, expected


def test_the_monthly_statement_sums_each_payers_share(client, served):
    m, order = served
    payments.payment_record(actor=m.manager, order_id=order.pk, amount="10", method="cash")
    month = order.window_start.astimezone(LOCAL_TZ).date().replace(day=1)
    s = payments.provider_statement(actor=m.manager, month=month)
    assert [line.order for line in s.lines] == [order]
    assert (s.total, s.subsidy, s.ltci, s.self_pay, s.paid, s.outstanding) == (
        Decimal("80.00"),
        Decimal("50.00"),
        Decimal("0.00"),
        Decimal("30.00"),
        Decimal("10.00"),
        Decimal("20.00"),
    )
    client.force_login(m.manager)
    page = client.get(reverse("orders:statement"), {"month": f"{month:%Y-%m}"})
    assert page.status_code == 200 and order.number in page.content.decode()
    assert client.get(reverse("orders:statement"), {"month": "9999-99"}).status_code == 200
    # and the page records a payment, refusing a bad one beside its field
    detail = reverse("orders:payment", args=[order.pk])
    bad = client.post(detail, {"amount": "999", "method": "cash"})
    assert bad.status_code == 400 and "20.00" in bad.content.decode()
    assert client.post(detail, {"amount": "20", "method": "cash"}).status_code == 302
    receipt = client.get(reverse("orders:receipt", args=[Payment.objects.last().pk]))
    assert receipt["Content-Type"] == "application/pdf"
