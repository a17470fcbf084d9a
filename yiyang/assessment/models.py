"""Assessment cases from application to an effective, then expired or superseded, conclusion
(DESIGN.md §2.3; standards/assessment.md §1.8).

One `Assessment` is one case. Its first round is assessed on site by two assessors drawn from a
designated assessment organisation's pool; an objection during the public notice opens round 2,
assessed by different assessors, whose result is final. Each assessor's answers are an
`Assignment`; items where the two differ are `Discrepancy` rows, each reconciled with a reason
before the case may be concluded. Day counts, validity and the number of assessors come from
the dated `AssessmentPolicy`, never from code.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiyang.core.policy import DatedPolicy


class AssessmentPolicy(DatedPolicy):
    """The procedure's numbers for one instrument in a region from a date: a policy is data,
    dated and chosen by the one rule of core.policy (the nearest region's row in force)."""

    instrument = models.CharField(_("instrument"), max_length=40)
    acceptance_workdays = models.PositiveSmallIntegerField(
        _("working days to accept or refuse an application")
    )
    onsite_workdays = models.PositiveSmallIntegerField(
        _("working days from acceptance to the on-site assessment")
    )
    notice_workdays = models.PositiveSmallIntegerField(
        _("public notice period (working days, 0 = no public notice)")
    )
    entitlement_workdays = models.PositiveSmallIntegerField(
        _("working days from application to an effective conclusion")
    )
    validity_months = models.PositiveSmallIntegerField(_("validity of a conclusion (months)"))
    reminder_days = models.PositiveSmallIntegerField(
        _("days before expiry to remind of re-assessment")
    )
    reapply_bar_months = models.PositiveSmallIntegerField(
        _("months before a new application after a 'no disability' conclusion")
    )
    assessors_required = models.PositiveSmallIntegerField(_("assessors on site"), default=2)
    evidence_required = models.BooleanField(_("on-site evidence required"), default=True)

    class Meta:
        ordering = ["instrument", "region_code", "-effective_from"]
        verbose_name = _("assessment policy")
        verbose_name_plural = _("assessment policies")
        constraints = [
            # One row in force per start day: a filing for the same day supersedes the earlier.
            models.UniqueConstraint(
                fields=["instrument", "region_code", "effective_from"],
                condition=models.Q(superseded_by__isnull=True),
                name="assessment_policy_unique_start",
            ),
            models.CheckConstraint(
                condition=models.Q(assessors_required__gte=2),
                name="assessment_policy_two_assessors",
            ),
            models.CheckConstraint(
                condition=models.Q(validity_months__gte=1), name="assessment_policy_validity"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="assessment_policy_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.region_code or '*'} {self.effective_from}"


class AssessorProfile(models.Model):
    """A qualified assessor in the pool of a designated assessment organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assessor_profile",
        verbose_name=_("account"),
    )
    organisation = models.ForeignKey(
        "institutions.Organisation",
        on_delete=models.PROTECT,
        related_name="assessors",
        verbose_name=_("assessment organisation"),
    )
    region_code = models.CharField(_("region code"), max_length=12, editable=False)
    certificate_number = models.CharField(_("qualification certificate"), max_length=40)
    qualified_until = models.DateField(_("qualified until"), null=True, blank=True)
    employer = models.ForeignKey(
        "institutions.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("other workplace (e.g. a care home)"),
    )
    is_active = models.BooleanField(_("in the pool"), default=True)

    class Meta:
        ordering = ["organisation_id", "id"]
        verbose_name = _("assessor")
        verbose_name_plural = _("assessors")

    def __str__(self) -> str:
        return self.user.display_name or self.user.username


class AssessorTie(models.Model):
    """A family or other tie between an assessor and an older person, declared on record: the
    draw never sends that assessor to that person."""

    class Relation(models.TextChoices):
        FAMILY = "family", _("Family member")
        CARER = "carer", _("Cares for the person")
        OTHER = "other", _("Other conflict of interest")

    assessor = models.ForeignKey(AssessorProfile, on_delete=models.CASCADE, related_name="ties")
    elder = models.ForeignKey("people.Elder", on_delete=models.CASCADE, related_name="+")
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assessor tie")
        verbose_name_plural = _("assessor ties")
        constraints = [
            models.UniqueConstraint(fields=["assessor", "elder"], name="assessor_tie_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assessor} ~ elder {self.elder_id} ({self.relation})"


class Assessment(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", pgettext_lazy("assessment status", "Applied")
        ACCEPTED = "accepted", pgettext_lazy("assessment status", "Accepted")
        REFUSED = "refused", pgettext_lazy("assessment status", "Refused")
        ASSIGNED = "assigned", pgettext_lazy("assessment status", "Assessors assigned")
        ON_SITE_DONE = "on_site_done", pgettext_lazy("assessment status", "On-site done")
        CONCLUDED = "concluded", pgettext_lazy("assessment status", "Concluded")
        PUBLIC_NOTICE = "public_notice", pgettext_lazy("assessment status", "On public notice")
        OBJECTED = "objected", pgettext_lazy("assessment status", "Objection filed")
        EFFECTIVE = "effective", pgettext_lazy("assessment status", "Effective")
        EXPIRED = "expired", pgettext_lazy("assessment status", "Expired")
        SUPERSEDED = "superseded", pgettext_lazy("assessment status", "Superseded")
        WITHDRAWN = "withdrawn", pgettext_lazy("assessment status", "Withdrawn")

    class Channel(models.TextChoices):
        # Seed 004's four-level network, plus online self-service.
        VILLAGE_POINT = "village_point", _("Village / community medical-insurance point")
        STREET_STATION = "street_station", _("Street / town medical-insurance station")
        CARE_INSTITUTION = "care_institution", _("Designated care institution")
        AGENCY = "agency", _("Insurance agency counter")
        ONLINE = "online", _("Online")

    class Trigger(models.TextChoices):
        FIRST = "first", _("First application")
        EXPIRY = "expiry", _("Re-assessment before expiry")
        DISCHARGE = "discharge", _("Change of condition: hospital discharge")
        DIAGNOSIS = "diagnosis", _("Change of condition: new diagnosis")
        REQUEST = "request", _("Change of condition: request of the person or a relative")
        SPOT_CHECK = "spot_check", _("Spot check by the agency")
        # A conclusion brought over from the city's earlier system (exchange's assessment
        # import); it never went through this procedure.
        IMPORTED = "imported", _("Imported from an earlier system")

    class Refusal(models.TextChoices):
        # The five grounds of the 2023 measures (draft), standards/assessment.md §1.8 step 3.
        NOT_INSURED = "not_insured", _("Not insured under long-term care insurance")
        CONDITIONS = "conditions", _("Does not meet the benefit conditions")
        OUTSIDE_SCOPE = "outside_scope", _("The care costs are outside the fund's scope")
        MATERIALS = "materials", _("Materials incomplete or false")
        OTHER = "other", _("Other case not accepted")

    number = models.CharField(_("case number"), max_length=32, unique=True)
    elder = models.ForeignKey(
        "people.Elder",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("older person"),
    )
    region_code = models.CharField(_("region code"), max_length=12, editable=False)
    residence = models.ForeignKey(
        "institutions.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("institution lived in"),
    )
    instrument = models.CharField(_("instrument"), max_length=40)
    instrument_version = models.CharField(_("instrument version"), max_length=40)
    trigger = models.CharField(_("reason for assessment"), max_length=12, choices=Trigger.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    applicant_name = models.CharField(_("applicant"), max_length=40)
    applicant_relation = models.CharField(_("applicant's relation"), max_length=20, blank=True)
    applicant_phone = models.CharField(_("applicant's phone"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("conclusion it re-assesses"),
    )

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.APPLIED
    )
    applied_on = models.DateField(_("applied on"))
    acceptance_due = models.DateField(_("acceptance due"))
    due_on = models.DateField(_("entitlement due"))
    due_provisional = models.BooleanField(
        _("deadline counted without the official calendar"), default=False
    )
    decided_on = models.DateField(_("accepted / refused on"), null=True, blank=True)
    refusal_reason = models.CharField(
        _("refusal reason"), max_length=16, choices=Refusal.choices, blank=True
    )
    refusal_note = models.CharField(_("refusal details"), max_length=300, blank=True)
    assessment_org = models.ForeignKey(
        "institutions.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessment organisation"),
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    onsite_due = models.DateField(_("on-site assessment due"), null=True, blank=True)
    onsite_done_at = models.DateTimeField(_("on-site done"), null=True, blank=True)

    answers = models.JSONField(_("reconciled answers"), null=True, blank=True)
    result = models.JSONField(_("grading explanation"), null=True, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    grade_label = models.CharField(_("grade name"), max_length=40, blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("concluded by"),
    )
    notice_from = models.DateField(_("public notice from"), null=True, blank=True)
    notice_to = models.DateField(_("public notice to"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("superseded by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [
            models.Index(fields=["region_code", "status"], name="assessment_region_status"),
            models.Index(fields=["status", "due_on"], name="assessment_status_due"),
            models.Index(fields=["elder", "status"], name="assessment_elder_status"),
            # the list's order: newest applications first (bench/README.md)
            models.Index(fields=["-applied_on", "-id"], name="assessment_applied_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="assessment_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(round__in=[1, 2]), name="assessment_round_1_or_2"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="assessment_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_final_round(self) -> bool:
        return self.round == 2

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


# Cases still moving: one person has at most one per registry field (ability / disability).
OPEN_STATUSES = (
    Assessment.Status.APPLIED,
    Assessment.Status.ACCEPTED,
    Assessment.Status.ASSIGNED,
    Assessment.Status.ON_SITE_DONE,
    Assessment.Status.CONCLUDED,
    Assessment.Status.PUBLIC_NOTICE,
    Assessment.Status.OBJECTED,
)


class AssessorDraw(models.Model):
    """One random draw of assessors, recorded so anyone can replay it: the seed, the sorted pool
    it drew from, who was left out and why, and who was chosen."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="draws")
    round = models.PositiveSmallIntegerField()
    organisation = models.ForeignKey(
        "institutions.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    algorithm = models.CharField(max_length=40)
    seed = models.CharField(max_length=64)
    pool = models.JSONField()
    excluded = models.JSONField()
    chosen = models.JSONField()
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment_id", "round", "id"]

    def __str__(self) -> str:
        return f"draw {self.pk} of {self.assessment_id} round {self.round}"


class Assignment(models.Model):
    """One assessor's part in one round: their answers as they saved them, and when submitted."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments")
    round = models.PositiveSmallIntegerField()
    assessor = models.ForeignKey(
        AssessorProfile, on_delete=models.PROTECT, related_name="assignments"
    )
    draw = models.ForeignKey(AssessorDraw, on_delete=models.PROTECT, related_name="assignments")
    answers = models.JSONField(default=dict, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    # The grade of `result`, as a column: the supervision figures compare assessors by it
    # without reading every result's JSON.
    grade = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["assessment_id", "round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "round", "assessor"], name="assignment_unique_assessor"
            )
        ]

    def __str__(self) -> str:
        return f"assignment {self.pk} of {self.assessment_id} round {self.round}"


class Discrepancy(models.Model):
    """An item on which the two assessors of a round answered differently."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="discrepancies"
    )
    round = models.PositiveSmallIntegerField()
    item = models.CharField(max_length=40)
    values = models.JSONField()  # {"<assignment id>": value, ...}
    resolved_value = models.JSONField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Not a column: assessment_detail sets it for the page, each answer under its assessor.
    answers_by: list[tuple[str, object]]

    class Meta:
        ordering = ["assessment_id", "round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "round", "item"], name="discrepancy_unique_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} of {self.assessment_id} round {self.round}"


class Objection(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="objections")
    filed_on = models.DateField(_("filed on"))
    filed_by = models.CharField(_("filed by"), max_length=40)
    # The first round's grade, kept because the re-assessment's conclusion replaces it.
    grade = models.PositiveSmallIntegerField(_("grade objected to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment_id", "id"]

    def __str__(self) -> str:
        return f"objection {self.pk} of {self.assessment_id}"


class Evidence(models.Model):
    """A photo, video or document taken on site or filed with the application. The checksum is
    taken on upload and checked on every download; every download is logged."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        VIDEO = "video", _("Video")
        DOCUMENT = "document", _("Document")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    round = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # A photo queued on the assessor's phone without a connection carries the phone's own id
    # for it, so that sending it again (the answer was lost on the way) attaches it once, and
    # the phone's clock at the moment it was taken (the server's time is uploaded_at).
    client_id = models.CharField(max_length=64, blank=True)
    taken_at = models.DateTimeField(_("taken on the device at"), null=True, blank=True)

    class Meta:
        ordering = ["assessment_id", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "client_id"],
                condition=~models.Q(client_id=""),
                name="evidence_one_per_client_id",
            )
        ]

    def __str__(self) -> str:
        return self.original_name
