from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiyang.core import registry
from yiyang.core.policy import DatedPolicy
from yiyang.core.scoping import REGION, SELF

from .roles import SCOPE_OF_ROLE, Role


class User(AbstractUser):
    """A person who signs in. Every account is bound to one region node."""

    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    display_name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    organisation = models.ForeignKey(
        "institutions.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("organisation"),
    )
    elder = models.ForeignKey(
        "people.Elder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("older person"),
    )
    failed_logins = models.PositiveSmallIntegerField(_("failed sign-ins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)
    # Set when an administrator chose the password (a new account, a reset): the user picks
    # their own at the next sign-in, so no administrator knows a password in use.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        # region_code copies region.code so that scoping is one indexed prefix scan.
        if self.region_id:
            self.region_code = self.region.code
        super().save(*args, **kwargs)

    @property
    def audit_label(self) -> str:
        return f"{self.username} ({self.display_name})"

    @property
    def scope_kind(self) -> str | None:
        return SCOPE_OF_ROLE.get(self.role)

    def has_capability(self, capability: str) -> bool:
        return self.is_active and capability in registry.role_capabilities(self.role)

    def visible_elder_ids(self) -> set[int]:
        """The older person themself and every ward this account is guardian of."""
        if self.scope_kind != SELF:
            return set()
        if not hasattr(self, "_visible_elder_ids"):
            from django.apps import apps

            guardian = apps.get_model("people", "Guardian")
            ids = set(guardian.objects.filter(account=self).values_list("elder_id", flat=True))
            if self.elder_id:
                ids.add(self.elder_id)
            self._visible_elder_ids = ids
        return self._visible_elder_ids

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class SecurityPolicy(DatedPolicy):
    """The security administrator's numbers, dated like every other policy (core.policy);
    they hold for the whole country's deployment."""

    max_failed_logins = models.PositiveSmallIntegerField(_("failed sign-ins before lockout"))
    lockout_minutes = models.PositiveIntegerField(_("lockout minutes"))
    password_max_age_days = models.PositiveIntegerField(_("password maximum age (days)"))
    # Per client address and minute, whatever user name is tried (a lockout counts per account;
    # this stops one address guessing across many accounts).
    sign_ins_per_ip_minute = models.PositiveIntegerField(
        _("sign-in attempts per address and minute"), default=20
    )
    api_calls_per_ip_minute = models.PositiveIntegerField(
        _("API calls per address and minute"), default=600
    )

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("security policy")
        verbose_name_plural = _("security policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_failed_logins__gte=1), name="policy_failed_logins_min1"
            )
        ]

    def __str__(self) -> str:
        return f"{self.effective_from}: {self.max_failed_logins} / {self.lockout_minutes} min"


class ApiKey(models.Model):
    """A third-party system's key. Only a SHA-256 of the secret is stored; the key carries
    scopes (what it may call) and a region (what it may see), like a staff account."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return self.name

    # The key acts as an actor for scoping.
    is_authenticated = True
    scope_kind = REGION
    organisation_id = None

    @property
    def audit_label(self) -> str:
        return f"api-key:{self.prefix} ({self.name})"

    def has_capability(self, capability: str) -> bool:
        # A key row edited in the database still cannot grant what keys may never hold
        # (revealing ID numbers, reading health data).
        if not self.is_active or capability not in (self.scopes or []):
            return False
        return registry.is_declared(capability) and registry.capability_get(capability).api

    def visible_elder_ids(self) -> set[int]:
        return set()


class AccountChange(models.Model):
    """A change to an administrator's account (三员: the system, security and audit
    administrators), which no one makes alone: one administrator asks, a second person who may
    approve (the security administrator) carries it out, or, when nobody could approve, the one
    who asked carries it out under the emergency procedure and a second person reviews it
    afterwards. The life cycle is accounts.transitions.CHANGE."""

    class Kind(models.TextChoices):
        RESET_PASSWORD = "reset_password", _("Reset the password")
        UNLOCK = "unlock", _("Unlock")
        DISABLE = "disable", _("Disable")
        ENABLE = "enable", _("Enable")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved and carried out")
        REFUSED = "refused", _("Refused by the second person")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        BREAK_GLASS = "break_glass", _("Carried out in an emergency, awaiting review")
        REVIEWED = "reviewed", _("Emergency change reviewed")

    target = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    # The target's region code, copied so that scoping is one indexed prefix scan.
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    kind = models.CharField(_("kind of change"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("reason"), max_length=500)
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("change to an administrator's account")
        verbose_name_plural = _("changes to administrators' accounts")
        constraints = [
            # Two administrators asking at once leave one request, not two to approve.
            models.UniqueConstraint(
                fields=["target", "kind"],
                condition=models.Q(status="pending"),
                name="accountchange_one_pending_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}: {self.target.username}"


def account_of(actor) -> "User | None":
    """The account behind an actor, for "by whom" columns; None for API keys and the system."""
    return actor if isinstance(actor, User) else None
