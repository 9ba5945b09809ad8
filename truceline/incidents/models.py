"""Incidents, the unit of verification, and the state machine they follow.

TRANSITIONS is the whole life cycle of DESIGN.md: (from state, action) -> to state. Services
(incidents/services.py) are the only code that moves an incident, each checking this table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from truceline.core.ids import new_id
from truceline.geo.models import Derived
from truceline.scenario.models import Category, Organisation


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRIAGED = "triaged", _("Triaged")
    UNDER_VERIFICATION = "under-verification", _("Under verification")
    FINDING_DRAFTED = "finding-drafted", _("Finding drafted")
    ENDORSED = "endorsed", _("Endorsed")
    PUBLISHED = "published", _("Published")
    INADMISSIBLE = "inadmissible", _("Inadmissible")
    MERGED = "merged", _("Merged")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = State
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.RECEIVED, "triage-admissible"): S.TRIAGED,
    (S.RECEIVED, "triage-inadmissible"): S.INADMISSIBLE,
    (S.RECEIVED, "withdraw"): S.WITHDRAWN,
    (S.RECEIVED, "merge"): S.MERGED,
    (S.TRIAGED, "merge"): S.MERGED,
    (S.TRIAGED, "open"): S.UNDER_VERIFICATION,
    (S.UNDER_VERIFICATION, "draft-finding"): S.FINDING_DRAFTED,
    (S.FINDING_DRAFTED, "draft-finding"): S.FINDING_DRAFTED,
    (S.FINDING_DRAFTED, "endorse"): S.ENDORSED,
    (S.ENDORSED, "publish"): S.PUBLISHED,
    # An accepted reconsideration: the ruling is reversed, or verification starts again.
    (S.INADMISSIBLE, "reconsider"): S.TRIAGED,
    (S.PUBLISHED, "reconsider"): S.UNDER_VERIFICATION,
}
# States in which the mechanism still works on the incident (questions may be asked).
WORKING_STATES = frozenset({S.RECEIVED, S.TRIAGED, S.UNDER_VERIFICATION, S.FINDING_DRAFTED})
# States in which the accused party has been told and may answer.
OPENED_STATES = frozenset({S.UNDER_VERIFICATION, S.FINDING_DRAFTED, S.ENDORSED, S.PUBLISHED})


def new_incident_id() -> str:
    return new_id("INC")


class Incident(Derived):
    """One event, as one or more reports describe it, on its way to a finding.

    Where it happened (and the derived geography) is taken from the report that opened it; the
    columns after ``published_at`` are kept for counting (dashboards/tally.py), each set by the
    service that changes what it summarises.
    """

    id = models.CharField(max_length=16, primary_key=True, default=new_incident_id, editable=False)
    state = models.CharField(max_length=24, choices=State.choices, default=State.RECEIVED)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    accused_party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    triaged_at = models.DateTimeField(null=True, blank=True)
    inadmissible_reason = models.TextField(blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    reply_due_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    filers = models.CharField(
        max_length=200, blank=True, help_text=_("',a,b,': the parties whose reports it holds")
    )
    determination = models.CharField(max_length=24, blank=True, help_text=_("as published"))
    attributed_party = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    killed = models.PositiveIntegerField(default=0, help_text=_("lower bound, as reported"))
    injured = models.PositiveIntegerField(default=0, help_text=_("lower bound, as reported"))

    class Meta:
        ordering = ["-urgent", "created_at", "id"]
        indexes = [
            models.Index(fields=["state", "-urgent", "created_at"]),
            models.Index(fields=["accused_party", "state"]),
            models.Index(fields=["occurred_at"]),
            models.Index(fields=["cell"]),
            models.Index(fields=["attributed_party", "determination", "occurred_at"]),
            # The dashboard's queue, reply windows, and replies per party and month.
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["reply_due_at"]),
            models.Index(fields=["accused_party", "opened_at", "reply_due_at"]),
            models.Index(fields=["accused_party", "reply_due_at"]),
        ]

    def __str__(self) -> str:
        return self.id


def new_response_id() -> str:
    return new_id("RSP")


class Response(models.Model):
    """The accused party's answer; a late one is kept and marked late."""

    id = models.CharField(max_length=16, primary_key=True, default=new_response_id, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="responses")
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    counter_claims = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField()
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return self.id


def new_question_id() -> str:
    return new_id("QST")


class Question(models.Model):
    """A monitor's request for information to a party, answered once on the timeline."""

    id = models.CharField(max_length=16, primary_key=True, default=new_question_id, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="questions")
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField()
    text = models.TextField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        indexes = [models.Index(fields=["party", "answered_at"])]

    def __str__(self) -> str:
        return self.id
