"""What the daily-run commands share: the `--today` option and its refusal."""

import datetime as dt

from django.core.management.base import CommandError


def add_today_option(parser) -> None:
    parser.add_argument("--today", help="the day to run for (default: today, Asia/Shanghai)")


def today_option(raw: str | None) -> dt.date | None:
    """The day given with --today, or None for today; a bad one stops the command."""
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"bad_date: --today: {raw!r} is not YYYY-MM-DD") from exc
