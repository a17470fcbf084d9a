import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from yiyang.assessment.services import assessments_advance


class Command(BaseCommand):
    help = (
        "The daily run of assessment cases: conclusions whose public notice ended without an "
        "objection take effect, and conclusions past their validity expire. Running it twice "
        "on a day changes nothing more. Huey runs it every day at 00:30 Beijing time; run it by hand with "
        "--today YYYY-MM-DD to catch up."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to run for (default: today, Asia/Shanghai)")

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"bad_date: --today: {today!r} is not YYYY-MM-DD") from exc
        report = assessments_advance(today=day)
        self.stdout.write(f"effective: {report.made_effective}, expired: {report.expired}")
