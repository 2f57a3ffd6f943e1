"""Declining honestly: what to say when nothing answers, and answers that are about something else.

A decline names what is lacking and the closest stories, so the reader knows where to look.
Two checks run on the sentences an extractive answer would quote, after the article check
(`index.grounding`) has passed: the answer lacks part of what a chat question names and is
far from it in meaning ("Hurricane Michael has left a trail of disaster" for "how bad did
hurricane milton hit florida"), or the question asks what happened in a year after every
article it would quote was written ("who won the 2024 presidential election" against 2022
stories that mention 2024 as the future).
"""

from __future__ import annotations

import re
from datetime import date

from index.grounding import CHAT_WORDS, lacking_words
from index.models import Passage
from index.sentences import Candidate
from index.text import WORD

CLOSEST = 2  # stories named when declining
_TITLE_SUFFIX = re.compile(r"\s+[-|–]\s+[^-|–]*$")  # " - CNN", " | CNN Business"
# an answer that leaves out some of what the question names must at least be this close to it
# in meaning (MiniLM cosine; a property of the model and the two texts, not of the store)
OFF_SUBJECT_COSINE = 0.5
# a question that describes what it asks for instead of naming it ("which island nation")
_DESCRIBES = re.compile(r"\bwhich\b", re.I)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def decline_text(
    question: str,
    *,
    missing: list[str] | None = None,
    closest: list[Passage] | None = None,
    lead: str | None = None,
) -> str:
    """The honest answer when nothing answers: what is lacking and the closest stories."""
    asked = " ".join(question.split()).rstrip("?.! ")
    if lead is None and missing:
        words = [f"“{w}”" for w in missing]
        listed = ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]
        lead = f"I have nothing on {listed} in my articles"
    elif lead is None:
        lead = f"I found nothing that answers “{asked}”"
    stories = [_story(p) for p in closest or []]
    if not stories:
        return f"{lead}, so I won't guess."
    return f"{lead}, so I won't guess. The closest I have: {'; '.join(stories)}."


def _story(passage: Passage) -> str:
    title = _TITLE_SUFFIX.sub("", passage.title).strip() or passage.source or "an untitled story"
    day = long_date(passage.published) if passage.published else ""
    where = [w for w in (passage.source, day) if w]
    return f"“{title}” ({', '.join(where)})" if where else f"“{title}”"


def closest_stories(passages: list[Passage], limit: int = CLOSEST) -> list[Passage]:
    """The best passage of each of the first `limit` distinct articles."""
    out: dict[str, Passage] = {}
    for passage in passages:
        if len(out) >= limit:
            break
        out.setdefault(passage.article_id, passage)
    return list(out.values())


def unmentioned(question: str, chosen: list[Candidate]) -> list[str]:
    """The specific words of a self-contained chat question that the answer's sentences and
    their headlines lack ("wimbledon" when the quote is about the Madrid Open final)."""
    if len(question.split()) > CHAT_WORDS:  # a quiz's background words are not its subject
        return []
    if _DESCRIBES.search(question):  # "which embattled celebrity": the answer names it
        return []
    said = [c.text for c in chosen] + sorted({c.passage.title for c in chosen})
    return lacking_words(question, said)


def off_subject(question: str, chosen: list[Candidate]) -> bool:
    """Is the answer about something else? It lacks one of the question's specific words
    (in its sentences and their headlines) and is not close to the question in meaning:
    "Hurricane Michael has left a trail of disaster" for "how bad did hurricane milton hit
    florida", whose article mentions a town called Milton somewhere else."""
    cosines = [c.features["semantic"] for c in chosen if "semantic" in c.features]
    if not cosines or max(cosines) >= OFF_SUBJECT_COSINE:
        return False
    return bool(unmentioned(question, chosen))


def unmentioned_note(question: str, words: list[str]) -> str:
    """Says what an answer leaves out, the way a search result says "Missing: …", so that
    the reader sees at once when it may be about another final, strike or storm. Words
    that stand together in the question are named together ("york city")."""
    wanted = set(words)
    phrases: list[list[str]] = []
    last = -2
    for i, match in enumerate(WORD.finditer(question)):
        word = match.group().rstrip(".,-")
        if word not in wanted:
            continue
        if i == last + 1:
            phrases[-1].append(word)
        else:
            phrases.append([word])
        last = i
    listed = ", ".join(f"“{' '.join(p)}”" for p in phrases)
    return f"Not mentioned in the quoted passages: {listed}."


def all_written_before(chosen: list[Candidate], year: int) -> bool:
    """Were all the quoted articles published before `year`? (Undated ones may be later.)"""
    days = [c.passage.published for c in chosen]
    return all(day is not None and day.year < year for day in days)
