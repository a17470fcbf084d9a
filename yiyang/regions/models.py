"""Administrative divisions: province > city > district/county > street/town > community/village.

Codes are the statistical division codes with trailing zeros dropped, so that a node's code is
a prefix of every code beneath it: 53 (province), 5301 (city), 530103 (district, GB/T 2260),
530103001 (street, 9 digits), 530103001001 (community, 12 digits). Scoping relies on this.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Region(models.Model):
    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        CITY = 2, _("City")
        DISTRICT = 3, _("District / county")
        STREET = 4, _("Street / town")
        COMMUNITY = 5, _("Community / village")

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    full_name = models.CharField(_("full name"), max_length=300, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def twelve_digit_code(self) -> str:
        """The code as the statistics bureau writes it, padded to 12 digits."""
        return self.code.ljust(12, "0")
