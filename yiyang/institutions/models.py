from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Organisation(models.Model):
    """Care homes, community centres and stations, home-care providers, medical institutions,
    assessment organisations and bureaus (seed 001's institution table gives the columns)."""

    class Kind(models.TextChoices):
        CARE_HOME = "care_home", _("Elderly-care institution")
        COMMUNITY_CENTRE = "community_centre", _("Street elderly-care service centre")
        COMMUNITY_STATION = "community_station", _("Community elderly-care service station")
        HOME_CARE = "home_care", _("Home-care service provider")
        MEDICAL = "medical", _("Medical institution")
        ASSESSMENT = "assessment", _("Assessment organisation")
        BUREAU = "bureau", _("Government bureau")

    class Ownership(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=120)
    name_pinyin = models.CharField(max_length=400, blank=True, db_index=True, editable=False)
    name_initials = models.CharField(max_length=120, blank=True, db_index=True, editable=False)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, db_index=True)
    ownership = models.CharField(_("public / private"), max_length=8, choices=Ownership.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    land_area = models.DecimalField(
        _("land area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    beds = models.PositiveIntegerField(_("beds"), null=True, blank=True)
    has_medical_agreement = models.BooleanField(
        _("medical-care cooperation agreement"), default=False
    )
    licence_number = models.CharField(_("licence / filing number"), max_length=60, blank=True)
    licence_valid_from = models.DateField(_("licence valid from"), null=True, blank=True)
    licence_valid_to = models.DateField(_("licence valid to"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("in operation"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(licence_valid_to__isnull=True)
                | models.Q(licence_valid_from__isnull=True)
                | models.Q(licence_valid_to__gte=models.F("licence_valid_from")),
                name="org_licence_dates_ordered",
            ),
            models.UniqueConstraint(fields=["region", "name"], name="org_unique_name_in_region"),
        ]

    def __str__(self) -> str:
        return self.name
