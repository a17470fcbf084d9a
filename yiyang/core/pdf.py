"""Printing a template to PDF, for every document the platform issues (conclusion letters,
notice lists, receipts): Noto Sans CJK embedded, nothing fetched from anywhere."""

import gc
from typing import Any

from django.template.loader import render_to_string


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    # Imported here: WeasyPrint loads Pango and fontconfig (about 0.3 s), which only the
    # downloads need, not every process that imports the views.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template, context)
    # The templates name no outside resource and the data in them is escaped text; refusing
    # every fetch but inline data keeps it so, whatever a template grows into.
    fetcher = URLFetcher(allowed_protocols=("data",), timeout=1)
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    # A render leaves ~38 MB of font and layout objects in reference cycles; collected now,
    # a worker printing letters in a row stays near 230 MB instead of 600 (bench/README.md).
    gc.collect()
    return pdf
