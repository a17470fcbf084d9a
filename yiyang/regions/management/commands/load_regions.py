from django.core.management.base import BaseCommand

from yiyang.regions.services import regions_load_vendored


class Command(BaseCommand):
    help = "Load the vendored 2023 division codes (national to county, and one city in full)."

    def add_arguments(self, parser):
        parser.add_argument("--area", default="5301", help="city whose streets/communities ship")

    def handle(self, *args, area, **options):
        created = regions_load_vendored(area=area)
        self.stdout.write(f"regions loaded: {created} new")
