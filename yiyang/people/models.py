"""The elder registry (DESIGN.md §2.2)."""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Elder(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Economic(models.TextChoices):
        TEKUN = "tekun", _("Extreme poverty support (特困)")
        DIBAO = "dibao", _("Minimum living allowance (低保)")
        LOW_INCOME = "low_income", _("Low income (低收入)")
        ORDINARY = "ordinary", _("Ordinary")

    class Insurance(models.TextChoices):
        EMPLOYEE = "employee", _("Employee medical insurance")
        RESIDENT = "resident", _("Resident medical insurance")
        NONE = "none", _("None")

    class Living(models.TextChoices):
        HOME = "home", _("At home")
        COMMUNITY = "community", _("Community day care")
        INSTITUTION = "institution", _("In an institution")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("elder status", "Active")
        MOVED_OUT = "moved_out", pgettext_lazy("elder status", "Moved out")
        DECEASED = "deceased", pgettext_lazy("elder status", "Deceased")

    # Searched by prefix through the *_search indexes below.
    name = models.CharField(_("name"), max_length=40)
    name_pinyin = models.CharField(_("pinyin"), max_length=160, editable=False)
    name_initials = models.CharField(max_length=40, editable=False)
    id_number_cipher = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    birth_date = models.DateField(_("date of birth"), db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # The phone's digits alone ("0871-6512345" -> "08716512345"; services.elder_derived), which
    # the search matches by prefix and by suffix through indexes (selectors._search).
    phone_digits = models.CharField(max_length=20, blank=True, editable=False)

    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community / village"),
    )
    region_code = models.CharField(_("region code"), max_length=12, editable=False)
    address = models.CharField(_("address"), max_length=200)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    lives_alone = models.BooleanField(_("lives alone"), default=False)
    empty_nest = models.BooleanField(_("empty-nest"), default=False)
    special_family = models.BooleanField(_("special family-planning family"), default=False)
    economic_status = models.CharField(
        _("economic situation"), max_length=12, choices=Economic.choices, default=Economic.ORDINARY
    )
    insurance = models.CharField(
        _("medical insurance"), max_length=10, choices=Insurance.choices, default=Insurance.RESIDENT
    )
    living_arrangement = models.CharField(
        _("living arrangement"), max_length=12, choices=Living.choices, default=Living.HOME
    )
    institution = models.ForeignKey(
        "institutions.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("institution / day-care centre"),
    )
    ability_level = models.PositiveSmallIntegerField(
        _("ability level (GB/T 42195)"), null=True, blank=True
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("disability grade (LTC 2021)"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    status_date = models.DateField(_("status date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["region_code", "id"]
        verbose_name = _("older person")
        verbose_name_plural = _("older people")
        indexes = [
            # Scoped lists are ranges of region_code (core.scoping.code_prefix_lookup)
            # ordered by region_code, id: this one index serves both.
            models.Index(fields=["region_code", "id"], name="elder_region_id"),
            models.Index(fields=["status", "region_code"], name="elder_status_region"),
            # The search keys, each with the region code and the id after it: a prefix search
            # (name LIKE '单%', with varchar_pattern_ops whatever the collation; other
            # databases ignore the operator classes) checks the scope and finds the ids inside
            # the index, without reading the table (selectors._matching). The search by the
            # last digits of the phone has its own index on PostgreSQL, on
            # (reverse(phone_digits), region_code, id) (migration 0007).
            *(
                models.Index(
                    fields=[key, "region_code", "id"],
                    name=f"elder_{key}_search",
                    opclasses=["varchar_pattern_ops", "varchar_ops", "int8_ops"],
                )
                for key in ("name", "name_pinyin", "name_initials", "phone_digits")
            ),
        ]
        constraints = [
            # A constraint, not unique=True, which on PostgreSQL would add a useless
            # varchar_pattern_ops twin (91 MB on a million people).
            models.UniqueConstraint(fields=["id_number_hash"], name="elder_unique_id_number"),
            models.CheckConstraint(
                condition=models.Q(status="active") | models.Q(status_date__isnull=False),
                name="elder_status_date_when_inactive",
            ),
            models.CheckConstraint(
                condition=~models.Q(living_arrangement="institution")
                | models.Q(institution__isnull=False),
                name="elder_institution_when_institutional",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HealthProfile(models.Model):
    """Health data sits apart from the registry row so that every read of it is a logged,
    deliberate act (DESIGN.md §4)."""

    elder = models.OneToOneField(Elder, on_delete=models.CASCADE, related_name="health")
    chronic_conditions = models.TextField(_("chronic conditions"), blank=True)
    medications = models.TextField(_("medications"), blank=True)
    allergies = models.TextField(_("allergies"), blank=True)
    blood_type = models.CharField(_("blood type"), max_length=8, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("health profile")
        verbose_name_plural = _("health profiles")

    def __str__(self) -> str:
        return f"health profile of elder {self.elder_id}"


class Guardian(models.Model):
    """A guardian or emergency contact; a guardian may hold an account."""

    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Son / daughter")
        CHILD_IN_LAW = "child_in_law", _("Son / daughter-in-law")
        GRANDCHILD = "grandchild", _("Grandchild")
        SIBLING = "sibling", _("Brother / sister")
        RELATIVE = "relative", _("Other relative")
        NEIGHBOUR = "neighbour", _("Neighbour")
        COMMUNITY = "community", _("Community worker")
        OTHER = "other", _("Other")

    elder = models.ForeignKey(Elder, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("name"), max_length=40)
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=20)
    is_guardian = models.BooleanField(_("legal guardian"), default=False)
    is_emergency_contact = models.BooleanField(_("emergency contact"), default=True)
    priority = models.PositiveSmallIntegerField(_("call order"), default=1)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wards",
        verbose_name=_("account"),
    )

    class Meta:
        ordering = ["elder_id", "priority", "id"]
        verbose_name = _("guardian / contact")
        verbose_name_plural = _("guardians and contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"


class Fact(models.Model):
    """What was true of a person from one day until another (docs/decisions/0011): their
    economic situation, insurance, living arrangement, residence, status and grades. The
    columns of the same names on Elder hold the value of the fact open today and are written
    only together with it (people.services.facts_write)."""

    class Kind(models.TextChoices):
        ECONOMIC = "economic_status", _("economic situation")
        INSURANCE = "insurance", _("medical insurance")
        LIVING = "living_arrangement", _("living arrangement")
        RESIDENCE = "residence", _("residence")
        STATUS = "status", _("status")
        ABILITY = "ability_level", _("ability level (GB/T 42195)")
        DISABILITY = "disability_grade", _("disability grade (LTC 2021)")

    class Source(models.TextChoices):
        REGISTRY = "registry", _("Entered in the registry")
        IMPORT = "import", _("Imported")
        ASSESSMENT = "assessment", _("Assessment conclusion")
        RECORDED = "recorded", _("On record before dated facts")

    elder = models.ForeignKey(Elder, on_delete=models.CASCADE, related_name="facts")
    kind = models.CharField(_("fact"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=32, blank=True)
    valid_from = models.DateField(_("valid from"))
    # The first day it no longer held; empty while it holds.
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    recorded_at = models.DateTimeField(_("recorded"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # When a later statement from an earlier day replaced this one; it stays on record.
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)

    class Meta:
        ordering = ["elder_id", "kind", "valid_from", "id"]
        verbose_name = _("dated fact")
        verbose_name_plural = _("dated facts")
        indexes = [
            models.Index(fields=["elder", "kind", "valid_from"], name="fact_elder_kind"),
            # "Who was 低保 in March": by kind and value, then the dates.
            models.Index(fields=["kind", "value", "valid_from"], name="fact_kind_value"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=F("valid_from")),
                name="fact_ends_after_start",
            ),
            # One open fact of a kind per person, one start day among the facts in force.
            models.UniqueConstraint(
                fields=["elder", "kind"],
                condition=models.Q(valid_to__isnull=True, superseded_at__isnull=True),
                name="fact_one_open",
            ),
            models.UniqueConstraint(
                fields=["elder", "kind", "valid_from"],
                condition=models.Q(superseded_at__isnull=True),
                name="fact_one_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value} from {self.valid_from}"
