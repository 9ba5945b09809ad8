"""The agreement as it grew: rounds of talks with their decisions, and each commitment's
history traced to the rounds (and scenario changes) that made it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

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


def round_out(r: Round, viewer: Any) -> dict[str, Any]:
    return {
        "slug": r.slug,
        "title": r.title,
        "names": r.names,  # the texts by language, shown by |named and |translated
        "translations": r.translations,
        "venue": r.venue,
        "starts": r.starts,
        "ends": r.ends,
        "mediators": [m.slug for m in r.mediators.all()],
        "delegations": r.delegations,
        "agenda": r.agenda,
        "summary": r.summary,
        "outcome": r.outcome,
        "decisions": r.decisions,
        "announced_at": r.announced_at,
        "recorded": r.recorded_by_id is not None,
        "may_announce": can(viewer, "announce", r),
    }


def rounds(viewer: Any) -> list[dict[str, Any]]:
    """The rounds this viewer may see (the public: announced ones), oldest first."""
    found = visible_to(viewer, Round).filter(retired=False).prefetch_related("mediators")
    return [round_out(r, viewer) for r in found.order_by("starts", "slug")]


def commitment_history(
    commitment: Commitment, announced: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What made and changed this clause: the announced rounds' decisions that name it (with
    the amended wording, for a round the mechanism recorded), then the scenario file's
    changes to it, each with its ledger entry."""
    history: list[dict[str, Any]] = []
    for r in announced:
        named = [d for d in r["decisions"] if d.get("commitment") == commitment.slug]
        if not named and r["slug"] == commitment.introduced_by_id:
            # the file says this round introduced the clause without a decision naming it
            history.append(
                {
                    "date": r["ends"].isoformat(),
                    "round": r["slug"],
                    "round_title": r["title"],
                    "round_names": r["names"],
                    "kind": "create-commitment",
                    "text": _("Introduced at this round."),
                    "clause": "",
                }
            )
        for d in named:
            history.append(
                {
                    "date": d.get("date") or r["ends"].isoformat(),
                    "round": r["slug"],
                    "round_title": r["title"],
                    "round_names": r["names"],
                    "kind": d.get("kind"),
                    "text": d.get("text", ""),
                    "translations": d.get("translations", {}),
                    "clause": d.get("clause", ""),
                }
            )
    changes = Event.objects.filter(
        object_type="commitment", object_id=commitment.slug, kind__startswith="scenario."
    )
    for e in changes.order_by("seq"):
        history.append(
            {
                "date": e.recorded_at.date().isoformat(),
                "round": None,
                "round_title": None,
                "kind": e.kind,
                "text": "",
                "clause": "",
                "ledger_entry": e.seq,
            }
        )
    return history


def commitments(viewer: Any, *, retired: bool = False) -> list[dict[str, Any]]:
    """The clauses in force (or, with ``retired``, those a round or the file retired), each
    with its history."""
    announced = [r for r in rounds(viewer) if r["announced_at"] is not None]
    out = []
    found = visible_to(viewer, Commitment).filter(retired=retired).prefetch_related("parties")
    for c in found:
        out.append(
            {
                "slug": c.slug,
                "title": c.title,
                "names": c.names,  # the texts by language, shown by |named and |translated
                "translations": c.translations,
                "text": c.text,
                "parties": [p.slug for p in c.parties.all()],
                "introduced_by": c.introduced_by_id,
                "indicators": c.indicators,
                "retired": c.retired,
                "history": commitment_history(c, announced),
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
