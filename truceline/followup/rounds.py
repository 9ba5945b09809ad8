"""Rounds of talks the mechanism records after it starts, and what announcing one does.

The mediators (monitors, signatories, the secretariat) record a round: dates, venue,
mediators present, delegations, agenda, outcome and decisions. It stays theirs until a
guarantor's signatory announces it; announcing makes it public and applies its decisions to
the agreement: a clause is created, amended or retired, each change a ledger entry that names
the round. Decisions are checked when recorded and again when announced (another round may
have changed the clause in between); an announcement that no longer applies changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from truceline.accounts import twofactor
from truceline.accounts.models import User
from truceline.core.errors import ApiError, Forbidden, Invalid
from truceline.core.ids import new_id
from truceline.ledger.services import event_append
from truceline.policy import can
from truceline.scenario.models import Commitment, Organisation, OrganisationKind, Round
from truceline.scenario.schema import DECISION_KINDS

CHANGES_CLAUSE = {"create-commitment", "amend-commitment", "retire-commitment"}


@dataclass
class DelegationInput:
    organisation: str
    head: str = ""
    members: list[str] = field(default_factory=list)


@dataclass
class DecisionInput:
    kind: str
    text: str
    commitment: str | None = None
    title: str = ""  # create, amend: the clause's title
    clause: str = ""  # create, amend: the clause's text
    parties: list[str] = field(default_factory=list)  # create: the parties it binds
    date: dt.date | None = None  # extend-ceasefire, next-round


@dataclass
class RoundInput:
    title: str
    venue: str
    starts: dt.date
    ends: dt.date
    mediators: list[str] = field(default_factory=list)
    delegations: list[DelegationInput] = field(default_factory=list)
    agenda: list[str] = field(default_factory=list)
    summary: str = ""
    outcome: str = ""
    decisions: list[DecisionInput] = field(default_factory=list)


def _decision_problems(decisions: list[dict[str, Any]]) -> dict[str, list[str]]:
    """What stops these decisions applying to the agreement as it stands now."""
    errors: dict[str, list[str]] = {}
    parties = set(
        Organisation.objects.filter(kind=OrganisationKind.PARTY, retired=False).values_list(
            "pk", flat=True
        )
    )
    clauses = {c.pk: c for c in Commitment.objects.all()}
    made: set[str] = set()
    for n, d in enumerate(decisions):
        at = f"decisions[{n}]"
        kind, slug = d.get("kind"), d.get("commitment") or ""
        if kind not in DECISION_KINDS:
            errors[f"{at}.kind"] = [f"one of {', '.join(DECISION_KINDS)}"]
            continue
        if not str(d.get("text", "")).strip():
            errors[f"{at}.text"] = ["what the round decided, in words"]
        if kind not in CHANGES_CLAUSE:
            continue
        if not slug:
            errors[f"{at}.commitment"] = ["the clause this decision changes"]
            continue
        if kind == "create-commitment":
            if slug in clauses or slug in made or slugify(slug) != slug:
                errors[f"{at}.commitment"] = ["a new slug (lower-case words and hyphens)"]
            if not str(d.get("title", "")).strip():
                errors[f"{at}.title"] = ["the new clause's title"]
            if not str(d.get("clause", "")).strip():
                errors[f"{at}.clause"] = ["the new clause's text"]
            bound = d.get("parties") or []
            if not bound or any(p not in parties for p in bound):
                errors[f"{at}.parties"] = ["the parties it binds"]
            made.add(slug)
        elif slug in made:
            continue
        elif slug not in clauses or clauses[slug].retired:
            errors[f"{at}.commitment"] = ["a clause in force"]
        elif kind == "amend-commitment" and not (
            str(d.get("title", "")).strip() or str(d.get("clause", "")).strip()
        ):
            errors[f"{at}.clause"] = ["the amended text (or title)"]
    return errors


def _as_dict(d: DecisionInput) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": d.kind, "text": d.text.strip()}
    if d.commitment:
        out["commitment"] = d.commitment.strip()
    if d.title.strip():
        out["title"] = d.title.strip()
    if d.clause.strip():
        out["clause"] = d.clause.strip()
    if d.parties:
        out["parties"] = sorted(set(d.parties))
    if d.date is not None:
        out["date"] = d.date.isoformat()
    return out


def _new_slug() -> str:
    """A random id for a round recorded here, e.g. ``RND-7KQ2M9XA``: nothing in it says where
    or when talks were held before the round is announced (the scenario's rounds keep their
    slugs)."""
    while True:
        slug = new_id("RND")
        if not Round.objects.filter(pk=slug).exists():
            return slug


def round_problems(data: RoundInput) -> dict[str, list[str]]:
    """Every field of the round that cannot be recorded, with why."""
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = ["a title"]
    elif len(data.title.strip()) > 200:
        errors["title"] = ["at most 200 characters"]
    if not data.venue.strip():
        errors["venue"] = ["where the talks were held"]
    elif len(data.venue.strip()) > 120:
        errors["venue"] = ["at most 120 characters"]
    if data.ends < data.starts:
        errors["ends"] = ["on or after the first day"]
    orgs = {o.pk: o for o in Organisation.objects.filter(retired=False)}
    bad = [m for m in data.mediators if m not in orgs or orgs[m].kind != OrganisationKind.MEDIATOR]
    if bad:
        errors["mediators"] = [f"not a mediator: {', '.join(bad)}"]
    for n, dg in enumerate(data.delegations):
        if dg.organisation not in orgs:
            errors[f"delegations[{n}].organisation"] = ["an organisation of the scenario"]
    errors.update(_decision_problems([_as_dict(d) for d in data.decisions]))
    return errors


def round_record(*, actor: User, data: RoundInput) -> Round:
    if not can(actor, "round.record"):
        raise Forbidden(gettext("the mediators record a round of talks"))
    errors = round_problems(data)
    if errors:
        raise Invalid(errors)
    decisions = [_as_dict(d) for d in data.decisions]
    with transaction.atomic():
        talks = Round.objects.create(
            slug=_new_slug(),
            title=data.title.strip(),
            venue=data.venue.strip(),
            starts=data.starts,
            ends=data.ends,
            summary=data.summary.strip(),
            delegations=[
                {
                    "organisation": dg.organisation,
                    "head": dg.head.strip(),
                    "members": [m.strip() for m in dg.members if m.strip()],
                }
                for dg in data.delegations
            ],
            agenda=[a.strip() for a in data.agenda if a.strip()],
            outcome=data.outcome.strip(),
            decisions=decisions,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        talks.mediators.set(Organisation.objects.filter(pk__in=data.mediators))
        event_append(
            actor=actor,
            kind="round.recorded",
            object_type="round",
            object_id=talks.slug,
            payload={
                "round": talks.slug,
                "title": talks.title,
                "venue": talks.venue,
                "starts": talks.starts,
                "ends": talks.ends,
                "mediators": sorted(set(data.mediators)),
                "delegations": talks.delegations,
                "agenda": talks.agenda,
                "summary": talks.summary,
                "outcome": talks.outcome,
                "decisions": decisions,
            },
        )
    return talks


def round_announce(*, actor: User, talks: Round, code: str) -> Round:
    """Make the round public and apply its decisions to the clauses, all or nothing: an act
    in the guarantor's name, so with a fresh code from the signatory's authenticator."""
    if not can(actor, "announce", talks, any_state=True):
        raise Forbidden(gettext("a guarantor's signatory announces a round's decisions"))
    if talks.announced_at is not None:
        raise ApiError("conflict", gettext("This round is announced already."))
    twofactor.check_signature_code(actor, code, act="round.announce")
    with transaction.atomic():
        current = Round.objects.select_for_update().get(pk=talks.pk)
        if current.announced_at is not None:
            raise ApiError("conflict", gettext("This round is announced already."))
        problems = _decision_problems(current.decisions)
        if problems:
            raise Invalid(problems, gettext("The agreement changed since the round was recorded."))
        for d in current.decisions:
            if d["kind"] in CHANGES_CLAUSE:
                _apply(actor, current, d)
        current.announced_at = timezone.now()
        current.save(update_fields=["announced_at"])
        event_append(
            actor=actor,
            kind="round.announced",
            object_type="round",
            object_id=current.slug,
            payload={"round": current.slug, "decisions": len(current.decisions)},
        )
    return current


def _apply(actor: User, talks: Round, d: dict[str, Any]) -> None:
    slug = d["commitment"]
    if d["kind"] == "create-commitment":
        last = Commitment.objects.order_by("-order").values_list("order", flat=True).first()
        clause = Commitment.objects.create(
            slug=slug,
            title=d["title"],
            text=d["clause"],
            introduced_by=talks,
            changed_by=talks,
            order=(last or 0) + 1,
        )
        clause.parties.set(Organisation.objects.filter(pk__in=d["parties"]))
        before: dict[str, Any] = {}
        after = {"title": clause.title, "text": clause.text, "parties": d["parties"]}
        verb = "created"
    else:
        clause = Commitment.objects.select_for_update().get(pk=slug)
        before = {"title": clause.title, "text": clause.text, "retired": clause.retired}
        if d["kind"] == "amend-commitment":
            clause.title = d.get("title") or clause.title
            clause.text = d.get("clause") or clause.text
            verb = "amended"
        else:
            clause.retired = True
            verb = "retired"
        clause.changed_by = talks
        clause.save()
        after = {"title": clause.title, "text": clause.text, "retired": clause.retired}
    event_append(
        actor=actor,
        kind=f"commitment.{verb}",
        object_type="commitment",
        object_id=slug,
        payload={"round": talks.slug, "decision": d["text"], "before": before, "after": after},
    )
