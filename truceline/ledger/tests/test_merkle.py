"""Our RFC 9162 tree against an independent implementation (pymerkle) on 100,000 leaves."""

from __future__ import annotations

import random

import pytest
from pymerkle import InmemoryTree

from truceline.ledger import merkle

N = 100_000


def _rfc_subproof(ref: InmemoryTree, m: int, start: int, end: int, complete: bool) -> list[bytes]:
    """RFC 9162 §2.1.4.1 SUBPROOF, written as the RFC's recursion over pymerkle's MTH."""
    n = end - start
    if m == n:
        return [] if complete else [ref._get_root(start, end)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*_rfc_subproof(ref, m, start, start + k, complete), ref._get_root(start + k, end)]
    return [*_rfc_subproof(ref, m - k, start + k, end, False), ref._get_root(start, start + k)]


@pytest.fixture(scope="module")
def trees() -> tuple[InmemoryTree, merkle.MemoryTree, list[bytes]]:
    rng = random.Random(9162)
    leaves = [rng.randbytes(rng.randrange(0, 120)) for _ in range(N)]
    ref = InmemoryTree(algorithm="sha256")  # RFC 9162 hashing: 0x00 leaf, 0x01 node prefixes
    ours = merkle.MemoryTree()
    for leaf in leaves:
        ref.append_entry(leaf)
        ours.append(leaf)
    return ref, ours, leaves


def test_roots_agree(trees) -> None:  # type: ignore[no-untyped-def]
    ref, ours, _ = trees
    rng = random.Random(1)
    sizes = [*range(1, 1100), *(rng.randint(1, N) for _ in range(3000)), N]
    for size in sizes:
        assert ours.root(size) == ref.get_root(size), size
    assert ours.root() == ref.get_root() == merkle.frontier_root(ours.frontier)


def test_inclusion_proofs_agree_and_verify(trees) -> None:  # type: ignore[no-untyped-def]
    ref, ours, leaves = trees
    rng = random.Random(2)
    for _ in range(3000):
        size = rng.randint(1, N)
        index = rng.randrange(size)
        proof = ours.inclusion(index, size)
        # pymerkle's path is the leaf's own hash followed by the RFC 9162 audit path
        theirs = [
            bytes.fromhex(h) for h in ref.prove_inclusion(index + 1, size).serialize()["path"]
        ]
        assert theirs[0] == merkle.leaf_hash(leaves[index])
        assert proof == theirs[1:], (index, size)
        root = ref.get_root(size)
        assert merkle.verify_inclusion(merkle.leaf_hash(leaves[index]), index, size, proof, root)
        assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged"), index, size, proof, root)
        if size > 1:
            assert not merkle.verify_inclusion(
                merkle.leaf_hash(leaves[index]), (index + 1) % size, size, proof, root
            )


def test_consistency_proofs_agree_and_verify(trees) -> None:  # type: ignore[no-untyped-def]
    ref, ours, _ = trees
    rng = random.Random(3)
    pairs = [(rng.randint(1, N), rng.randint(1, N)) for _ in range(3000)]
    pairs += [(1, 2), (2, 3), (4, 8), (7, 8), (N - 1, N), (1, N), (65536, N)]
    for a, b in pairs:
        first, second = min(a, b), max(a, b)
        proof = ours.consistency(first, second)
        assert proof == _rfc_subproof(ref, first, 0, second, True), (first, second)
        r1, r2 = ref.get_root(first), ref.get_root(second)
        assert merkle.verify_consistency(first, second, r1, r2, proof)
        if first < second:
            assert not merkle.verify_consistency(first, second, r1, merkle.leaf_hash(b"x"), proof)
            assert not merkle.verify_consistency(first, second, merkle.leaf_hash(b"x"), r2, proof)


def test_empty_and_single() -> None:
    tree = merkle.MemoryTree()
    assert (
        tree.root()
        == merkle.EMPTY_ROOT
        == bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    )
    tree.append(b"")
    assert tree.root() == merkle.leaf_hash(b"") and tree.inclusion(0, 1) == []
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(1, 1)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(0, 1)
