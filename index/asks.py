"""What a question asks for, and whether a sentence offers it.

"who" wants a person or organisation, "how many" a number, "when" a date or time, "where" a
place, "why" a cause, a yes/no question the claim itself. A sentence that shares the
question's words but lacks the kind of thing asked for ("The ultimate prize will be announced
on Wednesday" for "which dog won") rarely answers it; these cheap pattern checks let the
composer prefer the sentence that does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.text import STOPWORDS, WORD, terms

Wanted = Literal["name", "number", "date", "place", "reason", "claim", "thing"]
# what a number question measures, when it says: "how much did it cost" wants a sum of money,
# "what percent" a share, "how old" an age, "how long" a span of time, "how far" a distance,
# "how strong was the quake" a strength (a magnitude, a category, a wind speed), "how fast" a
# speed, "how cold" degrees
Measure = Literal["money", "share", "age", "span", "distance", "strength", "speed", "temperature"]

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|"
    "thousands?|millions?|billions?|trillions?|twice|half"
)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_ABBR = r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
NOT_A_NAME = frozenset(MONTHS.lower().split("|") + DAYS.lower().split("|"))

HAS_NUMBER = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.I)
HAS_DATE = re.compile(rf"\b(?:{MONTHS}|(?:{_MONTH_ABBR})\.|(?:1[89]|20)\d\d)\b")
HAS_DAY = re.compile(
    rf"\b(?:{DAYS}|yesterday|tomorrow|today|tonight|last (?:week|month|year)|"
    r"this (?:week|month|year)|next (?:week|month|year)|\d{1,2}(?::\d\d)? ?[ap]\.?m\b)",
    re.I,
)
HAS_CAUSE = re.compile(
    r"\b(?:because|due to|owing to|as a result|result(?:ed|s|ing)? (?:of|from)|caused by|"
    r"cause[sd]?|blam(?:e|ed|es|ing)|driven by|driving|fuel(?:ed|led|s)? by|thanks to|"
    r"stem(?:s|med)? from|led to|leading to|reason|amid|after|since|so that|in order to|"
    r"aimed at|linked to|attributed to|shortage|outbreak|in response to)\b",
    re.I,
)
_PLACE = re.compile(r"\b(?:in|at|near|from|outside|across|into|off|on) (?:the )?([A-Z][\w’'-]+)")

_WANTS_NUMBER = re.compile(
    r"\bhow (?:many|much|big|large|long|far|close|near|old|high|tall|fast|deep|often|strong|"
    r"powerful|intense|hot|cold|warm|heavy|wide)\b|"
    r"\bwhat (?:number|percent(?:age)?|share|rate|price|cost|temperature|amount|score|age)\b|"
    # "what's the coldest temperature", "what tax rate", "what turnout did officials claim"
    r"\bwhat(?:'s|’s|s| is| was| are| were)? (?:the )?"
    r"(?:(?!of |on |for |in |to |behind |about |with )[a-z\d-]+ ){0,5}(?:temperature|price|"
    r"cost|rate|score|population|percentage|amount|turnout|margin|salary|budget|discount)s?\b|"
    r"\b(?:death toll|how many|number of)\b",
    re.I,
)
_WANTS_DATE = re.compile(
    r"\bwhen\b|\bwhat (?:date|day|year|month|time)\b|\bhow long ago\b|\bwhich (?:day|year)\b",
    re.I,
)
_WANTS_YEAR = re.compile(r"\b(?:what|which) year\b|\bwhat decade\b", re.I)
# a day of the month, or a month of a year: "Feb. 22", "22 February", "June 2021"
_DAY_OF_MONTH = re.compile(
    rf"\b(?:{MONTHS}|(?:{_MONTH_ABBR})\.?) (?:\d{{1,2}}\b|(?:1[89]|20)\d\d\b)|"
    rf"\b\d{{1,2}} (?:{MONTHS})\b"
)
_WANTS_PLACE = re.compile(
    r"\bwhere\b|\b(?:what|which) (?:city|country|state|town|place|island|region|county)\b", re.I
)
_WANTS_REASON = re.compile(
    r"\bwhy\b|\bhow come\b|\bwhat (?:caused|causes|led to|is behind|was behind|'s behind)\b|"
    r"\breason\b",
    re.I,
)
_WANTS_NAME = re.compile(
    r"\bwho(?:m|se|'s|’s)?\b|\bwhich\b|\bwhat(?:'s|’s)? (?:is )?the name\b", re.I
)
_YES_NO = re.compile(
    r"^\s*(?:is|are|was|were|did|does|do|has|have|had|can|could|will|would|should)\b", re.I
)
_MEASURES: tuple[tuple[re.Pattern[str], Measure | None], ...] = (
    (re.compile(r"\bhow old\b|\bwhat age\b|\bhow young\b", re.I), "age"),
    (re.compile(r"\bhow long\b(?! ago)", re.I), "span"),
    (re.compile(r"\bhow (?:strong|powerful|intense)\b", re.I), "strength"),
    (re.compile(r"\bhow fast\b", re.I), "speed"),
    (re.compile(r"\bhow (?:hot|cold|warm)\b|\btemperatures?\b", re.I), "temperature"),
    # ("how far over asking did it sell" asks for a sum)
    (
        re.compile(r"\bhow (?:far|close|near)\b(?! (?:over|above|below|under|behind|ahead))", re.I),
        "distance",
    ),
    (
        re.compile(
            r"\bwhat (?:percent(?:age)?|share|proportion|fraction)\b|\bhow much of\b|\bturnout\b|"
            r"\bwhat (?:per ?cent)\b|\b(?:interest )?rates?\b",
            re.I,
        ),
        "share",
    ),
    (  # "how much did the profit drop / the snow fall": a share, a sum, inches: any number
        re.compile(
            r"\b(?:drop|dropped|drops|fall|fell|falls|rise|rose|rises|increase[sd]?|"
            r"decrease[sd]?|decline[sd]?|grow|grew|grows|jump(?:ed|s)?|surge[sd]?|"
            r"plunge[sd]?|climb(?:ed|s)?|slump(?:ed|s)?|gain(?:ed|s)?|cut|shrink|shrank)\b",
            re.I,
        ),
        None,
    ),
    (
        re.compile(
            r"\b(?:cost|costs|costing|pay|paid|pays|paying|make|makes|made|earn|earns|earned|"
            r"spend|spent|spends|worth|raise|raised|charge|charged|charges|fine|fined|price|"
            r"priced|salary|money|budget|fund|funding|sell|sold|bid|offer|offered|deal|"
            r"contract|loan|lost|lose|owe|owes|dollars?|tax|fee|fees|prize|bail|settle|"
            r"settlement|donate|donated|give|gave|cash|valued?|revenue|profit)\b",
            re.I,
        ),
        "money",
    ),
)
_MONEY = (
    r"[$€£¥]\s?\d|\d[\d,.]*\s?(?:million|billion|trillion|bn|m)?\s?"
    r"(?:dollars|euros|pounds|yuan|yen|rupees|pesos)\b|\bUS\$|\bcents?\b"
)
_SHARE = (
    r"\d\s?%|\b(?:percent|per cent|percentage points?|half|third|quarter|two-thirds|"
    r"three-quarters|majority|minority)\b|\b\d+ (?:in|out of) (?:every )?\d+\b"
)
_SPEED = (
    r"\d[\d,.]* ?(?:mph|km/h|kph|knots|miles (?:per|an) hour|kilometers per hour|"
    r"kilometres per hour)"
)
_OFFERS_MEASURE: dict[Measure, re.Pattern[str]] = {
    "money": re.compile(_MONEY, re.I),
    "share": re.compile(_SHARE, re.I),
    "age": re.compile(
        r"\b\d{1,3}[- ](?:years?[- ]olds?|and (?:up|older|over|above|under|younger))\b|"
        r"\b(?:ages?|aged) \d|\b(?:under|over) (?:the age of )?\d{1,3}\b|, \d{1,3},|"
        r"\b(?:teens?|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b",
        re.I,
    ),
    "span": re.compile(
        rf"\b(?:\d[\d,.]*|{_NUMBER_WORDS}|a|an|a few|several)[- ]"
        r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries|"
        r"innings|quarters|seasons?|terms?)\b|\b(?:until|through|till) \w|"
        rf"\b(?:{MONTHS}) \d{{4}}\b",
        re.I,
    ),
    "distance": re.compile(
        rf"(?:\d[\d,.]*[- ]?|\b(?:{_NUMBER_WORDS})[- ])(?:miles?|mi|kilometers?|kilometres?|km|"
        r"meters?|metres?|m|feet|foot|ft|yards?|inches|inch|light-years?)\b",
        re.I,
    ),
    "strength": re.compile(rf"\bmagnitude\b|\bcategory[- ]\d|\bEF-?\d|{_SPEED}", re.I),
    "speed": re.compile(_SPEED, re.I),
    "temperature": re.compile(
        r"\d[\d,.]* ?(?:°|degrees?\b)|\bdegrees? (?:below|above)\b|\d ?[CF]\b", re.I
    ),
}

# "how many troops are at the border" asks for the latest count ("how old", "how much" not)
_WANTS_CURRENT = re.compile(
    r"\b(?:now|currently|current|at the moment|today|so far|latest|still|right now)\b", re.I
)


# the question word that comes first asks ("what did mcdonald's credit when it beat
# forecasts" wants a thing, not a date; "who was president when the war began" a name); at
# the same word, the first pattern here ("which year" is a date before "which" a name); a
# yes/no question only when no question word asks
_KINDS: tuple[tuple[re.Pattern[str], Wanted], ...] = (
    (_WANTS_REASON, "reason"),
    (_WANTS_NUMBER, "number"),
    (_WANTS_DATE, "date"),
    (_WANTS_PLACE, "place"),
    (_WANTS_NAME, "name"),
    (re.compile(r"^\s*what\b", re.I), "thing"),  # opening the question
)


@dataclass(frozen=True)
class QuestionKind:
    """What the question asks for, and whether it asks about the current state of things."""

    wanted: Wanted
    about_now: bool
    measure: Measure | None = None  # of a number question, when it says
    # of a date question that does not ask for a year: "Feb. 22, 2018" answers "when did the
    # strike begin" more fully than "the 2018 strike"
    to_the_day: bool = False

    @property
    def wants_number(self) -> bool:
        return self.wanted == "number"

    @property
    def wants_date(self) -> bool:
        return self.wanted == "date"

    @property
    def wants_name(self) -> bool:
        return self.wanted in ("name", "thing", "place")

    @classmethod
    def of(cls, question: str) -> QuestionKind:
        # a quiz question sets the scene first ("… a growing number of people are fleeing
        # their cities. Where are many Americans moving?"): its last sentence asks (unless a
        # "Dr." split it and the last piece asks nothing: then the whole question is read)
        asking = re.split(r"(?<=[.!?])\s+(?=[A-Z])", question.strip())[-1]
        kinds = _asked_for(asking)
        if not kinds:
            asking = question
            kinds = _asked_for(question)
        wanted: Wanted = kinds[0] if kinds else "claim" if _YES_NO.search(asking) else "thing"
        now = bool(_WANTS_CURRENT.search(question)) or (
            bool(re.search(r"\bhow many\b", question, re.I)) and not HAS_DATE.search(question)
        )
        measure = None
        if wanted == "number" and not re.search(r"\bhow many\b", asking, re.I):
            measure = next((m for pattern, m in _MEASURES if pattern.search(asking)), None)
            # (the first that matches decides: a change "drop" before the "profit" of money)
        to_the_day = wanted == "date" and not _WANTS_YEAR.search(asking)
        return cls(wanted=wanted, about_now=now, measure=measure, to_the_day=to_the_day)


def _asked_for(text: str) -> list[Wanted]:
    """The kinds the question words of `text` ask for, the one asked first first."""
    found = []
    for order, (pattern, kind) in enumerate(_KINDS):
        match = pattern.search(text)
        if match:
            found.append((match.start(), order, kind))
    return [kind for *_, kind in sorted(found)]


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# the question is about something that happened ("who won", "how many died", "what did … say")
_PAST = re.compile(
    r"\b(?:did|was|were|won|lost|happened|died|became|beat|took|went|got|made|said|held|"
    r"[a-z]{3,}ed)\b",
    re.I,
)
# ... or about what is to come, which an earlier article may well tell
_FUTURE = re.compile(
    r"\b(?:will|going to|expected|expect|plans?|planned|scheduled|upcoming|next|would|could)\b",
    re.I,
)


def event_year(question: str) -> int | None:
    """The (latest) year of a past event the question asks about, None if it names none:
    2024 for "who won the 2024 presidential election", None for "where will the 2026 world
    cup be played" or "what happened at the border"."""
    years = [int(y) for y in _YEAR.findall(question)]
    if not years or not _PAST.search(question) or _FUTURE.search(question):
        return None
    return max(years)


def names_something_new(text: str, asked: set[str]) -> bool:
    """Does the sentence name a thing or number the question does not (an answer to "which")?"""
    for i, match in enumerate(WORD.finditer(text)):
        token = match.group()
        if i == 0 or not (token[0].isupper() or token[0].isdigit()):
            continue
        term = token.rstrip(".,").replace(",", "") if token[0].isdigit() else None
        if term is None:
            word = token.lower().strip("'’-.")
            if word in STOPWORDS or word in NOT_A_NAME or len(word) < 2:
                continue
            term = min(terms(token), default=word)
        if term not in asked:
            return True
    return False


# a number that is part of a name, not a quantity: "Pac-12", "COVID-19", "Big Ten", "Game 6",
# "Title 42", "No. 8"
_NUMBER_IN_A_NAME = re.compile(
    rf"[A-Z][\w]*-\d+\b|\b[A-Z][a-z]+ (?:{_NUMBER_WORDS.title()})\b|"
    r"\b(?:Game|Title|No\.|Week|Article|Section|Chapter|Flight|Route|Interstate|Bowl|Apollo|"
    r"Artemis|Proposition|Prop\.|Amendment) \d+\b"
)


def _new_number(text: str, asked: set[str]) -> bool:
    named = [m.span() for m in _NUMBER_IN_A_NAME.finditer(text)]
    for match in re.finditer(rf"\d[\d,.]*|\b(?:{_NUMBER_WORDS})\b", text, re.I):
        if any(a <= match.start() < b for a, b in named):
            continue
        token = match.group().rstrip(".,").replace(",", "").lower()
        if token and token not in asked:
            return True
    return False


def _is_offered(token: str, index: int, kind: QuestionKind, asked: set[str]) -> bool:
    """Is this word of a sentence the kind of thing the question asks for?"""
    if kind.wanted == "number":
        word = token.rstrip(".,").replace(",", "").lower()
        return (token[0].isdigit() or bool(re.fullmatch(_NUMBER_WORDS, word))) and word not in asked
    if kind.wanted == "date":
        return bool(HAS_DATE.fullmatch(token) or HAS_DAY.fullmatch(token))
    if kind.wanted in ("name", "thing", "place"):
        if index == 0 or not token[0].isupper() or token.lower() in NOT_A_NAME:
            return False
        found = terms(token)
        return bool(found) and not found & asked
    return False


def answer_nearness(
    text: str, kind: QuestionKind, asked: set[str], variants: dict[str, str] | None = None
) -> float:
    """1 / d for the fewest words d (1: adjacent) between what is asked for (a new name, a number)
    and a word of the question: "37 people", "Mexican President Claudia Sheinbaum"."""
    offered, matched = [], []
    for i, match in enumerate(WORD.finditer(text)):
        token = match.group()
        if {(variants or {}).get(t, t) for t in terms(token)} & asked:
            matched.append(i)
        elif _is_offered(token, i, kind, asked):
            offered.append(i)
    if not offered or not matched:
        return 0.0
    gap = min(abs(a - b) for a in offered for b in matched)
    return 1.0 / gap


def offers(text: str, kind: QuestionKind, asked: set[str]) -> float:
    """How well the sentence offers what the question asks for: 1 yes, 0.5 partly, 0 no."""
    wanted = kind.wanted
    if wanted == "number":
        if not _new_number(text, asked):
            return 0.0
        # a number that is not what is measured ("31 other teams" for "how much would he make")
        # offers it only partly
        if kind.measure and not _OFFERS_MEASURE[kind.measure].search(text):
            return 0.5
        return 1.0
    if wanted == "date":
        if HAS_DATE.search(text):
            return 1.0 if not kind.to_the_day or _DAY_OF_MONTH.search(text) else 0.5
        return 0.5 if HAS_DAY.search(text) else 0.0
    if wanted == "reason":
        return 1.0 if HAS_CAUSE.search(text) else 0.0
    if wanted == "place":
        places = [m.group(1) for m in _PLACE.finditer(text)]
        fresh = [p for p in places if p.lower() not in NOT_A_NAME and not terms(p) <= asked]
        return 1.0 if fresh else 0.5 if names_something_new(text, asked) else 0.0
    if wanted in ("name", "thing"):
        return 1.0 if names_something_new(text, asked) else 0.0
    return 0.0
