"""Business rules of open-source monitoring: ingesting articles once, storing what the
extraction found, grouping candidates about one event, and the monitors' decisions (each one
a ledger entry). Nothing is decided here without a monitor."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts.models import User
from truceline.core.errors import Forbidden, Invalid
from truceline.geo.derive import haversine_km
from truceline.incidents.models import Incident
from truceline.ledger.services import event_append
from truceline.osint.extract import VERSION, Extraction, Lexicon, extract
from truceline.osint.models import (
    Article,
    Candidate,
    CandidateGroup,
    CandidateStatus,
    Claim,
    Mention,
)
from truceline.policy import can
from truceline.reports.models import Report
from truceline.reports.services import ReportInput, report_submit
from truceline.scenario.models import Place

MAX_TEXT = 200_000  # characters kept of one article
GROUP_DAYS = 1  # candidates within a day of each other (same category and place) are one event
MATCH_DAYS = 2
MATCH_KM = 60.0
NEAR_DUPLICATE_BITS = 3  # simhash distance at or under which two texts are the same article


@dataclass(frozen=True)
class Incoming:
    """An article as read from a file, an address or a feed."""

    title: str
    text: str
    published: dt.date
    url: str = ""
    source: str = ""
    language: str = ""


# Fingerprints ------------------------------------------------------------------------------

_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|ref|cmpid|ocid)$", re.I)


def url_key(url: str) -> str | None:
    """SHA-256 of the address without its fragment, tracking parameters, scheme or "www."."""
    url = url.strip()
    if not url or url.lower() == "unknown":
        return None
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)))
    path = parts.path.rstrip("/") or "/"
    canonical = urlunsplit(("", host, path, query, ""))
    return hashlib.sha256(canonical.encode()).hexdigest()


def words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.findall(r"\w+", folded)


def text_key(text: str) -> str:
    return hashlib.sha256(" ".join(words(text)).encode()).hexdigest()


def simhash(text: str) -> int:
    """64-bit SimHash over word trigrams (unsigned)."""
    tokens = words(text)
    grams = [" ".join(tokens[i : i + 3]) for i in range(max(1, len(tokens) - 2))]
    digests = b"".join(hashlib.blake2b(g.encode(), digest_size=8).digest() for g in grams)
    bits = numpy.unpackbits(numpy.frombuffer(digests, dtype=numpy.uint8)).reshape(-1, 64)
    votes = bits.sum(axis=0) * 2 > len(grams)  # bit i (most significant first) set by most
    return int("".join("1" if v else "0" for v in votes), 2)


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _bands(value: int) -> list[int]:
    return [value >> (16 * i) & 0xFFFF for i in range(4)]


def near_duplicate(fingerprint: int) -> Article | None:
    b = _bands(fingerprint)
    for other in Article.objects.filter(
        Q(band0=b[0]) | Q(band1=b[1]) | Q(band2=b[2]) | Q(band3=b[3])
    ).only("id", "simhash"):
        if bin((other.simhash % (1 << 64)) ^ fingerprint).count("1") <= NEAR_DUPLICATE_BITS:
            return other
    return None


def language_of(text: str) -> str:
    import py3langid  # type: ignore[import-untyped]

    lang, _score = py3langid.classify(text[:2000])
    return str(lang)


# Ingest ------------------------------------------------------------------------------------


@dataclass
class IngestResult:
    added: list[Article]
    duplicates: int
    refused: list[str]


def _check(item: Incoming) -> str | None:
    if not item.text.strip():
        return "no text"
    if not item.title.strip():
        return "no title"
    if item.published > timezone.now().date() + dt.timedelta(days=1):
        return "published in the future"
    return None


def ingest(
    *,
    actor: User | None,
    items: Iterable[Incoming],
    feed: Any = None,
    lexicon: Lexicon | None = None,
    batch: int = 200,
) -> IngestResult:
    """Store each new article once and what the extraction finds in it. A batch of articles is
    one transaction and one ledger entry (``osint.ingested``, naming the articles' text keys'
    digest); a duplicate by address or near-identical text adds nothing."""
    if actor is not None and not can(actor, "osint.ingest"):
        raise Forbidden(gettext("only monitors ingest articles"))
    lex = lexicon or Lexicon.current()
    result = IngestResult([], 0, [])
    for chunk in _chunks(items, batch):
        with transaction.atomic():
            added: list[Article] = []
            for item in chunk:
                problem = _check(item)
                if problem:
                    result.refused.append(f"{item.title or item.url or '?'}: {problem}")
                    continue
                article = _store(item, feed, lex, seen=added)
                if article is None:
                    result.duplicates += 1
                else:
                    added.append(article)
            if added:
                event_append(
                    actor=actor,
                    kind="osint.ingested",
                    object_type="article",
                    object_id=str(added[0].pk),
                    payload={
                        "articles": len(added),
                        "first": added[0].pk,
                        "last": added[-1].pk,
                        "texts": hashlib.sha256(
                            "".join(a.text_key for a in added).encode()
                        ).hexdigest(),
                        "extractor": VERSION,
                    },
                )
            result.added.extend(added)
    return result


def _chunks(items: Iterable[Incoming], size: int) -> Iterator[list[Incoming]]:
    chunk: list[Incoming] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _store(item: Incoming, feed: Any, lex: Lexicon, seen: list[Article]) -> Article | None:
    key = url_key(item.url)
    text = item.text.strip()[:MAX_TEXT]
    tkey = text_key(text)
    if key and Article.objects.filter(url_key=key).exists():
        return None
    if Article.objects.filter(text_key=tkey).exists():
        return None
    fingerprint = simhash(text)
    if near_duplicate(fingerprint) is not None:
        return None
    bands = _bands(fingerprint)
    article = Article.objects.create(
        url=item.url[:2000],
        url_key=key,
        title=item.title.strip()[:500],
        source=(item.source or urlsplit(item.url).netloc or "file")[:200],
        language=item.language or language_of(text),
        published=item.published,
        text=text,
        text_key=tkey,
        simhash=_signed(fingerprint),
        band0=bands[0],
        band1=bands[1],
        band2=bands[2],
        band3=bands[3],
        feed=feed,
        ingested_at=timezone.now(),
        extractor=VERSION,
    )
    if article.language == "en":
        record(article, extract(lex, text, item.published), lex)
    return article


def record(article: Article, ex: Extraction, lex: Lexicon) -> None:
    """Store an article's extraction: candidates (grouped, matched), claims, mentions."""
    groups: list[CandidateGroup] = []
    places = {p.slug: p for p in Place.objects.filter(slug__in=[e.place for e in ex.events])}
    for e in ex.events:
        place = places.get(e.place)
        if place is None or e.category not in lex.cues:
            continue
        group = _group_for(e.category, e.date, place, lex)
        groups.append(group)
        Candidate.objects.create(
            article=article,
            group=group,
            category_id=e.category,
            occurred_on=e.date,
            precision=e.precision,
            place=place,
            actor=e.actor,
            target=e.target,
            killed=list(e.killed) if e.killed else None,
            injured=list(e.injured) if e.injured else None,
            sentence_start=e.sentence[0],
            sentence_end=e.sentence[1],
            spans={k: [list(s) for s in v] for k, v in e.spans.items()},
            incident=_match_incident(e.category, e.date, place),
        )
    for s in ex.statements:
        Claim.objects.create(
            article=article,
            speaker_id=s.speaker,
            organisation_id=s.organisation,
            kind=s.kind,
            said_on=s.date,
            quote=s.quote,
            spans={k: [list(x) for x in v] for k, v in s.spans.items()},
            group=groups[0] if len(groups) == 1 else None,
        )
    for t in ex.talks:
        Mention.objects.create(
            article=article,
            kind=Mention.Kind.TALKS,
            data={
                "round": t.round,
                "venue": t.venue,
                "start": t.start.isoformat(),
                "end": t.end.isoformat() if t.end else None,
            },
            spans={k: [list(x) for x in v] for k, v in t.spans.items()},
        )
    for c in ex.crossings:
        Mention.objects.create(
            article=article,
            kind=Mention.Kind.CROSSING,
            data={
                "place": c.place,
                "status": c.status,
                "scope": c.scope,
                "date": c.date.isoformat() if c.date else None,
            },
            spans={k: [list(x) for x in v] for k, v in c.spans.items()},
        )


def _group_for(category: str, day: dt.date, place: Place, lex: Lexicon) -> CandidateGroup:
    """The group of an earlier candidate of the same category, within a day, at the same or a
    containing place; else a new group."""
    window = dt.timedelta(days=GROUP_DAYS)
    for group in CandidateGroup.objects.filter(
        category_id=category, occurred_on__range=(day - window, day + window)
    ).order_by("id"):
        if lex.related(group.place_id, place.slug):
            if place.slug in lex.ancestors(group.place_id):
                return group
            if group.place_id in lex.ancestors(place.slug):  # the more specific place wins
                group.place = place
                group.save(update_fields=["place"])
            return group
    return CandidateGroup.objects.create(
        category_id=category, occurred_on=day, place=place, created_at=timezone.now()
    )


def _match_incident(category: str, day: dt.date, place: Place) -> Incident | None:
    """An existing incident of the same category within two days and 60 km, nearest first."""
    start = dt.datetime.combine(day - dt.timedelta(days=MATCH_DAYS), dt.time.min, dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=MATCH_DAYS + 1), dt.time.min, dt.UTC)
    near = [
        (float(haversine_km(place.lat, place.lon, i.lat, i.lon)), i.pk, i)
        for i in Incident.objects.filter(
            category_id=category, occurred_at__range=(start, end), merged_into=None
        ).exclude(lat=None)
        if i.lat is not None and i.lon is not None
    ]
    near = [n for n in near if n[0] <= MATCH_KM]
    return min(near)[2] if near else None


# Decisions ---------------------------------------------------------------------------------


def _require_monitor(actor: User, action: str, candidate: Candidate) -> None:
    if not can(actor, action, candidate):
        raise Forbidden(gettext("only monitors decide on candidates"))


def _open(candidate: Candidate) -> Candidate:
    locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.status != CandidateStatus.OPEN:
        raise Invalid({"candidate": [f"already {locked.status}"]})
    return locked


def _decided(
    actor: User, locked: Candidate, status: str, payload: dict[str, Any], **fields: Any
) -> None:
    """Record a monitor's decision on a locked open candidate, and its ledger entry
    (``candidate.<status>``), in the caller's transaction."""
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at", *fields])
    event_append(
        actor=actor,
        kind=f"candidate.{status}",
        object_type="candidate",
        object_id=str(locked.pk),
        payload={"candidate": locked.pk, "article": locked.article_id, **payload},
    )


PRECISION = {"day": "day", "week": "week", "month": "month"}
PLACE_PRECISION = {
    "crossing": "near",
    "post": "near",
    "town": "near",
    "city": "near",
    "district": "district",
}


def candidate_accept(
    *, actor: User, candidate: Candidate, accused_party: str | None = None
) -> Report:
    """The monitor files the candidate as an open-source report (a new incident)."""
    _require_monitor(actor, "accept", candidate)
    lex = Lexicon.current()
    place = candidate.place
    accused = accused_party or _accused(lex, candidate)
    if accused is None:
        raise Invalid({"accused_party": [gettext("say which party the report is about")]})
    article = candidate.article
    with transaction.atomic():
        locked = _open(candidate)
        data = ReportInput(
            category=locked.category_id,
            accused_party=accused,
            occurred_at=dt.datetime.combine(locked.occurred_on, dt.time(12), dt.UTC),
            time_precision=PRECISION.get(locked.precision, "day"),
            lat=place.lat,
            lon=place.lon,
            location_precision=PLACE_PRECISION.get(place.kind, "province"),
            place=place.slug,
            narrative=(
                f"Open source: {article.title} ({article.source}, "
                f"{article.published.isoformat()}). “{locked.sentence.strip()}”"
            ),
            casualties=_casualties(locked),
            origin=None,
            confidentiality="parties",
            urgent=False,
            sources=[article.url or f"article {article.pk}"],
            evidence=[],
            source_type="open-source",
        )
        report, _event = report_submit(actor=actor, data=data)
        _decided(
            actor,
            locked,
            CandidateStatus.ACCEPTED,
            {"report": report.id},
            report=report,
            incident=report.incident,
        )
    return report


def _accused(lex: Lexicon, candidate: Candidate) -> str | None:
    actor = lex.actors.get(candidate.actor)
    if actor is not None and actor.organisation in lex.parties:
        return actor.organisation
    country = lex.country_of(candidate.place_id)
    return lex.other_party(country) if country else None


def _casualties(candidate: Candidate) -> dict[str, dict[str, int | list[int]]]:
    """Only civilians' figures carry over: the article's totals mix groups."""
    out: dict[str, dict[str, int | list[int]]] = {}
    if candidate.target != "civilians":
        return out
    for kind in ("killed", "injured"):
        value = getattr(candidate, kind)
        if value and value[1] is not None:
            out[kind] = {"civilians": [value[0], value[1]]}
    return out


def candidate_merge(*, actor: User, candidate: Candidate, incident: Incident) -> Candidate:
    """The monitor records that the candidate describes an incident already on file."""
    _require_monitor(actor, "merge", candidate)
    with transaction.atomic():
        locked = _open(candidate)
        _decided(
            actor, locked, CandidateStatus.MERGED, {"incident": incident.pk}, incident=incident
        )
    return locked


def candidate_dismiss(*, actor: User, candidate: Candidate, reason: str) -> Candidate:
    _require_monitor(actor, "dismiss", candidate)
    if not reason.strip():
        raise Invalid(
            {"reason": [gettext("say why (not an incident, background, duplicate, ...)")]}
        )
    with transaction.atomic():
        locked = _open(candidate)
        kept = reason.strip()[:1000]
        _decided(actor, locked, CandidateStatus.DISMISSED, {"reason": kept}, reason=kept)
    return locked
