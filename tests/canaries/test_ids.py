"""Every identifier a viewer can see is random: no answer of the API names an object by the
row's sequence number, which would tell one party how many reports, requests, notifications
or webhooks the mechanism holds and how fast they grow.

The answers come from every GET operation of the served OpenAPI document, as every role,
so an endpoint added tomorrow is checked the day it is added. Positions in the public ledger
(an entry's index, a tree's size) are sequence numbers by design: the log is public, and its
size is what every party's copy checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from truceline.core.ids import looks_like
from truceline.notify.models import Delivery
from truceline.notify.services import webhook_create
from truceline.testing.tasks import work
from truceline.testing.world import ROLES, api_paths, client_for, plant

# keys whose value is a position in the public ledger, or a count
LEDGER_POSITIONS = {"ledger_entry", "seq", "index", "size", "tree_size", "first", "second"}


def _identifiers(value: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every key that names an object: ``id``, ``*_id``, ``*_ids``, and
    the keys that hold one object's id by its name (``notification``, ``subjects`` …)."""
    if isinstance(value, dict):
        for key, item in value.items():
            at = f"{where}.{key}"
            names_object = key == "id" or key.endswith(("_id", "_ids"))
            if names_object and key not in LEDGER_POSITIONS:
                for one in item if isinstance(item, list) else [item]:
                    yield at, one
            elif key in {"notification", "subjects", "webhook", "delivery", "round"}:
                for one in item if isinstance(item, list) else [item]:
                    if not isinstance(one, dict):
                        yield at, one
            yield from _identifiers(item, at)
    elif isinstance(value, list):
        for item in value:
            yield from _identifiers(item, f"{where}[]")


@pytest.mark.django_db
def test_no_answer_names_an_object_by_its_row_number(api, people) -> None:  # type: ignore[no-untyped-def]
    hook, _secret = webhook_create(actor=people["af-liaison"], url="http://127.0.0.1:9/hook")
    ids = plant(api)
    work()  # the worker drains the outbox: the notifications and their deliveries
    assert Delivery.objects.filter(webhook=hook).exists(), "the world made no delivery"
    numbered: list[str] = []
    seen = 0
    monitor = client_for("qa-monitor", people)
    paths = [p.removeprefix("/api/v1") for p in api_paths(monitor, ids)]
    paths += [f"/webhooks/{hook.public_id}/deliveries"]  # the story makes no id for this one
    for role in ROLES:
        for path in paths:
            if "/exports/" in path or path.endswith("/download"):
                continue  # files: their ids are the incidents' (checked by the exports' tests)
            status, answer = api.get(path, as_=None if role == "public" else role)
            if status != 200 or isinstance(answer, str):
                continue
            for at, value in _identifiers(answer):
                seen += 1
                if isinstance(value, int) and not isinstance(value, bool):
                    numbered.append(f"{role} {path} {at} = {value}")
    assert seen > 50, "the walk found almost no identifiers: the check is not looking"
    assert not numbered, "\n".join(sorted(set(numbered)))


def test_the_check_sees_a_row_number() -> None:
    found = dict(_identifiers({"items": [{"id": 12, "notification": 3, "subjects": ["SBJ-1"]}]}))
    assert found == {".items[].id": 12, ".items[].notification": 3, ".items[].subjects": "SBJ-1"}
    assert not dict(_identifiers({"ledger_entry": 4, "tree_size": 9}))
    assert looks_like("NTF", "NTF-7KQ2M9XA")
