"""Declining honestly: what to say when nothing answers, and answers that are about something else.

A decline names what is lacking and the closest stories, so the reader knows where to look.
Three checks run on the sentences an extractive answer would quote, after the article check
(`index.grounding`) has passed: the answer lacks part of what a chat question names and is
far from it in meaning ("Hurricane Michael has left a trail of disaster" for "how bad did
hurricane milton hit florida"); the question asks what happened in a year after every
article it would quote was written ("who won the 2024 presidential election" against 2022
stories that mention 2024 as the future); or the question asks about an outcome (a death, a
win, a verdict, a sentencing, a court's ruling, a strike's end, a resignation) that nothing
quoted reports ("how did yevgeny prigozhin die" against a story of his that tells of
something else): the store knows the subject but not the outcome, which came later or never.
"""

from __future__ import annotations

import re
from datetime import date

from index.grounding import CHAT_WORDS, lacking_words, named_words
from index.models import Passage, Similarity
from index.sentences import Candidate
from index.text import WORD, normalise

CLOSEST = 2  # stories named when declining
_TITLE_SUFFIX = re.compile(r"\s+[-|–]\s+[^-|–]*$")  # " - CNN", " | CNN Business"
# an answer that leaves out some of what the question names must at least be this close to it
# in meaning (MiniLM cosine; a property of the model and the two texts, not of the store)
OFF_SUBJECT_COSINE = 0.5
# a question that describes what it asks for instead of naming it ("which island nation")
_DESCRIBES = re.compile(r"\bwhich\b", re.I)
# Outcomes a question may ask about, each as (how a question asks about it, the words a
# report of it uses, what the decline says is missing). Ordinary English, not fitted to a
# store: a story that reports a death says someone died, was killed or murdered; one that
# reports a win names a winner, a title or a defeat.
_OUTCOMES = (
    (
        r"\b(?:die[sd]?|dying|deaths?|killed|kill)\b",
        r"\b(?:die[sd]?|dying|deaths?|dead|deadl\w*|kill\w*|murder\w*|slain|homicide|"
        r"fatal\w*|passed away|lost (?:his|her|their) li(?:fe|ves)|obituar\w*|funeral)\b",
        "a death",
    ),
    (
        r"\b(?:win|wins|won(?!['’]t)|winners?|beat)\b",
        r"\b(?:win|wins|won(?!['’]t)|winning|winners?|champions?|championship|title|beat|"
        r"beats|beaten|defeat\w*|victor\w*|triumph\w*|clinch\w*|prevail\w*|gold)\b",
        "who won",
    ),
    (
        # "when did the strike end", not "at the end of his speech" or "who ended up with"
        r"\b(?:when|did|does|has|have|had|is|was)\b[^?]*\bend(?:ed|s)?\b(?!\s+(?:of|up|to)\b)",
        # (a contest ends in its result: "how did the cup final end" — "Riverton win …")
        r"\b(?:end|ended|ending|ends|(?:is|was|are|were) over|deal|agreement|settle\w*|"
        r"ratif\w*|conclu\w*|resolv\w*|expir\w*|lift\w*|called off|back to work|"
        r"win|won(?!['’]t)|wins|winning|beat|beating|beaten|defeat\w*|victor\w*|draw|drew|tie|"
        r"tied)\b",
        "an end to it",
    ),
    (
        r"\b(?:guilty|convicted|conviction|verdict|acquitted)\b",
        r"\b(?:guilty|convict\w*|verdict|acquit\w*|sentenc\w*)\b",
        "a verdict",
    ),
    (
        r"\b(?:resign(?:ed|s)?|quit|step(?:ped|s)? down|drop(?:ped|s)? out|ousted|kicked out|"
        r"impeached|removed|expelled)\b",
        r"\b(?:resign\w*|quit\w*|step(?:ped|s|ping)? down|drop(?:ped|s|ping)? out|withdr[ae]w\w*|"
        r"suspend\w*|oust\w*|remov\w*|fired|firing|vacat\w*|impeach\w*|replac\w*|"
        r"succeed(?:ed|s|ing)?|successor|motion|expel\w*|expulsion)\b",
        "a departure",
    ),
    (
        # "how long did santos get in prison", "how many years in prison did he get"
        r"\b(?:sentenced?|sentencing)\b|\b(?:prison|jail) (?:time|term|sentence)\b|"
        r"\b(?:years|months) (?:in|behind) (?:prison|jail|bars)\b|"
        r"\b(?:get|got|gets|getting|spend|spent|serve|served|serving)\b[^?]*\b(?:prison|jail)\b",
        # "could face up to 20 years in prison" is what may come, not a sentence
        r"\bsentenc(?:ed|es|ing)\b|\bsentence (?:of|to)\b|\bprison term\b|\bjailed\b|"
        r"\bimprison\w*|\b(?:serv(?:e|es|ed|ing)|spen[dt]|spending)\b[^.]{0,40}"
        r"\b(?:in prison|in jail|behind bars)\b",
        "a sentencing",
    ),
    (
        # "how did the supreme court rule on …", "what did the judge decide"
        r"\b(?:court|judge|justices|jury|panel)\b[^?]*\b(?:rule[ds]?|ruling|decide[ds]?|decision)\b|"
        r"\b(?:rule[ds]?|ruling|decide[ds]?|decision)\b[^?]*\b(?:court|judge|justices)\b",
        r"\b(?:rul(?:ed|es|ing)|decided|decision|upheld|uphold\w*|"
        r"(?:struck|strikes?|threw|throws) (?:[\w'’-]+ ){0,3}(?:down|out)|"
        r"overturn\w*|sided|sides|block(?:ed|s)|reject\w*|dismiss\w*|"
        r"granted|denied|in favou?r of|verdict)\b",
        "a ruling",
    ),
    (
        r"\bcollaps(?:e|ed|es)\b",
        r"\b(?:collaps\w*|fell|fall(?:en|s)?|crumbl\w*|destroy\w*|breach\w*|gave way|toppl\w*)\b",
        "a collapse",
    ),
    (
        r"\bbann?(?:ed|s)?\b",
        r"\b(?:bann?\w*|barr(?:ed|ing)|prohibit\w*|outlaw\w*|forb[ia]d\w*|block\w*|suspend\w*)\b",
        "a ban",
    ),
)
_OUTCOME_PATTERNS = [(re.compile(q, re.I), re.compile(r, re.I), what) for q, r, what in _OUTCOMES]
# an outcome the question takes as given ("who fired the shot that killed …") is not asked
_RELATIVE = re.compile(r"\S\s+(?:that|which|who)\s+$", re.I)
# ... nor one a story says has not come ("if no agreement is reached", "pleaded not guilty",
# "if convicted, he could face")
_NEGATED = re.compile(
    r"\b(?:no|not|without|never)\s+(?:\w+\s+)?$|\b(?:if|unless|whether)\s+(?:[\w'’-]+\s+){0,3}$",
    re.I,
)
# "can one fan win", "will the strike end": what may happen, which a story can only foresee
_MAY_HAPPEN = re.compile(
    r"\b(?:can|could|will|would|might|may(?!\s+\d)|should|going to|(?:expected|scheduled) to)\b",
    re.I,
)


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


def off_subject(
    question: str,
    chosen: list[Candidate],
    *,
    names: frozenset[str] = frozenset(),
    similarity: Similarity | None = None,
) -> bool:
    """Is the answer about something else? It lacks one of the question's specific words
    (in its sentences and their headlines) and is not close to the question in meaning:
    "Hurricane Michael has left a trail of disaster" for "how bad did hurricane milton hit
    florida", whose article mentions a town called Milton somewhere else.

    A lacking name (`names`: the words the store writes as names) settles it. A lacking
    ordinary word ("wreck" where the story says "crash") does only when the sentence read
    with its headline is far from the question too (`similarity`): "The final tally was
    four broken ribs" says nothing of Dax Shepard, whose name is in its headline."""
    cosines = [c.features["semantic"] for c in chosen if "semantic" in c.features]
    if not cosines or max(cosines) >= OFF_SUBJECT_COSINE:
        return False
    lacking = unmentioned(question, chosen)
    if not lacking:
        return False
    named = set(named_words(question))
    if similarity is None or any(w in named or normalise(w) in names for w in lacking):
        return True
    in_story = similarity(question, [f"{c.passage.title}. {c.text}" for c in chosen])
    return max(in_story) < OFF_SUBJECT_COSINE


def unreported_outcome(question: str, chosen: list[Candidate]) -> str | None:
    """The outcome the question asks about ("a death" for "how did yevgeny prigozhin die")
    when none of the quoted sentences and their headlines reports one; None otherwise."""
    asked = _outcomes_asked(question)
    if not asked:
        return None
    said = " ".join([c.text for c in chosen] + sorted({c.passage.title for c in chosen}))
    return next((what for reports, what in asked if not _reports(reports, said)), None)


def _outcomes_asked(question: str) -> list[tuple[re.Pattern[str], str]]:
    if _MAY_HAPPEN.search(question):
        return []
    return [
        (reports, what)
        for asks, reports, what in _OUTCOME_PATTERNS
        if any(not _RELATIVE.search(question[: m.start()]) for m in asks.finditer(question))
    ]


def _reports(reports: re.Pattern[str], said: str) -> bool:
    return any(not _NEGATED.search(said[: m.start()]) for m in reports.finditer(said))


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
