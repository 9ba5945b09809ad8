"""Casualty figures: "at least 23", "dozens", "between 15 and 20", "two soldiers and a child",
as ranges [low, high] where high None means open-ended (docs/osint.md has the table)."""

from __future__ import annotations

import re

WORDS = {
    "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100,
}  # fmt: skip
VAGUE = {
    "a few": (2, 5), "several": (3, 9), "a dozen": (12, 12), "more than a dozen": (13, None),
    "over a dozen": (13, None), "dozens": (24, 99), "dozens of": (24, 99), "scores": (40, 99),
    "scores of": (40, 99), "hundreds": (200, 999), "hundreds of": (200, 999),
}  # fmt: skip
_NUM = (
    r"(?:\d[\d,]*|"
    + "|".join(sorted((w for w in WORDS if len(w) > 2), key=len, reverse=True))
    + r")"
)
_VAGUE = "|".join(re.escape(v) for v in sorted(VAGUE, key=len, reverse=True))
_PEOPLE = (
    r"(?:[\w-]+\s+){0,3}?(?:people|persons|civilians|soldiers|troops|personnel|militants|"
    r"fighters|attackers|insurgents|terrorists|khawarij|children|women|men|residents|villagers|"
    r"students|officers|policemen|guards|members|others|cadets|lawyers|Taliban|"
    r"security\s+personnel|killed|dead|wounded|injured)"
)
FIGURE = re.compile(
    r"(?P<q>(?:at\s+least|more\s+than|over|about|around|roughly|nearly|some|up\s+to|as\s+many\s+as)\s+)?"
    r"(?:between\s+(?P<a>" + _NUM + r")\s+and\s+(?P<b>" + _NUM + r")|(?P<n>" + _NUM + r")"
    r"(?:\s*(?:to|-|–)\s*(?P<m>" + _NUM + r"))?(?P<more>\s+or\s+more)?|(?P<v>" + _VAGUE + r"))"
    r"\s+(?P<who>" + _PEOPLE + r")",
    re.I,
)
KILLED = re.compile(
    r"\b(?:killed|killing|dead|died|deaths?|martyred|lost\s+their\s+lives|slain|death\s+toll)\b",
    re.I,
)
INJURED = re.compile(r"\b(?:injured|wounded|injuring|wounding|hurt|injuries)\b", re.I)
NONE_HURT = re.compile(
    r"\bno\s+(?:casualties|one\s+was\s+(?:hurt|injured))\b|\bnobody\s+was\s+hurt\b", re.I
)
NONE_KILLED = re.compile(r"\bno\s+(?:deaths|one\s+was\s+killed)\b|\bnobody\s+was\s+killed\b", re.I)


def _value(token: str | None) -> int | None:
    if token is None:
        return None
    token = token.replace(",", "").lower()
    if token.isdigit():
        return int(token)
    return WORDS.get(token)


def figures(sentence: str) -> dict[str, tuple[int, int | None, int, int]]:
    """{"killed"|"injured": (low, high, start, end)} read from one sentence: each figure goes to
    the nearer of the killed/injured words after it; several figures of one kind are summed."""
    out: dict[str, list[tuple[int, int | None, int, int]]] = {}
    if NONE_HURT.search(sentence):
        m = NONE_HURT.search(sentence)
        assert m
        out["killed"] = [(0, 0, m.start(), m.end())]
        out["injured"] = [(0, 0, m.start(), m.end())]
    elif NONE_KILLED.search(sentence):
        m = NONE_KILLED.search(sentence)
        assert m
        out["killed"] = [(0, 0, m.start(), m.end())]
    for m in FIGURE.finditer(sentence):
        low, high = _range(m)
        if low is None or low > 5000:
            continue
        tail = sentence[m.end() : m.end() + 60]
        head = sentence[max(0, m.start() - 40) : m.start()]
        k, i = KILLED.search(m.group("who") + tail), INJURED.search(m.group("who") + tail)
        kb = re.search(r"(killed|killing|death toll)\s*(?:of\s*)?$", head, re.I)
        ib = re.search(r"(injured|wounded|injuring|wounding)\s*$", head, re.I)
        if kb:
            kind = "killed"
        elif ib:
            kind = "injured"
        elif k and (not i or k.start() < i.start()):
            kind = "killed"
        elif i:
            kind = "injured"
        else:
            continue
        out.setdefault(kind, []).append((low, high, m.start(), m.end()))
    summed: dict[str, tuple[int, int | None, int, int]] = {}
    for kind, items in out.items():
        low = sum(i[0] for i in items)
        high = None if any(i[1] is None for i in items) else sum(i[1] or 0 for i in items)
        summed[kind] = (low, high, items[0][2], items[-1][3])
    return summed


def _range(m: re.Match[str]) -> tuple[int | None, int | None]:
    q = (m.group("q") or "").strip().lower()
    if m.group("v"):
        return VAGUE.get(f"{q} {m.group('v').lower()}", VAGUE[m.group("v").lower()])
    if m.group("a"):
        return _value(m.group("a")), _value(m.group("b"))
    n = _value(m.group("n"))
    if n is None:
        return None, None
    if m.group("m"):
        return n, _value(m.group("m"))
    if m.group("more") or q.startswith("at least"):
        return n, None
    if q in ("more than", "over"):
        return n + 1, None
    if q in ("up to", "as many as"):
        return n, n
    return n, n
