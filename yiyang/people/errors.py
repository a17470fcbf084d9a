from django.utils.translation import gettext_lazy as _

from yiyang.core.exceptions import Conflict, DomainError

ID_REASONS = {
    "required": _("Enter the national ID number."),
    "length": _("A national ID number has 18 characters."),
    "format": _("The first 17 characters must be digits and the last a digit or X."),
    "checksum": _("The check character is wrong: the number has a typo."),
    "birth_date": _("The birth date inside the number is not a real date in the past."),
    "place": _("The first six digits are not a known area code."),
    "duplicate": _("An older person with this ID number is already on record."),
    "too_young": _("The registry holds people aged 60 and over."),
    "birth_mismatch": _("The date of birth does not match the ID number."),
    "sex_mismatch": _("The sex does not match the ID number."),
}


class ElderNotEditable(DomainError):
    """The older person has moved out or died; the record is closed."""

    code = "elder_not_editable"
    status = 409
    default_message = _("This record is closed (moved out or deceased) and cannot be edited.")


class StaleVersion(Conflict):
    """The older person's record changed since you read it (version mismatch).

    The code of every other optimistic-locking refusal: clients handle them alike."""

    default_message = _("Someone else changed this record meanwhile; reload it and try again.")
