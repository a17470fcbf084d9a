import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from yiyang.core.timeutils import LOCAL_TZ
from yiyang.marketplace.ordering import orders_auto_confirm, standing_orders_generate


class Command(BaseCommand):
    help = (
        "The daily run of orders: standing orders place their visits the policy's days ahead, "
        "and completed orders nobody confirmed or disputed in time are confirmed. Running it "
        "twice on a day changes nothing more. Huey runs it every day at 00:40 Beijing time; run "
        "it by hand with --today YYYY-MM-DD to catch up."
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
        placed = standing_orders_generate(today=day)
        now = dt.datetime.combine(day, dt.time(0, 40), tzinfo=LOCAL_TZ) if day else None
        confirmed = orders_auto_confirm(now=now)
        self.stdout.write(f"standing visits placed: {placed}, confirmed by default: {confirmed}")
