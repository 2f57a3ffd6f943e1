"""Near-duplicate passages: the same wire story carried by several outlets counts once.

Word 5-gram shingles and containment (shared shingles over the smaller set) catch a story
republished with a different headline, a trimmed ending or an extra paragraph, which an
exact hash would miss. Only the retrieved passages are compared (a few milliseconds).
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Sequence

SHINGLE = 5
# keep one shingle in SAMPLE (by hash): a consistent sample estimates containment well and
# makes the comparison 4x cheaper; short passages keep every shingle
SAMPLE = 4
# share of the shorter passage's shingles found in the other one; wire copies score ~0.8+,
# two different articles on the same event stay far below 0.2
DUPLICATE_CONTAINMENT = 0.5


def _stable_hash(text: str) -> int:
    # not hash(): Python salts it per process, which made the sample (and so which passages
    # count as copies, and so the answer) differ from run to run
    return zlib.crc32(text.encode("utf-8"))


def shingles(text: str) -> frozenset[int]:
    words = text.lower().split()
    grams = {_stable_hash(" ".join(g)) for g in zip(*(words[i:] for i in range(SHINGLE)))}
    grams = grams or {_stable_hash(text)}
    sampled = {g for g in grams if g % SAMPLE == 0}
    return frozenset(sampled if len(sampled) >= 8 else grams)


def duplicate_groups(texts: Sequence[str]) -> list[int]:
    """For each text (best first), the index of the earlier text it duplicates, or its own.

    Shared shingles are counted through an inverted index (shingle -> kept texts), so the
    cost grows with the passages' length, not with the square of their number.
    """
    sets = [shingles(t) for t in texts]
    postings: dict[int, list[int]] = {}
    leader = list(range(len(texts)))
    for i, own in enumerate(sets):
        shared = Counter(j for g in own for j in postings.get(g, ()))
        for j, count in sorted(shared.items()):
            if count / min(len(own), len(sets[j])) >= DUPLICATE_CONTAINMENT:
                leader[i] = j
                break
        if leader[i] == i:
            for g in own:
                postings.setdefault(g, []).append(i)
    return leader
