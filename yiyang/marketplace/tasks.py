"""The orders' daily run, in the Huey worker."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .ordering import orders_auto_confirm, standing_orders_generate


# Huey's crontab reads UTC: 16:40 UTC is 00:40 in Beijing, after the assessments' run.
@db_periodic_task(crontab(hour="16", minute="40"))
def orders_daily() -> None:
    standing_orders_generate()
    orders_auto_confirm()
