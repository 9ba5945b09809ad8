"""The catalogue of event kinds holds every kind the code names (the test suite also fails at
run time on any kind appended that it lacks: TRUCELINE_STRICT_EVENT_KINDS)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from truceline.ledger.kinds import KINDS, label

LITERAL = re.compile(r'kind="([a-z]+\.[a-z.-]+)"')


def test_every_kind_named_in_the_code_is_in_the_catalogue() -> None:
    named = set()
    for path in Path(settings.BASE_DIR).rglob("*.py"):
        if "/tests/" not in str(path):
            named |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    named.discard("bench.append")
    assert named and sorted(named - set(KINDS)) == []


def test_each_kind_reads_as_words() -> None:
    for kind in KINDS:
        text = label(kind)
        assert text and text != kind and "." not in text.split()[0], kind
    assert label("scenario.place.created") == "Scenario: a place added"
    assert label("no.such-kind") == "no.such-kind"
