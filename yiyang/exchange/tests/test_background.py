from django.conf import settings

from yiyang.accounts.tests.factories import UserFactory
from yiyang.exchange.models import ImportJob
from yiyang.exchange.services import import_create, import_process
from yiyang.exchange.tests.workbook import elder_row, make_workbook
from yiyang.people.models import Elder


def test_files_at_the_threshold_run_in_the_background_and_finish(
    city, django_capture_on_commit_callbacks
):
    # given a file one row over the background threshold (50 in the test settings)
    officer = UserFactory(region=city.panlong)
    size = settings.IMPORT_BACKGROUND_THRESHOLD + 1
    rows = [elder_row(n, city.panlong_community) for n in range(size)]
    rows[10]["id_number"] = "not a number"

    # when it is uploaded
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = import_create(
            actor=officer,
            kind="elders",
            mode="valid",
            file_name="big.xlsx",
            content=make_workbook("elders", rows),
        )
        # then the request returns at once with a queued job...
        assert job.status == ImportJob.Status.QUEUED and job.is_background

    # ...and the Huey task (immediate in tests) took it to the end
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.total_rows, job.processed_rows) == (size, size)
    assert (job.created_count, job.error_count) == (size - 1, 1)
    assert Elder.objects.count() == size - 1
    assert job.upload == b""  # the file with ID numbers in clear is not kept


def test_small_files_run_inline(city):
    officer = UserFactory(region=city.panlong)
    rows = [elder_row(n, city.panlong_community) for n in range(3)]

    job = import_create(
        actor=officer,
        kind="elders",
        mode="all",
        file_name="s.xlsx",
        content=make_workbook("elders", rows),
    )

    assert not job.is_background
    assert job.status == ImportJob.Status.DONE and job.created_count == 3


def test_a_job_is_processed_once_even_if_two_workers_pick_it_up(city):
    officer = UserFactory(region=city.panlong)
    rows = [elder_row(n, city.panlong_community) for n in range(3)]
    job = import_create(
        actor=officer,
        kind="elders",
        mode="all",
        file_name="s.xlsx",
        content=make_workbook("elders", rows),
    )

    again = import_process(job_id=job.pk)

    assert again.created_count == 3
    assert Elder.objects.count() == 3
