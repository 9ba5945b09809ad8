"""Open-source monitoring: articles read from the press, what the extraction found in them
(candidate events, statements, talks and crossing mentions), and the monitors' decisions.
Nothing here is a finding: a candidate becomes a report only when a monitor accepts it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from truceline.incidents.models import Incident
from truceline.reports.models import Report
from truceline.scenario.models import Actor, Category, Place


class Feed(models.Model):
    """An RSS or Atom feed the worker polls."""

    url = models.URLField(max_length=1000, unique=True)
    title = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title or self.url


class Article(models.Model):
    """One article, stored once: deduplicated by its address and by near-identical text."""

    url = models.CharField(max_length=2000, blank=True)
    url_key = models.CharField(
        max_length=64, unique=True, null=True, blank=True, help_text=_("SHA-256 of the address")
    )
    title = models.CharField(max_length=500)
    source = models.CharField(max_length=200, help_text=_("outlet, feed or file"))
    language = models.CharField(max_length=8)
    published = models.DateField()
    text = models.TextField()
    text_key = models.CharField(max_length=64, unique=True, help_text=_("SHA-256 of the words"))
    simhash = models.BigIntegerField()
    # The 64-bit fingerprint in four 16-bit bands: near-identical texts share at least one.
    band0 = models.IntegerField(db_index=True)
    band1 = models.IntegerField(db_index=True)
    band2 = models.IntegerField(db_index=True)
    band3 = models.IntegerField(db_index=True)
    feed = models.ForeignKey(Feed, null=True, blank=True, on_delete=models.PROTECT)
    ingested_at = models.DateTimeField()
    extractor = models.CharField(max_length=16, help_text=_("extraction rules version"))

    class Meta:
        ordering = ["-published", "-id"]

    def __str__(self) -> str:
        return self.title


class CandidateGroup(models.Model):
    """Candidates from different articles that describe one event."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField()
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.category_id} {self.place_id} {self.occurred_on}"


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Dismissed")


class Candidate(models.Model):
    """An event the extraction found in one article, with the spans each value came from."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="candidates")
    group = models.ForeignKey(CandidateGroup, on_delete=models.PROTECT, related_name="candidates")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField()
    precision = models.CharField(max_length=8)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    actor = models.CharField(max_length=60, help_text=_("actor slug, 'civilians' or 'unknown'"))
    target = models.CharField(max_length=60)
    killed = models.JSONField(null=True, blank=True, help_text=_("[low, high]; high null = open"))
    injured = models.JSONField(null=True, blank=True)
    sentence_start = models.PositiveIntegerField()
    sentence_end = models.PositiveIntegerField()
    spans = models.JSONField(default=dict, help_text=_("{field: [[start, end], ...]}"))
    incident = models.ForeignKey(
        Incident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("the existing incident it seems to describe"),
    )
    status = models.CharField(
        max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.OPEN
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_on", "id"]
        indexes = [models.Index(fields=["status", "-occurred_on"])]

    def __str__(self) -> str:
        return f"candidate {self.pk} ({self.category_id}, {self.occurred_on})"

    @property
    def sentence(self) -> str:
        return self.article.text[self.sentence_start : self.sentence_end]


class ClaimKind(models.TextChoices):
    ACCUSATION = "accusation", _("Accusation")
    DENIAL = "denial", _("Denial")
    DEMAND = "demand", _("Demand")
    COMMITMENT = "commitment", _("Commitment")
    ASSESSMENT = "assessment", _("Assessment")
    ANNOUNCEMENT = "announcement", _("Announcement")


class Claim(models.Model):
    """A statement attributed to an actor in an article: the claims register."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="claims")
    speaker = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=ClaimKind.choices)
    said_on = models.DateField(null=True, blank=True)
    quote = models.TextField()
    spans = models.JSONField(default=dict)
    group = models.ForeignKey(
        CandidateGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text=_("the event the same article reports, when it reports one"),
    )

    class Meta:
        ordering = ["-article__published", "id"]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.kind} {self.said_on or ''}"


class Mention(models.Model):
    """A round of talks or a crossing's status, as an article mentions it."""

    class Kind(models.TextChoices):
        TALKS = "talks", _("Talks")
        CROSSING = "crossing", _("Crossing status")

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="mentions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    data = models.JSONField()
    spans = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.kind} in article {self.article_id}"
