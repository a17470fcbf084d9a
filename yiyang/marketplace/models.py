from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
