"""Compartments of open-source monitoring: the mechanism's working file (articles read, what the
extraction found, the claims register) is for the mechanism's own people only."""

from __future__ import annotations

from django.db import models

from truceline.osint.models import Article, Candidate, CandidateGroup, Claim, Feed, Mention
from truceline.policy.core import Viewer, access, is_mediator, register


def _mediators(model: type[models.Model]) -> object:
    def visible(user: Viewer) -> models.QuerySet:  # type: ignore[type-arg]
        manager = model._default_manager
        return manager.all() if is_mediator(user) else manager.none()

    return visible


for _model in (Article, Candidate, CandidateGroup, Claim, Feed, Mention):
    register(_model, visible=_mediators(_model))  # type: ignore[arg-type]


def access_candidate(user: Viewer, candidate_id: int) -> Candidate:
    return access(user, Candidate, pk=candidate_id)
