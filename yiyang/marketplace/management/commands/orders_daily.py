import datetime as dt

from django.core.management.base import BaseCommand

from yiyang.core.commands import add_today_option, today_option
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
        add_today_option(parser)

    def handle(self, *args, today=None, **options):
        day = today_option(today)
        placed = standing_orders_generate(today=day)
        now = dt.datetime.combine(day, dt.time(0, 40), tzinfo=LOCAL_TZ) if day else None
        confirmed = orders_auto_confirm(now=now)
        self.stdout.write(f"standing visits placed: {placed}, confirmed by default: {confirmed}")
