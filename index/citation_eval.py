"""Citation precision and recall of answers, in the manner of ALCE (Gao et al., 2023).

ALCE's citation recall is the share of an answer's sentences that their citations support;
its citation precision the share of citations that support their sentence. ALCE judges
support with an NLI model; newsdesk has none offline, so the judge here is newsdesk's own
support checker (`index.support`), and the figures mean "supported as that checker sees
it" — how often it agrees with a person is measured separately (bench/support_judge.py).
Counted per sentence over all answers (micro-averaged), in two views:

- **as written**: the model's own sentences and markers, before the check changed anything
  (from `Answer.claims`; LLM answers only, fallbacks included): precision = cited sentences
  one of whose citations supports them / cited sentences; recall = the same / all sentences.
- **as shown**: the sentences of the answer the user reads, against the retrieved passages
  their markers point at (any answer, extractive too). With `LLM_UNSUPPORTED=drop` an LLM
  answer is shown only with what the checker passed, so this view tells little for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypedDict

from index.citations import MARKER, split_claims
from index.models import Answer, Citation, Passage
from index.support import SupportChecker


@dataclass
class CitationCounts:
    sentences: int = 0
    cited: int = 0
    supported: int = 0  # cited, and one of its citations supports it

    def add(self, other: CitationCounts) -> None:
        self.sentences += other.sentences
        self.cited += other.cited
        self.supported += other.supported

    @property
    def precision(self) -> float | None:
        return self.supported / self.cited if self.cited else None

    @property
    def recall(self) -> float | None:
        return self.supported / self.sentences if self.sentences else None


class Scored(Protocol):
    """One evaluated turn, as `index.evaluate.TurnResult` records it."""

    mode: str
    written: CitationCounts
    shown: CitationCounts


class Summary(Protocol):
    """The citation figures of an `index.evaluate.Report`."""

    citation_precision: float | None
    citation_recall: float | None
    shown_citation_precision: float | None
    shown_citation_recall: float | None
    llm_answered: float | None


class CitationQuality(TypedDict):
    citation_precision: float | None
    citation_recall: float | None
    shown_citation_precision: float | None
    shown_citation_recall: float | None
    llm_answered: float | None


def citation_quality(results: Sequence[Scored]) -> CitationQuality:
    """The report's citation figures over all turns (micro-averaged over sentences)."""
    written, shown = CitationCounts(), CitationCounts()
    for r in results:
        written.add(r.written)
        shown.add(r.shown)
    generated = [r for r in results if r.written.sentences]
    used = sum(r.mode != "extractive" for r in generated) / len(generated) if generated else None
    return {
        "citation_precision": written.precision,
        "citation_recall": written.recall,
        "shown_citation_precision": shown.precision,
        "shown_citation_recall": shown.recall,
        "llm_answered": used,
    }


def citation_lines(report: Summary) -> list[str]:
    """Citation precision/recall lines for the terminal, when there was anything to score."""
    lines = []
    if report.citation_recall is not None:
        lines.append(
            f"citations as the model wrote them: precision {_fmt(report.citation_precision)}"
            f"   recall {_fmt(report.citation_recall)}   model's answer used "
            f"{_fmt(report.llm_answered)} (the rest fell back to extractive)"
        )
    if report.shown_citation_recall is not None:
        lines.append(
            f"citations as shown: precision {_fmt(report.shown_citation_precision)}   "
            f"recall {_fmt(report.shown_citation_recall)}"
        )
    if lines:
        lines.append("(citation support judged by newsdesk's support checker, not an NLI model)")
    return lines


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def as_written(answer: Answer) -> CitationCounts:
    """The model's own sentences and markers, as the check found them."""
    # an answer of a revision from before claim checks has none (bench/answers.py --against)
    claims = getattr(answer, "claims", [])
    return CitationCounts(
        sentences=len(claims),
        cited=sum(bool(c.given) for c in claims),
        supported=sum(c.supported_as_given for c in claims),
    )


def as_shown(answer: Answer, judge: SupportChecker) -> CitationCounts:
    """The answer the user reads, each sentence against the passages its markers cite."""
    counts = CitationCounts()
    if answer.declined:
        return counts
    passages = {p.chunk_id: p for p in answer.passages}
    by_number = {c.number: passages.get(c.chunk_id) or _quoted(c) for c in answer.citations}
    for claim in split_claims(answer.text):
        numbers = [int(x) for m in MARKER.finditer(claim) for x in m.group(1).split(",")]
        sentence = MARKER.sub("", claim).strip()
        cited = [p for n in numbers if (p := by_number.get(n)) is not None]
        counts.sentences += 1
        counts.cited += bool(numbers)
        counts.supported += any(judge.check(sentence, p).supported for p in cited)
    return counts


def _quoted(citation: Citation) -> Passage:
    """The citation's quote as a passage (when its passage is not among the answer's)."""
    return Passage(
        chunk_id=citation.chunk_id, article_id=citation.article_id, title=citation.title,
        source=citation.source, url=citation.url, published=citation.published,
        start=citation.start, end=citation.end, text=citation.quote, score=citation.score,
    )  # fmt: skip
