"""The agreement's follow-up: formal requests between the parties, through the mechanism.

A request names people (personal data): those names are seen by the two parties concerned and
the mediators only, never published, and each reading of them is on the ledger. The public
sees counts by kind and outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from truceline.core.ids import new_id
from truceline.scenario.models import Commitment, Organisation, Place


class RequestKind(models.TextChoices):
    HAND_OVER = "hand-over", _("Hand over named people")
    ARREST = "arrest", _("Arrest named people")
    CONTROL = "control", _("Control a group or area")
    EXPEL = "expel", _("Expel named people")
    ACCESS = "access", _("Give monitors access to a place")
    REOPEN = "reopen-crossing", _("Reopen a crossing")


class RequestState(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    ANSWERED = "answered", _("Answered")
    VERIFIED = "verified", _("Verified by the monitors")


class Answer(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    PARTLY = "partly", _("Partly done")


def _request_id() -> str:
    return new_id("REQ")


class PartyRequest(models.Model):
    id = models.CharField(max_length=16, primary_key=True, default=_request_id, editable=False)
    kind = models.CharField(max_length=16, choices=RequestKind.choices)
    from_party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    to_party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grounds = models.TextField()
    deadline = models.DateTimeField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=RequestState.choices, default=RequestState.OPEN)
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    answer_reasons = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_late = models.BooleanField(default=False)

    class Meta:
        ordering = ["-made_at"]

    def __str__(self) -> str:
        return self.id


def _subject_id() -> str:
    return new_id("SBJ")


class Subject(models.Model):
    """A person or group a request names. Personal data: see the module's docstring."""

    public_id = models.CharField(max_length=16, unique=True, default=_subject_id, editable=False)
    request = models.ForeignKey(PartyRequest, on_delete=models.PROTECT, related_name="subjects")
    name = models.CharField(max_length=200)
    details = models.TextField(blank=True, help_text="aliases, affiliation, description")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"subject of {self.request_id}"


class Verification(models.Model):
    """What the monitors saw happen: e.g. a hand-over at a border post, and of whom."""

    request = models.OneToOneField(
        PartyRequest, on_delete=models.PROTECT, related_name="verification"
    )
    happened = models.BooleanField()
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField()
    subjects = models.ManyToManyField(Subject, blank=True, related_name="+")
    notes = models.TextField(blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"verification of {self.request_id}"


class MeasureKind(models.TextChoices):
    NOTE = "note", _("Note")
    WARNING = "warning", _("Warning")
    DEMAND = "demand", _("Demand for specific action by a date")
    PENALTY = "penalty", _("Penalty, as the agreement defines it")
    REFERRAL = "referral", _("Referral to the next round of talks")


def _measure_id() -> str:
    return new_id("MSR")


class Measure(models.Model):
    """A guarantor's decision on a breach a published finding established, signed like a
    vote; and its follow-up. The parties concerned see it at once, the public once it is
    announced."""

    id = models.CharField(max_length=16, primary_key=True, default=_measure_id, editable=False)
    finding = models.ForeignKey(
        "findings.Finding", on_delete=models.PROTECT, related_name="measures"
    )
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=MeasureKind.choices)
    text = models.TextField()
    due = models.DateField(null=True, blank=True, help_text="for a demand: by when")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    key = models.ForeignKey("findings.SigningKey", on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(help_text="the canonical JSON that was signed")
    signature = models.CharField(max_length=100)
    decided_at = models.DateTimeField()
    announced_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return self.id

    @property
    def overdue(self) -> bool:
        from django.utils import timezone

        return self.done_at is None and self.due is not None and timezone.now().date() > self.due


class Compliance(models.TextChoices):
    COMPLIED = "complied", _("Complied")
    PARTLY = "partly", _("Partly complied")
    NOT_COMPLIED = "not-complied", _("Not complied")
    NOT_ASSESSED = "not-assessed", _("Not assessed")


class Assessment(models.Model):
    """A commitment × party × month: the status monitors propose, with reasons, and the
    guarantors confirm. Confirmed, it is final."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7, help_text="YYYY-MM")
    status = models.CharField(max_length=14, choices=Compliance.choices)
    reasons = models.TextField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "party", "period"], name="one_assessment_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.party_id} {self.period}"
