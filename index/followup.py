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
from index.grounding import mentions_all, named_words, specific_words
from index.models import Turn
from index.text import STOPWORDS, WORD, normalise, stem

logger = logging.getLogger(__name__)

Condense = Callable[[str, list[Turn]], str]

_LEANING_START = re.compile(
    r"^\s*(?:and|but|so|also|then|what about|how about|and then|what else|anything else|"
    r"what happened next|since when)\b",
    re.I,
)
# a person or group the question may not name: "did he end up getting convicted"
_PERSONS = r"he|him|his|she|her|hers|they|them|their|theirs"
_ANAPHORA = re.compile(
    rf"\b(?:{_PERSONS}|it|its|that|this|those|these|the same|the other|there)\b", re.I
)
_PERSON_REFERENCE = re.compile(rf"\b(?:{_PERSONS})\b", re.I)
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
    subject of its own (or to a person it names nowhere: "did he end up getting
    convicted"), or asks only about what was just `said` (the last turn's question, answer
    and quoted passages: "when did the state last execute anyone" after an answer on a
    state's death row).
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
    if _PERSON_REFERENCE.search(question) and not named_words(question):
        return True  # "did he end up getting convicted": someone the conversation named
    return bool(said) and mentions_all(question, said or [])


def _said(turn: Turn) -> list[str]:
    """What a turn put in front of the user: its question, answer and quoted passages."""
    return [turn.question, turn.answer] + [f"{c.title}\n{c.quote}" for c in turn.citations]


def carry_topic(question: str, previous: str, said: list[str] | None = None) -> str:
    """`question` with the previous standalone question's key terms, if it leans on them."""
    if not leans_on_history(question, said):
        return question
    own = {stem(t) for t in key_terms(question)}
    carried = [t for t in key_terms(previous) if stem(t) not in own]
    # the names first: a topic carried twice ("where was she kept (about: …, excelsior,
    # springs)") must not lose its place to the words of the last question
    named = {stem(w) for w in named_words(previous)}
    carried = sorted(carried, key=lambda t: stem(t) not in named)[:MAX_CARRIED_TERMS]
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


# "tell me more", "what else?", "go on": the same question again, for what was not yet said
_MORE = re.compile(
    r"^\s*(?:and\s+)?(?:(?:please\s+)?(?:tell|give|show)\s+me\s+more|(?:any\s*thing|what)\s+else|"
    r"(?:some\s+|any\s+)?more(?:\s+(?:please|details?|info(?:rmation)?))?|go\s+on|"
    r"keep\s+going|continue|say\s+more|elaborate)"
    r"(?:\s+(?:about\s+)?(?:it|this|that))?(?:\s+please)?[\s?.!]*$",
    re.I,
)


def asks_for_more(question: str) -> bool:
    """Does the message only ask for more on what was just answered ("tell me more")?"""
    return bool(_MORE.match(question))


def standalone_question(
    question: str, history: list[Turn] | None, *, condense: Condense | None = None
) -> str:
    """The question to retrieve with: condensed by an LLM if given, else by the heuristic.

    A request for more ("tell me more", "what else?") is the last question asked again, as
    made standalone then; the composer then says only what was not said yet.
    """
    if not history:
        return question
    if asks_for_more(question):
        earlier = [i for i, turn in enumerate(history) if not asks_for_more(turn.question)]
        if earlier:
            last = earlier[-1]
            return standalone_question(history[last].question, history[:last], condense=condense)
    # a "tell me more" turn stands for the question it continued (its topic is not "else")
    history = _continued(history)
    if condense is not None:
        try:
            condensed = condense(question, history)
        except LLMError as exc:
            logger.warning("condensing the follow-up failed, using the heuristic: %s", exc)
        else:
            unfit = _unfit_condensed(condensed, question, history)
            if not unfit:
                return condensed
            logger.info("the model's standalone question %s; using the heuristic", unfit)
    return heuristic_standalone(question, history)


def _continued(history: list[Turn]) -> list[Turn]:
    """`history` with each request for more put as the question it asked more about."""
    out: list[Turn] = []
    for turn in history:
        if asks_for_more(turn.question) and out:
            turn = turn.model_copy(update={"question": out[-1].question})
        out.append(turn)
    return out


def _unfit_condensed(condensed: str, question: str, history: list[Turn]) -> str:
    """Why a model's standalone question cannot stand in for `question` ("" if it can).

    A small model repeats the prompt, answers instead of rewriting, or drops what was asked
    ("who is its governor" → "What did Valdoria's central bank do?"): the rewrite must be one
    question of modest length that keeps the user's own words and, for a question that
    leans on the conversation, adds something of it.
    """
    said = " ".join(condensed.split())
    if not said or len(said) > 3 * len(question) + 200 or said.count("?") > 1:
        return "is not one question"
    if "<" in said and "<" not in question:
        return "repeats the prompt"
    own = {stem(t) for t in key_terms(question)}
    written = {stem(t) for t in key_terms(said)}
    if len(own - written) > len(own) / 3:  # a word may be reworded, not what was asked
        return "drops words of the question"
    if leans_on_history(question) and not written - own:
        return "adds nothing of the conversation"
    return ""
