"""Feeds polled by the worker: each poll reads every active feed, fetches new entries' pages
(their summaries when a page cannot be fetched), ingests them, and schedules the next poll."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from truceline.osint.models import Article, Feed
from truceline.osint.services import Incoming, ingest, url_key
from truceline.osint.sources import SourceError, feed_entries, fetch, get


def poll(feed: Feed) -> int:
    """Read one feed; returns the number of articles added."""
    try:
        entries = list(feed_entries(get(feed.url, max_bytes=10_000_000)))
    except SourceError as exc:
        Feed.objects.filter(pk=feed.pk).update(polled_at=timezone.now(), last_error=str(exc))
        return 0
    items = []
    for link, title, day, summary in entries:
        key = url_key(link)
        if key and Article.objects.filter(url_key=key).exists():
            continue
        try:
            item = fetch(link)
            item = Incoming(item.title or title, item.text, day, link, feed.title or item.source)
        except SourceError:
            text = html.unescape(re.sub(r"<[^>]+>", " ", summary)).strip()
            item = Incoming(title, text, day, link, feed.title or feed.url)
        items.append(item)
    result = ingest(actor=None, items=items, feed=feed)
    Feed.objects.filter(pk=feed.pk).update(polled_at=timezone.now(), last_error="")
    return len(result.added)


@task()
def poll_feeds() -> int:
    added = sum(poll(feed) for feed in Feed.objects.filter(active=True))
    minutes = getattr(settings, "TRUCELINE_FEED_MINUTES", 30)
    transaction.on_commit(
        lambda: poll_feeds.using(run_after=timezone.now() + dt.timedelta(minutes=minutes)).enqueue()
    )
    return added
