"""What demo city this database holds, so that `yiyang demo-city` run again does nothing."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoCity(models.Model):
    """The parameters of the demo city built into this database (at most one row)."""

    seed = models.BigIntegerField(_("seed"))
    elders = models.PositiveIntegerField(_("older people"))
    as_of = models.DateField(_("reference date"))
    generator = models.CharField(_("generator version"), max_length=20)
    built_at = models.DateTimeField(_("built"), auto_now_add=True)
    seconds = models.DecimalField(_("build time (s)"), max_digits=9, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("demo city")
        verbose_name_plural = _("demo cities")

    def __str__(self) -> str:
        return f"demo city seed={self.seed} elders={self.elders} as of {self.as_of}"
