"""Offline, explainable extraction from news text: events, statements, talks and crossing
status, each value keeping the span of text it came from. Rule-based (docs/osint.md)."""

from truceline.osint.extract.engine import (
    VERSION,
    CrossingOut,
    EventOut,
    Extraction,
    StatementOut,
    TalksOut,
    extract,
)
from truceline.osint.extract.lexicon import Lexicon

__all__ = [
    "VERSION",
    "CrossingOut",
    "EventOut",
    "Extraction",
    "Lexicon",
    "StatementOut",
    "TalksOut",
    "extract",
]
