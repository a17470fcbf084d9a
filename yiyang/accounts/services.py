"""Accounts: signing in with lockout, creating and changing accounts, API keys."""

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yiyang.core import audit
from yiyang.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from yiyang.core.scoping import region_in_scope, require, scoped_get

from .errors import AccountLocked, BadCredentials
from .models import ApiKey, User
from .roles import ELDER_ROLES, ORGANISATION_ROLES, Role
from .rules import security_policy_for


def user_authenticate(*, username: str, password: str) -> User:
    """Check a password. Each failure counts; at the policy's limit the account locks for
    the policy's minutes. The counter is bumped with an UPDATE so parallel guesses all count."""
    user = User.objects.filter(username=username).first()
    if user is None or not user.is_active:
        User().set_password(password)  # same work as a real check: no timing oracle
        raise BadCredentials()
    if user.is_locked:
        raise AccountLocked()
    if not user.check_password(password):
        policy = security_policy_for()
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        if user.failed_logins >= policy.max_failed_logins:
            until = timezone.now() + dt.timedelta(minutes=policy.lockout_minutes)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            audit.record_change(
                actor=None,
                entity=user,
                action="update",
                changes={"locked_until": [None, until.isoformat()]},
                note="locked after repeated failed sign-ins",
            )
            raise AccountLocked()
        raise BadCredentials()
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    return user


def _validate_account(*, role: str, region, organisation, elder, fields: dict) -> None:
    errors = {}
    if role not in Role.values:
        errors["role"] = _("Choose a role from the list.")
    if role in ORGANISATION_ROLES and organisation is None:
        errors["organisation"] = _("This role works for an organisation: choose one.")
    if role in ELDER_ROLES and elder is None and role == Role.ELDER:
        errors["elder"] = _("An older person's account must be linked to their registry record.")
    if organisation is not None and not organisation.region_code.startswith(region.code[:6]):
        errors["organisation"] = _("The organisation is not in the account's district.")
    errors.update(fields)
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    display_name: str,
    role: str,
    region,
    phone: str = "",
    organisation=None,
    elder=None,
) -> User:
    require(actor, "accounts.manage")
    if not region_in_scope(actor, region.code):
        raise ValidationFailed(fields={"region": _("The region is outside your own.")})
    field_errors = {}
    if User.objects.filter(username=username).exists():
        field_errors["username"] = _("This user name is taken.")
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        region=region,
        phone=phone,
        organisation=organisation,
        elder=elder,
    )
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        field_errors["password"] = " ".join(exc.messages)
    _validate_account(
        role=role, region=region, organisation=organisation, elder=elder, fields=field_errors
    )
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    audit.record_change(
        actor=actor,
        entity=user,
        action="create",
        changes={"role": [None, role], "region": [None, region.code]},
    )
    return user


def user_get(*, actor, user_id: int) -> User:
    require(actor, "accounts.manage")
    return scoped_get(User.objects.select_related("region", "organisation"), actor, pk=user_id)


@transaction.atomic
def user_set_active(*, actor, user_id: int, is_active: bool) -> User:
    user = user_get(actor=actor, user_id=user_id)
    if user.pk == actor.pk:
        raise PermissionDenied(_("You cannot disable your own account."))
    before = user.is_active
    user.is_active = is_active
    if is_active:
        user.locked_until, user.failed_logins = None, 0
    user.save(update_fields=["is_active", "locked_until", "failed_logins"])
    audit.record_change(
        actor=actor, entity=user, action="update", changes={"is_active": [before, is_active]}
    )
    return user


@transaction.atomic
def user_reset_password(*, actor, user_id: int, password: str) -> User:
    user = user_get(actor=actor, user_id=user_id)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(fields={"password": " ".join(exc.messages)}) from exc
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.locked_until, user.failed_logins = None, 0
    user.save()
    audit.record_change(
        actor=actor, entity=user, action="update", changes={"password": ["***", "***"]}
    )
    return user


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, actor, name: str, scopes: list[str], region, expires_at: dt.datetime | None = None
) -> tuple[ApiKey, str]:
    """Returns the key and its full token, which is shown once and never stored."""
    require(actor, "api_keys.manage")
    if not region_in_scope(actor, region.code):
        raise ValidationFailed(fields={"region": _("The region is outside your own.")})
    if not name.strip():
        raise ValidationFailed(fields={"name": _("Give the key a name.")})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name.strip(),
        prefix=prefix,
        secret_hash=_hash_secret(secret),
        scopes=sorted(scopes),
        region=region,
        region_code=region.code,
        created_by=actor,
        expires_at=expires_at,
    )
    audit.record_change(
        actor=actor, entity=key, action="create", changes={"scopes": [None, key.scopes]}
    )
    return key, f"yy_{prefix}_{secret}"


def api_key_authenticate(*, token: str) -> ApiKey | None:
    try:
        _yy, prefix, secret = token.split("_", 2)
    except ValueError:
        return None
    key = ApiKey.objects.filter(prefix=prefix, is_active=True).select_related("region").first()
    if key is None or not secrets.compare_digest(key.secret_hash, _hash_secret(secret)):
        return None
    now = timezone.now()
    if key.expires_at and key.expires_at <= now:
        return None
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def api_key_revoke(*, actor, key_id: int) -> ApiKey:
    require(actor, "api_keys.manage")
    key = scoped_get(ApiKey.objects.all(), actor, pk=key_id)
    key.is_active = False
    key.save(update_fields=["is_active"])
    audit.record_change(
        actor=actor, entity=key, action="update", changes={"is_active": [True, False]}
    )
    return key


def users_require_region_scope(actor) -> None:
    if actor.scope_kind != "region":
        raise NotFound()
