from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiyang.core.policy import DatedPolicy


class ServiceItem(models.Model):
    """One item of the city's service catalogue (the "menu" of 点菜式 services)."""

    class Category(models.TextChoices):
        MEAL = "meal", _("Meal help")
        CLEANING = "cleaning", _("Cleaning")
        BATHING = "bathing", _("Bathing")
        ESCORT = "escort", _("Accompanying to hospital")
        REHAB = "rehab", _("Rehabilitation")
        NURSING = "nursing", _("Nursing")
        COMFORT = "comfort", _("Emotional comfort")
        EMERGENCY = "emergency", _("Emergency help")
        LIFE_CARE = "life_care", _("LTCI life care")
        MEDICAL_CARE = "medical_care", _("LTCI medical care")
        OTHER = "other", _("Other")

    code = models.CharField(_("item code"), max_length=20, unique=True)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=20)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    price = models.DecimalField(_("guide price (yuan)"), max_digits=12, decimal_places=2)
    qualification = models.CharField(_("required qualification"), max_length=60, blank=True)
    is_ltci = models.BooleanField(_("LTCI item"), default=False)
    # Who may pay for it (Payer values); the person may always pay.
    payers = models.JSONField(_("may be paid by"), default=list, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="service_price_gte0"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1), name="service_duration_gte1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Payer(models.TextChoices):
    """Who may pay for an order, each for its own share (the funding split)."""

    SUBSIDY = "subsidy", _("Government subsidy")
    LTCI = "ltci", _("Long-term care insurance")
    SELF = "self", _("The person")


class OrderPolicy(DatedPolicy):
    """The order life cycle's numbers in a region from a date (core.policy chooses the row)."""

    accept_minutes = models.PositiveIntegerField(
        _("minutes for the provider to accept or refuse an order")
    )
    free_cancel_hours = models.PositiveIntegerField(
        _("hours before the visit an older person may cancel without a reason")
    )
    min_lead_minutes = models.PositiveIntegerField(
        _("minutes between ordering and the earliest visit")
    )
    max_ahead_days = models.PositiveIntegerField(_("days ahead an order may be placed"))
    confirm_days = models.PositiveIntegerField(
        _("days after completion for the person to confirm or dispute")
    )
    standing_ahead_days = models.PositiveIntegerField(
        _("days ahead a standing order's visits are placed"), default=7
    )
    complaint_days = models.PositiveIntegerField(_("days to settle a complaint"), default=7)

    class Meta:
        ordering = ["region_code", "-effective_from"]
        verbose_name = _("order policy")
        verbose_name_plural = _("order policies")


class ServiceCirclePolicy(DatedPolicy):
    """The 15-minute service circle (seed 001): how far in minutes an older person should have a
    service station or provider, and the travel model that measures it (marketplace.travel)."""

    minutes = models.PositiveSmallIntegerField(_("minutes of the circle"), default=15)
    travel_model = models.CharField(_("travel model"), max_length=20, default="walking")
    speed_m_per_min = models.DecimalField(
        _("walking speed (metres a minute)"), max_digits=6, decimal_places=1, default=50
    )
    detour = models.DecimalField(
        _("detour over the straight line"), max_digits=4, decimal_places=2, default=Decimal("1.30")
    )

    class Meta:
        ordering = ["region_code", "-effective_from"]
        verbose_name = _("service circle policy")
        verbose_name_plural = _("service circle policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(speed_m_per_min__gt=0, detour__gte=1, minutes__gte=1),
                name="circle_policy_sane",
            )
        ]


class ProviderOffer(models.Model):
    """One line of a provider's own menu: an item of the city catalogue at the provider's price,
    where and when they serve it. A provider proposes a line; an officer approves it, and the
    approved line it replaces is closed. Orders are placed on approved lines only."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        REPLACED = "replaced", _("Replaced by a later line")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    provider = models.ForeignKey(
        "institutions.Organisation",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("provider"),
    )
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="offers", verbose_name=_("service")
    )
    price = models.DecimalField(_("price (yuan)"), max_digits=12, decimal_places=2)
    # Division codes the provider serves (a district, streets or communities); an older person
    # is inside when their community's code starts with one of them.
    area_codes = models.JSONField(_("service area"), default=list)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    weekdays = models.JSONField(_("days of the week"), default=list)  # 1 = Monday … 7 = Sunday
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["provider_id", "item_id", "-id"]
        verbose_name = _("menu line")
        verbose_name_plural = _("menu lines")
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="offer_price_gte0"),
            models.UniqueConstraint(
                fields=["provider", "item"],
                condition=models.Q(status="approved"),
                name="offer_one_approved_per_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.name} · {self.price}"


class RecurringOrder(models.Model):
    """A standing order: the same service on the same weekday and time every week (a bath every
    Tuesday). The daily run places its visits as orders the policy's days ahead; each visit is
    then an order like any other, cancelled or changed on its own."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Running")
        ENDED = "ended", _("Ended")

    elder = models.ForeignKey(
        "people.Elder", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    provider = models.ForeignKey(
        "institutions.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    offer = models.ForeignKey(ProviderOffer, on_delete=models.PROTECT, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("day of the week"))  # 1 = Monday
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    first_day = models.DateField(_("first visit"))
    last_day = models.DateField(_("last visit"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    channel = models.CharField(max_length=8)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["elder_id", "weekday", "starts_at"]
        verbose_name = _("standing order")
        verbose_name_plural = _("standing orders")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=1, weekday__lte=7), name="recurring_weekday_1_7"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="recurring_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer.item.name} · {self.weekday} {self.starts_at:%H:%M}"


class Order(models.Model):
    """One service ordered for one older person from one provider's approved menu line, with its
    funding split. Its life cycle is marketplace.transitions.ORDER; each step is in its history
    (the change log) with who took it and when."""

    class Status(models.TextChoices):
        CREATED = "created", _("Waiting for the provider")
        ACCEPTED = "accepted", pgettext_lazy("order status", "Accepted")
        REFUSED = "refused", _("Refused by the provider")
        ASSIGNED = "assigned", _("Caregiver assigned")
        ON_THE_WAY = "on_the_way", _("Caregiver on the way")
        IN_SERVICE = "in_service", _("In service")
        COMPLETED = "completed", _("Completed")
        CONFIRMED = "confirmed", _("Confirmed")
        RATED = "rated", _("Rated")
        DISPUTED = "disputed", _("Disputed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("Nobody at home")

    class Channel(models.TextChoices):
        MOBILE = "mobile", _("Mobile page")
        PHONE = "phone", _("Telephone (call centre)")
        TV = "tv", _("Television")
        BELL = "bell", _("Safety bell")
        API = "api", _("Another system")

    class CancelReason(models.TextChoices):
        NOT_NEEDED = "not_needed", _("No longer needed")
        IN_HOSPITAL = "in_hospital", _("In hospital")
        RESCHEDULE = "reschedule", _("Another time is needed")
        PROVIDER_UNABLE = "provider_unable", _("The provider cannot come")
        OTHER = "other", _("Other")

    number = models.CharField(_("order number"), max_length=24, unique=True)
    elder = models.ForeignKey(
        "people.Elder", on_delete=models.PROTECT, related_name="orders", verbose_name=_("person")
    )
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    provider = models.ForeignKey(
        "institutions.Organisation",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("provider"),
    )
    offer = models.ForeignKey(ProviderOffer, on_delete=models.PROTECT, related_name="orders")
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="orders", verbose_name=_("service")
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    recurring = models.ForeignKey(
        RecurringOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("standing order"),
    )
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("until"))
    address = models.CharField(_("address"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CREATED, db_index=True
    )
    channel = models.CharField(_("ordered by"), max_length=8, choices=Channel.choices)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    api_key = models.ForeignKey(
        "accounts.ApiKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A third party's key for one request: the same key from the same API key is one order.
    idempotency_key = models.CharField(max_length=80, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)
    caregiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_orders",
        verbose_name=_("caregiver"),
    )
    # Money (yuan, Decimal): the price of the line when ordered, and who pays what.
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    subsidy_amount = models.DecimalField(_("subsidy pays"), max_digits=12, decimal_places=2)
    ltci_amount = models.DecimalField(_("LTCI pays"), max_digits=12, decimal_places=2)
    self_amount = models.DecimalField(_("the person pays"), max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)
    accept_due = models.DateTimeField(_("to be accepted by"))
    decided_at = models.DateTimeField(_("accepted or refused at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    departed_at = models.DateTimeField(_("set off at"), null=True, blank=True)
    started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    refuse_reason = models.CharField(_("reason for refusing"), max_length=200, blank=True)
    cancel_reason = models.CharField(
        _("reason for cancelling"), max_length=16, choices=CancelReason.choices, blank=True
    )
    cancel_note = models.CharField(_("cancellation note"), max_length=200, blank=True)
    dispute_note = models.CharField(_("what is disputed"), max_length=300, blank=True)
    rating = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    rating_text = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["-window_start", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["provider", "-window_start", "-id"], name="order_provider_idx"),
            models.Index(fields=["elder", "-window_start"], name="order_elder_idx"),
            models.Index(fields=["caregiver", "status"], name="order_caregiver_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recurring", "window_start"],
                condition=models.Q(recurring__isnull=False),
                name="order_one_visit_per_standing_day",
            ),
            models.UniqueConstraint(
                fields=["api_key", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="order_one_per_idempotency_key",
            ),
            models.CheckConstraint(
                condition=models.Q(window_end__gt=models.F("window_start")),
                name="order_window_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    total=models.F("subsidy_amount")
                    + models.F("ltci_amount")
                    + models.F("self_amount")
                ),
                name="order_split_adds_up",
            ),
            models.CheckConstraint(
                condition=models.Q(subsidy_amount__gte=0, ltci_amount__gte=0, self_amount__gte=0),
                name="order_shares_gte0",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="order_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class SubsidyBalance(models.Model):
    """What the government subsidy still holds for one person in one month. The subsidy
    capability (a later app) fills `granted`; orders reserve from it when placed and give back
    when cancelled or refused."""

    elder = models.ForeignKey("people.Elder", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    month = models.DateField(_("month"))  # the first day of the month
    granted = models.DecimalField(_("granted"), max_digits=12, decimal_places=2)
    reserved = models.DecimalField(
        _("reserved by orders"), max_digits=12, decimal_places=2, default=0
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["elder_id", "-month"]
        verbose_name = _("subsidy balance")
        verbose_name_plural = _("subsidy balances")
        constraints = [
            models.UniqueConstraint(fields=["elder", "month"], name="subsidy_one_per_month"),
            models.CheckConstraint(
                condition=models.Q(reserved__gte=0, reserved__lte=models.F("granted")),
                name="subsidy_reserved_within_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.granted}"

    @property
    def available(self):
        return self.granted - self.reserved


class Payment(models.Model):
    """What the person paid of their share of an order, as the provider recorded it: cash, a
    bank transfer or a mobile payment, the last two by their reference (the platform calls no
    payment service)."""

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK = "bank", _("Bank transfer")
        MOBILE = "mobile", _("Mobile payment")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    method = models.CharField(_("paid by"), max_length=8, choices=Method.choices)
    reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    paid_at = models.DateTimeField(_("paid at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    receipt_number = models.CharField(_("receipt number"), max_length=24, unique=True)

    class Meta:
        ordering = ["order_id", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_gt0"),
        ]

    def __str__(self) -> str:
        return self.receipt_number


class CallbackTask(models.Model):
    """A request to call someone back: a press of the service button on their safety bell
    (the devices capability publishes `device.service_press`). The call centre calls, and turns
    it into an order or closes it with the reason."""

    class Status(models.TextChoices):
        OPEN = "open", _("To call back")
        ORDERED = "ordered", _("Ordered")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        NO_NEED = "no_need", _("Needs nothing now")
        UNREACHABLE = "unreachable", _("Could not be reached")
        MISTAKE = "mistake", _("Pressed by mistake")

    elder = models.ForeignKey(
        "people.Elder", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    source = models.CharField(_("source"), max_length=20, default="bell")
    device_ref = models.CharField(_("device"), max_length=64, blank=True)
    raised_at = models.DateTimeField(_("pressed at"))
    event_id = models.BigIntegerField(null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_reason = models.CharField(
        _("reason"), max_length=12, choices=CloseReason.choices, blank=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "raised_at", "id"]
        verbose_name = _("call-back")
        verbose_name_plural = _("call-backs")

    def __str__(self) -> str:
        return f"{self.source} {self.raised_at:%Y-%m-%d %H:%M}"


class Complaint(models.Model):
    """A complaint about an order, by the person, their family or the call centre for them:
    the provider answers, a civil-affairs officer settles it with an outcome. Its life cycle is
    marketplace.transitions.COMPLAINT; it is due the policy's days after it is filed."""

    class Category(models.TextChoices):
        LATE = "late", _("Late or did not come")
        ATTITUDE = "attitude", _("Attitude")
        QUALITY = "quality", _("Quality of the service")
        CHARGE = "charge", _("Charges")
        SAFETY = "safety", _("Safety")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the provider")
        ANSWERED = "answered", _("Answered by the provider")
        CLOSED = "closed", _("Settled")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        PARTLY = "partly", _("Partly upheld")
        NOT_UPHELD = "not_upheld", _("Not upheld")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="complaints")
    elder = models.ForeignKey("people.Elder", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    provider = models.ForeignKey(
        "institutions.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("what it is about"), max_length=10, choices=Category.choices)
    text = models.CharField(_("what happened"), max_length=500)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    due_on = models.DateField(_("to be settled by"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    answer = models.CharField(_("the provider's answer"), max_length=500, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("how it was settled"), max_length=500, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "due_on", "id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.order_id}"
