from django.utils.translation import gettext_lazy as _

CREDIT_CODE_REASONS = {
    "length": _("A unified social credit code has 18 characters."),
    "format": _("The code contains characters a credit code cannot have."),
    "checksum": _("The check character is wrong: the code has a typo."),
    "duplicate": _("Another organisation already has this credit code."),
}
