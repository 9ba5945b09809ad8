"""Compartments of the follow-up: requests between parties are the two parties' and the
mediators'; their names are never public (the public gets counts, not rows)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from truceline.followup.models import Assessment, Measure, PartyRequest, RequestState
from truceline.policy.core import (
    Step,
    Viewer,
    is_mediator,
    is_party_user,
    liaison_org,
    register,
    register_actions,
    role_of,
)
from truceline.policy.workflow import is_monitor


def requests_visible(user: Viewer) -> models.QuerySet[PartyRequest]:
    if is_mediator(user):
        return PartyRequest.objects.all()
    org = liaison_org(user)
    if org is not None:
        return PartyRequest.objects.filter(Q(from_party_id=org) | Q(to_party_id=org))
    return PartyRequest.objects.none()


# The liaison of the party asked, while the request is open (409 once answered).
may_answer = Step(
    who=lambda user, request: liaison_org(user) == request.to_party_id,
    when=lambda request: request.state == RequestState.OPEN,
)


def access_request(user: Viewer, request_id: str) -> PartyRequest:
    from truceline.policy.core import access

    return access(user, PartyRequest, pk=request_id)


def measures_visible(user: Viewer) -> models.QuerySet[Measure]:
    """Mediators; the parties concerned by the finding's incident at once; everyone once
    the measure is announced."""
    if is_mediator(user):
        return Measure.objects.all()
    announced = Q(announced_at__isnull=False)
    org = liaison_org(user)
    if org is not None:
        concerned = (
            Q(party_id=org)
            | Q(finding__incident__accused_party_id=org)
            | Q(finding__incident__reports__filing_org_id=org)
        )
        return Measure.objects.filter(concerned | announced).distinct()
    return Measure.objects.filter(announced)


def access_measure(user: Viewer, measure_id: str) -> Measure:
    from truceline.policy.core import access

    return access(user, Measure, pk=measure_id)


def assessments_visible(user: Viewer) -> models.QuerySet[Assessment]:
    """Confirmed statuses are public; proposals are the mechanism's and the parties'."""
    if is_mediator(user) or is_party_user(user):
        return Assessment.objects.all()
    return Assessment.objects.filter(confirmed_at__isnull=False)


# A guarantor's signatory confirms the monitors' proposal, once (409 once confirmed).
may_confirm = Step(
    who=lambda user, assessment: role_of(user) == "signatory",
    when=lambda assessment: assessment.confirmed_at is None,
)


def register_rules() -> None:
    """The follow-up's rules: called once, by the policy package (rules.py)."""
    register(
        PartyRequest,
        visible=requests_visible,
        actions={"answer": may_answer, "verify": is_monitor},
    )
    register(
        Measure,
        visible=measures_visible,
        actions={"announce": is_monitor, "done": is_monitor},
    )
    register(Assessment, visible=assessments_visible, actions={"confirm": may_confirm})
    register_actions(
        {
            # a party's liaison asks the other party (its organisation is the asking party)
            "request.make": is_party_user,
            # the monitors propose a compliance status; the guarantors confirm it (above)
            "assessment.propose": is_monitor,
        }
    )
