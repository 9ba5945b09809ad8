"""The extraction rules. Every output value carries spans ``(start, end)`` into the article text
so that a monitor sees where it came from; nothing here decides anything about an incident."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from truceline.osint.extract.dates import When, find_dates
from truceline.osint.extract.lexicon import Lexicon
from truceline.osint.extract.numbers import figures
from truceline.osint.extract.text import Sentence, sentences

VERSION = "1"
BACKGROUND_DAYS = 60  # older incidents are background, not events

Span = tuple[int, int]


@dataclass
class EventOut:
    category: str
    date: dt.date
    precision: str
    place: str  # place slug
    actor: str  # actor slug, "civilians" or "unknown"
    target: str
    killed: tuple[int, int | None] | None = None
    injured: tuple[int, int | None] | None = None
    collective: bool = False
    spans: dict[str, list[Span]] = field(default_factory=dict)
    sentence: Span = (0, 0)


@dataclass
class StatementOut:
    speaker: str | None  # person (actor slug)
    organisation: str  # institution or armed group (actor slug)
    kind: str
    date: dt.date | None
    quote: str
    spans: dict[str, list[Span]] = field(default_factory=dict)


@dataclass
class TalksOut:
    round: str
    venue: str
    start: dt.date
    end: dt.date | None
    spans: dict[str, list[Span]] = field(default_factory=dict)


@dataclass
class CrossingOut:
    place: str  # crossing place slug, or "all"
    status: str
    scope: str
    date: dt.date | None
    spans: dict[str, list[Span]] = field(default_factory=dict)


@dataclass
class Extraction:
    events: list[EventOut]
    statements: list[StatementOut]
    talks: list[TalksOut]
    crossings: list[CrossingOut]
    version: str = VERSION

    @property
    def incident_free(self) -> bool:
        """Nothing that could be a violation: diplomacy, statements, refugee movement."""
        return not self.events


def _rx(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")", re.I)


CIVILIAN_SOURCE = re.compile(r"(?:according\s+to|told|quoting)\s+(?:local\s+)?$", re.I)
CIVILIAN = _rx(
    r"civilians?", r"residents?", r"villagers?", r"children", r"women", r"homes?\b", r"houses?\b",
    r"residential", r"students?", r"cadets?", r"court", r"market", r"mosque", r"school", r"famil",
    r"lawyers?", r"passers-by", r"worshippers",
)  # fmt: skip
TROOPS = _rx(
    r"soldiers?", r"troops", r"security\s+(?:forces|personnel)", r"posts?\b", r"checkpost",
    r"military", r"army", r"frontier\s+corps", r"officers?", r"policem[ae]n", r"police",
    r"convoy", r"personnel",
)  # fmt: skip
LOCATIVE = re.compile(
    r"(?:\b(?:in|at|near|on|across|along|into|inside|of|from|around|over|outside|toward|towards"
    r"|within|hit|struck|targeted|targeting|between)\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west|central|northern|southern|eastern|western|north-?western|"
    r"south-?western|north-?eastern|south-?eastern|capital|city\s+of|province\s+of)\s+)?$)",
    re.I,
)
PLACE_NOUN = re.compile(
    r"^\s*(?:'s\s+)?(?:district|province|region|border|crossing|sector|area|city|town|valley"
    r"|tribal|agency|frontier|gate)s?\b",
    re.I,
)
HYPOTHETICAL = _rx(
    r"would\b", r"could\b", r"threat", r"warn", r"if\b", r"plann", r"will\b",
    r"any\s+(?:further\s+)?(?:attack|aggression)", r"in\s+recent\s+(?:months|years)", r"surge",
    r"rise\s+in", r"for\s+years",
)  # fmt: skip


DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Z\s/,.-]{2,60}?)(?:,\s*\w+\.?\s*\d{1,2})?\s*(?:\(\w+\))?\s*[:\-–—]\s"
)


def _sentence_places(lex: Lexicon, s: Sentence) -> list[tuple[str, int, int]]:
    """Places the sentence locates something in: not metonyms ("Islamabad said", "Kabul's
    position") and not the dateline ("TORKHAM: ...", where the reporter filed from)."""
    out: list[tuple[str, int, int]] = []
    dateline = DATELINE.match(s.text) if s.index == 0 or s.start < 200 else None
    names = [(a, b) for _, a, b in lex.find_actors(s.text)]
    for slug, start, end in lex.find_places(s.text):
        if dateline and end <= dateline.end():
            continue
        if any(a <= start and end <= b and (a, b) != (start, end) for a, b in names):
            continue  # "Taliban in Pakistan" inside a group's name
        before, after = s.text[:start], s.text[end:]
        place = lex.places[slug]
        if re.search(r"\b(?:blamed\s+(?:\w+\s+){0,3}on|held)\s+$", before):
            continue  # the party blamed, not a place
        coordinated = bool(out) and re.fullmatch(
            r"\s*(?:,|and|,\s*and)\s*", s.text[out[-1][2] : start]
        )
        metonym = re.match(r"^['’]s\b", after) or not (
            LOCATIVE.search(before) or PLACE_NOUN.match(after)
        )
        if place.kind in ("city", "country") and not coordinated and metonym:
            continue
        if re.match(r"^\s*(?:-based|based)\b", after):
            continue
        out.append((slug, start, end))
    return out


def _depth(lex: Lexicon, slug: str) -> int:
    return len(lex.ancestors(slug))


NOT_THE_EVENT = re.compile(
    r"\b(?:said|says|told|announced|announcing|stated|statement|briefing|declared|confirmed|"
    r"ceasefire|truce|talks|round|negotiat\w*|agreement|agreed|reopen\w*|closed|closure|shut|"
    r"began|begun|resumed|met|meeting|frozen|remained|took\s+effect|formali[sz]ed|signed|"
    r"post(?:ed)?|reported|claimed|visit\w*|suspended|halted)\b",
    re.I,
)
VIOLENT = re.compile(
    r"\b(?:killed|killing|attack\w*|assault|clash\w*|fight\w*|strikes?|struck|fire|firing|"
    r"shelling|bomb\w*|blasts?|explosions?|raid\w*|ambush\w*|gunfight|martyred|wounded|"
    r"injured|infiltrat\w*|hit|night|overnight|evening|morning|dawn|violen\w*|hostilities)\b",
    re.I,
)
OVERNIGHT = re.compile(r"\bovernight\b|\bnight-long\b", re.I)


def _belongs_elsewhere(text: str, w: When) -> bool:
    """A date tied to a statement, talks or a closure, not to the violence in the sentence."""
    before = text[max(0, w.start - 28) : w.start]
    after = text[w.end : w.end + 30]
    if re.match(r"^,?\s+when\b", after) or re.match(
        r"^(?:['’]s)?\s+(?:\w+\s+)?" + VIOLENT.pattern, after, re.I
    ):
        return False  # "last week's violence", "Saturday night clashes"
    near_before = NOT_THE_EVENT.search(before)
    if near_before and not VIOLENT.search(before[near_before.end() :]):
        return True
    near_after = NOT_THE_EVENT.search(after)
    if near_after is None or VIOLENT.search(after[: near_after.start()]):
        return False
    # "on Monday, the military said" attributes the whole sentence; "on Thursday the UN
    # appealed" dates the appeal.
    return "," not in after[: near_after.start()]


def _event_date(
    dates: list[When], published: dt.date, text: str = "", cue: Span | None = None
) -> When | None:
    usable = [w for w in dates if w.precision in ("day", "week", "month") and w.date <= published]
    own = [w for w in usable if not _belongs_elsewhere(text, w)]
    if not own and usable and OVERNIGHT.search(text):
        said = next((w for w in usable if w.precision == "day"), None)
        if said is not None:  # "said on Sunday that ... an overnight assault": the evening before
            return When(said.date - dt.timedelta(days=1), "day", said.start, said.end, True)
    if not own:
        return None
    rank = {"day": 0, "week": 1, "month": 2}
    if cue is None:
        return min(own, key=lambda w: (rank[w.precision], w.start))
    # "the bombing that killed 12 on Tuesday": the relative clause dates the cue.
    for w in own:
        between = text[cue[1] : w.start]
        relative = re.search(r"\b(?:that|which)\b", between)
        if w.start > cue[1] and relative and not re.search(r"[.;]", between):
            return w
    return min(
        own, key=lambda w: (min(abs(w.start - cue[1]), abs(cue[0] - w.end)), rank[w.precision])
    )


def _is_background(dates: list[When], published: dt.date) -> bool:
    return any(w.precision == "year" and w.date.year < published.year for w in dates)


def _categories(lex: Lexicon, text: str) -> list[tuple[str, int, int]]:
    found = []
    for slug, cues in lex.cues.items():
        pattern = _cue_pattern(cues)
        m = pattern.search(text)
        if m:
            found.append((slug, m.start(), m.end()))
    return found


_cue_cache: dict[tuple[str, ...], re.Pattern[str]] = {}


def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    pattern = _cue_cache.get(cues)
    if pattern is None:
        pattern = re.compile(r"\b(?:" + "|".join(cues) + r")", re.I)
        _cue_cache[cues] = pattern
    return pattern


# Which category wins when one sentence cues several (an exchange of fire is not shelling).
PRECEDENCE = (
    "cross-border-fire",
    "air-or-drone-strike",
    "infiltration",
    "militant-attack",
    "ground-incursion",
    "shelling",
    "airspace-violation",
    "abduction-or-detention",
)


def _actors_in(lex: Lexicon, text: str, kinds: tuple[str, ...]) -> list[tuple[str, int, int]]:
    return [(a, s, e) for a, s, e in lex.find_actors(text) if lex.actors[a].kind in kinds]


def _roles(
    lex: Lexicon, category: str, text: str, place: str | None, context: str = ""
) -> tuple[str, str, list[Span], list[Span]]:
    """Actor and target of an event, with the spans they were read from; the sentence before
    (``context``) names them when this one does not."""
    forces = _actors_in(lex, text, ("state-force",))
    groups = _actors_in(lex, text, ("armed-group",))
    if not groups and context:
        groups = [(a, 0, 0) for a, _, _ in _actors_in(lex, context, ("armed-group",))]
    country = lex.country_of(place)
    civ = next(
        (
            m
            for m in CIVILIAN.finditer(text)
            if not CIVILIAN_SOURCE.search(text[: m.start()])
            and not re.match(r"^\w*\s+(?:said|say|reported|told)", text[m.start() :])
        ),
        None,
    )
    troops = TROOPS.search(text)
    a_span: list[Span] = []
    t_span: list[Span] = []
    if category == "cross-border-fire":
        sides = [p for p in lex.parties]
        if forces:
            first = lex.actors[forces[0][0]].organisation
            a_span = [(forces[0][1], forces[0][2])]
            if first is not None:
                sides = [first] + [p for p in sides if p != first]
        if len(sides) < 2:
            return "unknown", "unknown", a_span, t_span
        actor = lex.state_force(sides[0]) or "unknown"
        target = lex.state_force(sides[1]) if len(sides) > 1 else None
        return actor, target or "unknown", a_span, t_span
    if category in ("air-or-drone-strike", "shelling", "airspace-violation", "ground-incursion"):
        attacker_party = lex.other_party(country) if country else None
        if attacker_party is None and forces:
            attacker_party = lex.actors[forces[0][0]].organisation
            a_span = [(forces[0][1], forces[0][2])]
        actor = lex.state_force(attacker_party) or "unknown"
        aimed = re.search(
            r"\b(?:target\w*|aimed\s+at|gone\s+after|went\s+after|hideouts?|chief|leader|emir)\b",
            text,
            re.I,
        )
        if groups and aimed:
            target = groups[0][0]
            t_span = [(groups[0][1], groups[0][2])] if groups[0][2] else []
        elif civ:
            target = "civilians"
            t_span = [civ.span()]
        elif groups:
            target = groups[0][0]
            t_span = [(groups[0][1], groups[0][2])] if groups[0][2] else []
        elif category != "air-or-drone-strike" and troops and country:
            target = lex.state_force(country) or "unknown"
            t_span = [troops.span()]
        else:
            target = "unknown"
        return actor, target, a_span, t_span
    # Militant attacks, infiltration, abductions: the armed group named, against whom it hit.
    actor = groups[0][0] if groups else "unknown"
    a_span = [(groups[0][1], groups[0][2])] if groups and groups[0][2] else []
    if civ and category != "infiltration":
        target, t_span = "civilians", [civ.span()]
    elif troops or category == "infiltration":
        target = lex.state_force(country) if country else None
        if target is None and forces:
            target = forces[0][0]
        target = target or "unknown"
        t_span = [troops.span()] if troops else []
    else:
        target = "unknown"
    return actor, target, a_span, t_span


def _events(lex: Lexicon, text: str, published: dt.date, sents: list[Sentence]) -> list[EventOut]:
    mentions: list[EventOut] = []
    collective: list[EventOut] = []
    previous: dict[int, tuple[When | None, list[tuple[str, int, int]]]] = {}
    produced: set[int] = set()  # sentences that gave an event mention
    sents_by_start = {x.start: x for x in sents}
    article_groups = [a for a, _, _ in _actors_in(lex, text, ("armed-group",))]
    main_group = max(set(article_groups), key=article_groups.count) if article_groups else None
    for s in sents:
        dates = find_dates(s.text, published)
        places = _sentence_places(lex, s)
        previous[s.index] = (_event_date(dates, published, s.text), places)
        cats = _categories(lex, s.text)
        blamed = _blamed_explosion(lex, s, sents)
        if blamed is not None:
            cats.append(blamed)
        if not cats:
            recent = [m for m in mentions if sents_by_start[m.sentence[0]].paragraph == s.paragraph]
            if recent:
                _elaborate(lex, recent, s, places)
            if s.index - 1 in produced and mentions and figures(s.text):
                # still telling of the same event: carry its day on
                last = mentions[-1]
                produced.add(s.index)
                if previous[s.index][0] is None:
                    previous[s.index] = (
                        When(last.date, last.precision, 0, 0, True),
                        previous[s.index][1],
                    )
            continue
        if HYPOTHETICAL.search(s.text) and not ACTUAL.search(s.text):
            continue
        same_paragraph = s.index > 0 and sents[s.index - 1].paragraph == s.paragraph
        context = sents[s.index - 1].text if same_paragraph else ""
        cats = [(c2, a, b) for c, a, b in cats if (c2 := _reclassify(lex, c, s.text, context))]
        if not cats:
            continue
        cats.sort(key=lambda c: PRECEDENCE.index(c[0]) if c[0] in PRECEDENCE else 99)
        when = _event_date(dates, published, s.text, (cats[0][1], cats[0][2]))
        if _is_background(dates, published) and (when is None or when.relative):
            continue
        inherited = False
        if when is None and s.index + 1 < len(sents):
            # The lead names the event, the next sentence its day ("...were spotted on October 24").
            following = sents[s.index + 1]
            if not _categories(lex, following.text):
                ahead = _event_date(
                    find_dates(following.text, published), published, following.text
                )
                if ahead is not None and ahead.precision == "day":
                    when, inherited = ahead, True
        if when is None and s.index > 0 and (same_paragraph or s.index - 1 in produced):
            prev_when = previous[s.index - 1][0]
            if prev_when is not None:
                when, inherited = prev_when, True
        place_list = places
        if not place_list and same_paragraph:
            place_list = previous[s.index - 1][1]
        chosen = [cats[0]]
        for extra in cats[1:]:
            if extra[0] == "air-or-drone-strike" and chosen[0][0] == "cross-border-fire":
                chosen.append(extra)
        for category, cs, ce in chosen:
            if category == "cross-border-fire" and (when is None or when.precision == "month"):
                if COLLECTIVE.search(s.text) and not NOT_A_REFERENCE.search(s.text):
                    collective.append(_collective(lex, s, when, published))
                continue
            if when is None:
                continue
            combined = bool(figures(s.text))
            picked = _pick_places(lex, category, place_list, combined)
            previous_mention = mentions[-1] if mentions else None
            if (
                inherited
                and previous_mention is not None
                and s.index - 1 in produced
                and (
                    not places or all(lex.compatible(previous_mention.place, p) for p, _ in picked)
                )
            ):
                _absorb(
                    lex,
                    previous_mention,
                    _mention(
                        lex,
                        s,
                        previous_mention.category,
                        (cs, ce),
                        when,
                        previous_mention.place,
                        context,
                    ),
                )
                produced.add(s.index)
                continue
            for place, pspan in picked:
                event = _mention(lex, s, category, (cs, ce), when, place, context)
                if event.actor == "unknown" and category == "infiltration" and main_group:
                    event.actor = main_group  # militants crossing: the group the article is about
                if not inherited:
                    event.spans["date"] = [(s.start + when.start, s.start + when.end)]
                if pspan is not None and place_list is places:
                    event.spans["place"] = [(s.start + pspan[0], s.start + pspan[1])]
                mentions.append(event)
                produced.add(s.index)
                if inherited:
                    previous[s.index] = (when, previous[s.index][1] or place_list)
    events = _merge(lex, [m for m in mentions if (published - m.date).days <= BACKGROUND_DAYS])
    events += _collective_event(lex, events, collective, published)
    return events


# Fighting referred to as a whole, as having happened; not prevention or general trends.
COLLECTIVE = re.compile(
    r"\b(?:deadl\w*|fierce|worst|intense|heavy|bloody|week\s+of|days\s+of|several\s+days|"
    r"last\s+month|this\s+month|earlier\s+this\s+month|erupted|killed|flare\w*|broke\s+out|"
    r"preceded|followed|after|in\s+(?:early\s+|mid-?)?(?:January|February|March|April|May|June|"
    r"July|August|September|October|November|December))\b",
    re.I,
)
NOT_A_REFERENCE = re.compile(
    r"\b(?:prevent|avoid|stop|end|halt|renewed|new|further|fresh|no|any)\s+(?:\w+\s+)?"
    r"(?:fighting|clashes|hostilities|attacks)\b|\b(?:have|has)\s+been\s+strained\b",
    re.I,
)
ACTUAL = re.compile(
    r"\b(?:killed|wounded|injured|martyred|died|hit|struck|carried\s+out|launched|attacked|"
    r"opened\s+fire|exchanged|traded|repulsed|repelled|beat\s+back)\b",
    re.I,
)


def _parties_named(lex: Lexicon, text: str) -> set[str]:
    """Parties a sentence names, by their forces or by their names' stems (Pakistan/Pakistani,
    Afghanistan/Afghan)."""
    named = {
        lex.actors[a].organisation
        for a, _, _ in _actors_in(lex, text, ("state-force",))
        if lex.actors[a].organisation
    }
    for slug, name in lex.parties.items():
        if re.search(r"\b" + re.escape(name[:5]), text, re.I):
            named.add(slug)
    return {p for p in named if p}


BORDER_WORDS = re.compile(r"\b(?:border|frontier|cross-border|Durand)\b", re.I)


EXPLOSION = re.compile(r"\b(?:explosions?|blasts?)\b", re.I)


def _blamed_explosion(
    lex: Lexicon, s: Sentence, sents: list[Sentence]
) -> tuple[str, int, int] | None:
    """Explosions that one party blames on the other party ("the Taliban government blamed
    those blasts on Pakistan") are reported as that party's strike."""
    if "air-or-drone-strike" not in lex.cues:
        return None
    m = EXPLOSION.search(s.text)
    if m is None:
        return None
    window = s.text + " " + (sents[s.index + 1].text if s.index + 1 < len(sents) else "")
    names = "|".join(re.escape(n) for n in lex.parties.values())
    if re.search(
        r"\bblamed\s+(?:\w+\s+){0,3}on\s+(?:"
        + names
        + r")\b|\bheld\s+(?:"
        + names
        + r")\s+responsible\b",
        window,
    ):
        return ("air-or-drone-strike", m.start(), m.end())
    return None


def _elaborate(
    lex: Lexicon, recent: list[EventOut], s: Sentence, places: list[tuple[str, int, int]]
) -> None:
    """A later sentence of the paragraph that gives a toll in a place inside an event's place
    ("...more than a dozen civilians were killed in Kandahar's Spin Boldak district") refines it."""
    figs = figures(s.text)
    if not figs:
        return
    for event in reversed(recent):
        inside = [p for p in places if event.place in lex.ancestors(p[0])]
        if inside:
            break
    else:
        return
    slug, a, b = inside[0]
    event.place = slug
    event.spans.setdefault("place", []).append((s.start + a, s.start + b))
    if event.target == "unknown" and CIVILIAN.search(s.text):
        event.target = "civilians"
    for kind in ("killed", "injured"):
        if kind in figs and getattr(event, kind) is None:
            setattr(event, kind, figs[kind][:2])
            event.spans.setdefault(kind, []).append(
                (s.start + figs[kind][2], s.start + figs[kind][3])
            )


def _reclassify(lex: Lexicon, category: str, text: str, context: str) -> str | None:
    """Tie-breakers (docs/osint.md): fire exchanged with an armed group, not the other state's
    forces, is a militant attack (a gunfight in a raid); an assault by one state's forces on the
    other's posts is cross-border fire. None when the cue does not describe violence between
    anyone the sentence or the one before it names."""
    if category == "militant-attack":
        forces = {lex.actors[a].organisation for a, _, _ in _actors_in(lex, text, ("state-force",))}
        if len(forces) >= 2 and BORDER_WORDS.search(text):
            return "cross-border-fire"
        return category
    if category != "cross-border-fire":
        return category
    groups = _actors_in(lex, text, ("armed-group",)) or _actors_in(lex, context, ("armed-group",))
    parties = _parties_named(lex, text)
    if len(parties) >= 2 or (parties and BORDER_WORDS.search(text)):
        return category
    if BORDER_WORDS.search(text) and not groups:
        return category
    if groups or re.search(r"\b(?:insurgents|militants|terrorists)\b", text + context, re.I):
        return "militant-attack"
    return None


def _mention(
    lex: Lexicon,
    s: Sentence,
    category: str,
    cue: Span,
    when: When,
    place: str,
    context: str,
) -> EventOut:
    actor, target, a_span, t_span = _roles(lex, category, s.text, place, context)
    off = s.start
    spans: dict[str, list[Span]] = {"category": [(off + cue[0], off + cue[1])]}
    if a_span:
        spans["actor"] = [(off + a, off + b) for a, b in a_span]
    if t_span:
        spans["target"] = [(off + a, off + b) for a, b in t_span]
    event = EventOut(
        category=category,
        date=when.date,
        precision=when.precision,
        place=place,
        actor=actor,
        target=target,
        spans=spans,
        sentence=(s.start, s.end),
    )
    figs = figures(s.text)
    for kind in ("killed", "injured"):
        if kind in figs:
            low, high, a, b = figs[kind]
            setattr(event, kind, (low, high))
            spans[kind] = [(off + a, off + b)]
    return event


def _pick_places(
    lex: Lexicon, category: str, places: list[tuple[str, int, int]], combined: bool = False
) -> list[tuple[str, Span | None]]:
    """Where the event happened: the most specific place named; places in one country that do
    not contain each other are one place each for strikes, or else their smallest common
    container; fighting across the border or named only by country is at the border region."""
    border = lex.border_region()
    if not places:
        return [(border, None)] if category == "cross-border-fire" and border else []
    distinct: dict[str, tuple[int, int]] = {}
    for slug, a, b in places:
        distinct.setdefault(slug, (a, b))
    # Drop a place when a more specific one inside it is also named.
    leaves = [p for p in distinct if not any(p in lex.ancestors(q) for q in distinct if q != p)]
    if len(leaves) > 1 and any(lex.places[p].kind != "country" for p in leaves):
        leaves = [p for p in leaves if lex.places[p].kind != "country"]  # "... from Afghanistan"
    if category == "air-or-drone-strike" and len({lex.places[p].country for p in leaves}) > 1:
        first = min(leaves, key=lambda p: distinct[p][0])
        leaves = [p for p in leaves if lex.places[p].country == lex.places[first].country]
    if category == "cross-border-fire":
        kinds = [lex.places[p].kind for p in leaves]
        countries = {lex.places[p].country for p in leaves}
        if all(k in ("country", "province") for k in kinds) or len(leaves) > 2:
            return [(border, None)] if border else []
        if len(countries) > 1 and len(leaves) == 2:
            first = min(leaves, key=lambda p: distinct[p][0])
            return [(first, distinct[first])]
    if len(leaves) == 1:
        return [(leaves[0], distinct[leaves[0]])]
    if category == "air-or-drone-strike" and not combined:
        return [(p, distinct[p]) for p in leaves]
    common = _common_ancestor(lex, leaves)
    if common is not None:
        return [(common, None)]
    first = min(leaves, key=lambda p: distinct[p][0])
    return [(first, distinct[first])]


def _common_ancestor(lex: Lexicon, slugs: list[str]) -> str | None:
    chains = [[s, *lex.ancestors(s)] for s in slugs]
    for candidate in chains[0]:
        if all(candidate in chain for chain in chains[1:]):
            return candidate
    return None


def _collective(lex: Lexicon, s: Sentence, when: When | None, published: dt.date) -> EventOut:
    actor, target, _, _ = _roles(lex, "cross-border-fire", s.text, None)
    figs = figures(s.text)
    event = EventOut(
        category="cross-border-fire",
        date=when.date if when else published,
        precision="month",
        place=lex.border_region() or "",
        actor=actor,
        target=target,
        collective=True,
        spans={"category": [(s.start, s.end)]},
        sentence=(s.start, s.end),
    )
    for kind in ("killed", "injured"):
        if kind in figs:
            setattr(event, kind, figs[kind][:2])
    return event


def _collective_event(
    lex: Lexicon, events: list[EventOut], refs: list[EventOut], published: dt.date
) -> list[EventOut]:
    """Fighting referred to as a whole ("last month's clashes") is one event in the month of the
    fighting the agreement ended, unless the article already reports a dated clash of it."""
    if not refs:
        return []
    agreement = lex.agreement_date
    month = (agreement or published).replace(day=1)
    if agreement and published < agreement:
        month = published.replace(day=1)
    if any(
        e.category == "cross-border-fire"
        and e.precision == "day"
        and e.date.replace(day=1) == month
        and (agreement is None or e.date <= agreement)
        for e in events
    ):
        return []
    if (published - month).days > BACKGROUND_DAYS + 31:
        return []
    ref = refs[0]
    ref.date = month
    ref.precision = "month"
    return [ref]


def _merge(lex: Lexicon, mentions: list[EventOut]) -> list[EventOut]:
    """One incident, one event: same category, compatible date and place."""
    out: list[EventOut] = []
    for m in mentions:
        for e in out:
            if e.category != m.category or not _same_time(e, m):
                continue
            if not lex.compatible(e.place, m.place):
                continue
            _absorb(lex, e, m)
            break
        else:
            out.append(m)
    return out


def _same_time(a: EventOut, b: EventOut) -> bool:
    if a.precision == "day" and b.precision == "day":
        return abs((a.date - b.date).days) <= 1
    if "month" in (a.precision, b.precision):
        return (a.date.year, a.date.month) == (b.date.year, b.date.month)
    return abs((a.date - b.date).days) <= 7


def _absorb(lex: Lexicon, e: EventOut, m: EventOut) -> None:
    rank = {"day": 0, "week": 1, "month": 2}
    if rank[m.precision] < rank[e.precision]:
        e.date, e.precision = m.date, m.precision
    if _depth(lex, m.place) > _depth(lex, e.place) and m.place != lex.border_region():
        e.place = m.place
    if e.actor == "unknown" and m.actor != "unknown":
        e.actor = m.actor
    if e.target == "unknown" and m.target != "unknown":
        e.target = m.target
    for kind in ("killed", "injured"):
        if getattr(e, kind) is None and getattr(m, kind) is not None:
            setattr(e, kind, getattr(m, kind))
    for key, spans in m.spans.items():
        e.spans.setdefault(key, []).extend(spans)


def extract(lex: Lexicon, text: str, published: dt.date) -> Extraction:
    from truceline.osint.extract.mentions import crossings, talks
    from truceline.osint.extract.statements import statements

    sents = sentences(text)
    return Extraction(
        events=_events(lex, text, published, sents),
        statements=statements(lex, published, sents),
        talks=talks(lex, published, sents),
        crossings=crossings(lex, published, sents),
    )
