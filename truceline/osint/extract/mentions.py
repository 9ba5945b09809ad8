"""Rounds of talks and crossing status changes mentioned in the text."""

from __future__ import annotations

import datetime as dt
import re

from truceline.osint.extract.dates import find_dates
from truceline.osint.extract.engine import CrossingOut, TalksOut
from truceline.osint.extract.lexicon import Lexicon, RoundEntry
from truceline.osint.extract.text import Sentence

TALKS = re.compile(
    r"\b(?:talks|round|negotiat|mediat|dialogue|meeting|ceasefire\s+(?:was\s+)?(?:agreed|brokered"
    r"|signed|reached|deal|agreement)|agreed\s+(?:to\s+)?(?:a\s+|an\s+)?(?:immediate\s+)?ceasefire"
    r"|delegations?|brokered|hosted|parleys?)",
    re.I,
)
ORDINAL = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4}


def talks(lex: Lexicon, published: dt.date, sents: list[Sentence]) -> list[TalksOut]:
    if not lex.rounds:
        return []
    venues = {r.venue for r in lex.rounds}
    venue_rx = re.compile(r"\b(" + "|".join(re.escape(v) for v in venues) + r")\b")
    out: dict[str, TalksOut] = {}
    for s in sents:
        if not TALKS.search(s.text):
            continue
        for m in venue_rx.finditer(s.text):
            venue = m.group(1)
            chosen = _round(lex, venue, s.text, published)
            if chosen is None or chosen.slug in out:
                continue
            ongoing = chosen.ends >= published and chosen.starts <= published
            end = None if (ongoing or chosen.starts > published) else chosen.ends
            out[chosen.slug] = TalksOut(
                chosen.slug,
                venue,
                chosen.starts,
                end,
                {"venue": [(s.start + m.start(), s.start + m.end())]},
            )
    return list(out.values())


def _round(lex: Lexicon, venue: str, text: str, published: dt.date) -> RoundEntry | None:
    at_venue = [r for r in lex.rounds if r.venue == venue]
    if not at_venue:
        return None
    ordinal = re.search(r"\b(" + "|".join(ORDINAL) + r")\s+round\b", text, re.I)
    if ordinal:
        n = ORDINAL[ordinal.group(1).lower()]
        by_order = [r for r in lex.rounds if r.order == n and r.venue == venue]
        if by_order:
            return by_order[0]
    for w in find_dates(text, published):
        if w.precision == "day":
            for r in at_venue:
                if r.starts - dt.timedelta(days=1) <= w.date <= r.ends + dt.timedelta(days=1):
                    return r
    started = [r for r in at_venue if r.starts <= published + dt.timedelta(days=1)]
    if started:
        return max(started, key=lambda r: r.starts)
    return min(at_venue, key=lambda r: r.starts)


CLOSED = re.compile(
    r"\b(?:clos(?:ed|ure|ing)|shut|sealed|suspend(?:ed)?|halt(?:ed)?|remain(?:s|ed)?\s+closed|standstill|blocked)\b",
    re.I,
)
OPENED = re.compile(r"\b(?:re-?open(?:ed|ing)?|opened|resum(?:ed|ption))\b", re.I)
PARTIAL = re.compile(
    r"\b(?:partial(?:ly)?|only\s+for|limited|for\s+(?:returning|refugees|pedestrians)|briefly|for\s+[\d.]+\s+hours)\b",
    re.I,
)
SCOPES = [
    (
        "refugees",
        re.compile(
            r"\b(?:refugees?|returnees?|deport|repatriat|returning\s+Afghans|Afghans?\s+returning|expelled|undocumented)",
            re.I,
        ),
    ),
    (
        "trade",
        re.compile(
            r"\b(?:trade|goods|trucks?|containers?|transit|cargo|commerc|exports?|imports?)", re.I
        ),
    ),
    (
        "travellers",
        re.compile(r"\b(?:pedestrians?|travell?ers?|passengers?|people\s+crossing)", re.I),
    ),
]
GENERIC = re.compile(
    r"\b(?:border\s+crossings?|crossings|crossing\s+points|the\s+border|trade\s+routes?|border\s+points)\b",
    re.I,
)


def crossings(lex: Lexicon, published: dt.date, sents: list[Sentence]) -> list[CrossingOut]:
    crossing_places = {s for s, p in lex.places.items() if p.kind == "crossing"}
    # A town that hosts a crossing names it ("Chaman stayed closed").
    host = {p.parent: s for s, p in lex.places.items() if p.kind == "crossing" and p.parent}
    out: dict[tuple[str, str, str], CrossingOut] = {}
    for s in sents:
        closed, opened = CLOSED.search(s.text), OPENED.search(s.text)
        if not closed and not opened:
            continue
        named = []
        for slug, a, b in lex.find_places(s.text):
            if slug in crossing_places:
                named.append((slug, a, b))
            elif slug in host:
                named.append((host[slug], a, b))
        generic = GENERIC.search(s.text)
        if not named and not generic:
            continue
        cue: re.Match[str] | None
        if opened and (PARTIAL.search(s.text) or (closed and opened)):
            status, cue = "restricted", opened
        elif opened and (not closed or opened.start() < closed.start()):
            status, cue = "open", opened
        else:
            status, cue = "closed", closed
        if cue is None:
            continue
        scope = "all"
        for name, pattern in SCOPES:
            if pattern.search(s.text):
                scope = name
                break
        if status == "closed" and scope == "refugees":
            scope = (
                "all"
                if not re.search(r"\breturns?\b.{0,30}\b(?:halt|suspend)", s.text, re.I)
                else scope
            )
        when = [w for w in find_dates(s.text, published) if w.precision == "day"]
        date = when[0].date if when else None
        places = list(dict.fromkeys(n[0] for n in named)) or ["all"]
        for place in places:
            key = (place, status, scope)
            if key in out:
                continue
            spans = {"status": [(s.start + cue.start(), s.start + cue.end())]}
            spot = next((n for n in named if n[0] == place), None)
            if spot:
                spans["place"] = [(s.start + spot[1], s.start + spot[2])]
            out[key] = CrossingOut(place, status, scope, date, spans)
    return list(out.values())
