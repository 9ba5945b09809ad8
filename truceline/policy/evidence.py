"""Compartments of evidence (the evidence issue's sharing levels).

- The mechanism sees every item; the uploading party always sees its own uploads.
- Another party sees an item shared at the parties (or public) level, once the incident that
  cites it is shared with that party; a copy (thumbnail, public copy) follows its original.
- The public sees only public copies — re-encoded, metadata stripped — of items shared
  publicly, once their incident is published. Never an original.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from truceline.evidence.models import Evidence, Kind, Sharing
from truceline.policy.core import (
    Viewer,
    is_mediator,
    is_party_user,
    organisation_of,
    register,
)
from truceline.policy.workflow import incidents_visible, is_monitor

SHARED = [Sharing.PARTIES, Sharing.PUBLIC]


def evidence_visible(user: Viewer) -> models.QuerySet[Evidence]:
    if is_mediator(user):
        return Evidence.objects.all()
    if is_party_user(user):
        shared = Q(kind=Kind.ORIGINAL, sharing__in=SHARED) | (
            ~Q(kind=Kind.ORIGINAL) & Q(derived_from__sharing__in=SHARED)
        )
        return Evidence.objects.filter(
            Q(organisation_id=organisation_of(user))
            | (Q(incident__in=incidents_visible(user)) & shared)
        )
    return Evidence.objects.filter(
        kind=Kind.PUBLIC_COPY,
        derived_from__sharing=Sharing.PUBLIC,
        incident__published_at__isnull=False,
    )


register(Evidence, visible=evidence_visible, actions={"share": is_monitor})


def access_evidence(user: Viewer, evidence_id: str) -> Evidence:
    from truceline.policy.core import access

    return access(user, Evidence, pk=evidence_id)
