"""Extractive answering: the sentences of the retrieved passages that answer the question.

Offline and cheap (no model call; a few ms for eight passages). Only articles that contain
the question's subject (`index.grounding`: its names, places, years and rare words) may
answer; when none does, the answer says so and names the closest stories. Their sentences
are scored by how much of the question they cover (the article's title counting as
context), the passage's retrieval score, and whether they offer what the question asks for
(`index.asks`: a name, a number, a date, a place, a cause). Captions, credits, headings and
list items are never quoted. The best one to three become the answer, each cited `[n]` with
its exact character span, one citation per article (quoting it from the first sentence said
to the last, when a runner-up nearly as good lies a few sentences further into the story); a
story's first sentence brings the one after it, which gives the particulars. An answer that
leaves out part of what
a chat question names and is far from it in meaning is about something else: declined too,
as is a question about what happened in a year after every article it would quote, or about
an outcome (a death, a win, a verdict) that none of the quoted sentences reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from index.asks import QuestionKind, event_year
from index.citations import CitationNumbers, add_marker, make_citation
from index.declines import (
    all_written_before,
    closest_stories,
    decline_text,
    long_date,
    off_subject,
    unmentioned,
    unmentioned_note,
    unreported_outcome,
)
from index.grounding import missing_words, variant_map
from index.models import Citation, ClaimCheck, Passage, Similarity
from index.sentences import (
    WEIGHTS,
    Candidate,
    already_quoted,
    features,
    headline_names,
    passage_candidates,
    rarity_weights,
    redundant,
    sentences,
    weighted,
    weighted_terms,
)
from index.text import WORD, terms

__all__ = ["Composition", "ExtractiveComposer", "QuestionKind"]

RUNNER_UP = 0.65  # a second or third sentence scores at least this share of the best one
OTHER_SOURCE = 0.85  # ... this share if it is from a passage not quoted yet, or further on
TYPED_SHARE = 0.5  # a sentence that gives the number or date asked for leads from this share
NAMING_SHARE = 0.4  # a sentence naming the headline's subject scores at least this share
GATE_DEPTH = 10  # the relevance gate looks at this many of the best sentences
SEMANTIC_DEPTH = 10  # the best sentences by wording that are also compared by meaning
# one citation's quote, from the first sentence said to the last, runs at most this many
# characters of its article: a few paragraphs, half of what a source's passage view shows
# (`bot.render.QUOTE_CHARS`), which leaves room for the sentences around it
QUOTE_SPAN = 1500
NOTHING_MORE = "That is all I have on this."  # "tell me more" when everything has been said
# the text of a stored article by id, to check the question's subject against all of it
ArticleText = Callable[[str], str]
# sentence openers that read fine in lower case after "As of <date>, "
_LOWERABLE_START = re.compile(
    r"^(?:The|A|An|About|Roughly|Around|Some|Nearly|More|Only|There|It|Its|Most|Almost)\b"
)


@dataclass
class Composition:
    """An answer's text and citations before the service adds question, timings, mode."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    declined: bool = False
    note: str | None = None
    claims: list[ClaimCheck] = field(default_factory=list)  # a generated answer's checks


@dataclass
class Ranking:
    """A question's candidate sentences, best first, or the decline when none may answer."""

    kind: QuestionKind
    asked: dict[str, float]
    candidates: list[Candidate]
    declined: str | None


class ExtractiveComposer:
    """Composes a short cited answer from passages; see the module docstring."""

    def __init__(
        self,
        *,
        relevance_floor: float,
        max_sentences: int = 3,
        min_coverage: float = 0.2,
        article_text: ArticleText | None = None,
        similarity: Similarity | None = None,
        names: Callable[[], frozenset[str]] | None = None,
    ) -> None:
        self.relevance_floor = relevance_floor
        self.max_sentences = max_sentences
        self.min_coverage = min_coverage
        self.article_text = article_text
        self.similarity = similarity
        self.names = names  # the words the store writes as names (`KeywordIndex.names`)

    def compose(
        self,
        question: str,
        passages: list[Passage],
        *,
        numbers: CitationNumbers,
        focus: str | None = None,
        seen: list[Citation] | None = None,
        unsaid_only: bool = False,
    ) -> Composition:
        """The best sentences as a cited answer, or a decline when none is relevant.

        `focus`: the user's own words of a follow-up; `seen`: citations of earlier turns,
        which a follow-up should not simply repeat, and with `unsaid_only` ("tell me more")
        must not quote again at all.
        """
        ranking = self.rank_sentences(question, passages, focus=focus, seen=seen)
        if ranking.declined is not None:
            return Composition(text=ranking.declined, declined=True)
        kind, asked, candidates = ranking.kind, ranking.asked, ranking.candidates
        if unsaid_only:  # "tell me more": only what the conversation has not quoted yet
            candidates = [c for c in candidates if not already_quoted(c, seen or [])]
            if not any(_covers(asked, c) >= self.min_coverage for c in candidates[:GATE_DEPTH]):
                return Composition(text=NOTHING_MORE, declined=True)
        candidates = self._by_meaning(focus or question, candidates)
        candidates = _typed_first(candidates, kind)
        chosen = self._select(candidates, kind)
        # (a follow-up's subject is the conversation's, which the answer before established)
        if focus is None and off_subject(
            question, chosen, names=self._store_names(), similarity=self.similarity
        ):
            stories = closest_stories([c.passage for c in chosen] + passages)
            return Composition(text=decline_text(question, closest=stories), declined=True)
        outcome = unreported_outcome(focus or question, chosen)
        if outcome is not None:  # the subject is stored, the outcome asked about is not
            lead = f"My articles on this don't report {outcome}"
            stories = closest_stories([c.passage for c in chosen])
            return Composition(
                text=decline_text(question, closest=stories, lead=lead), declined=True
            )
        year = event_year(question)
        if year is not None and all_written_before(chosen, year):
            lead = f"I have nothing from {year} or later on this"
            stories = closest_stories([c.passage for c in chosen])
            return Composition(
                text=decline_text(question, closest=stories, lead=lead), declined=True
            )
        # quote the sentence naming the headline's subject when the headline is about the
        # question but the question does not name that subject ("which show …")
        title = chosen[0].passage.title
        about = terms(title) & set(asked) and not _names_headline_subject(title, set(asked))
        if kind.wants_name and about and len(chosen) < self.max_sentences:
            chosen = _naming(candidates, chosen, set(asked)) + chosen
        chosen = self._more_of_quoted_articles(candidates, chosen)
        if unsaid_only:  # a neighbour added to complete or name the subject may be quoted
            chosen = [c for c in chosen if not already_quoted(c, seen or [])]
            if not chosen:
                return Composition(text=NOTHING_MORE, declined=True)
        composition = _render(chosen, kind, numbers, self.article_text)
        missing = unmentioned(question, chosen) if focus is None else []
        if missing:
            composition.note = unmentioned_note(question, missing)
        return composition

    def rank_sentences(
        self,
        question: str,
        passages: list[Passage],
        *,
        focus: str | None = None,
        seen: list[Citation] | None = None,
    ) -> Ranking:
        """The candidate sentences scored by wording, best first, or why none may answer."""
        kind = QuestionKind.of(focus or question)
        asked = weighted_terms(question, focus=focus)
        relevant = [p for p in passages if _relevance(p) >= self.relevance_floor]
        grounded, missing = self._grounded(question, relevant or passages[:1])
        if not relevant or not grounded:
            closest = closest_stories(relevant or passages)
            text = decline_text(focus or question, missing=missing, closest=closest)
            return Ranking(kind, asked, [], text)
        needed = terms(focus or "") & asked.keys()
        candidates = [
            c for c in self._score(asked, kind, grounded, seen or []) if _mentions_any(c, needed)
        ]
        if not any(_covers(asked, c) >= self.min_coverage for c in candidates[:GATE_DEPTH]):
            text = decline_text(focus or question, closest=closest_stories(relevant))
            return Ranking(kind, asked, [], text)
        return Ranking(kind, asked, candidates, None)

    def _grounded(self, question: str, passages: list[Passage]) -> tuple[list[Passage], list[str]]:
        """The passages of articles that contain the question's subject, and, when there
        are none, the subject's words the best article lacks."""
        lacking: dict[str, list[str]] = {}
        names = self._store_names()
        for passage in passages:
            if passage.article_id not in lacking:
                lacking[passage.article_id] = missing_words(
                    question, self._texts(passage, passages), names=names
                )
        kept = [p for p in passages if not lacking[p.article_id]]
        first = lacking[passages[0].article_id] if passages else []
        return kept, ([] if kept else first)

    def _store_names(self) -> frozenset[str]:
        return self.names() if self.names is not None else frozenset()

    def _texts(self, passage: Passage, passages: list[Passage]) -> list[str]:
        """What the article says: its whole text when the store can tell, else its passages."""
        if self.article_text is not None:
            return [passage.title, self.article_text(passage.article_id)]
        return [passage.title] + [p.text for p in passages if p.article_id == passage.article_id]

    def _score(
        self,
        asked: dict[str, float],
        kind: QuestionKind,
        passages: list[Passage],
        seen: list[Citation],
    ) -> list[Candidate]:
        """Every sentence of every passage, scored, best first."""
        if not asked:
            return []
        split = []
        for passage in passages:
            spans = sentences(passage.text)
            split.append((passage, spans, [terms(passage.text[s:e]) for s, e in spans]))
        titles = [terms(p.title) for p in passages if p.title]
        variants = variant_map(
            set(asked), set().union(*titles, *(f for *_, fs in split for f in fs))
        )
        if variants:  # "Mexican" in a sentence answers for "Mexico" in the question
            split = [
                (p, spans, [_with_variants(f, variants) for f in fs]) for p, spans, fs in split
            ]
            titles = [_with_variants(t, variants) for t in titles]
        wanted = rarity_weights(asked, [f for _, _, found in split for f in found], titles)
        out = [
            cand
            for rank, (passage, spans, found) in enumerate(split)
            for cand in passage_candidates(passage, rank, spans, found, wanted)
        ]
        # "now" means the newest report on the question's topic, not the newest passage
        newest = max(
            (c.passage.published for c in out if c.passage.published and c.coverage >= 0.5),
            default=None,
        )
        for cand in out:
            cand.features = features(cand, kind, asked, newest, seen, variants)
            cand.score = weighted(cand.features)
        out.sort(key=lambda c: c.score, reverse=True)
        return out

    def _by_meaning(self, question: str, candidates: list[Candidate]) -> list[Candidate]:
        """Rescore the best few by meaning too ("troops" and "soldiers" share no word)."""
        if self.similarity is None or len(candidates) < 2:
            return candidates
        top = candidates[:SEMANTIC_DEPTH]
        for cand, cosine in zip(top, self.similarity(question, [c.text for c in top])):
            cand.features["semantic"] = cosine
            cand.score += WEIGHTS["semantic"] * cosine
        return sorted(top, key=lambda c: c.score, reverse=True) + candidates[SEMANTIC_DEPTH:]

    def _select(self, candidates: list[Candidate], kind: QuestionKind) -> list[Candidate]:
        """The best sentence, plus close runners-up that add something.

        A runner-up from a passage already quoted must be the sentence right before or after
        the quote, so that the citation's one quote is exactly the sentences said. The story
        retrieval ranked first counts as quoted: when another story's sentence edges its
        best one out on wording, its best is still said (the share of the same passage's),
        unless it repeats what is said (then the story has nothing to add).
        """
        best = candidates[0]
        chosen = [best]
        first_story = min(candidates, key=lambda c: c.rank).passage.article_id
        first_best = next(c for c in candidates if c.passage.article_id == first_story)
        # a short lead-in ("Mexico has moved troops of its own.") or a story's first sentence,
        # which sets the story up ("The actress who played Miss Cleo has died"): the sentence
        # after it gives the particulars ("Youree Dell Harris, 53, died in Palm Beach")
        if len(best.terms) < 6 or best.features.get("lead"):
            chosen += _next_sentence(best)  # the next quotable one: `sentences` gives no other
        for cand in candidates[1:]:
            if len(chosen) >= self.max_sentences or cand.score < RUNNER_UP * best.score:
                break
            if _other_chunk_of_a_quoted_article(cand, chosen):
                continue  # one article, one citation
            quoted = [c for c in chosen if c.passage.chunk_id == cand.passage.chunk_id]
            if quoted and not _adjacent(cand, quoted):
                continue
            if not quoted and cand is not first_best and cand.score < OTHER_SOURCE * best.score:
                continue  # another source must be nearly as good to be cited too
            if any(redundant(cand, other) for other in chosen):
                continue
            if kind.about_now and cand.passage.article_id != best.passage.article_id:
                continue  # an older report's figure would muddle "how many now"
            chosen.append(cand)
        return chosen

    def _more_of_quoted_articles(
        self, candidates: list[Candidate], chosen: list[Candidate]
    ) -> list[Candidate]:
        """Runners-up nearly as good as the best from an article already quoted, a few
        sentences from its quote ("Two goals from Ilkay Gundogan …" after the match
        report's lead): its one citation then quotes the article from the first of them to
        the last, when that stays short.

        Added after the answer passed the checks of `compose`: what more it says of a story
        it quotes cannot make an answer about something else pass them."""
        best, out = chosen[0], list(chosen)
        for cand in candidates[1:]:
            if len(out) >= self.max_sentences or cand.score < OTHER_SOURCE * best.score:
                break
            same = [c for c in out if c.passage.article_id == cand.passage.article_id]
            if not same or any(_span(c) == _span(cand) for c in same):
                continue
            if any(redundant(cand, other) for other in out):
                continue
            lo, hi = _span_of(same + [cand])
            if hi - lo > QUOTE_SPAN or not self._spans_one_text(same + [cand]):
                continue
            out.append(cand)
        return out

    def _spans_one_text(self, cands: list[Candidate]) -> bool:
        """Can one quote hold them: one passage, or passages the article's text joins?"""
        if len({c.passage.chunk_id for c in cands}) == 1:
            return True
        text = self.article_text(cands[0].passage.article_id) if self.article_text else ""
        return all(text[c.passage.start : c.passage.end] == c.passage.text for c in cands)


def _span(cand: Candidate) -> tuple[int, int]:
    """The sentence's offsets in its article."""
    return cand.passage.start + cand.start, cand.passage.start + cand.end


def _span_of(cands: list[Candidate]) -> tuple[int, int]:
    """The article's offsets from the first of `cands` to the last."""
    spans = [_span(c) for c in cands]
    return min(s for s, _ in spans), max(e for _, e in spans)


def _typed_first(candidates: list[Candidate], kind: QuestionKind) -> list[Candidate]:
    """For a number or date question, a sentence that gives what is asked for leads one that
    only restates the question: a story's lead shares every word of "how much pell grant
    money did trump want to shift to nasa" and names no sum; "… would transfer nearly $4
    billion from a surplus in the Pell Grant program" answers it. Among the best few by
    score, and only one scoring at least half the best (the answer-type filter of a reader)."""
    if kind.wanted not in ("number", "date") or not candidates:
        return candidates
    best = candidates[0]
    if best.features.get("offers", 0.0) >= 1.0:
        return candidates
    for cand in candidates[1:SEMANTIC_DEPTH]:
        if cand.features.get("offers", 0.0) >= 1.0 and cand.score >= TYPED_SHARE * best.score:
            return [cand] + [c for c in candidates if c is not cand]
    return candidates


def _names_headline_subject(title: str, asked: set[str]) -> bool:
    """Does the question name what the headline is about (its first name: "Riverton" in
    "Riverton Rovers win the cup final")? Then the answer is something else."""
    for match in WORD.finditer(title):
        token = match.group()
        if token[0].isupper() and not token[0].isdigit():
            return bool(terms(token) & asked)
    return False


def _with_variants(found: set[str], variants: dict[str, str]) -> set[str]:
    return found | {variants[t] for t in found if t in variants}


def _relevance(passage: Passage) -> float:
    return passage.relevance if passage.relevance is not None else passage.score


def _other_chunk_of_a_quoted_article(cand: Candidate, chosen: list[Candidate]) -> bool:
    return any(
        c.passage.article_id == cand.passage.article_id
        and c.passage.chunk_id != cand.passage.chunk_id
        for c in chosen
    )


def _adjacent(cand: Candidate, quoted: list[Candidate]) -> bool:
    """Is `cand` the sentence just before or just after the span `quoted` covers?"""
    text = cand.passage.text
    lo, hi = min(c.start for c in quoted), max(c.end for c in quoted)
    if cand.end <= lo:
        return not text[cand.end : lo].strip()
    return cand.start >= hi and not text[hi : cand.start].strip()


def _naming(
    candidates: list[Candidate], chosen: list[Candidate], asked: set[str]
) -> list[Candidate]:
    """A sentence naming the headline's subject when the chosen ones do not: the sentence
    the best one refers back to, or else a well-scored one (quoted first, as the answer)."""
    best = chosen[0]
    missing = headline_names(best.passage.title, asked) - set().union(*(c.terms for c in chosen))
    if not missing:
        return []
    before = _antecedent(chosen, asked)
    if before:
        return before
    for cand in candidates[1:GATE_DEPTH]:
        if cand.score < NAMING_SHARE * best.score:
            break
        quoted = [c for c in chosen if c.passage.chunk_id == cand.passage.chunk_id]
        if cand in chosen or (quoted and not _adjacent(cand, quoted)):
            continue
        if _other_chunk_of_a_quoted_article(cand, chosen):
            continue
        if cand.terms & missing and not any(redundant(cand, c) for c in chosen):
            return [cand]
    return []


def _antecedent(chosen: list[Candidate], asked: set[str]) -> list[Candidate]:
    """The sentence just before `best`, when it names the headline's subject and `best` does not.

    A best match often refers back ("the wildly popular South Korean show") to what the
    sentence before names ("“Squid Game” is officially coming back."): quoting both keeps
    the quote one contiguous span and puts the name in the answer.
    """
    best = chosen[0]
    missing = headline_names(best.passage.title, asked) - best.terms
    if not missing:
        return []
    text = best.passage.text
    before = [(s, e) for s, e in sentences(text) if e <= best.start]
    if not before or text[before[-1][1] : best.start].strip():
        return []
    start, end = before[-1]
    if any(c.passage.chunk_id == best.passage.chunk_id and c.start == start for c in chosen):
        return []
    found = terms(text[start:end])
    if not found & missing:
        return []
    return [Candidate(best.passage, best.rank, start, end, found, best.own, best.coverage)]


def _next_sentence(cand: Candidate) -> list[Candidate]:
    """The sentence after `cand` in its passage, if any, to complete a short one."""
    for start, end in sentences(cand.passage.text):
        if start >= cand.end:
            found = terms(cand.passage.text[start:end])
            return [Candidate(cand.passage, cand.rank, start, end, found, cand.own, cand.coverage)]
    return []


def _covers(asked: dict[str, float], cand: Candidate) -> float:
    """Share of the question's (unweighted by rarity) terms in the sentence or its title.

    The relevance gate: the retriever's floor has judged the passage relevant; this only
    catches a sentence that shares (almost) nothing with the question.
    """
    found = cand.terms | terms(cand.passage.title)
    return sum(w for t, w in asked.items() if t in found) / sum(asked.values())


def _mentions_any(cand: Candidate, needed: set[str]) -> bool:
    """A follow-up must be answered on its own terms, not only the carried-over topic."""
    return not needed or bool(needed & (cand.terms | terms(cand.passage.title)))


def _render(
    chosen: list[Candidate],
    kind: QuestionKind,
    numbers: CitationNumbers,
    article_text: ArticleText | None = None,
) -> Composition:
    """Sentences in order of relevance, each with its marker; one citation per article,
    quoting it from the first of its sentences said to the last."""
    by_article: dict[str, list[Candidate]] = {}
    for cand in chosen:
        by_article.setdefault(cand.passage.article_id, []).append(cand)
    citations: dict[str, Citation] = {}
    for article_id, cands in by_article.items():
        passage = _quoted_passage(cands, article_text)
        lo, hi = _span_of(cands)
        citations[article_id] = make_citation(
            numbers.number_for(cands[0].passage),
            passage,
            lo - passage.start,
            hi - passage.start,
            score=cands[0].score,
        )
    sentences = []
    for i, cand in enumerate(chosen):
        passage = cand.passage
        sentence = " ".join(passage.text[cand.start : cand.end].split())
        sentence = _dated(sentence, passage, chosen[0].passage, first=i == 0, kind=kind)
        sentences.append(add_marker(sentence, citations[passage.article_id].number))
    return Composition(text=" ".join(sentences), citations=list(citations.values()))


def _quoted_passage(cands: list[Candidate], article_text: ArticleText | None) -> Passage:
    """The passage the quote of `cands` comes from: theirs, or, when they come from two
    passages of one article, the article's text across both."""
    first = cands[0].passage
    if len({c.passage.chunk_id for c in cands}) == 1 or article_text is None:
        return first
    lo = min(c.passage.start for c in cands)
    hi = max(c.passage.end for c in cands)
    return first.model_copy(
        update={"start": lo, "end": hi, "text": article_text(first.article_id)[lo:hi]}
    )


def _dated(
    sentence: str, passage: Passage, lead: Passage, *, first: bool, kind: QuestionKind
) -> str:
    """Say when, for questions about the current state ("As of 12 February 2025, …")."""
    if not kind.about_now or passage.published is None:
        return sentence
    if not first and passage.published == lead.published:
        return sentence
    prefix = "As of" if first else "On"
    if _LOWERABLE_START.match(sentence):
        return f"{prefix} {long_date(passage.published)}, {sentence[0].lower()}{sentence[1:]}"
    return f"{prefix} {long_date(passage.published)}: {sentence}"
