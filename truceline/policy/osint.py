"""Compartments of open-source monitoring: the mechanism's working file (articles read, what the
extraction found, the claims register) is for the mechanism's own people only."""

from __future__ import annotations

from django.db import models

from truceline.osint.models import Article, Candidate, CandidateGroup, Claim, Feed, Mention
from truceline.policy.core import (
    Viewer,
    access,
    is_mediator,
    organisation_of,
    register,
    register_actions,
    role_of,
)


def _mediators(model: type[models.Model]) -> object:
    def visible(user: Viewer) -> models.QuerySet:  # type: ignore[type-arg]
        manager = model._default_manager
        return manager.all() if is_mediator(user) else manager.none()

    return visible


def reads_working_file(user: Viewer) -> bool:
    """Whether this viewer has the open-source monitoring pages at all (the mechanism)."""
    return is_mediator(user)


def may_decide(user: Viewer, candidate: Candidate) -> bool:
    """A monitor, for its organisation, accepts, merges or dismisses a candidate."""
    return role_of(user) == "monitor" and organisation_of(user) is not None


def may_ingest(user: Viewer) -> bool:
    """Monitors and the secretariat's admins feed articles in by hand (the worker too)."""
    return role_of(user) in {"monitor", "admin"}


def access_candidate(user: Viewer, candidate_id: int) -> Candidate:
    return access(user, Candidate, pk=candidate_id)


def register_rules() -> None:
    """Open-source monitoring's rules: called once, by the policy package (rules.py)."""
    for _model in (Article, Candidate, CandidateGroup, Claim, Feed, Mention):
        register(_model, visible=_mediators(_model))  # type: ignore[arg-type]
    register(
        Candidate,
        visible=_mediators(Candidate),  # type: ignore[arg-type]
        actions={"accept": may_decide, "merge": may_decide, "dismiss": may_decide},
    )
    register_actions({"osint.ingest": may_ingest})
