"""What the extraction knows of the world, all from the scenario: places with their parents,
actors with aliases, categories with their cue phrases, rounds of talks. Built from the database
(``Lexicon.current()``) or from plain values in tests."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from truceline.osint.extract.text import alternation


@dataclass(frozen=True)
class PlaceEntry:
    slug: str
    name: str
    kind: str
    country: str | None  # party slug; None for a region spanning the border
    parent: str | None
    border_area: bool
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActorEntry:
    slug: str
    name: str
    kind: str  # official | spokesperson | armed-group | state-force | institution
    organisation: str | None  # party or mediator slug
    affiliation: str | None  # the institution (actor slug) a person speaks for
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoundEntry:
    slug: str
    venue: str
    starts: dt.date
    ends: dt.date
    order: int


@dataclass(frozen=True)
class Lexicon:
    places: dict[str, PlaceEntry]
    actors: dict[str, ActorEntry]
    cues: dict[str, tuple[str, ...]]  # category slug -> cue phrases
    parties: dict[str, str]  # party slug -> name
    rounds: tuple[RoundEntry, ...] = ()
    agreement_date: dt.date | None = None
    codes: dict[str, str] = field(default_factory=dict)  # party slug -> ISO country code
    # Each sentence is looked at by several rules: its matches are kept (bounded).
    _memo: dict[tuple[str, str], list[tuple[str, int, int]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def _remember(
        self, kind: str, text: str, found: list[tuple[str, int, int]]
    ) -> list[tuple[str, int, int]]:
        if len(self._memo) > 20_000:
            self._memo.clear()
        self._memo[(kind, text)] = found
        return found

    @classmethod
    def current(cls) -> Lexicon:
        """The loaded scenario's lexicon (read from the database each call)."""
        from truceline.scenario import models as sm

        places = {
            p.slug: PlaceEntry(
                p.slug,
                p.name,
                p.kind,
                p.country_id,
                p.parent_id,
                p.border_area,
                tuple(a["name"] for a in p.aliases if a.get("lang", "en") == "en"),
            )
            for p in sm.Place.objects.filter(retired=False)
        }
        raw = list(sm.Actor.objects.filter(retired=False))
        by_name = {}
        for a in raw:
            if a.kind in ("institution", "armed-group"):
                by_name[a.name.casefold()] = a.slug
                for alias in a.aliases:
                    by_name.setdefault(alias["name"].casefold(), a.slug)
        actors = {
            a.slug: ActorEntry(
                a.slug,
                a.name,
                a.kind,
                a.organisation_id,
                by_name.get(a.affiliation.casefold()) if a.affiliation else None,
                tuple(x["name"] for x in a.aliases if x.get("lang", "en") == "en"),
            )
            for a in raw
        }
        parties = dict(
            sm.Organisation.objects.filter(kind="party", retired=False).values_list("slug", "name")
        )
        rounds = tuple(
            RoundEntry(r.slug, r.venue.split(",")[0].strip(), r.starts, r.ends, i)
            for i, r in enumerate(sm.Round.objects.filter(retired=False).order_by("starts", "slug"))
        )
        scenario = sm.Scenario.objects.first()
        cues = {c.slug: tuple(c.cues) for c in sm.Category.objects.filter(retired=False) if c.cues}
        return cls(
            places=places,
            actors=actors,
            cues=cues,
            parties=parties,
            rounds=rounds,
            agreement_date=scenario.agreement_date if scenario else None,
            codes=dict(
                sm.Organisation.objects.filter(kind="party").values_list("slug", "country_code")
            ),
        )

    # Matching -------------------------------------------------------------------------

    @cached_property
    def place_pattern(self) -> tuple[re.Pattern[str], dict[str, str]]:
        names: dict[str, str] = {}
        for p in self.places.values():
            for spelling in (p.name, *p.aliases):
                names.setdefault(spelling.casefold(), p.slug)
        return re.compile(alternation(list(names)), re.I), names

    def find_places(self, text: str) -> list[tuple[str, int, int]]:
        """(place slug, start, end) for each place named in the text, in order."""
        known = self._memo.get(("place", text))
        if known is not None:
            return known
        pattern, names = self.place_pattern
        out = []
        for m in pattern.finditer(text):
            slug = names.get(re.sub(r"\s+", " ", m.group(0)).casefold())
            if slug is None:
                slug = names.get(_loose(names, m.group(0)) or "")
            if slug is not None:
                out.append((slug, m.start(), m.end()))
        return self._remember("place", text, out)

    @cached_property
    def actor_pattern(self) -> tuple[re.Pattern[str], dict[str, list[str]]]:
        names: dict[str, list[str]] = {}
        for a in self.actors.values():
            for spelling in (a.name, *a.aliases):
                slugs = names.setdefault(spelling.casefold(), [])
                if a.slug not in slugs:
                    slugs.append(a.slug)
        return re.compile(alternation(list(names)), re.I), names

    def find_actors(self, text: str) -> list[tuple[str, int, int]]:
        """(actor slug, start, end) for each actor named; a spelling several actors share (an
        army and its spokesman's office) yields each of them, for the caller to choose by kind."""
        known = self._memo.get(("actor", text))
        if known is not None:
            return known
        pattern, names = self.actor_pattern
        out: list[tuple[str, int, int]] = []
        for m in pattern.finditer(text):
            slugs = names.get(re.sub(r"\s+", " ", m.group(0)).casefold()) or names.get(
                _loose(names, m.group(0)) or "", []
            )
            out.extend((slug, m.start(), m.end()) for slug in slugs)
        return self._remember("actor", text, out)

    @cached_property
    def surnames(self) -> dict[str, str]:
        """Last names of people, when no other person shares them."""
        counts: dict[str, list[str]] = {}
        for a in self.actors.values():
            if a.kind in ("official", "spokesperson"):
                for spelling in (a.name, *a.aliases):
                    last = spelling.split()[-1]
                    if len(spelling.split()) > 1 and len(last) > 3:
                        counts.setdefault(last, [])
                        if a.slug not in counts[last]:
                            counts[last].append(a.slug)
        return {k: v[0] for k, v in counts.items() if len(v) == 1}

    def ancestors(self, slug: str) -> list[str]:
        chain, seen = [], set()
        current = self.places.get(slug)
        while current is not None and current.parent and current.parent not in seen:
            seen.add(current.parent)
            chain.append(current.parent)
            current = self.places.get(current.parent)
        return chain

    def related(self, a: str, b: str) -> bool:
        """The same place, or one contains the other."""
        return a == b or a in self.ancestors(b) or b in self.ancestors(a)

    def compatible(self, a: str, b: str) -> bool:
        """Could be where the same thing happened: related, or one is the border region and the
        other lies along the border."""
        if self.related(a, b):
            return True
        border = self.border_region()
        pa, pb = self.places.get(a), self.places.get(b)
        if border in (a, b) and pa and pb:
            return (pb if a == border else pa).border_area
        return False

    @cached_property
    def twins(self) -> set[frozenset[str]]:
        """Towns facing each other across one crossing (the crossing's parent and the town of
        the other country its name or an alias names)."""
        out = set()
        for p in self.places.values():
            if p.kind != "crossing" or not p.parent:
                continue
            for q in self.places.values():
                other_side = q.slug != p.parent and q.country != self.places[p.parent].country
                named = q.name.casefold() in p.name.casefold() or any(
                    q.name.casefold() in a.casefold() for a in p.aliases
                )
                if other_side and named:
                    out.add(frozenset((p.parent, q.slug)))
        return out

    def country_of(self, slug: str | None) -> str | None:
        place = self.places.get(slug or "")
        return place.country if place else None

    def border_region(self) -> str | None:
        for p in self.places.values():
            if p.kind == "region" and p.country is None and p.border_area:
                return p.slug
        return None

    def country_place(self, party: str) -> str | None:
        for p in self.places.values():
            if p.kind == "country" and p.country == party:
                return p.slug
        return None

    def state_force(self, party: str | None) -> str | None:
        for a in self.actors.values():
            if a.kind == "state-force" and a.organisation == party:
                return a.slug
        return None

    def other_party(self, party: str | None) -> str | None:
        others = [p for p in self.parties if p != party]
        return others[0] if party and len(others) == 1 else None


def _loose(names: dict[str, Any], found: str) -> str | None:
    """The key of ``names`` spelt like ``found`` but for spaces and hyphens."""
    key = re.sub(r"[\s-]+", "", found).casefold()
    for name in names:
        if re.sub(r"[\s-]+", "", name) == key:
            return name
    return None
