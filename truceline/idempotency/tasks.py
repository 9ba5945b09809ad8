"""The worker forgets expired idempotency keys once an hour (services.prune)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task

EVERY = dt.timedelta(hours=1)


@task()
def prune_keys() -> int:
    from truceline.idempotency.services import prune

    forgotten = prune()
    transaction.on_commit(lambda: prune_keys.using(run_after=timezone.now() + EVERY).enqueue())
    return forgotten


def ensure_scheduled() -> None:
    """One waiting prune_keys in the queue (a worker starting finds it there, or adds it)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=prune_keys.module_path, status=TaskResultStatus.READY
    ).exists()
    if not waiting:
        prune_keys.enqueue()
