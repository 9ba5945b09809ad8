"""The task queue's worker, run as a deployment runs it."""

from __future__ import annotations

from unittest import mock

from django.core.management import call_command


def work() -> None:
    """The real worker, run to an empty queue. Inside the test's transaction: its habit of
    closing connections between tasks (autocommit is off in a transaction) is held back, or
    PostgreSQL would lose the test's data with the connection."""
    target = "django_tasks_db.management.commands.db_worker.close_old_connections"
    with mock.patch(target, lambda: None):
        call_command("worker", "--batch", "--interval", "0", verbosity=0)
