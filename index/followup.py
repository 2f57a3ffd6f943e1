"""Follow-ups: make a question standalone before retrieval.

In LLM mode the model condenses the conversation (`prompts/condense.txt`). Offline, a
heuristic carries the topic: a question that leans on the conversation ("and what did
Mexico do?", "how many of them?", or one about what the last answer said: "how many did
Caitlin Clark score" after an answer naming her) gets the key terms of the question before
it, so retrieval still finds the story; an explicit new question is left as it is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from index.errors import LLMError
from index.grounding import mentions_all, specific_words
from index.models import Turn
from index.text import STOPWORDS, WORD, normalise, stem

logger = logging.getLogger(__name__)

Condense = Callable[[str, list[Turn]], str]

_LEANING_START = re.compile(
    r"^\s*(?:and|but|so|also|then|what about|how about|and then|what else|anything else|"
    r"what happened next|since when)\b",
    re.I,
)
_ANAPHORA = re.compile(
    r"\b(?:it|its|they|them|their|theirs|that|this|those|these|he|him|his|she|her|"
    r"the same|the other|there)\b",
    re.I,
)
_LEADING_FILLER = re.compile(r"^\s*(?:and|but|so|also|then)\b[\s,]*", re.I)
# question words and time words that are not the topic
_NOT_TOPIC = frozenset(
    ["now", "currently", "today", "yesterday", "latest", "recent", "recently", "say", "said"]
)
MAX_CARRIED_TERMS = 6


def key_terms(question: str) -> list[str]:
    """The content words of a question, in order, as written."""
    seen: set[str] = set()
    out: list[str] = []
    for match in WORD.finditer(question):
        token = match.group().strip("'’-.")
        if not token or normalise(token) in STOPWORDS | _NOT_TOPIC:
            continue
        word = stem(token)
        if word in seen:
            continue
        seen.add(word)
        out.append(token)
    return out


SELF_CONTAINED_TERMS = 3  # a question with this many content words and a specific one


def leans_on_history(question: str, said: list[str] | None = None) -> bool:
    """Does the question need the conversation to be understood?

    A pronoun alone does not make a follow-up: "Which country elected its first leftist
    leader?" names its own subject. A question leans when it opens like a continuation
    ("and …", "what about …"), is too short to stand alone, refers back without naming a
    subject of its own, or asks only about what was just `said` (the last turn's question,
    answer and quoted passages: "when did the state last execute anyone" after an answer on
    a state's death row).
    """
    if _LEANING_START.search(question):
        return True
    own = key_terms(question)
    if len(own) < 2:
        return True
    if _ANAPHORA.search(question) and (
        len(own) < SELF_CONTAINED_TERMS or not specific_words(question)
    ):
        return True
    return bool(said) and mentions_all(question, said or [])


def _said(turn: Turn) -> list[str]:
    """What a turn put in front of the user: its question, answer and quoted passages."""
    return [turn.question, turn.answer] + [f"{c.title}\n{c.quote}" for c in turn.citations]


def carry_topic(question: str, previous: str, said: list[str] | None = None) -> str:
    """`question` with the previous standalone question's key terms, if it leans on them."""
    if not leans_on_history(question, said):
        return question
    own = {stem(t) for t in key_terms(question)}
    carried = [t for t in key_terms(previous) if stem(t) not in own][:MAX_CARRIED_TERMS]
    body = _LEADING_FILLER.sub("", question).strip().rstrip("?.! ")
    if not carried:
        return question
    body = body[:1].upper() + body[1:]
    return f"{body} (about: {', '.join(carried)})?"


def heuristic_standalone(question: str, history: list[Turn]) -> str:
    """Carry the topic through the conversation, turn by turn."""
    previous, said = "", None
    for turn in history:
        previous = carry_topic(turn.question, previous, said) if previous else turn.question
        said = _said(turn)
    return carry_topic(question, previous, said) if previous else question


def standalone_question(
    question: str, history: list[Turn] | None, *, condense: Condense | None = None
) -> str:
    """The question to retrieve with: condensed by an LLM if given, else by the heuristic."""
    if not history:
        return question
    if condense is not None:
        try:
            return condense(question, history)
        except LLMError as exc:
            logger.warning("condensing the follow-up failed, using the heuristic: %s", exc)
    return heuristic_standalone(question, history)
