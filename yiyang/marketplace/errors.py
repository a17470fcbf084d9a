from django.utils.translation import gettext_lazy as _

SERVICE_ITEM_REASONS = {
    "code_required": _("Enter the item code."),
    "code_format": _("Use letters, digits, dots, hyphens or underscores (at most 20)."),
    "code_duplicate": _("Another service item already has this code."),
    "name_required": _("Enter the name."),
    "name_length": _("At most 100 characters."),
    "unit_required": _("Enter the unit (e.g. 次, 小时)."),
    "unit_length": _("At most 20 characters."),
    "duration": _("Enter whole minutes, 1 or more."),
    "price": _("Enter a price in yuan, 0 or more."),
    "price_places": _("A price has at most two decimal places."),
    "price_range": _("The price is too large."),
    "qualification_length": _("At most 60 characters."),
    "description_length": _("At most 2,000 characters."),
    "choice": _("Choose one of the listed options."),
}
