"""`truceline bench ingest`: ingest N articles from files (10,000 by default), then the same
files again, on the current (scratch) database. The articles are made from the sentences of a
corpus folder in the monitoring format (../shared/data/news by default), shuffled with a fixed
seed into distinct texts of realistic language and length."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from truceline.osint.extract import Lexicon, extract
from truceline.osint.extract.text import sentences
from truceline.osint.models import Article, Candidate, Claim
from truceline.osint.scoring import read_article
from truceline.osint.services import ingest
from truceline.osint.sources import files_under, read_file


def make_corpus(source: Path, target: Path, count: int, seed: int = 8) -> list[Path]:
    articles = [read_article(p) for p in sorted(source.glob("*.txt"))]
    if not articles:
        raise RuntimeError(f"{source} holds no articles in the monitoring format")
    pool = [s.text for a in articles for s in sentences(a.text)]
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    paths = []
    for i in range(count):
        base = rng.choice(articles)
        paragraphs = [" ".join(rng.sample(pool, 4)) for _ in range(3)]
        body = "\n\n".join(paragraphs)
        path = target / f"bench-{i:05d}.txt"
        path.write_text(
            f"https://bench.example/{i}\n{base.title} ({i})\n"
            f"{base.published.isoformat()}\n\n{body}\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def run(count: int, corpus: Path, progress: Callable[[str], None]) -> list[tuple[str, str, str]]:
    if Article.objects.exists():
        raise RuntimeError("use an empty database: articles are already there")
    lex = Lexicon.current()
    with tempfile.TemporaryDirectory() as tmp:
        progress(f"writing {count} articles")
        make_corpus(corpus, Path(tmp), count)
        paths = files_under(Path(tmp))
        progress("extraction alone (no database), 500 articles")
        sample = [read_file(p) for p in paths[:500]]
        per_article = []
        for item in sample:
            t0 = time.perf_counter()
            extract(lex, item.text, item.published)
            per_article.append(time.perf_counter() - t0)
        progress("first ingest")
        t0 = time.perf_counter()
        first = ingest(actor=None, items=(read_file(p) for p in paths), lexicon=lex)
        first_s = time.perf_counter() - t0
        progress("second ingest (the same files)")
        t0 = time.perf_counter()
        again = ingest(actor=None, items=(read_file(p) for p in paths), lexicon=lex)
        again_s = time.perf_counter() - t0
    median_ms = statistics.median(per_article) * 1000
    return [
        ("articles ingested", f"{len(first.added):,} of {count:,}", "distinct texts"),
        (
            "first ingest",
            f"{first_s:.1f} s ({count / first_s:,.0f} articles/s)",
            "read, deduplicate, extract, store; aim: under 300 s",
        ),
        (
            "extraction alone, median",
            f"{median_ms:.1f} ms per article",
            "the floor of the first ingest",
        ),
        (
            "stored",
            f"{Candidate.objects.count():,} candidates, {Claim.objects.count():,} claims",
            "",
        ),
        (
            "second ingest",
            f"{again_s:.1f} s, {len(again.added)} added, {again.duplicates:,} known",
            "re-ingesting adds nothing",
        ),
    ]
