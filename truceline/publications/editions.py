"""The public edition of the periodic report, stored for fixed periods: each calendar month,
each quarter, and the whole time since the ceasefire.

An anonymous reader costs a row read, never a PDF: the worker builds the editions
(tasks.refresh) and each build is stored as a new version (models.Edition), in every language
of the site, its HTML and its PDF made from one render so that both say the same. A rebuild
compares the edition's content (less the time it was made and the checkpoint it names) with
the latest version's and appends a version only when it changed; each version is on the
ledger (``edition.published``, with the SHA-256 of every file), so anyone holding a copy can
say which version it is. Versions are never removed.

The rebuild is triggered by the ledger: every event that may change what the public edition
shows (apps.py: everything but sign-ins, tokens, downloads and the like) makes sure one
rebuild is waiting in the queue, at most ``TRUCELINE_EDITION_MINUTES`` (10) away, so that a burst
of events costs one rebuild; and each rebuild schedules the next for the day the current
month closes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from truceline.publications.models import Edition

# The page's style element takes the request's CSP nonce: stored as this, put in when served.
NONCE = "csp-nonce-e7c41d09"
KEY = re.compile(r"^(?:(?P<y>\d{4})-(?P<m>\d{2})|(?P<qy>\d{4})-Q(?P<q>[1-4])|all)$")
# Event kinds that change nothing the public edition shows (prefixes, or whole kinds).
QUIET = (
    "user.",
    "token.",
    "webhook.",
    "notify.",
    "ledger.",
    "bench.",
    "key.",
    "edition.",
    "evidence.viewed",
    "evidence.downloaded",
    "request.subjects-read",
    "osint.ingested",
)


@dataclass(frozen=True)
class Period:
    """A fixed period of the public edition."""

    key: str
    kind: str  # month, quarter, all
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.kind == "month":
            from django.utils.formats import date_format

            return date_format(self.start, "F Y")
        if self.kind == "quarter":
            return _("Quarter %(q)s of %(year)s") % {
                "q": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        return _("Since the ceasefire")


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def first_day() -> dt.date:
    from truceline.scenario.models import Scenario

    return Scenario.objects.values_list("agreement_date", flat=True).get()


def _today() -> dt.date:
    return timezone.now().date()


def fixed_periods(today: dt.date | None = None) -> list[Period]:
    """Every fixed period from the ceasefire's month to today's: since the ceasefire first,
    then the quarters and the months, the newest first."""
    today = today or _today()
    start = first_day()
    out = [Period("all", "all", start, max(start, today))]
    quarters: list[Period] = []
    months: list[Period] = []
    day = start.replace(day=1)
    while day <= today:
        months.append(Period(f"{day:%Y-%m}", "month", day, _month_end(day)))
        if day.month in (1, 4, 7, 10) or day == start.replace(day=1):
            q = (day.month - 1) // 3 + 1
            q_start = day.replace(month=3 * q - 2)
            q_end = _month_end(q_start.replace(month=3 * q))
            quarters.append(Period(f"{day.year}-Q{q}", "quarter", q_start, q_end))
        day = _month_end(day) + dt.timedelta(days=1)
    return out + quarters[::-1] + months[::-1]


def period_of(key: str, today: dt.date | None = None) -> Period | None:
    """The fixed period named ``key`` (``2025-10``, ``2025-Q4``, ``all``), or None when there
    is none such (not a period, before the ceasefire, not begun)."""
    if not KEY.match(key):
        return None
    return next((p for p in fixed_periods(today) if p.key == key), None)


def matching(start: dt.date | None, end: dt.date | None) -> Period | None:
    """The fixed period that covers exactly these days, if one does."""
    return next((p for p in fixed_periods() if (p.start, p.end) == (start, end)), None)


def latest(key: str, language: str) -> Edition | None:
    """The newest stored version of a period's public edition in a language, or in the
    site's own language when that one has none yet."""
    for lang in dict.fromkeys([language, settings.LANGUAGE_CODE]):
        found = Edition.objects.filter(period=key, language=lang).order_by("-version").first()
        if found is not None:
            return found
    return None


def stored() -> dict[str, dict[str, Any]]:
    """What the index shows of each stored period: its latest version, when, and the PDF's
    hash (in the site's language), without reading any file."""
    rows = (
        Edition.objects.filter(language=settings.LANGUAGE_CODE)
        .order_by("period", "-version")
        .values("period", "version", "built_at", "pdf_sha256", "start", "end")
    )
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        out.setdefault(row["period"], dict(row))
    return out


def _render(context: dict[str, Any], nonce: str) -> str:
    from django.template.loader import render_to_string

    return render_to_string("publications/periodic.html", {**context, "csp_nonce": nonce})


def fingerprint(context: dict[str, Any]) -> str:
    """The edition's content less the moment it was made and the checkpoint it names."""
    bare = {**context, "generated_at": None, "checkpoint": None, "checkpoint_text": ""}
    return hashlib.sha256(_render(bare, "").encode()).hexdigest()


def _languages() -> list[str]:
    """The languages the editions are stored in: TRUCELINE_EDITION_LANGUAGES, else every
    language of the site."""
    chosen = getattr(settings, "TRUCELINE_EDITION_LANGUAGES", None)
    return list(chosen or [code for code, _name in settings.LANGUAGES])


def editions_refresh(*, today: dt.date | None = None, only: set[str] | None = None) -> list[str]:
    """Build the public edition of every fixed period (or of those named in ``only``) whose
    content changed since its latest stored version, or that has none yet, in every
    language; returns the periods stored. Run by the worker (tasks.refresh), never in a
    request."""
    from weasyprint import HTML

    from truceline.publications.periodic import build

    done = []
    for period in fixed_periods(today):
        if only is not None and period.key not in only:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            base = build(period.start, period.end, "public")
            mark = fingerprint(base)
        newest = Edition.objects.filter(period=period.key).aggregate(v=Max("version"))["v"]
        current = dict(
            Edition.objects.filter(period=period.key, version=newest).values_list(
                "language", "fingerprint"
            )
        )
        if current == dict.fromkeys(_languages(), mark):
            continue  # nothing the edition shows has changed
        files = []
        for lang in _languages():
            with translation.override(lang):
                context = (
                    base
                    if lang == settings.LANGUAGE_CODE
                    else build(period.start, period.end, "public")
                )
                html = _render(context, NONCE)
                pdf = bytes(HTML(string=html).write_pdf())
            files.append((lang, context, html, pdf))
        try:
            _store(period, mark, files)
        except IntegrityError:  # another worker stored this period meanwhile
            continue
        done.append(period.key)
    return done


def _store(period: Period, mark: str, files: list[tuple[str, dict[str, Any], str, bytes]]) -> None:
    from truceline.ledger.services import event_append

    with transaction.atomic():
        newest = Edition.objects.filter(period=period.key).aggregate(v=Max("version"))["v"]
        version = (newest or 0) + 1
        hashes = {}
        for lang, context, html, pdf in files:
            checkpoint = context["checkpoint"]
            row = Edition.objects.create(
                period=period.key,
                version=version,
                language=lang,
                start=period.start,
                end=period.end,
                built_at=context["generated_at"],
                fingerprint=mark,
                checkpoint_size=checkpoint.size if checkpoint else None,
                html=html,
                pdf=pdf,
                html_sha256=hashlib.sha256(html.encode()).hexdigest(),
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            )
            hashes[lang] = {"html": row.html_sha256, "pdf": row.pdf_sha256}
        event_append(
            actor=None,
            kind="edition.published",
            object_type="edition",
            object_id=period.key,
            payload={
                "period": period.key,
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                "version": version,
                "files": hashes,
            },
        )


def refresh_soon() -> None:
    """Make sure a rebuild waits in the queue, at most TRUCELINE_EDITION_MINUTES away (one
    query when one does already)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from truceline.publications.tasks import refresh

    soon = timezone.now() + dt.timedelta(minutes=getattr(settings, "TRUCELINE_EDITION_MINUTES", 10))
    waiting = DBTaskResult.objects.filter(
        Q(run_after__isnull=True) | Q(run_after__lte=soon),
        task_path=refresh.module_path,
        status=TaskResultStatus.READY,
    )
    if not waiting.exists():
        refresh.using(run_after=soon).enqueue()


def on_event(event: Any, payload: dict[str, Any]) -> None:
    """The ledger's listener: an event that may change the public edition asks for a
    rebuild."""
    if not event.kind.startswith(QUIET):
        refresh_soon()


def next_close(today: dt.date | None = None) -> dt.datetime:
    """When the current month (and with it, perhaps, a quarter) closes: the first moment of
    the next month, UTC."""
    end = _month_end(today or _today())
    return dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
