"""Sentences with their offsets in the article, and matching helpers that keep spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations that end in a full stop without ending a sentence.
_ABBREV = re.compile(
    r"(?:\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Lt|Col|Maj|Gen|Capt|Brig|Mr|Mrs|Ms"
    r"|Dr|St|No|Sr|Jr|Prof|Gov|Sen|Rep|vs|approx|Mt|U\.S|U\.N|a\.m|p\.m)\.|\b[A-Z]\.)$"
)
_END = re.compile(r"[.!?][\"”’')]*\s+(?=[\"“‘'(]?[A-Z0-9])|\n\s*\n")


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int  # offset of the first character in the article text
    text: str
    paragraph: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def sentences(text: str) -> list[Sentence]:
    """Split into sentences, keeping each one's offset; paragraphs are blank-line separated."""
    out: list[Sentence] = []
    paragraph = 0
    for pm in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        block, base = pm.group(0), pm.start()
        start = 0
        for m in _END.finditer(block):
            if _ABBREV.search(block[: m.start() + 1]):
                continue
            piece = block[start : m.end()].strip()
            if piece:
                offset = (
                    base
                    + start
                    + (len(block[start : m.end()]) - len(block[start : m.end()].lstrip()))
                )
                out.append(Sentence(len(out), offset, piece, paragraph))
            start = m.end()
        piece = block[start:].strip()
        if piece:
            offset = base + start + (len(block[start:]) - len(block[start:].lstrip()))
            out.append(Sentence(len(out), offset, piece, paragraph))
        paragraph += 1
    return out


def alternation(phrases: list[str]) -> str:
    """A regex alternative of literal phrases, longest first, whole words, flexible spaces."""
    parts = sorted({p for p in phrases if p}, key=len, reverse=True)
    escaped = [re.escape(p).replace(r"\ ", r"\s+").replace(r"\-", r"[-\s]?") for p in parts]
    return r"(?<![\w-])(?:" + "|".join(escaped) + r")(?![\w-])"
