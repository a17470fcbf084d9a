"""The roles of DESIGN.md §1 and how each is scoped.

Three administrators are kept apart (三员分立): the system administrator manages accounts but
reads no personal data, the security administrator sets the security policy, and the audit
administrator reads the audit trail; none of them can do another's work.

What each role may do is declared by the app that owns the capability (its `declarations`
module), never listed here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiyang.core.scoping import ASSESSOR, CAREGIVER, ORGANISATION, REGION, SELF


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
    # Caregivers see the residents of their care home and (once visits exist) the people on
    # their own visits; assessors see the people of the cases they were drawn for.
    Role.CAREGIVER: CAREGIVER,
    Role.PROVIDER: ORGANISATION,
    Role.OPERATOR: REGION,
    Role.ASSESSOR: ASSESSOR,
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

# Groups the apps' declarations name when they say who holds a capability.
OFFICERS = (Role.CIVIL_AFFAIRS, Role.MEDICAL_INSURANCE, Role.HEALTH)
# The officers who run assessment cases and keep their policy and the holiday calendar.
ASSESSMENT_OFFICERS = (Role.CIVIL_AFFAIRS, Role.MEDICAL_INSURANCE)
# The older person and the family who act for them.
SELF_ROLES = (Role.ELDER, Role.FAMILY)
ADMINISTRATORS = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
