"""The assessment procedure's daily run, in the Huey worker."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import assessments_advance


# Huey's crontab reads UTC: 16:30 UTC is 00:30 in Beijing, just after the day turns.
@db_periodic_task(crontab(hour="16", minute="30"))
def assessments_advance_daily() -> None:
    assessments_advance()
