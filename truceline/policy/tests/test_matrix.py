"""The compartment table as a matrix: role × object × state × action, from one table.

Each row names an object (made by a builder below), an action, and for every role whether it
is allowed (Y) or not (.). "view" is checked three ways: can(), membership of visible_to(),
and the access helper's 404. Later issues add their objects' rows and builders here; the last
test fails when a model has a policy rule but no row.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction

from truceline.accounts.models import ApiToken, User
from truceline.accounts.services import token_create
from truceline.core.errors import NotFound
from truceline.ledger.models import Event
from truceline.ledger.services import event_append
from truceline.policy import access, can, visible_to
from truceline.policy.core import _VISIBILITY
from truceline.scenario import models as sm

ROLES = [
    "public",
    "pk-liaison",
    "af-liaison",
    "qa-monitor",
    "tr-monitor",
    "qa-signatory",
    "tr-signatory",
    "admin",
]

MATRIX = """
# object                   action   public pk-li af-li qa-mo tr-mo qa-si tr-si admin
scenario                   view     Y      Y     Y     Y     Y     Y     Y     Y
scenario                   change   .      .     .     .     .     .     .     Y
organisation:pakistan      view     Y      Y     Y     Y     Y     Y     Y     Y
organisation:pakistan      change   .      .     .     .     .     .     .     Y
category:shelling          view     Y      Y     Y     Y     Y     Y     Y     Y
commitment                 view     Y      Y     Y     Y     Y     Y     Y     Y
round                      view     Y      Y     Y     Y     Y     Y     Y     Y
sector                     view     Y      Y     Y     Y     Y     Y     Y     Y
place:torkham              view     Y      Y     Y     Y     Y     Y     Y     Y
place:torkham              change   .      .     .     .     .     .     .     Y
actor                      view     Y      Y     Y     Y     Y     Y     Y     Y
user:pk-liaison            view     .      Y     .     Y     Y     Y     Y     Y
user:pk-liaison            change   .      .     .     .     .     .     .     Y
user:af-liaison            view     .      .     Y     Y     Y     Y     Y     Y
user:qa-monitor            view     .      .     .     Y     Y     Y     Y     Y
user:admin                 view     .      .     .     Y     Y     Y     Y     Y
token:pk-liaison           view     .      Y     .     .     .     .     .     Y
token:pk-liaison           revoke   .      Y     .     .     .     .     .     Y
token:qa-monitor           view     .      .     .     Y     .     .     .     Y
token:qa-monitor           revoke   .      .     .     Y     .     .     .     Y
event                      view     .      .     .     Y     Y     Y     Y     Y
"""


def parse_matrix() -> list[tuple[str, str, dict[str, bool]]]:
    rows = []
    for line in MATRIX.strip().splitlines():
        if line.startswith("#"):
            continue
        obj, action, *cells = line.split()
        assert len(cells) == len(ROLES), line
        rows.append((obj, action, {r: c == "Y" for r, c in zip(ROLES, cells, strict=True)}))
    return rows


def _first(model: type[models.Model]) -> Callable[[dict[str, User], str], models.Model]:
    return lambda people, key: model.objects.first()  # type: ignore[return-value]


def _event(people: dict[str, User], key: str) -> Event:
    with transaction.atomic():
        return event_append(actor=None, kind="t", object_type="t", object_id="1", payload={})


BUILDERS: dict[str, Callable[[dict[str, User], str], models.Model]] = {
    "scenario": _first(sm.Scenario),
    "organisation": lambda people, key: sm.Organisation.objects.get(pk=key),
    "category": lambda people, key: sm.Category.objects.get(pk=key),
    "commitment": _first(sm.Commitment),
    "round": _first(sm.Round),
    "sector": _first(sm.Sector),
    "place": lambda people, key: sm.Place.objects.get(pk=key),
    "actor": _first(sm.Actor),
    "user": lambda people, key: people[key],
    "token": lambda people, key: token_create(actor=None, user=people[key])[0],
    "event": _event,
}
MODEL_OF_KIND = {
    "scenario": sm.Scenario,
    "organisation": sm.Organisation,
    "category": sm.Category,
    "commitment": sm.Commitment,
    "round": sm.Round,
    "sector": sm.Sector,
    "place": sm.Place,
    "actor": sm.Actor,
    "user": User,
    "token": ApiToken,
    "event": Event,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("obj", "action", "expected"), parse_matrix(), ids=lambda v: str(v)[:30])
def test_matrix(people: dict[str, User], obj: str, action: str, expected: dict[str, bool]) -> None:
    kind, _, key = obj.partition(":")
    target = BUILDERS[kind](people, key)
    wrong = []
    for role in ROLES:
        viewer = AnonymousUser() if role == "public" else people[role]
        allowed = can(viewer, action, target)
        if action == "view":
            model = type(target)
            in_queryset = visible_to(viewer, model).filter(pk=target.pk).exists()
            try:
                access(viewer, model, pk=target.pk)
                reachable = True
            except NotFound:
                reachable = False
            if not (allowed == in_queryset == reachable):
                wrong.append(f"{role}: can={allowed} visible_to={in_queryset} access={reachable}")
                continue
        if allowed != expected[role]:
            wrong.append(f"{role}: expected {'Y' if expected[role] else '.'}, got {allowed}")
    assert not wrong, f"{obj} {action}: " + "; ".join(wrong)


def test_every_policed_model_is_in_the_matrix() -> None:
    covered = {MODEL_OF_KIND[obj.partition(":")[0]] for obj, _a, _e in parse_matrix()}
    missing = [m.__name__ for m in _VISIBILITY if m not in covered]
    assert not missing, f"policy rules without matrix rows: {missing}"


@pytest.mark.django_db
def test_inactive_users_are_the_public(people: dict[str, User]) -> None:
    monitor = people["qa-monitor"]
    _event(people, "")
    assert visible_to(monitor, Event).exists()
    monitor.is_active = False
    assert not visible_to(monitor, Event).exists()
    assert visible_to(monitor, User).count() == 0
