from django.utils.translation import gettext_lazy as _

FILE_REASONS = {
    "extension": _("Upload an Excel workbook (.xlsx)."),
    "old_format": _("This is an old .xls file: save it as .xlsx (Excel 2007 or later)."),
    "too_big": _("The file is larger than %(mb)s MB; split it into smaller files."),
    "no_rows": _("The sheet has no data rows."),
    "too_many_rows": _("The sheet has more than %(rows)s rows; split it into smaller files."),
}
KIND_REASON = _("Choose what the file contains.")
MODE_REASON = _("Choose how to import.")
