"""Follow-ups: make a question standalone before retrieval.

In LLM mode the model condenses the conversation (`prompts/condense.txt`). Offline, a
heuristic carries the topic: a question that leans on the conversation ("and what did
Mexico do?", "how many of them?") gets the key terms of the question before it, so
retrieval still finds the story; an explicit new question is left as it is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from index.errors import LLMError
from index.grounding import specific_words
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


def leans_on_history(question: str) -> bool:
    """Does the question need the conversation to be understood?

    A pronoun alone does not make a follow-up: "Which country elected its first leftist
    leader?" names its own subject. A question leans when it opens like a continuation
    ("and …", "what about …"), is too short to stand alone, or refers back without naming
    a subject of its own.
    """
    if _LEANING_START.search(question):
        return True
    own = key_terms(question)
    if len(own) < 2:
        return True
    if _ANAPHORA.search(question):
        return len(own) < SELF_CONTAINED_TERMS or not specific_words(question)
    return False


def carry_topic(question: str, previous: str) -> str:
    """`question` with the previous standalone question's key terms, if it leans on them."""
    if not leans_on_history(question):
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
    previous = ""
    for turn in history:
        previous = carry_topic(turn.question, previous) if previous else turn.question
    return carry_topic(question, previous) if previous else question


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
