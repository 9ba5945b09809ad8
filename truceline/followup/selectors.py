"""The agreement as it grew: rounds of talks with their decisions, and each commitment's
history traced to the rounds (and scenario changes) that made it."""

from __future__ import annotations

from typing import Any

from truceline.followup.models import Measure
from truceline.ledger.models import Event
from truceline.policy import can, visible_to
from truceline.scenario.models import Commitment, Round


def request_counts() -> list[dict[str, Any]]:
    """How many requests of each kind, in each state, with each answer: all the public
    learns of them."""
    from django.db.models import Count

    from truceline.followup.models import PartyRequest

    rows = PartyRequest.objects.values("kind", "state", "answer").annotate(n=Count("id"))
    return [
        {"kind": r["kind"], "state": r["state"], "answer": r["answer"] or None, "count": r["n"]}
        for r in rows.order_by("kind", "state", "answer")
    ]


def rounds() -> list[dict[str, Any]]:
    out = []
    for r in Round.objects.filter(retired=False).prefetch_related("mediators").order_by("starts"):
        out.append(
            {
                "slug": r.slug,
                "title": r.title,
                "venue": r.venue,
                "starts": r.starts,
                "ends": r.ends,
                "mediators": [m.slug for m in r.mediators.all()],
                "summary": r.summary,
                "decisions": r.decisions,
            }
        )
    return out


def commitment_history(
    commitment: Commitment, all_rounds: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What made and changed this commitment: the rounds whose decisions name it, then the
    scenario changes recorded on the ledger."""
    history: list[dict[str, Any]] = []
    for r in all_rounds:
        for d in r["decisions"]:
            if d.get("commitment") == commitment.slug:
                history.append(
                    {
                        "date": d.get("date") or r["ends"].isoformat(),
                        "round": r["slug"],
                        "round_title": r["title"],
                        "kind": d.get("kind"),
                        "text": d.get("text", ""),
                    }
                )
    changes = Event.objects.filter(object_type="commitment", object_id=commitment.slug)
    for e in changes.order_by("seq"):
        history.append(
            {
                "date": e.recorded_at.date().isoformat(),
                "round": None,
                "round_title": None,
                "kind": e.kind,
                "text": "",
                "ledger_entry": e.seq,
            }
        )
    return history


def commitments() -> list[dict[str, Any]]:
    all_rounds = rounds()
    out = []
    for c in Commitment.objects.filter(retired=False).prefetch_related("parties"):
        out.append(
            {
                "slug": c.slug,
                "title": c.title,
                "text": c.text,
                "parties": [p.slug for p in c.parties.all()],
                "introduced_by": c.introduced_by_id,
                "indicators": c.indicators,
                "history": commitment_history(c, all_rounds),
            }
        )
    return out


def measures_for(finding: Any, viewer: Any) -> list[dict[str, Any]]:
    """The measures on a finding this viewer may see, with what the viewer may do."""
    shown = []
    for m in visible_to(viewer, Measure).filter(finding=finding).select_related("party"):
        shown.append(
            {
                "m": m,
                "may_announce": m.announced_at is None and can(viewer, "announce", m),
                "may_done": m.done_at is None and can(viewer, "done", m),
            }
        )
    return shown
