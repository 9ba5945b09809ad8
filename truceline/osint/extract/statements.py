"""Statements: who said it (a named person or an institution from the scenario's actors), when,
what kind of point it was, with the sentence as the quote."""

from __future__ import annotations

import datetime as dt
import re

from truceline.osint.extract.dates import find_dates
from truceline.osint.extract.engine import StatementOut
from truceline.osint.extract.lexicon import Lexicon
from truceline.osint.extract.text import Sentence

REPORTING = re.compile(
    r"\b(?:said|told|announced|declared|insisted|blamed|held\s+\w+\s+responsible|vowed|"
    r"denied|urged|claimed|warned|added|stated|accused|rejected|called\s+(?:on|for)|demanded|"
    r"condemned|confirmed|dismissed|posted|wrote|stressed|pledged|threatened|asserted|"
    r"maintained|alleged|described|termed|called|acknowledged|reiterated|affirmed|noted|"
    r"welcomed|expressed|appealed|asked|cautioned|reported|put\s+the\s+toll|"
    r"(?:in|at)\s+a\s+(?:statement|briefing|post|press\s+conference|news\s+conference|"
    r"message|interview)|according\s+to)\b",
    re.I,
)
UNNAMED = re.compile(
    r"\b(?:officials?|sources?|a\s+senior|authorities|mediators|spokes(?:man|person)\s+for)\b", re.I
)
HABITUAL = re.compile(
    r"\b(?:has\s+long|have\s+long|has\s+repeatedly|routinely|often|condolences?|condoled|"
    r"tributes?|thanked|mourned)\b",
    re.I,
)
# Between a speaker and the verb: nothing, an apposition in commas or brackets, a time.
SUBJECT_GAP = re.compile(
    r"^\s*(?:\([^)]*\)\s*)?(?:,[^,]{0,90},\s*)?(?:also\s+|has\s+|had\s+|later\s+|"
    r"(?:on|late\s+on|early\s+on)\s+\w+\s+|in\s+a\s+\w+\s+)?$",
    re.I,
)
KINDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "denial",
        re.compile(
            r"\b(?:den(?:y|ied|ies)|reject(?:ed|s)?|refut|dismiss(?:ed)?|baseless|false|lies\b|"
            r"misleading|propaganda|not\s+true|untrue|no\s+truth|alive)",
            re.I,
        ),
    ),
    (
        "accusation",
        re.compile(
            r"\b(?:accus|blam|held\s+\w+\s+responsible|condemn|violat|shelter|harbou?r|"
            r"aggression|provocat|backing|sponsor|proxy|proxies|started|support(?:ing)?\s+(?:the\s+)?"
            r"(?:TTP|terror))",
            re.I,
        ),
    ),
    (
        "demand",
        re.compile(
            r"\b(?:urg|call(?:ed|s)?\s+(?:on|for|upon)|demand|appeal|must\b|should\b|asked\b|"
            r"single\s+agenda|restraint|insist)",
            re.I,
        ),
    ),
    (
        "commitment",
        re.compile(
            r"\b(?:vow|pledg|commit|will\s+(?:respond|retaliate|continue|observe|abide|not)|"
            r"warn|threat|would\s+be\s+(?:met|answered)|open\s+war|agreed\s+to|remain\s+committed|"
            r"answer(?:ed)?\s+(?:with|in)|befitting|in\s+vain|defeat)",
            re.I,
        ),
    ),
    (
        "assessment",
        re.compile(
            r"\b(?:hope|concern|deadlock|fruitful|positive|normal|wake-up|described|termed|"
            r"believ|feared|welcom|constructive|stalemate|failed|no\s+(?:progress|breakthrough))",
            re.I,
        ),
    ),
]
SPEAKER_KINDS = ("official", "spokesperson", "institution", "armed-group")


def _kind(text: str) -> str:
    for kind, pattern in KINDS:
        if pattern.search(text):
            return kind
    return "announcement"


def _speaker(
    lex: Lexicon, s: Sentence, verb: re.Match[str], last_person: str | None
) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """(person, institution, span) saying the sentence's statement."""
    found = [
        (slug, a, b)
        for slug, a, b in lex.find_actors(s.text)
        if lex.actors[slug].kind in SPEAKER_KINDS
    ]
    # Surnames alone for people named earlier in the article are matched by the caller.
    for surname, slug in lex.surnames.items():
        for m in re.finditer(r"\b" + re.escape(surname) + r"\b", s.text):
            if not any(a <= m.start() < b for _, a, b in found):
                found.append((slug, m.start(), m.end()))

    def subject(f: tuple[str, int, int]) -> bool:
        """The speaker comes right before the verb, or right after it ("said Asif")."""
        if f[2] <= verb.start():
            return bool(SUBJECT_GAP.match(s.text[f[2] : verb.start()]))
        return 0 <= f[1] - verb.end() <= 3

    people = [f for f in found if lex.actors[f[0]].kind in ("official", "spokesperson")]
    speaking = [f for f in people if subject(f)]
    if speaking:
        best = min(speaking, key=lambda f: abs(f[1] - verb.start()))
        person = lex.actors[best[0]]
        return person.slug, person.affiliation, (best[1], best[2])
    institutions = [f for f in found if lex.actors[f[0]].kind in ("institution", "armed-group")]
    near = [f for f in institutions if subject(f)]
    if near:
        best = min(near, key=lambda f: abs(f[1] - verb.start()))
        return None, best[0], (best[1], best[2])
    if last_person and re.match(r"^\s*(?:He|She)\b", s.text[: verb.start()] or ""):
        return last_person, lex.actors[last_person].affiliation, None
    if last_person and re.search(r"\b(?:he|she)\s+(?:said|added|told|warned|stressed)\b", s.text):
        return last_person, lex.actors[last_person].affiliation, None
    return None, None, None


def statements(lex: Lexicon, published: dt.date, sents: list[Sentence]) -> list[StatementOut]:
    out: dict[tuple[str, str], StatementOut] = {}
    last_person: str | None = None
    last_key: tuple[str, str] | None = None
    for s in sents:
        verb = REPORTING.search(s.text)
        people_here = [
            slug
            for slug, _, _ in lex.find_actors(s.text)
            if lex.actors[slug].kind in ("official", "spokesperson")
        ]
        if verb is None or HABITUAL.search(s.text):
            if people_here:
                last_person = people_here[-1]
            continue
        person, org, span = _speaker(lex, s, verb, last_person)
        if people_here:
            last_person = people_here[-1]
        if org is None and person is None:
            continue
        if span is None and last_key is not None and last_key[0] == person:
            continue  # "..., he said": the same occasion as the statement before
        organisation = org or (lex.actors[person].affiliation if person else None)
        if organisation is None:
            continue
        kind = _kind(s.text)
        key = (person or organisation, kind)
        dates = [
            w
            for w in find_dates(s.text, published)
            if w.precision == "day" and 0 <= (published - w.date).days <= 7
        ]
        date = dates[0].date if dates else None
        spans = {"quote": [(s.start, s.end)]}
        if span:
            spans["speaker"] = [(s.start + span[0], s.start + span[1])]
        last_key = key
        if key in out:
            if out[key].date is None and date is not None:
                out[key].date = date
            continue
        out[key] = StatementOut(
            speaker=person,
            organisation=organisation,
            kind=kind,
            date=date,
            quote=s.text,
            spans=spans,
        )
    return list(out.values())
