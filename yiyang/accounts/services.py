"""Accounts: signing in with lockout, passwords and their age, creating and changing accounts,
the dated security policy, API keys."""

import datetime as dt
import hashlib
import logging
import secrets

from django.apps import apps
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.core import audit, crypto, registry
from yiyang.core.divisions import district_of
from yiyang.core.exceptions import PermissionDenied, ValidationFailed
from yiyang.core.policy import policy_file
from yiyang.core.scoping import Actor, region_in_scope, require, scoped, scoped_get
from yiyang.core.throttle import throttle_hit
from yiyang.core.timeutils import LOCAL_TZ
from yiyang.regions.models import Region

from .errors import AccountDisabled, AccountLocked, BadCredentials, SecondPersonRequired
from .models import AccountChange, ApiKey, SecurityPolicy, User
from .roles import ADMINISTRATORS, ELDER_ROLES, ORGANISATION_ROLES, Role
from .rules import security_policy_for
from .transitions import CHANGE

logger = logging.getLogger(__name__)

# Notes of the sign-in events in the change history. They are stored data, searched by the
# audit administrator ("sign-in", "locked"), so they stay fixed English, not translated text.
SIGN_IN_OK = "sign-in succeeded"
SIGN_IN_FAILED = "sign-in failed: wrong password"
SIGN_IN_LOCKED = "sign-in failed: account locked after repeated failures"
SIGN_IN_REFUSED_LOCKED = "sign-in refused: account is locked"
SIGN_IN_REFUSED_DISABLED = "sign-in refused: account is disabled"
# Notes of the changes to administrators' accounts (三员分立), searched like the above.
CHANGE_ASKED = "administrator account change asked"
CHANGE_APPROVED = "administrator account changed with approval"
CHANGE_BREAK_GLASS = "administrator account changed under the emergency procedure"
CHANGE_REFUSED = "administrator account change refused"
CHANGE_WITHDRAWN = "administrator account change withdrawn"
CHANGE_REVIEWED = "administrator account emergency change reviewed"
ADMIN_CREATED_DISABLED = "administrator account opened disabled"
# Who tried, when the password was not (yet) proven: the audit row names no account as actor.
ANONYMOUS = "anonymous"

audit.register_notes(
    {
        SIGN_IN_OK: gettext_lazy("sign-in succeeded"),
        SIGN_IN_FAILED: gettext_lazy("sign-in failed: wrong password"),
        SIGN_IN_LOCKED: gettext_lazy("sign-in failed: account locked after repeated failures"),
        SIGN_IN_REFUSED_LOCKED: gettext_lazy("sign-in refused: account is locked"),
        SIGN_IN_REFUSED_DISABLED: gettext_lazy("sign-in refused: account is disabled"),
        "password changed by its owner": gettext_lazy("password changed by its owner"),
        "unlocked by an administrator": gettext_lazy("unlocked by an administrator"),
        "security policy filed": gettext_lazy("security policy filed"),
        "created from the command line": gettext_lazy("created from the command line"),
        CHANGE_ASKED: gettext_lazy("change to an administrator's account asked for"),
        CHANGE_APPROVED: gettext_lazy("changed with a second person's approval"),
        CHANGE_BREAK_GLASS: gettext_lazy("changed alone under the emergency procedure"),
        CHANGE_REFUSED: gettext_lazy("asked change refused"),
        CHANGE_WITHDRAWN: gettext_lazy("asked change withdrawn"),
        CHANGE_REVIEWED: gettext_lazy("emergency change reviewed"),
        ADMIN_CREATED_DISABLED: gettext_lazy(
            "administrator's account opened disabled: enabling it needs a second person"
        ),
    }
)
audit.register_change_labels("accounts.accountchange", {"target": gettext_lazy("account")})

# The session key holding the moment the signed-in user's password expires (ISO 8601, UTC),
# or "" when the policy sets no maximum age.
PASSWORD_DEADLINE_KEY = "yiyang_password_deadline"  # noqa: S105 (a session key)


def _sign_in_event(
    *, user: User, actor: User | str, note: str, changes: dict, ip: str | None
) -> None:
    audit.record_change(
        actor=actor,
        entity=user,
        action="update",
        changes=changes,
        note=f"{note} (ip {ip})" if ip else note,
    )


def _local_time(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment, LOCAL_TZ), "Y-m-d H:i")


def user_authenticate(*, username: str, password: str, ip: str | None = None) -> User:
    """Check a password. Each failure counts; at the dated policy's limit the account locks
    for the policy's minutes, and while it is locked even the right password is refused.
    The counter is bumped with an UPDATE so parallel guesses all count. Every outcome for a
    known account is written to its change history, where the audit administrator reads it.

    Whoever does not know the password learns nothing about the name: an unknown name, a
    wrong password and a locked account give the same answer after the same hashing work;
    only the right password hears that its account is locked or disabled. One address may
    try the policy's number of sign-ins a minute, whatever names it tries."""
    throttle_hit(kind="sign-in", ip=ip, limit=security_policy_for().sign_ins_per_ip_minute)
    user = User.objects.filter(username=username).first()
    if user is None:
        User().set_password(password)  # same work as a real check: no timing oracle
        logger.info("sign-in failed for unknown user name %r from %s", username[:150], ip)
        raise BadCredentials()
    if not user.is_active:
        # Only someone who knows the password learns that the account is disabled.
        if not user.check_password(password):
            raise BadCredentials()
        _sign_in_event(user=user, actor=ANONYMOUS, note=SIGN_IN_REFUSED_DISABLED, changes={}, ip=ip)
        raise AccountDisabled()
    if user.is_locked and user.locked_until:
        _sign_in_event(user=user, actor=ANONYMOUS, note=SIGN_IN_REFUSED_LOCKED, changes={}, ip=ip)
        # Only someone who knows the password learns that, and until when, it is locked.
        if not user.check_password(password):
            raise BadCredentials()
        raise AccountLocked(
            _("Too many failed sign-ins: the account is locked until %(time)s.")
            % {"time": _local_time(user.locked_until)}
        )
    if not user.check_password(password):
        policy = security_policy_for()
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        before = user.failed_logins
        user.refresh_from_db(fields=["failed_logins"])
        if user.failed_logins >= policy.max_failed_logins:
            until = timezone.now() + dt.timedelta(minutes=policy.lockout_minutes)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            _sign_in_event(
                user=user,
                actor=ANONYMOUS,
                note=SIGN_IN_LOCKED,
                changes={
                    "failed_logins": [before, user.failed_logins],
                    "locked_until": [None, until.isoformat()],
                },
                ip=ip,
            )
            raise BadCredentials()
        _sign_in_event(
            user=user,
            actor=ANONYMOUS,
            note=SIGN_IN_FAILED,
            changes={"failed_logins": [before, user.failed_logins]},
            ip=ip,
        )
        raise BadCredentials()
    changes = {}
    if user.failed_logins or user.locked_until:
        changes["failed_logins"] = [user.failed_logins, 0]
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins, user.locked_until = 0, None
    _sign_in_event(user=user, actor=user, note=SIGN_IN_OK, changes=changes, ip=ip)
    return user


# --- passwords -------------------------------------------------------------------------------


def password_deadline(*, user: User) -> dt.datetime | None:
    """When this user's password passes the policy's maximum age; None when there is none.

    An account whose password was never changed through Yiyang counts from when it was made."""
    if user.must_change_password:
        return user.password_changed_at or user.date_joined
    policy = security_policy_for()
    if not policy.password_max_age_days:
        return None
    changed = user.password_changed_at or user.date_joined
    return changed + dt.timedelta(days=policy.password_max_age_days)


def session_note_password_deadline(*, user: User, session) -> None:
    """Write the password deadline into the session at sign-in, so that the middleware checks
    it on every request without a query."""
    deadline = password_deadline(user=user)
    session[PASSWORD_DEADLINE_KEY] = deadline.isoformat() if deadline else ""


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    """Receiver of Django's user_logged_in: every sign-in passes through login(), so no
    session escapes the password-age check, whatever door it came in by."""
    session = getattr(request, "session", None)
    if session is not None and isinstance(user, User):
        session_note_password_deadline(user=user, session=session)


def session_password_expired(*, session, now: dt.datetime | None = None) -> bool:
    raw = session.get(PASSWORD_DEADLINE_KEY)
    if not raw:
        return False
    try:
        deadline = dt.datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        return True  # a damaged note fails closed: the user picks a new password
    return (now or timezone.now()) >= deadline


def _validate_new_password(password: str, user: User, *, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(fields={field: " ".join(exc.messages)}) from exc


@transaction.atomic
def user_change_password(*, actor: User, old_password: str, new_password: str) -> User:
    """A user picks a new password, proving the old one; the clock of its age restarts."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(old_password):
        raise ValidationFailed(fields={"old_password": _("The current password is wrong.")})
    if old_password == new_password:
        raise ValidationFailed(
            fields={"new_password": _("The new password must differ from the current one.")}
        )
    _validate_new_password(new_password, user, field="new_password")
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record_change(
        actor=user,
        entity=user,
        action="update",
        changes={"password": ["***", "***"]},
        note="password changed by its owner",
    )
    return user


# --- accounts --------------------------------------------------------------------------------


def _validate_account(*, role: str, region, organisation, elder, fields: dict) -> None:
    errors = {}
    if role not in Role.values:
        errors["role"] = _("Choose a role from the list.")
    if role in ORGANISATION_ROLES and organisation is None:
        errors["organisation"] = _("This role works for an organisation: choose one.")
    if role == Role.ELDER and elder is None and "elder_id_number" not in fields:
        errors["elder_id_number"] = _(
            "An older person's account must be linked to their registry record: enter their "
            "ID number."
        )
    if (
        organisation is not None
        and region is not None
        and not organisation.region_code.startswith(district_of(region.code))
    ):
        errors["organisation"] = _("The organisation is not in the account's district.")
    errors.update(fields)
    if errors:
        raise ValidationFailed(fields=errors)


def elder_for_account(*, actor: Actor, id_number: str):
    """The registry record an older person's account links to, found by the keyed hash of
    the ID number inside the administrator's region. The administrator never browses the
    registry (三员: the system administrator reads no personal data); they type the number
    the person shows them."""
    compact = "".join(str(id_number or "").split()).upper()
    if not compact:
        return None
    elder_model = apps.get_model("people", "Elder")
    elder = (
        scoped(elder_model.objects.all(), actor)
        .filter(id_number_hash=crypto.search_hash(compact))
        .first()
    )
    if elder is None:
        raise ValidationFailed(
            fields={
                "elder_id_number": _(
                    "No older person with this ID number is on record in your region."
                )
            }
        )
    return elder


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    display_name: str,
    role: str,
    region,
    phone: str = "",
    organisation=None,
    elder=None,
    elder_id_number: str = "",
) -> User:
    """Open an account inside the administrator's region. An older person's account links to
    their record, given as the record or as the ID number they show (elder_for_account)."""
    require(actor, "accounts.manage")
    if region is None or not region_in_scope(actor, region.code):
        raise ValidationFailed(fields={"region": _("The region is outside your own.")})
    if organisation is not None and not region_in_scope(actor, organisation.region_code):
        raise ValidationFailed(
            fields={"organisation": _("The organisation is outside your region.")}
        )
    username = (username or "").strip()
    field_errors = {}
    if not username:
        field_errors["username"] = _("Enter a user name.")
    elif User.objects.filter(username__iexact=username).exists():
        field_errors["username"] = _("This user name is taken.")
    if not (display_name or "").strip():
        field_errors["display_name"] = _("Enter the person's name.")
    if role not in ORGANISATION_ROLES:
        organisation = None
    if role not in ELDER_ROLES:
        elder, elder_id_number = None, ""
    if elder is None and elder_id_number:
        try:
            elder = elder_for_account(actor=actor, id_number=elder_id_number)
        except ValidationFailed as exc:
            field_errors.update(exc.fields)
    if (
        elder is not None
        and role == Role.ELDER
        and User.objects.filter(elder=elder, role=Role.ELDER, is_active=True).exists()
    ):
        field_errors["elder_id_number"] = _("This older person already has an account.")
    user = User(
        username=username,
        display_name=(display_name or "").strip(),
        role=role,
        region=region,
        phone=(phone or "").strip(),
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
    user.must_change_password = True
    # Whoever opens an administrator's account knows its first password: it opens disabled,
    # and enabling it is a change to an administrator's account that a second person approves.
    user.is_active = not is_administrator(user)
    user.save()
    changes = {"role": [None, role], "region": [None, region.code]}
    if organisation is not None:
        changes["organisation"] = [None, str(organisation)]
    if elder is not None:
        changes["elder"] = [None, elder.pk]
    if not user.is_active:
        changes["is_active"] = [None, False]
    audit.record_change(
        actor=actor,
        entity=user,
        action="create",
        changes=changes,
        note="" if user.is_active else ADMIN_CREATED_DISABLED,
    )
    return user


def user_get(*, actor: Actor, user_id: int) -> User:
    require(actor, "accounts.manage")
    return scoped_get(User.objects.select_related("region", "organisation"), actor, pk=user_id)


def is_administrator(user: User) -> bool:
    """One of the three administrators (三员), whose accounts no one changes alone."""
    return user.role in ADMINISTRATORS


def _one_person_may_change(user: User) -> None:
    if is_administrator(user):
        raise SecondPersonRequired()


@transaction.atomic
def user_set_active(*, actor: Actor, user_id: int, is_active: bool) -> User:
    user = user_get(actor=actor, user_id=user_id)
    if user.pk == actor.pk:
        raise PermissionDenied(_("You cannot disable your own account."))
    _one_person_may_change(user)
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
def user_unlock(*, actor: Actor, user_id: int) -> User:
    """Lift a lockout before its time runs out (the person called and proved who they are)."""
    user = user_get(actor=actor, user_id=user_id)
    _one_person_may_change(user)
    before = user.locked_until.isoformat() if user.locked_until else None
    user.locked_until, user.failed_logins = None, 0
    user.save(update_fields=["locked_until", "failed_logins"])
    audit.record_change(
        actor=actor,
        entity=user,
        action="update",
        changes={"locked_until": [before, None]},
        note="unlocked by an administrator",
    )
    return user


@transaction.atomic
def user_reset_password(*, actor: Actor, user_id: int, password: str) -> User:
    user = user_get(actor=actor, user_id=user_id)
    _one_person_may_change(user)
    _validate_new_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    user.locked_until, user.failed_logins = None, 0
    user.save()
    audit.record_change(
        actor=actor, entity=user, action="update", changes={"password": ["***", "***"]}
    )
    return user


# --- changes to administrators' accounts (三员分立) ----------------------------------------


def _temporary_password() -> str:
    """A password nobody chose, shown once to the person who carried out the reset: it meets
    every validator (length, three character classes) and must be changed at the next sign-in."""
    return f"Yy-{secrets.token_urlsafe(12)}-{secrets.randbelow(90) + 10}a"


def approvers_for(*, target: User, excluding: list[int]) -> list[User]:
    """The active accounts, other than `excluding`, that may approve a change to `target`:
    holders of accounts.approve whose region contains the target's."""
    roles = [r for r in Role.values if "accounts.approve" in registry.role_capabilities(r)]
    return [
        u
        for u in User.objects.filter(role__in=roles, is_active=True).exclude(pk__in=excluding)
        if target.region_code.startswith(u.region_code) and not u.is_locked
    ]


def _change_fits(*, actor: User, target: User, kind: str, reason: str) -> str:
    errors = {}
    if kind not in AccountChange.Kind.values:
        errors["kind"] = _("Choose a change from the list.")
    elif target.pk == actor.pk:
        errors["kind"] = _("Changes to your own account are asked for by another administrator.")
    elif kind == AccountChange.Kind.UNLOCK and not target.is_locked:
        errors["kind"] = _("The account is not locked.")
    elif kind == AccountChange.Kind.DISABLE and not target.is_active:
        errors["kind"] = _("The account is disabled already.")
    elif kind == AccountChange.Kind.ENABLE and target.is_active:
        errors["kind"] = _("The account is enabled already.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why the change is needed.")
    elif len(reason) > 500:
        errors["reason"] = _("Keep the reason within 500 characters.")
    if not is_administrator(target):
        errors["kind"] = _(
            "Only administrators' accounts need a second person: change it directly."
        )
    if errors:
        raise ValidationFailed(fields=errors)
    return reason


def _change_apply(*, change: AccountChange, actor: User, note: str) -> str | None:
    """Carry out the change on the locked target row; the temporary password for a reset."""
    user = User.objects.select_for_update().get(pk=change.target_id)
    password = None
    changes: dict = {}
    if change.kind == AccountChange.Kind.RESET_PASSWORD:
        password = _temporary_password()
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.must_change_password = True
        changes["password"] = ["***", "***"]
        if user.locked_until:
            changes["locked_until"] = [user.locked_until.isoformat(), None]
        user.locked_until, user.failed_logins = None, 0
    elif change.kind == AccountChange.Kind.UNLOCK:
        changes["locked_until"] = [
            user.locked_until.isoformat() if user.locked_until else None,
            None,
        ]
        user.locked_until, user.failed_logins = None, 0
    else:
        is_active = change.kind == AccountChange.Kind.ENABLE
        changes["is_active"] = [user.is_active, is_active]
        user.is_active = is_active
        if is_active:
            user.locked_until, user.failed_logins = None, 0
    user.save()
    asked_by = change.requested_by.audit_label
    audit.record_change(
        actor=actor,
        entity=user,
        action="update",
        changes={**changes, "change": [None, f"#{change.pk} {change.kind}, {asked_by}"]},
        note=note,
    )
    return password


def _change_get(*, actor: User, change_id: int, for_update: bool = False) -> AccountChange:
    if not (actor.has_capability("accounts.manage") or actor.has_capability("accounts.approve")):
        raise PermissionDenied()
    qs = AccountChange.objects.select_related("target", "requested_by", "decided_by")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return scoped_get(qs, actor, pk=change_id)


def _change_history(*, actor: User, change: AccountChange, action: str, changes: dict, note):
    audit.record_change(actor=actor, entity=change, action=action, changes=changes, note=note)


@transaction.atomic
def account_change_request(*, actor: User, user_id: int, kind: str, reason: str) -> AccountChange:
    """Ask for a change to an administrator's account; a second person carries it out."""
    target = user_get(actor=actor, user_id=user_id)
    reason = _change_fits(actor=actor, target=target, kind=kind, reason=reason)
    if AccountChange.objects.filter(
        target=target, kind=kind, status=AccountChange.Status.PENDING
    ).exists():
        raise ValidationFailed(
            fields={"kind": _("This change has been asked for already and awaits approval.")}
        )
    change = AccountChange.objects.create(
        target=target,
        region_code=target.region_code,
        kind=kind,
        reason=reason,
        requested_by=actor,
    )
    _change_history(
        actor=actor,
        change=change,
        action="create",
        changes={"kind": [None, kind], "target": [None, target.username], "reason": [None, reason]},
        note=CHANGE_ASKED,
    )
    return change


@transaction.atomic
def account_change_decide(
    *, actor: User, change_id: int, step: str, note: str = ""
) -> tuple[AccountChange, str | None]:
    """Approve (and carry out), refuse, withdraw or review a change, as the table allows: never
    by the person who asked, nor by the account's owner. Returns the change and, for an
    approved password reset, the temporary password to hand to its owner (shown once)."""
    change = _change_get(actor=actor, change_id=change_id, for_update=True)
    if step not in {s.name for s in CHANGE.steps}:
        raise ValidationFailed(fields={"step": _("Choose one of the steps offered.")})
    taken = CHANGE.check(actor, change, step)
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationFailed(fields={"note": _("Keep the note within 500 characters.")})
    if step == "refuse" and not note:
        raise ValidationFailed(fields={"note": _("Say why the change is refused.")})
    before = change.status
    password = None
    if step == "approve":
        password = _change_apply(change=change, actor=actor, note=CHANGE_APPROVED)
    change.status = str(taken.target)
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.decision_note = note
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    notes = {
        "approve": CHANGE_APPROVED,
        "refuse": CHANGE_REFUSED,
        "withdraw": CHANGE_WITHDRAWN,
        "review": CHANGE_REVIEWED,
    }
    changes: dict[str, list[str | None]] = {"status": [before, change.status]}
    if note:
        changes["note"] = [None, note]
    _change_history(actor=actor, change=change, action="update", changes=changes, note=notes[step])
    return change, password


@transaction.atomic
def account_change_break_glass(
    *, actor: User, user_id: int, kind: str, reason: str
) -> tuple[AccountChange, str | None]:
    """The emergency procedure: carry out a change to an administrator's account alone, only
    when nobody could approve it (no other active approver over the account's region, e.g. the
    only security administrator is the one locked out). It is written to both histories at
    once and waits for a second person's review."""
    target = user_get(actor=actor, user_id=user_id)
    reason = _change_fits(actor=actor, target=target, kind=kind, reason=reason)
    approvers = approvers_for(target=target, excluding=[actor.pk, target.pk])
    if approvers:
        raise ValidationFailed(
            fields={
                "reason": _(
                    "%(name)s can approve this change: ask for it. The emergency procedure is "
                    "only for when nobody can."
                )
                % {"name": approvers[0]}
            }
        )
    change = AccountChange.objects.create(
        target=target,
        region_code=target.region_code,
        kind=kind,
        reason=reason,
        requested_by=actor,
        status=AccountChange.Status.BREAK_GLASS,
    )
    password = _change_apply(change=change, actor=actor, note=CHANGE_BREAK_GLASS)
    _change_history(
        actor=actor,
        change=change,
        action="create",
        changes={
            "kind": [None, kind],
            "target": [None, target.username],
            "reason": [None, reason],
            "status": [None, change.status],
        },
        note=CHANGE_BREAK_GLASS,
    )
    logger.warning(
        "emergency change %s to administrator account %s by %s", kind, target.pk, actor.pk
    )
    return change, password


# --- the security policy ---------------------------------------------------------------------

POLICY_LIMITS = {
    "max_failed_logins": (1, 100),
    "lockout_minutes": (1, 7 * 24 * 60),
    "password_max_age_days": (1, 3650),
    "sign_ins_per_ip_minute": (1, 10_000),
    "api_calls_per_ip_minute": (1, 1_000_000),
}


def security_policy_file(
    *,
    actor: Actor,
    max_failed_logins: int,
    lockout_minutes: int,
    password_max_age_days: int,
    effective_from: dt.date,
    sign_ins_per_ip_minute: int | None = None,
    api_calls_per_ip_minute: int | None = None,
) -> SecurityPolicy:
    """File a new dated policy row, by the one rule of every dated policy (core.policy): the
    row in force on that day is closed the day before, a row filed earlier for the same day is
    superseded (the later filing wins, both stay in the history), a row already filed for a
    later day bounds the new one. Nothing is deleted and no day that has passed is rewritten."""
    require(actor, "security.manage")
    # The throttles not given carry over from the policy in force on the day.
    in_force = security_policy_for(on=effective_from)
    values = {
        "max_failed_logins": max_failed_logins,
        "lockout_minutes": lockout_minutes,
        "password_max_age_days": password_max_age_days,
        "sign_ins_per_ip_minute": (
            in_force.sign_ins_per_ip_minute
            if sign_ins_per_ip_minute is None
            else sign_ins_per_ip_minute
        ),
        "api_calls_per_ip_minute": (
            in_force.api_calls_per_ip_minute
            if api_calls_per_ip_minute is None
            else api_calls_per_ip_minute
        ),
    }
    errors = {}
    for name, value in values.items():
        low, high = POLICY_LIMITS[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = _("Enter a whole number from %(low)s to %(high)s.") % {
                "low": low,
                "high": high,
            }
    return policy_file(
        SecurityPolicy,
        actor=actor,
        values=values,
        effective_from=effective_from,
        errors=errors,
        note="security policy filed",
    )


# --- API keys --------------------------------------------------------------------------------


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, actor: Actor, name: str, scopes: list[str], region, expires_at: dt.datetime | None = None
) -> tuple[ApiKey, str]:
    """Returns the key and its full token, which is shown once and never stored.

    A key gets only scopes from the third-party list, and only those its maker holds: nobody
    hands a machine more than they may do themselves."""
    require(actor, "api_keys.manage")
    errors = {}
    if region is None or not region_in_scope(actor, region.code):
        errors["region"] = _("The region is outside your own.")
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the key a name.")
    elif len(name) > 100:
        errors["name"] = _("Keep the name within 100 characters.")
    scopes = sorted(set(scopes or []))
    if not scopes:
        errors["scopes"] = _("Choose at least one scope.")
    elif not set(scopes) <= {code for code, _label in registry.api_scopes()}:
        errors["scopes"] = _("Choose scopes from the list.")
    elif not all(actor.has_capability(s) for s in scopes):
        errors["scopes"] = _("You can grant only what you may do yourself.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must lie in the future.")
    if errors:
        raise ValidationFailed(fields=errors)
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        secret_hash=_hash_secret(secret),
        scopes=scopes,
        region=region,
        region_code=region.code,
        created_by=actor if isinstance(actor, User) else None,
        expires_at=expires_at,
    )
    audit.record_change(
        actor=actor, entity=key, action="create", changes={"scopes": [None, key.scopes]}
    )
    return key, f"yy_{prefix}_{secret}"


def api_call_admit(*, ip: str | None) -> None:
    """One API call from this address; TooManyRequests past the policy's number a minute."""
    throttle_hit(kind="api", ip=ip, limit=security_policy_for().api_calls_per_ip_minute)


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


@transaction.atomic
def api_key_revoke(*, actor: Actor, key_id: int) -> ApiKey:
    require(actor, "api_keys.manage")
    key = scoped_get(ApiKey.objects.select_for_update(), actor, pk=key_id)
    if not key.is_active:
        return key  # revoking twice changes nothing and writes no second row
    key.is_active = False
    key.save(update_fields=["is_active"])
    audit.record_change(
        actor=actor, entity=key, action="update", changes={"is_active": [True, False]}
    )
    return key


@transaction.atomic
def admin_bootstrap(
    *, username: str, display_name: str, region_code: str, password: str, phone: str = ""
) -> User:
    """The first system administrator, made from the command line; refused once any active
    one exists (later ones are made in the console), so the command is no back door."""
    errors = {}
    region = Region.objects.filter(code=region_code.strip()).first()
    if region is None:
        errors["region"] = _("There is no region with this code.")
    elif User.objects.filter(role=Role.SYSTEM_ADMIN, is_active=True).exists():
        errors["region"] = _(
            "A system administrator exists already: further accounts are made in the console."
        )
    if not username.strip():
        errors["username"] = _("Enter a user name.")
    elif User.objects.filter(username=username.strip()).exists():
        errors["username"] = _("This user name is taken.")
    if not display_name.strip():
        errors["display_name"] = _("Enter the name.")
    if errors:
        raise ValidationFailed(fields=errors)
    user = User(
        username=username.strip(),
        display_name=display_name.strip(),
        role=Role.SYSTEM_ADMIN,
        region=region,
        phone=phone.strip(),
    )
    _validate_new_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    user.save()
    audit.record_change(
        actor=None,
        entity=user,
        action="create",
        changes={"role": [None, Role.SYSTEM_ADMIN], "region": [None, user.region_code]},
        note="created from the command line",
    )
    return user
