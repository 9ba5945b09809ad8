"""The scenario: everything specific to one ceasefire, loaded from a file, never written in code.

One deployment serves one mechanism, so there is one scenario per database. Objects are keyed
by the slugs the scenario file gives them (they are public: the API and exports use them).
Objects dropped from a newer file are retired, not deleted, so that old records keep meaning.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Scenario(models.Model):
    """The single row describing the agreement and the mechanism's protocol settings."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    agreement_title = models.CharField(max_length=200)
    agreement_date = models.DateField()
    agreement_venue = models.CharField(max_length=120, blank=True)
    agreement_text = models.TextField(blank=True)
    reply_window_hours = models.PositiveIntegerField()
    embargo_hours = models.PositiveIntegerField()
    quorum = models.PositiveSmallIntegerField(help_text=_("Endorsements needed (k of n)."))
    clocks = models.JSONField(help_text=_("Protocol-clock targets in hours."))
    public_precision_km = models.PositiveIntegerField()
    digest = models.CharField(max_length=64, help_text=_("SHA-256 of the loaded content."))
    loaded_at = models.DateTimeField()
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Title and agreement texts by language code, then field."),
    )

    def __str__(self) -> str:
        return self.slug

    def shown(self, field: str) -> Any:
        """The field's text in the reader's language (English where not translated)."""
        return translated(self.translations, field, getattr(self, field))


def in_reader_language(by_language: Any) -> Any:
    """What a ``{language code: value}`` mapping from the scenario file gives for the reader's
    language (Dari falling back to Persian), or None where it has nothing for it."""
    if not isinstance(by_language, dict) or not by_language:
        return None
    lang = get_language() or ""
    for code in (lang, lang.split("-")[0], "fa" if lang == "prs" else ""):
        if code and by_language.get(code):
            return by_language[code]
    return None


def translated(translations: Any, field: str, english: Any) -> Any:
    """A text of a scenario object in the reader's language: its ``translations`` (by
    language, then field, as the scenario file gives them) or the English where they have
    none for it."""
    found = in_reader_language(
        {lang: texts.get(field) for lang, texts in (translations or {}).items() if texts}
    )
    return english if found is None else found


class Named:
    """A scenario object shown by its name in the reader's language (`names`, from the scenario
    file), or its English name (`name`, or a commitment's or round's `title`) where it has
    none; its other texts by ``shown(field)`` from its ``translations``."""

    names: Any

    @property
    def shown_name(self) -> str:
        found = in_reader_language(self.names)
        if found is not None:
            return str(found)
        return str(getattr(self, "name", None) or getattr(self, "title", ""))

    def shown(self, field: str) -> Any:
        """The field's text in the reader's language (English where not translated)."""
        return translated(getattr(self, "translations", None), field, getattr(self, field))


class OrganisationKind(models.TextChoices):
    PARTY = "party", _("Party")
    MEDIATOR = "mediator", _("Mediator")


class Organisation(Named, models.Model):
    """A party to the ceasefire or a mediator (which may also be a guarantor)."""

    slug = models.SlugField(max_length=60, primary_key=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=OrganisationKind.choices)
    guarantor = models.BooleanField(default=False)
    country_code = models.CharField(max_length=2, blank=True)
    time_zone = models.CharField(max_length=64)
    names = models.JSONField(default=dict, blank=True, help_text=_("Name by language code."))
    retired = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_party(self) -> bool:
        return self.kind == OrganisationKind.PARTY


class Category(Named, models.Model):
    """A violation category, mapped to ACLED's event type and sub-type for exchange."""

    slug = models.SlugField(max_length=60, primary_key=True)
    name = models.CharField(max_length=120)
    names = models.JSONField(default=dict, blank=True, help_text=_("Name by language code."))
    description = models.TextField(blank=True)
    acled_event_type = models.CharField(max_length=80)
    acled_sub_event_type = models.CharField(max_length=80)
    cues = models.JSONField(
        default=list, blank=True, help_text=_("Patterns marking this kind of event in news text.")
    )
    retired = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Round(Named, models.Model):
    """A round of talks: where, when, who, and what it decided.

    Rounds come from the scenario file (those held before the mechanism ran) or are recorded
    by the mechanism (``recorded_by`` set). A recorded round is the mediators' until a
    guarantor announces it; announcing applies its decisions to the commitments. The scenario
    loader leaves recorded rounds alone.
    """

    slug = models.SlugField(max_length=60, primary_key=True)
    title = models.CharField(max_length=200)
    names = models.JSONField(default=dict, blank=True, help_text=_("Title by language code."))
    venue = models.CharField(max_length=120)
    starts = models.DateField()
    ends = models.DateField()
    mediators = models.ManyToManyField(Organisation, related_name="+", blank=True)
    summary = models.TextField(blank=True)
    delegations = models.JSONField(
        default=list, blank=True, help_text=_("[{organisation, head, members}]")
    )
    agenda = models.JSONField(default=list, blank=True, help_text=_("Items, in order."))
    outcome = models.TextField(blank=True)
    decisions = models.JSONField(default=list, blank=True)
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Venue, summary, outcome and agenda by language code, then field."),
    )
    announced_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts", "slug"]

    def __str__(self) -> str:
        return self.title


class Commitment(Named, models.Model):
    """A clause of the agreement, with the indicators that measure it."""

    slug = models.SlugField(max_length=80, primary_key=True)
    title = models.CharField(max_length=200)
    names = models.JSONField(default=dict, blank=True, help_text=_("Title by language code."))
    text = models.TextField()
    translations = models.JSONField(
        default=dict, blank=True, help_text=_("The text by language code, then field.")
    )
    parties = models.ManyToManyField(Organisation, related_name="commitments")
    indicators = models.JSONField(default=list, blank=True)
    introduced_by = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(
        Round,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The recorded round that last made, amended or retired this clause."),
    )
    retired = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.title


class Sector(Named, models.Model):
    """A named stretch of the border, from one end point to the other."""

    slug = models.SlugField(max_length=60, primary_key=True)
    name = models.CharField(max_length=120)
    names = models.JSONField(default=dict, blank=True, help_text=_("Name by language code."))
    description = models.TextField(blank=True)
    start_lat = models.FloatField()
    start_lon = models.FloatField()
    end_lat = models.FloatField()
    end_lon = models.FloatField()
    retired = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name


class PlaceKind(models.TextChoices):
    COUNTRY = "country", _("Country")
    CROSSING = "crossing", _("Border crossing")
    POST = "post", _("Border post")
    TOWN = "town", _("Town")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    PROVINCE = "province", _("Province")
    REGION = "region", _("Region")


class Place(Named, models.Model):
    """A named place (crossings, posts, towns), with aliases in local scripts."""

    slug = models.SlugField(max_length=60, primary_key=True)
    name = models.CharField(max_length=120)
    names = models.JSONField(default=dict, blank=True, help_text=_("Name by language code."))
    kind = models.CharField(max_length=16, choices=PlaceKind.choices)
    country = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="places"
    )
    sector = models.ForeignKey(
        Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="places"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    border_area = models.BooleanField(
        default=False, help_text=_("Lies along the border (an incident there is a border one).")
    )
    lat = models.FloatField()
    lon = models.FloatField()
    aliases = models.JSONField(default=list, blank=True, help_text=_("[{name, lang}]"))
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ActorKind(models.TextChoices):
    OFFICIAL = "official", _("Official")
    SPOKESPERSON = "spokesperson", _("Spokesperson")
    ARMED_GROUP = "armed-group", _("Armed group")
    STATE_FORCE = "state-force", _("State force")
    INSTITUTION = "institution", _("Institution")


class Actor(models.Model):
    """Someone who acts or speaks: officials, spokespeople, state forces, armed groups."""

    slug = models.SlugField(max_length=60, primary_key=True)
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=16, choices=ActorKind.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="actors"
    )
    affiliation = models.CharField(max_length=160, blank=True)
    role = models.CharField(max_length=200, blank=True)
    aliases = models.JSONField(default=list, blank=True)
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
