"""GET /scenario: the slugs every other endpoint uses."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from truceline.core.api import OptionalBearer, errors
from truceline.core.errors import NotFound
from truceline.policy import visible_to
from truceline.scenario import models as m
from truceline.scenario.outputs import ScenarioOut, scenario_out

router = Router(tags=["scenario"])


@router.get(
    "/scenario",
    response={200: ScenarioOut, **errors(401, 404)},
    auth=OptionalBearer(),
    summary="The scenario: parties, mediators, categories, commitments, places (their slugs)",
)
def scenario_get(request: HttpRequest) -> dict[str, object]:
    user = request.user
    head = visible_to(user, m.Scenario).first()
    if head is None:
        raise NotFound()
    return scenario_out(user, head)
