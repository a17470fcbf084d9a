"""Background imports. Huey runs them in the worker (immediately in tests)."""

from huey.contrib.djhuey import db_task

from .services import import_process


@db_task()
def import_run(job_id: int) -> None:
    import_process(job_id=job_id)
