"""Scores extraction against a labelled set in the format of ``shared/data/news`` (its README,
section 7): one-to-one matching within an article, best pairs first; precision = matched /
predicted, recall = matched / gold, micro-averaged over the articles."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from truceline.osint.extract import Extraction, Lexicon, extract

FIELDS = (
    "events",
    "event_dates",
    "event_places",
    "event_casualties",
    "statements",
    "statement_speakers",
    "statement_organisations",
    "talks",
    "crossings",
)
# The floors issue 8 sets; `eval-extraction --gate` fails below them.
GATES: dict[str, tuple[float, float]] = {
    "events": (0.8, 0.7),
    "event_dates": (0.8, 0.7),
    "event_places": (0.8, 0.7),
    "statement_speakers": (0.8, 0.0),
}


@dataclass
class Tally:
    matched: int = 0
    predicted: int = 0
    gold: int = 0

    def as_dict(self) -> dict[str, Any]:
        p = self.matched / self.predicted if self.predicted else 0.0
        r = self.matched / self.gold if self.gold else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "matched": self.matched,
            "predicted": self.predicted,
            "gold": self.gold,
        }


@dataclass
class Article:
    id: str
    url: str
    title: str
    published: dt.date
    text: str


def read_article(path: Path) -> Article:
    """The set's file format: URL, title, publication date, a blank line, then the text."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if len(lines) < 5:
        raise ValueError(f"{path.name}: expected URL, title, date, a blank line and the text")
    try:
        published = dt.date.fromisoformat(lines[2].strip())
    except ValueError as exc:
        raise ValueError(f"{path.name}: line 3 is not a YYYY-MM-DD date") from exc
    return Article(path.stem, lines[0].strip(), lines[1].strip(), published, "\n".join(lines[4:]))


@dataclass
class Names:
    """Resolves the labels' names to the scenario's slugs (through names and aliases)."""

    lex: Lexicon
    places: dict[str, str] = field(default_factory=dict)
    actors: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Names first, then aliases: an alias never hides another entry's own name.
        for p in self.lex.places.values():
            self.places.setdefault(_key(p.name), p.slug)
        for p in self.lex.places.values():
            for n in p.aliases:
                self.places.setdefault(_key(n), p.slug)
        for a in self.lex.actors.values():
            self.actors.setdefault(_key(a.name), a.slug)
        for a in self.lex.actors.values():
            for n in a.aliases:
                self.actors.setdefault(_key(n), a.slug)

    def place(self, name: str | None) -> str | None:
        return self.places.get(_key(name or ""), name)

    def actor(self, name: str | None) -> str | None:
        if name in (None, "unknown", "civilians"):
            return name
        return self.actors.get(_key(name or ""), name)


def _key(name: str) -> str:
    return re.sub(r"[\s\-–]+", " ", name).strip().casefold()


def _greedy(
    predicted: list[Any], gold: list[Any], score: Callable[[Any, Any], float | None]
) -> int:
    pairs = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            s = score(p, g)
            if s is not None:
                pairs.append((s, i, j))
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    used_p: set[int] = set()
    used_g: set[int] = set()
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
    return len(used_p)


def _dates_ok(pred: dt.date, gold: dt.date, precision: str) -> bool:
    if precision == "day":
        return abs((pred - gold).days) <= 1
    if precision == "week":
        monday = gold - dt.timedelta(days=gold.weekday())
        return monday - dt.timedelta(days=1) <= pred <= monday + dt.timedelta(days=7)
    return (pred.year, pred.month) == (gold.year, gold.month)


def _places_ok(lex: Lexicon, a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    return lex.compatible(a, b) or frozenset((a, b)) in lex.twins


def _actors_ok(category: str, pa: str, pt: str, ga: str | None, gt: str | None) -> bool:
    def same(p: str, g: str | None) -> bool:
        return g == "unknown" or p == g

    if category == "cross-border-fire":
        return (same(pa, ga) and same(pt, gt)) or (same(pa, gt) and same(pt, ga))
    return same(pa, ga) and same(pt, gt)


def _overlap(p: tuple[int, int | None] | None, g: list[int | None] | None) -> bool:
    if g is None:
        return True
    if p is None:
        return False
    inf = 10**9
    return p[0] <= (g[1] if g[1] is not None else inf) and g[0] <= (  # type: ignore[operator]
        p[1] if p[1] is not None else inf
    )


def score(
    lex: Lexicon, articles: Iterable[tuple[Article, dict[str, Any], Extraction]]
) -> dict[str, dict[str, Any]]:
    names = Names(lex)
    tallies = {f: Tally() for f in FIELDS}
    codes = lex.codes
    for _article, labels, ex in articles:
        gold_events = [
            {
                **e,
                "date": dt.date.fromisoformat(e["date"]),
                "place": names.place(e["place"]),
                "actor": names.actor(e["actor"]),
                "target": names.actor(e["target"]),
            }
            for e in labels.get("events", [])
        ]
        preds = ex.events

        def base(p: Any, g: dict[str, Any]) -> bool:
            return bool(p.category == g["category"])

        def country_ok(p: Any, g: dict[str, Any]) -> bool:
            if g.get("country") is None:
                return True
            return codes.get(lex.country_of(p.place) or "", "") == g["country"]

        def event_score(p: Any, g: dict[str, Any]) -> float | None:
            if not (
                base(p, g)
                and _dates_ok(p.date, g["date"], g["date_precision"])
                and _places_ok(lex, p.place, g["place"])
                and _actors_ok(p.category, p.actor, p.target, g["actor"], g["target"])
                and country_ok(p, g)
            ):
                return None
            return 10 - abs((p.date - g["date"]).days) / 31

        def date_score(p: Any, g: dict[str, Any]) -> float | None:
            if base(p, g) and _dates_ok(p.date, g["date"], g["date_precision"]):
                return 10 - abs((p.date - g["date"]).days) / 31
            return None

        def place_score(p: Any, g: dict[str, Any]) -> float | None:
            if base(p, g) and _places_ok(lex, p.place, g["place"]):
                return 10 - abs((p.date - g["date"]).days) / 31
            return None

        def casualty_score(p: Any, g: dict[str, Any]) -> float | None:
            if event_score(p, g) is None:
                return None
            if _overlap(p.killed, g.get("killed")) and _overlap(p.injured, g.get("injured")):
                return 1.0
            return None

        for name, fn in (
            ("events", event_score),
            ("event_dates", date_score),
            ("event_places", place_score),
            ("event_casualties", casualty_score),
        ):
            t = tallies[name]
            t.matched += _greedy(preds, gold_events, fn)
            t.predicted += len(preds)
            t.gold += len(gold_events)

        gold_st = [
            {
                **s,
                "speaker": names.actor(s["speaker"]) if s.get("speaker") else None,
                "organisation": names.actor(s["organisation"]),
                "date": dt.date.fromisoformat(s["date"]) if s.get("date") else None,
            }
            for s in labels.get("statements", [])
        ]

        def speaker_ok(p: Any, g: dict[str, Any]) -> bool:
            if g["speaker"] is None:
                return bool(p.speaker is None and p.organisation == g["organisation"])
            return bool(p.speaker == g["speaker"])

        def st_score(p: Any, g: dict[str, Any]) -> float | None:
            if not speaker_ok(p, g) or p.kind != g["kind"]:
                return None
            if g["date"] is not None and p.date != g["date"]:
                return None
            return 1.0

        def sp_score(p: Any, g: dict[str, Any]) -> float | None:
            return (2.0 if p.kind == g["kind"] else 1.0) if speaker_ok(p, g) else None

        def org_score(p: Any, g: dict[str, Any]) -> float | None:
            if p.organisation != g["organisation"]:
                return None
            return 2.0 if p.kind == g["kind"] else 1.0

        for name, fn in (
            ("statements", st_score),
            ("statement_speakers", sp_score),
            ("statement_organisations", org_score),
        ):
            t = tallies[name]
            t.matched += _greedy(ex.statements, gold_st, fn)
            t.predicted += len(ex.statements)
            t.gold += len(gold_st)

        gold_talks = [
            {
                "venue": t["venue"],
                "start": dt.date.fromisoformat(t["start"]),
                "end": dt.date.fromisoformat(t["end"]) if t.get("end") else None,
            }
            for t in labels.get("talks", [])
        ]

        def talks_score(p: Any, g: dict[str, Any]) -> float | None:
            if p.venue != g["venue"]:
                return None
            day = dt.timedelta(days=1)
            far = dt.date.max - day
            p_end, g_end = p.end or far, g["end"] or far
            if p.start - day <= g_end and g["start"] - day <= p_end:
                return 1.0
            return None

        t = tallies["talks"]
        t.matched += _greedy(ex.talks, gold_talks, talks_score)
        t.predicted += len(ex.talks)
        t.gold += len(gold_talks)

        gold_cross = [
            {
                **c,
                "place": "all" if c["place"] == "all" else names.place(c["place"]),
                "date": dt.date.fromisoformat(c["date"]) if c.get("date") else None,
            }
            for c in labels.get("crossings", [])
        ]

        def cross_score(p: Any, g: dict[str, Any]) -> float | None:
            if p.status != g["status"] or p.scope != g["scope"]:
                return None
            if p.place != g["place"] and g["place"] != "all":
                return None
            if g["date"] is not None and (p.date is None or abs((p.date - g["date"]).days) > 1):
                return None
            return 2.0 if p.place == g["place"] else 1.0

        t = tallies["crossings"]
        t.matched += _greedy(ex.crossings, gold_cross, cross_score)
        t.predicted += len(ex.crossings)
        t.gold += len(gold_cross)
    return {name: tally.as_dict() for name, tally in tallies.items()}


def evaluate(lex: Lexicon, folder: Path) -> dict[str, dict[str, Any]]:
    """Extract every article of the folder and score it against its ``labels.jsonl``."""
    labels_path = folder / "labels.jsonl"
    if not labels_path.is_file():
        raise FileNotFoundError(f"{folder} has no labels.jsonl")
    labels = {}
    for n, line in enumerate(labels_path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"labels.jsonl line {n}: {exc.msg}") from exc
            labels[item["id"]] = item
    rows = []
    for path in sorted(folder.glob("*.txt")):
        article = read_article(path)
        if article.id not in labels:
            continue
        rows.append((article, labels[article.id], extract(lex, article.text, article.published)))
    return score(lex, rows)


def failures(scores: dict[str, dict[str, Any]]) -> list[str]:
    out = []
    for name, (p, r) in GATES.items():
        got = scores[name]
        if got["precision"] < p or got["recall"] < r:
            out.append(
                f"{name}: precision {got['precision']:.3f} (floor {p}), "
                f"recall {got['recall']:.3f} (floor {r})"
            )
    return out
