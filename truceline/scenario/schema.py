"""The scenario file format (YAML), its validation, and errors that name the field and line.

Pydantic checks each field's type and range; cross-references (a place's country must be a
party, a commitment's parties must exist, ...) are checked after it. Every problem is reported
as ``FILE:LINE: path.to[3].field: message``, the line found by walking the YAML node tree.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from typing import Annotated, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from truceline.core.errors import render_path

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# A scenario object's name in each language it is shown in, by language code (`ur`, `ps`, `prs`,
# `ar`, `tr`, ...); a page in a language with no entry shows the English `name`.
Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
Names = dict[Lang, str]


# An object's other texts in each language, by language code and then field, the fields being
# the object's own English ones: `translations: {ur: {text: ...}, ps: {text: ...}}`. A page in
# a language with no entry for a field shows the English.
class HeadTexts(Strict):
    title: str | None = None


class AgreementTexts(Strict):
    title: str | None = None
    venue: str | None = None
    text: str | None = None


class RoundTexts(Strict):
    venue: str | None = None
    summary: str | None = None
    outcome: str | None = None
    agenda: list[str] | None = Field(
        default=None, description="every item, in the order of the English agenda"
    )


class DecisionTexts(Strict):
    text: str | None = None


class IndicatorTexts(Strict):
    description: str | None = None


class CommitmentTexts(Strict):
    text: str | None = None


class Alias(Strict):
    name: str = Field(min_length=1, max_length=160)
    lang: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


class Clocks(Strict):
    acknowledge: int = Field(gt=0, description="hours to acknowledge a report")
    triage: int = Field(gt=0)
    reply: int = Field(gt=0)
    finding: int = Field(gt=0)


class Agreement(Strict):
    title: str = Field(min_length=1, max_length=200)
    date: dt.date
    venue: str = ""
    text: str = ""
    translations: dict[Lang, AgreementTexts] = {}


class Mechanism(Strict):
    reply_window_hours: int = Field(gt=0, le=24 * 90)
    embargo_hours: int = Field(ge=0, le=24 * 30)
    quorum: int = Field(gt=0, description="endorsements needed from guarantors")
    clocks: Clocks
    public_precision_km: int = Field(gt=0, le=500)


class ScenarioHead(Strict):
    slug: Slug
    title: str = Field(min_length=1, max_length=200)
    translations: dict[Lang, HeadTexts] = {}
    agreement: Agreement
    mechanism: Mechanism


class OrganisationIn(Strict):
    slug: Slug
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["party", "mediator"]
    guarantor: bool = False
    country_code: str = Field(default="", pattern=r"^([A-Z]{2})?$")
    time_zone: str
    names: Names = {}

    @field_validator("time_zone")
    @classmethod
    def known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class AcledMapping(Strict):
    event_type: str = Field(min_length=1)
    sub_event_type: str = Field(min_length=1)


class CategoryIn(Strict):
    slug: Slug
    name: str = Field(min_length=1, max_length=120)
    names: Names = {}
    description: str = ""
    acled: AcledMapping
    cues: list[str] = Field(
        default=[], description="regular expressions that mark a report of this kind in news text"
    )


DecisionKind = Literal[
    "extend-ceasefire",
    "create-commitment",
    "amend-commitment",
    "retire-commitment",
    "set-up-mechanism",
    "next-round",
    "other",
]
DECISION_KINDS: tuple[str, ...] = get_args(DecisionKind)


class Decision(Strict):
    kind: DecisionKind
    text: str = Field(min_length=1)
    commitment: Slug | None = None
    date: dt.date | None = None
    translations: dict[Lang, DecisionTexts] = {}


class Delegation(Strict):
    organisation: Slug
    head: str = Field(default="", max_length=200, description="empty when not made public")
    members: list[str] = []


class RoundIn(Strict):
    slug: Slug
    title: str = Field(min_length=1, max_length=200)
    names: Names = Field(default={}, description="the title, by language code")
    venue: str = Field(min_length=1, max_length=120)
    starts: dt.date
    ends: dt.date
    mediators: list[Slug] = []
    delegations: list[Delegation] = []
    agenda: list[str] = []
    summary: str = ""
    outcome: str = ""
    decisions: list[Decision] = []
    translations: dict[Lang, RoundTexts] = {}


class Indicator(Strict):
    slug: Slug
    name: str = Field(min_length=1)
    names: Names = {}
    description: str = ""
    categories: list[Slug] = Field(
        default=[], description="for counts of incidents: the violation categories counted"
    )
    translations: dict[Lang, IndicatorTexts] = {}


class CommitmentIn(Strict):
    slug: Slug
    title: str = Field(min_length=1, max_length=200)
    names: Names = Field(default={}, description="the title, by language code")
    text: str = Field(min_length=1)
    translations: dict[Lang, CommitmentTexts] = {}
    parties: list[Slug] = Field(min_length=1)
    indicators: list[Indicator] = []
    introduced_by: Slug | None = None


class Point(Strict):
    lat: Lat
    lon: Lon


class SectorIn(Strict):
    slug: Slug
    name: str = Field(min_length=1, max_length=120)
    names: Names = {}
    description: str = ""
    start: Point
    end: Point


class PlaceIn(Strict):
    slug: Slug
    name: str = Field(min_length=1, max_length=120)
    names: Names = {}
    kind: Literal["crossing", "post", "town", "city", "district", "province", "region", "country"]
    country: Slug | None = None
    sector: Slug | None = None
    parent: Slug | None = Field(
        default=None, description="the place that contains this one, listed before it"
    )
    border_area: bool = False
    lat: Lat
    lon: Lon
    aliases: list[Alias] = []


class ActorIn(Strict):
    slug: Slug
    name: str = Field(min_length=1, max_length=160)
    kind: Literal["official", "spokesperson", "armed-group", "state-force", "institution"]
    organisation: Slug | None = None
    affiliation: str = ""
    role: str = ""
    aliases: list[Alias] = []


class ScenarioDocument(Strict):
    """A whole scenario file."""

    version: Literal[1]
    scenario: ScenarioHead
    organisations: list[OrganisationIn] = Field(min_length=2)
    categories: list[CategoryIn] = Field(min_length=1)
    rounds: list[RoundIn] = []
    commitments: list[CommitmentIn] = []
    sectors: list[SectorIn] = []
    places: list[PlaceIn] = []
    actors: list[ActorIn] = []


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def render(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.path or '(top)'}: {self.message}"


class ScenarioFileError(Exception):
    """A scenario file that does not parse or validate; ``problems`` says where and why."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(p.render(source) for p in problems))


Loc = tuple[str | int, ...]


def _line_of(node: yaml.Node | None, loc: Loc) -> int | None:
    """The line of the deepest YAML node along ``loc`` (1-based)."""
    if node is None:
        return None
    best = node.start_mark.line + 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    child = value
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
        if child is None:
            break
        node = child
        best = node.start_mark.line + 1
    return best


def _cross_references(doc: ScenarioDocument) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []

    def unique(kind: str, slugs: list[str]) -> None:
        seen: set[str] = set()
        for index, slug in enumerate(slugs):
            if slug in seen:
                problems.append(((kind, index, "slug"), f"duplicate slug {slug!r}"))
            seen.add(slug)

    orgs = {o.slug: o for o in doc.organisations}
    parties = {s for s, o in orgs.items() if o.kind == "party"}
    rounds = {r.slug for r in doc.rounds}
    sectors = {s.slug for s in doc.sectors}
    commitments = {c.slug for c in doc.commitments}
    categories = {c.slug for c in doc.categories}
    unique("organisations", [o.slug for o in doc.organisations])
    unique("categories", [c.slug for c in doc.categories])
    unique("rounds", [r.slug for r in doc.rounds])
    unique("commitments", [c.slug for c in doc.commitments])
    unique("sectors", [s.slug for s in doc.sectors])
    unique("places", [p.slug for p in doc.places])
    unique("actors", [a.slug for a in doc.actors])

    if len(parties) < 2:
        problems.append((("organisations",), "a ceasefire needs at least two parties"))
    guarantors = sum(1 for o in doc.organisations if o.guarantor)
    if any(o.guarantor and o.kind != "mediator" for o in doc.organisations):
        problems.append((("organisations",), "only mediators can be guarantors"))
    if doc.scenario.mechanism.quorum > guarantors:
        problems.append(
            (
                ("scenario", "mechanism", "quorum"),
                f"quorum {doc.scenario.mechanism.quorum} exceeds the {guarantors} guarantors",
            )
        )
    for i, r in enumerate(doc.rounds):
        if r.ends < r.starts:
            problems.append((("rounds", i, "ends"), "ends before it starts"))
        for j, m in enumerate(r.mediators):
            if orgs.get(m) is None or orgs[m].kind != "mediator":
                problems.append((("rounds", i, "mediators", j), f"{m!r} is not a mediator"))
        for j, dg in enumerate(r.delegations):
            if dg.organisation not in orgs:
                problems.append(
                    (
                        ("rounds", i, "delegations", j, "organisation"),
                        f"unknown organisation {dg.organisation!r}",
                    )
                )
        for lang, texts in r.translations.items():
            if texts.agenda is not None and len(texts.agenda) != len(r.agenda):
                problems.append(
                    (
                        ("rounds", i, "translations", lang, "agenda"),
                        f"{len(texts.agenda)} items for the {len(r.agenda)} of the agenda",
                    )
                )
        for j, d in enumerate(r.decisions):
            if d.commitment and d.commitment not in commitments:
                problems.append(
                    (
                        ("rounds", i, "decisions", j, "commitment"),
                        f"unknown commitment {d.commitment!r}",
                    )
                )
    for i, c in enumerate(doc.commitments):
        for j, p in enumerate(c.parties):
            if p not in parties:
                problems.append((("commitments", i, "parties", j), f"{p!r} is not a party"))
        for j, ind in enumerate(c.indicators):
            for k, cat in enumerate(ind.categories):
                if cat not in categories:
                    problems.append(
                        (
                            ("commitments", i, "indicators", j, "categories", k),
                            f"unknown category {cat!r}",
                        )
                    )
        if c.introduced_by and c.introduced_by not in rounds:
            problems.append(
                (("commitments", i, "introduced_by"), f"unknown round {c.introduced_by!r}")
            )
    for i, category in enumerate(doc.categories):
        for j, cue in enumerate(category.cues):
            try:
                re.compile(cue)
            except re.error as exc:
                problems.append((("categories", i, "cues", j), f"not a regular expression: {exc}"))
    for i, place in enumerate(doc.places):
        if place.country is not None and place.country not in parties:
            problems.append((("places", i, "country"), f"{place.country!r} is not a party"))
        if place.sector is not None and place.sector not in sectors:
            problems.append((("places", i, "sector"), f"unknown sector {place.sector!r}"))
        if place.parent is not None and place.parent not in {p.slug for p in doc.places[:i]}:
            problems.append(
                (("places", i, "parent"), f"{place.parent!r} is not a place listed before it")
            )
    for i, a in enumerate(doc.actors):
        if a.organisation is not None and a.organisation not in orgs:
            problems.append(
                (("actors", i, "organisation"), f"unknown organisation {a.organisation!r}")
            )
    return problems


# libyaml's parser where PyYAML was built with it (its wheels are): ten times the pure-Python
# one's speed on the bundled scenario, which every test that needs the world loads.
_C: bool = yaml.__with_libyaml__


def _load(text: str) -> object:
    if _C:
        return yaml.load(text, Loader=yaml.CSafeLoader)
    return yaml.load(text, Loader=yaml.SafeLoader)


def _compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=yaml.CSafeLoader if _C else yaml.SafeLoader)


def parse_scenario(text: str, source: str = "scenario") -> ScenarioDocument:
    """Parse and validate a scenario file; raise ScenarioFileError naming each bad field."""
    try:
        data = _load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ScenarioFileError(source, [Problem("", line, f"not valid YAML: {exc}")]) from exc
    if not isinstance(data, dict):
        raise ScenarioFileError(source, [Problem("", 1, "the file must be a YAML mapping")])
    try:
        doc = ScenarioDocument.model_validate(data)
    except ValidationError as exc:
        root = _compose(text)
        problems = []
        for err in exc.errors():
            loc: Loc = tuple(err["loc"])
            problems.append(Problem(render_path(loc), _line_of(root, loc), err["msg"]))
        raise ScenarioFileError(source, problems) from exc
    refs = _cross_references(doc)
    if refs:
        root = _compose(text)
        raise ScenarioFileError(
            source, [Problem(render_path(loc), _line_of(root, loc), msg) for loc, msg in refs]
        )
    return doc
