"""Near-duplicate passages: the same wire story carried by several outlets counts once.

Word 5-gram shingles and containment (shared shingles over the smaller set) catch a story
republished with a different headline, a trimmed ending or an extra paragraph, which an
exact hash would miss. Only the few dozen retrieved passages are compared, so the quadratic
loop costs well under a millisecond.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"\w+")
SHINGLE = 5
# share of the shorter passage's shingles found in the other one; wire copies score ~0.8+,
# two different articles on the same event stay far below 0.2
DUPLICATE_CONTAINMENT = 0.5


def shingles(text: str) -> frozenset[int]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        return frozenset([hash(tuple(words))]) if words else frozenset()
    return frozenset(hash(tuple(words[i : i + SHINGLE])) for i in range(len(words) - SHINGLE + 1))


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def duplicate_groups(texts: Sequence[str]) -> list[int]:
    """For each text (best first), the index of the earlier text it duplicates, or its own."""
    sets = [shingles(t) for t in texts]
    leader = list(range(len(texts)))
    for i in range(len(texts)):
        for j in range(i):
            if leader[j] == j and containment(sets[i], sets[j]) >= DUPLICATE_CONTAINMENT:
                leader[i] = j
                break
    return leader
