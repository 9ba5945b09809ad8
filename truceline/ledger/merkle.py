"""RFC 9162 Merkle trees: hashing, proofs over stored subtree hashes, and proof verification.

Pure functions, no database: the ledger's store, the offline verifier and the benchmark all
use them. A tree is addressed by *perfect subtrees*: the subtree of ``2**level`` leaves that
starts at leaf ``k * 2**level``. Each has one integer id in flat (in-order) numbering,
``node_id(level, k) = k * 2**(level+1) + 2**level - 1`` — leaves are the even ids — so a store
keeps one row per perfect subtree and any root or proof needs O(log n) of them.

The proof *layouts* (which subtrees a proof needs) follow RFC 9162 §2.1.3.1 and §2.1.4.1;
the verifiers are the algorithms of §2.1.3.2 and §2.1.4.2, word for word, so any independent
implementation agrees with them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

HASH_SIZE = 32
_sha256 = hashlib.sha256


def leaf_hash(leaf: bytes) -> bytes:
    return _sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = _sha256(b"").digest()


def node_id(level: int, k: int) -> int:
    """Flat (in-order) id of the perfect subtree of ``2**level`` leaves starting at leaf
    ``k * 2**level``."""
    return (k << (level + 1)) + (1 << level) - 1


def _largest_power_below(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


# A range is (start, end) of leaves, end exclusive. Ranges from the RFC's recursions always
# start at a multiple of the largest power of two not above their width, so each one splits
# into perfect subtrees: its binary decomposition, largest first.


def perfect_parts(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect subtrees (level, k) whose concatenation is leaves [start, end)."""
    parts = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start & ((1 << level) - 1):  # not aligned: a smaller subtree first
            level -= 1
        parts.append((level, start >> level))
        start += 1 << level
    return parts


def range_ids(ranges: Iterable[tuple[int, int]]) -> set[int]:
    """Every stored node id needed to hash the given ranges."""
    return {node_id(level, k) for a, b in ranges for level, k in perfect_parts(a, b)}


def range_hash(start: int, end: int, get: Callable[[int], bytes]) -> bytes:
    """MTH(D[start:end]) from stored perfect subtree hashes (``get(node_id)``).

    RFC 9162 splits at the largest power of two below the width; for ranges that start at
    a multiple of that power, this is folding the perfect parts from the right."""
    parts = perfect_parts(start, end)
    if not parts:
        return EMPTY_ROOT
    acc = get(node_id(*parts[-1]))
    for level, k in reversed(parts[:-1]):
        acc = node_hash(get(node_id(level, k)), acc)
    return acc


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.3.1 PATH(m, D[n]) as leaf ranges, in proof order (leaf's sibling first)."""
    if not 0 <= index < size:
        raise ValueError("index out of range")
    out: list[tuple[int, int]] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _largest_power_below(end - start)
        if m < k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start, m = start + k, m - k
    out.reverse()
    return out


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.4.1 PROOF(m, D[n]) as leaf ranges, in proof order."""
    if not 0 < first <= second:
        raise ValueError("need 0 < first <= second")
    if first == second:
        return []
    out: list[tuple[int, int]] = []
    start, end, m, complete = 0, second, first, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                out.append((start, end))
            break
        k = _largest_power_below(n)
        if m <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start, m, complete = start + k, m - k, False
    out.reverse()
    return out


def resolve(ranges: Sequence[tuple[int, int]], nodes: Mapping[int, bytes]) -> list[bytes]:
    return [range_hash(a, b, nodes.__getitem__) for a, b in ranges]


# --- the frontier: what an appender keeps to add a leaf in O(log n) ---------------------


def frontier_append(frontier: list[bytes], size: int, leaf: bytes) -> list[tuple[int, bytes]]:
    """Add one leaf hash to a tree of ``size`` leaves whose frontier (the hashes of its
    perfect subtrees, largest first) is ``frontier``; updates ``frontier`` in place and
    returns the new perfect subtrees as (node id, hash), the leaf first."""
    made = [(node_id(0, size), leaf)]
    acc, level, k = leaf, 0, size
    while k & 1:
        acc = node_hash(frontier.pop(), acc)
        level, k = level + 1, k >> 1
        made.append((node_id(level, k), acc))
    frontier.append(acc)
    return made


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    if not frontier:
        return EMPTY_ROOT
    acc = frontier[-1]
    for h in reversed(frontier[:-1]):
        acc = node_hash(h, acc)
    return acc


def pack(hashes: Sequence[bytes]) -> bytes:
    return b"".join(hashes)


def unpack(blob: bytes) -> list[bytes]:
    return [blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)]


def root_of_leaves(leaf_hashes: Iterable[bytes]) -> bytes:
    frontier: list[bytes] = []
    for size, h in enumerate(leaf_hashes):
        frontier_append(frontier, size, h)
    return frontier_root(frontier)


# --- verification: RFC 9162 §2.1.3.2 and §2.1.4.2 --------------------------------------


def verify_inclusion(
    leaf_hash_: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    if index >= size or index < 0:
        return False
    fn, sn, r = index, size - 1, leaf_hash_
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not 0 < first < second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: the first root is a proof node
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


class MemoryTree:
    """A whole tree in memory: the offline verifier's and the tests' store."""

    def __init__(self) -> None:
        self.nodes: dict[int, bytes] = {}
        self.frontier: list[bytes] = []
        self.size = 0

    def append(self, leaf: bytes) -> None:
        self.append_hash(leaf_hash(leaf))

    def append_hash(self, h: bytes) -> None:
        for nid, value in frontier_append(self.frontier, self.size, h):
            self.nodes[nid] = value
        self.size += 1

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        if size == self.size:
            return frontier_root(self.frontier)
        return range_hash(0, size, self.nodes.__getitem__)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return resolve(inclusion_ranges(index, size), self.nodes)

    def consistency(self, first: int, second: int) -> list[bytes]:
        return resolve(consistency_ranges(first, second), self.nodes)
