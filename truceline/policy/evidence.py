"""Compartments of evidence (the evidence issue's sharing levels; docs/evidence.md).

- The mechanism sees every item, and the uploading party its own: they alone receive the
  original bytes, the file name it was sent under, its metadata (capture time, camera, GPS,
  who uploaded it) and its chain of custody (``sees_original``).
- Anyone else only ever receives the copy without metadata (re-encoded from the content,
  named by the evidence id), and only once that copy exists: photos and text get it when
  they are shared; of any other type nothing leaves the uploading party and the mechanism
  until a monitor makes one.
- The other party: an item shared at the parties (or public) level, where a report or
  response citing it is visible to that party — the accused party once the report is
  shared with it for reply (never a mechanism-only report, never a withdrawn one), a filing
  party once the response citing it is visible to it (after the publication that follows
  it). A copy (thumbnail, copy without metadata) follows its original. Parties not to the
  incident get what the public gets.
- The public: the copy without metadata of an item shared publicly, once the report citing
  it is in a published incident, or the response citing it was given before the latest
  publication.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Exists, OuterRef, Q

from truceline.accounts.models import User
from truceline.evidence.models import Citation, Evidence, Kind, Sharing
from truceline.policy.core import (
    Step,
    Viewer,
    is_mediator,
    is_party_user,
    organisation_of,
    register,
    register_actions,
    role_of,
    visible_to,
)
from truceline.policy.workflow import is_monitor, reports_visible, responses_visible

SHARED = [Sharing.PARTIES, Sharing.PUBLIC]


def _has_copy(original: str) -> Exists:
    """The original (the outer row's field ``original``) has its copy without metadata."""
    return Exists(
        Evidence.objects.filter(derived_from_id=OuterRef(original), kind=Kind.PUBLIC_COPY)
    )


def _cited(original: str, where: Q) -> Exists:
    """The original is cited, and not dropped, by an object matching ``where``."""
    return Exists(
        Citation.objects.filter(where, evidence_id=OuterRef(original), dropped_at__isnull=True)
    )


def _public() -> models.QuerySet[Evidence]:
    citing = Q(report__incident__published_at__isnull=False) | Q(
        response__in=responses_visible(AnonymousUser())
    )
    return Evidence.objects.filter(
        _cited("derived_from_id", citing),
        kind=Kind.PUBLIC_COPY,
        derived_from__sharing=Sharing.PUBLIC,
    )


def _other_party(user: Viewer) -> models.QuerySet[Evidence]:
    """What a party reaches of the items another organisation uploaded: the copies, and the
    originals' records (whose bytes it receives as the copy), where the citing object is
    visible to it and it is a party to the incident."""
    org = organisation_of(user)
    citing = Q(report__in=reports_visible(user)) | Q(
        response__in=responses_visible(user), response__incident__filers__contains=f",{org},"
    )
    originals = Evidence.objects.filter(
        _has_copy("pk"), _cited("pk", citing), kind=Kind.ORIGINAL, sharing__in=SHARED
    )
    copies = Evidence.objects.filter(
        _has_copy("derived_from_id"),
        _cited("derived_from_id", citing),
        derived_from__sharing__in=SHARED,
    ).exclude(kind=Kind.ORIGINAL)
    return originals | copies


def evidence_visible(user: Viewer) -> models.QuerySet[Evidence]:
    if is_mediator(user):
        return Evidence.objects.all()
    if is_party_user(user):
        own = Evidence.objects.filter(organisation_id=organisation_of(user))
        return own | _other_party(user) | _public()
    return _public()


def sees_original(user: Viewer, item: Evidence) -> bool:
    """The mechanism and the uploading party: the original bytes, the name it was sent under,
    its metadata and its chain of custody. Everyone else, the copy without metadata only."""
    if is_mediator(user):
        return True
    return is_party_user(user) and organisation_of(user) == item.organisation_id


# Monitors make the copy without metadata, of an original (409 for a copy).
may_copy = Step(who=is_monitor, when=lambda item: item.kind == Kind.ORIGINAL)


def may_upload(user: Viewer) -> bool:
    """Those who file upload: a party's liaison, or a monitor, for its organisation."""
    return role_of(user) in {"liaison", "monitor"} and organisation_of(user) is not None


def knows_people(user: Viewer) -> models.QuerySet[User]:
    """The people whose names this viewer may read on a chain of custody; anyone else is
    shown as organisation and role ("Pakistan's liaison")."""
    return visible_to(user, User)


def access_evidence(user: Viewer, evidence_id: str) -> Evidence:
    from truceline.policy.core import access

    return access(user, Evidence, pk=evidence_id)


def register_rules() -> None:
    """Evidence's rules: called once, by the policy package (rules.py)."""
    register(
        Evidence,
        visible=evidence_visible,
        actions={"share": is_monitor, "copy": may_copy, "custody": sees_original},
    )
    register_actions({"evidence.upload": may_upload})
