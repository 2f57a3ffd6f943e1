"""Checking a generated answer sentence by sentence against the passages it was given.

Small models mix up citation numbers, answer from their own memory, or leave markers off.
So each sentence is judged against every source (`index.support`), and:

- supported by a source it cites: kept, citing only the sources that support it;
- supported only by another source: re-pointed to that one;
- without a marker but supported by a source: cited after the fact;
- supported by no source: dropped, or (with `LLM_UNSUPPORTED=mark`) kept with its own
  markers and flagged "(unverified)" — a sentence with no marker of its own is dropped;
- markers to sources that were not given are removed;
- what is no statement (a question, "The answer is:", a caption, fewer than four words) or
  repeats an earlier sentence is dropped.

Every decision is kept as a `ClaimCheck` on the answer (and in the answer log). An answer
left without one supported sentence is unusable (`LLMUnusableError`): the caller answers
extractively instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from index.citations import MARKER, CitationNumbers, make_citation, split_claims, with_markers
from index.models import Citation, ClaimCheck, Passage
from index.sentences import quotable
from index.support import Support, SupportChecker
from index.text import terms

Unsupported = Literal["drop", "mark"]
UNVERIFIED = "(unverified)"


@dataclass
class CheckedAnswer:
    """The answer as the user will see it, and what the check did to get there."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    claims: list[ClaimCheck] = field(default_factory=list)
    unknown_numbers: list[int] = field(default_factory=list)

    @property
    def declined(self) -> bool:
        return not any(c.action in ("kept", "repointed", "cited") for c in self.claims)

    def note(self) -> str | None:
        """What was changed, in a line for the reader (None when nothing was)."""
        count = {a: sum(c.action == a for c in self.claims) for a in ("repointed", "cited")}
        dropped = sum(c.action == "dropped" for c in self.claims)
        marked = sum(c.action == "marked" for c in self.claims)
        parts = []
        if self.unknown_numbers:
            bad = ", ".join(f"[{n}]" for n in self.unknown_numbers)
            parts.append(f"removed citations to sources that were not retrieved: {bad}")
        if count["repointed"]:
            parts.append(f"re-pointed {count['repointed']} citation(s) to the supporting source")
        if count["cited"]:
            parts.append(f"added citations to {count['cited']} uncited sentence(s)")
        if dropped:
            parts.append(f"removed {dropped} sentence(s) no source supports")
        if marked:
            parts.append(f"marked {marked} sentence(s) no source supports {UNVERIFIED}")
        return ("Checked against the sources: " + "; ".join(parts) + ".") if parts else None


class ClaimChecker:
    """Checks generated answers against their sources; see the module docstring."""

    def __init__(self, *, support: SupportChecker, unsupported: Unsupported = "drop") -> None:
        self.support = support
        self.unsupported = unsupported

    def check(
        self, text: str, sources: dict[int, Passage], *, numbers: CitationNumbers
    ) -> CheckedAnswer:
        """`text` (citing `sources` by prompt number) checked, and renumbered to `numbers`."""
        out = CheckedAnswer(text="")
        kept: list[tuple[ClaimCheck, dict[int, Support]]] = []  # what stays, citing what
        for claim in split_claims(text):
            given = [int(x) for m in MARKER.finditer(claim) for x in m.group(1).split(",")]
            given = list(dict.fromkeys(given))
            out.unknown_numbers += [
                n for n in given if n not in sources and n not in out.unknown_numbers
            ]
            sentence = MARKER.sub("", claim).strip()
            if not terms(sentence):
                continue  # "Sure!" or a stray marker: nothing to check
            unfit = _unfit(sentence, [c.sentence for c in out.claims])
            if unfit:
                out.claims.append(
                    ClaimCheck(sentence=sentence, given=given, action="dropped", reason=unfit)
                )
                continue
            check, cite = self._decide(sentence, given, sources)
            out.claims.append(check)
            if check.action != "dropped":
                kept.append((check, cite))
        out.citations = _cite(kept, sources, numbers)
        out.text = " ".join(
            with_markers(
                check.sentence, check.numbers, suffix=UNVERIFIED if check.action == "marked" else ""
            )
            for check, _ in kept
        )
        return out

    def _decide(
        self, sentence: str, given: list[int], sources: dict[int, Passage]
    ) -> tuple[ClaimCheck, dict[int, Support]]:
        """The check of one sentence, and the sources (prompt numbers) it will cite."""
        judged = dict(zip(sources, self.support.check_all(sentence, list(sources.values()))))
        valid = [n for n in given if n in judged]
        backing = {n: judged[n] for n in valid if judged[n].supported}
        check = ClaimCheck(sentence=sentence, given=given, action="kept")
        if backing:
            check.supported_as_given = True
            check.support = max(s.score for s in backing.values())
            return check, backing
        best = max(judged, key=lambda n: judged[n].score) if judged else None
        if best is not None and judged[best].supported:
            check.action = "repointed" if given else "cited"
            check.support = judged[best].score
            check.reason = f"source {best} supports it" + (
                f", not {', '.join(map(str, valid))}" if valid else ""
            )
            return check, {best: judged[best]}
        check.support = max((s.score for s in judged.values()), default=0.0)
        lacking = sorted({w for n in valid for w in judged[n].missing})
        check.reason = "no source supports it" + (
            f" (not in the cited passage: {', '.join(lacking)})" if lacking else ""
        )
        if self.unsupported == "mark" and valid:
            check.action = "marked"
            return check, {n: judged[n] for n in valid}
        check.action = "dropped"
        return check, {}


def _unfit(sentence: str, before: list[str]) -> str:
    """Why `sentence` is not a statement to check ("" if it is one).

    What the extractive composer would never quote is no claim either: fewer than four
    words ("HACKED."), a question, a lead-in ending in a colon ("The answer is:"), a list
    item or caption; and a small model's repeated sentence is said once.
    """
    if not quotable(sentence):
        return "not a statement"
    if " ".join(sentence.lower().split()) in {" ".join(s.lower().split()) for s in before}:
        return "repeats an earlier sentence"
    return ""


def _cite(
    kept: list[tuple[ClaimCheck, dict[int, Support]]],
    sources: dict[int, Passage],
    numbers: CitationNumbers,
) -> list[Citation]:
    """One citation per source the kept sentences cite, numbered in the order first cited;
    each quotes from the first to the last of its sentences that any claim used. Sets each
    check's `numbers`; a citation only unverified sentences use is marked weak."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for _, cite in kept:
        for n, support in cite.items():
            spans.setdefault(n, []).append(support.span)
    cited: dict[int, Citation] = {}
    for n, found in spans.items():
        start, end = min(s for s, _ in found), max(e for _, e in found)
        passage = sources[n]
        cited[n] = make_citation(
            numbers.number_for(passage), passage, start, end, score=passage.score
        )
    for check, cite in kept:
        check.numbers = [cited[n].number for n in cite]
    for n, citation in cited.items():
        citation.weak_support = all(c.action == "marked" for c, cite in kept if n in cite)
    return sorted(cited.values(), key=lambda c: c.number)
