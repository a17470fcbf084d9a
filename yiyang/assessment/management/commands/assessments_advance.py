from django.core.management.base import BaseCommand

from yiyang.assessment.services import assessments_advance
from yiyang.core.commands import add_today_option, today_option


class Command(BaseCommand):
    help = (
        "The daily run of assessment cases: conclusions whose public notice ended without an "
        "objection take effect, and conclusions past their validity expire. Running it twice "
        "on a day changes nothing more. Huey runs it every day at 00:30 Beijing time; run it by hand with "
        "--today YYYY-MM-DD to catch up."
    )

    def add_arguments(self, parser):
        add_today_option(parser)

    def handle(self, *args, today=None, **options):
        report = assessments_advance(today=today_option(today))
        self.stdout.write(f"effective: {report.made_effective}, expired: {report.expired}")
