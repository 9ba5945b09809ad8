"""Public identifiers: a prefix and random characters, e.g. ``INC-7KQ2M9XA``.

Never sequence numbers: a sequence would tell one party how many reports the other has filed.
Crockford's base-32 alphabet leaves out I, L, O and U, so an identifier read aloud over a bad
radio link or copied by hand is not misread.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8  # 32**8 ≈ 1.1e12: collisions at a million rows are ~1 in 2,000 and retried.


def new_id(prefix: str) -> str:
    """A fresh random identifier with this prefix."""
    return f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def looks_like(prefix: str, value: str) -> bool:
    """Whether ``value`` has the shape of an identifier with this prefix."""
    head, _, tail = value.partition("-")
    return head == prefix and len(tail) == LENGTH and all(c in ALPHABET for c in tail)
