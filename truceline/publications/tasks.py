"""The worker builds the stored public editions (editions.editions_refresh): when an event
may have changed them (editions.on_event asks for a rebuild), and when a month closes."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task


@task()
def refresh() -> list[str]:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from truceline.publications.editions import editions_refresh, next_close

    stored = editions_refresh()
    close = next_close()

    def schedule() -> None:
        # the month's close: one waiting rebuild at it (or earlier) is enough
        waiting = DBTaskResult.objects.filter(
            task_path=refresh.module_path,
            status=TaskResultStatus.READY,
            run_after__lte=close,
        )
        if not waiting.exists():
            refresh.using(run_after=close).enqueue()

    transaction.on_commit(schedule)
    return stored
