from django.core.management.base import BaseCommand

from yiyang.core.outbox import deliveries_retry_all, outbox_deliver


class Command(BaseCommand):
    help = (
        "Deliver the domain events that are due to their listeners now, as the worker does every "
        "minute: the ones not delivered yet and the retries whose time has come. Safe to run "
        "while the worker runs. With --retry, first give every delivery not yet made (failed or "
        "waiting for its next attempt) a new set of attempts starting now, as the Retry button "
        "of the events page does for one: run it once the cause of the failures is fixed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry",
            action="store_true",
            help="re-queue failed deliveries and those waiting for a retry before delivering",
        )

    def handle(self, *args, retry=False, **options):
        if retry:
            self.stdout.write(f"re-queued: {deliveries_retry_all()}")
        report = outbox_deliver()
        self.stdout.write(
            f"delivered: {report.delivered}, retrying: {report.retrying}, "
            f"failed: {report.failed}, waiting for an earlier event: {report.waiting}"
        )
