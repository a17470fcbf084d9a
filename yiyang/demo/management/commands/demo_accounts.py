from django.core.management.base import BaseCommand, CommandError

from yiyang.demo.models import DemoCity
from yiyang.demo.services import DEMO_PASSWORD, demo_accounts_ensure


class Command(BaseCommand):
    help = (
        "Create the demo accounts again, or reset them (password, lockout, links) on a database "
        "that holds the demo city."
    )

    def handle(self, *args, **options):
        if not DemoCity.objects.exists():
            raise CommandError("There is no demo city here: run `yiyang demo-city` first.")
        users = demo_accounts_ensure()
        self.stdout.write(
            self.style.SUCCESS(f"{len(users)} demo accounts ready, password {DEMO_PASSWORD}")
        )
