"""Compartments of geography and of the pre-aggregated counts.

- Crossing status is public (DESIGN.md: the public sees crossing status); monitors record it.
- The map's counts per grid cell follow the incidents' own rule (workflow.py): mediators count
  everything; a party counts the incidents it filed and those it is accused in once opened; the
  public counts published incidents only.
- The weekly counts are public aggregates: counts per week, party and category may include
  unpublished allegations (DESIGN.md), so everyone reads them; what a dashboard splits them by
  for whom is the dashboard's selectors' business (dashboards/selectors.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import models
from django.db.models import Q

from truceline.dashboards.models import CellTally, CellTotal, WeekTally
from truceline.geo.models import CrossingChange
from truceline.incidents.models import OPENED_STATES
from truceline.policy.core import Viewer, is_mediator, liaison_org, register, register_actions
from truceline.policy.workflow import is_monitor

M = TypeVar("M", bound=models.Model)


def _counts_visible(model: type[M]) -> Callable[[Viewer], models.QuerySet[M]]:
    def visible(user: Viewer) -> models.QuerySet[M]:
        if is_mediator(user):
            return model.objects.all()  # type: ignore[attr-defined,no-any-return]
        org = liaison_org(user)
        if org is not None:
            return model.objects.filter(  # type: ignore[attr-defined,no-any-return]
                Q(filers__contains=f",{org},")
                | Q(accused=org, state__in=OPENED_STATES)
                | Q(public=True)
            )
        return model.objects.filter(public=True)  # type: ignore[attr-defined,no-any-return]

    return visible


cell_tally_visible = _counts_visible(CellTally)


def sees_exact_location(user: Viewer) -> bool:
    """Public surfaces round every location to the scenario's precision (DESIGN.md); the
    mechanism and the parties see the points of what they may see."""
    return is_mediator(user) or liaison_org(user) is not None


def register_rules() -> None:
    """Geography's rules: called once, by the policy package (rules.py)."""
    register(
        CrossingChange,
        visible=lambda user: CrossingChange.objects.all(),
        actions={"record": is_monitor},
    )
    register(CellTally, visible=cell_tally_visible)
    register(CellTotal, visible=_counts_visible(CellTotal))
    register(WeekTally, visible=lambda user: WeekTally.objects.all())
    register_actions({"crossing.record": is_monitor})  # monitors record a crossing's status
