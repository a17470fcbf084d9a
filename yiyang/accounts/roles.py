"""The roles of DESIGN.md §1, how each is scoped, and what each may do.

Three administrators are kept apart (三员分立): the system administrator manages accounts but
reads no personal data, the security administrator sets the security policy, and the audit
administrator reads the audit trail; none of them can do another's work.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiyang.core.scoping import ORGANISATION, REGION, SELF


class Role(models.TextChoices):
    ELDER = "elder", _("Older person")
    FAMILY = "family", _("Family / guardian")
    CAREGIVER = "caregiver", _("Caregiver")
    PROVIDER = "provider", _("Service provider")
    OPERATOR = "operator", _("Call-centre operator")
    ASSESSOR = "assessor", _("Assessor")
    DOCTOR = "doctor", _("Family doctor")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil-affairs officer")
    MEDICAL_INSURANCE = "medical_insurance", _("Medical-insurance officer")
    HEALTH = "health", _("Health officer")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


SCOPE_OF_ROLE = {
    Role.ELDER: SELF,
    Role.FAMILY: SELF,
    Role.CAREGIVER: ORGANISATION,
    Role.PROVIDER: ORGANISATION,
    Role.OPERATOR: REGION,
    Role.ASSESSOR: REGION,
    Role.DOCTOR: REGION,
    Role.CIVIL_AFFAIRS: REGION,
    Role.MEDICAL_INSURANCE: REGION,
    Role.HEALTH: REGION,
    Role.SYSTEM_ADMIN: REGION,
    Role.SECURITY_ADMIN: REGION,
    Role.AUDIT_ADMIN: REGION,
}

# Roles whose account must name an organisation.
ORGANISATION_ROLES = {Role.CAREGIVER, Role.PROVIDER}
# Roles whose account must be linked to an older person.
ELDER_ROLES = {Role.ELDER, Role.FAMILY}

_OFFICER = {
    "elders.view",
    "elders.edit",
    "elders.reveal_id",
    "elders.health",
    "orgs.view",
    "orgs.edit",
    "imports.run",
    "exports.run",
    "completeness.view",
    "service_items.view",
}

# Running assessment cases, reading their figures, and keeping the policy and the holiday
# calendar their deadlines are counted on.
_ASSESSMENT_OFFICER = {
    "assessments.view",
    "assessments.manage",
    "assessments.supervise",
    "assessments.policy",
    "calendar.manage",
}

CAPABILITIES: dict[str, set[str]] = {
    Role.ELDER: {"elders.view", "elders.health", "assessments.view"},
    Role.FAMILY: {"elders.view", "elders.health", "assessments.view"},
    Role.CAREGIVER: {"elders.view", "orgs.view", "service_items.view"},
    Role.PROVIDER: {"elders.view", "orgs.view", "service_items.view", "exports.run"},
    Role.OPERATOR: {"elders.view", "elders.health", "orgs.view"},
    Role.ASSESSOR: {"elders.view", "orgs.view", "assessments.view", "assessments.perform"},
    Role.DOCTOR: {"elders.view", "elders.health", "orgs.view"},
    Role.CIVIL_AFFAIRS: _OFFICER | _ASSESSMENT_OFFICER | {"service_items.edit", "api_keys.manage"},
    Role.MEDICAL_INSURANCE: _OFFICER | _ASSESSMENT_OFFICER,
    Role.HEALTH: _OFFICER | {"assessments.view", "assessments.supervise"},
    Role.SYSTEM_ADMIN: {"accounts.manage", "regions.manage", "api_keys.manage", "events.manage"},
    Role.SECURITY_ADMIN: {"security.manage"},
    Role.AUDIT_ADMIN: {"audit.view"},
}

# What a third-party system's API key may be granted: reading and filing the registry and
# organisations, reading the service catalogue, running imports. Administration, audit,
# ID-number reveal and health data are never handed to a machine.
API_SCOPES: list[tuple[str, str]] = [
    ("elders.view", _("Read older people")),
    ("elders.edit", _("File and change older people")),
    ("orgs.view", _("Read organisations")),
    ("orgs.edit", _("File and change organisations")),
    ("service_items.view", _("Read the service catalogue")),
    ("imports.run", _("Run imports")),
    ("assessments.view", _("Read assessments and their conclusions")),
    ("assessments.manage", _("File and decide assessment applications")),
]
