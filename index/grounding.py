"""Is the question's subject in the article? The words that make a question specific.

A question about one earthquake must not be answered with another country's: the names,
places, years and rare words of the question have to be in the article that answers it.
"Rare" is measured against English at large (word frequencies from `wordfreq`), not against
the store, so the rule is the same for one article or a hundred thousand, dated or not.
Ordinary variants count as present: stems ("floods" / "flooding"), demonyms ("Mexico" /
"Mexican", "China" / "Chinese") and a few names that differ outright ("Burma" / "Myanmar").

A chat question is typed in lower case, so its names do not show: "wimbledon" and
"istanbul" look like rare words, of which some may be missing. The store's own writing tells:
a word its articles capitalise in the middle of a sentence nearly every time they use it is
a name (`written_as_names`), and a question naming it is not answered by an article without it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from index.text import STOPWORDS, WORD, normalise, stem, terms

# words at or below this Zipf frequency (about 50 per million words) name something specific:
# "kentucky" 4.3, "earthquake" 4.15, "champions" 4.6; "decide" 4.8 and "president" 5.45 do not
SPECIFIC_ZIPF = 4.7
# ... and below this one (about 1 per million: "sheinbaum", "ketanji") they are names, like
# the words a user capitalises, places, and numbers: each of those must be in the article,
# while of the other specific words ("slumping gadget sales") a third must be
NAME_ZIPF = 3.0
SOFT_SHARE = 2 / 3  # a long quiz-style question carries context words no article repeats
# a word the articles capitalise in mid-sentence at least this share of the times they use
# it, over at least this many uses, is a name ("Wimbledon", "Istanbul", "Cavs"; "city" is
# capitalised 39% of the time, "strike" 5%): a share of the store's writing, so the same
# rule for any store, and a store too small to have used a word that often has no opinion
NAME_SHARE = 0.9
NAME_USES = 3
# a word in mid-sentence: after a lower-case letter, a comma or semicolon and one space
_MID_SENTENCE = re.compile(r"(?<=[a-z,;] )[A-Za-z][A-Za-z'’\-]*")
# the other specific words count in a chat-length question; a longer one (a quiz's paragraph
# of background) carries words no article repeats, and only its names must be there
CHAT_WORDS = 16
_QUESTION_WORDS = frozenset(
    [
        "who",
        "whom",
        "whose",
        "what",
        "which",
        "when",
        "where",
        "why",
        "how",
        "is",
        "are",
        "was",
        "were",
        "did",
        "does",
        "do",
        "has",
        "have",
        "had",
        "can",
        "could",
        "will",
        "would",
        "should",
        "tell",
        "explain",
        "happen",
        "happening",
        "happened",
        "going",
    ]
)
_DEMONYM_SUFFIXES = (
    "",
    "n",
    "an",
    "ian",
    "es",
    "ese",
    "ish",
    "i",
    "er",
    "ns",
    "ans",
    "ians",
    "ers",
)
_ALIASES = {
    "burma": "myanmar", "burmese": "myanmar", "french": "france", "dutch": "netherland",
    "swiss": "switzerland", "greek": "greece", "welsh": "wale", "scottish": "scotland",
    "scots": "scotland", "irish": "ireland", "filipino": "philippin", "peruvian": "peru",
    "turkish": "turkey", "spanish": "spain", "danish": "denmark", "swedish": "sweden",
    "finnish": "finland", "polish": "poland", "norwegian": "norway", "british": "britain",
    "english": "england", "uk": "britain", "us": "america", "usa": "america",
    "thai": "thailand", "kiwi": "zealand", "saudi": "arabia",
}  # fmt: skip
_GENERIC_PLACE_WORDS = frozenset(
    [
        "republic",
        "united",
        "states",
        "islands",
        "island",
        "kingdom",
        "democratic",
        "people",
        "federation",
        "north",
        "south",
        "east",
        "west",
        "new",
        "saint",
        "plurinational",
        "state",
        "province",
        "territory",
        "outlying",
        "minor",
        "federated",
        "bolivarian",
        "islamic",
        "arab",
        "central",
        "great",
        "holy",
        "see",
    ]
)


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    """Single words of country and US state names, and the names of big cities: specific
    however common they are ("paris", "chicago" and "london" are everyday words in English)."""
    import pycountry

    names = [c.name for c in pycountry.countries]
    names += [getattr(c, "common_name", "") for c in pycountry.countries]
    names += [s.name for s in pycountry.subdivisions.get(country_code="US") or []]
    words = {w.lower() for name in names for w in re.findall(r"[A-Za-z]+", name or "")}
    words |= _city_names()
    return frozenset(w for w in words if len(w) >= 4 and w not in _GENERIC_PLACE_WORDS)


def _city_names() -> set[str]:
    """Cities of 500,000 people or more (`index/wordlists/cities.txt`, from GeoNames)."""
    text = resources.files("index").joinpath("wordlists/cities.txt").read_text(encoding="utf-8")
    return {line for line in text.splitlines() if line and not line.startswith("#")}


@lru_cache(maxsize=1)
def _place_bases() -> frozenset[str]:
    return frozenset(_base(w) for w in _place_words())


def is_place(word: str) -> bool:
    """A country, US state or big city, or its demonym ("canadian", "mexican", "parisian")."""
    if word in _place_words() or word in _ALIASES:
        return True
    bases = _place_bases()
    return any(
        word.endswith(suffix) and word[: len(word) - len(suffix)] in bases
        for suffix in _DEMONYM_SUFFIXES
        if len(word) - len(suffix) >= (4 if suffix else 5)
    )


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    # wordfreq's "small" English list (~29k words) loads in ~0.4 s; a word not in it is rare
    from wordfreq import get_frequency_dict

    return dict(get_frequency_dict("en", wordlist="small"))


def zipf(word: str) -> float:
    """Zipf frequency of `word` in English (log10 per billion words; 0 for unlisted words)."""
    freq = _frequencies().get(word.lower(), 0.0)
    return math.log10(freq * 1e9) if freq > 0 else 0.0


_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "er", "ers")


def _rarity(word: str) -> float:
    """Zipf frequency of the word's commonest form ("slumping": that of "slump")."""
    forms = [word, stem(word)] + [word[: -len(x)] for x in _SUFFIXES if word.endswith(x)]
    return max((zipf(form) for form in forms if len(form) > 1), default=9.0)


def warm_up() -> None:
    """Load the word lists now (a bot does this at start, not on its first question)."""
    _frequencies()
    _place_bases()


def specific_words(question: str) -> list[str]:
    """The question's words that make it specific, as written: names, places, years, rare words."""
    return [word for word, _ in _specific(question)]


def named_words(question: str) -> list[str]:
    """The question's names, as written: capitalised words, places, numbers, very rare words."""
    return [word for word, name in _specific(question) if name]


def _specific(question: str) -> list[tuple[str, bool]]:
    """(word as written, is a name) for each specific word of the question."""
    return [(word, name) for word, name, _ in _specific_at(question)]


def _specific_at(question: str) -> list[tuple[str, bool, int]]:
    """(word as written, is a name, its position among the question's words)."""
    out: list[tuple[str, bool, int]] = []
    seen: set[str] = set()
    # who capitalises names ("Olivia Newton-John") does not leave one in lower case: there a
    # rare lower-case word is just a rare word ("superstardom", "plummet"), not a name
    capitalises = any(
        i > 0 and m.group()[0].isupper() and not _after_sentence_end(question, m)
        for i, m in enumerate(WORD.finditer(question))
    )
    for i, match in enumerate(WORD.finditer(question)):
        token = match.group().rstrip(".,-")
        word = normalise(token)
        if match.start() and question[match.start() - 1].isdigit():
            continue  # an ordinal's ending ("23rd"): the number is the word
        if len(word) < 2 or word in STOPWORDS or word in _QUESTION_WORDS or stem(word) in seen:
            continue
        if token[0].isdigit():
            if len(token.replace(",", "")) >= 2:
                out.append((token, True, i))
            continue
        if "-" in word and token[0].isupper():  # "Texas-Mexico": each name on its own
            out += [(part, True, i) for part in token.split("-") if len(part) > 1]
            continue
        rarity = min((_rarity(part) for part in word.split("-") if part), default=9.0)
        capital = i > 0 and token[0].isupper() and not _after_sentence_end(question, match)
        name = capital or is_place(word) or (rarity < NAME_ZIPF and not capitalises)
        if name or rarity <= SPECIFIC_ZIPF:
            seen.add(stem(word))
            out.append((token, name, i))
    return out


def _after_sentence_end(text: str, match: re.Match[str]) -> bool:
    before = text[: match.start()].rstrip()
    return not before or before[-1] in ".!?:"


def _base(word: str) -> str:
    return word.rstrip("aeiouy") or word


def _variant_present(word: str, found: set[str]) -> bool:
    """Is `word` (normalised) or an ordinary variant of it among the stems in `found`?"""
    if word[0].isdigit():  # "13" is there when the article says 13 or 13.5
        number = word.replace(",", "")
        return any(t == number or t.startswith(number + ".") for t in found)
    if stem(word) in found or stem(_ALIASES.get(word, word)) in found:
        return True
    parts = [part for part in word.split("-") if len(part) > 1 and part not in STOPWORDS]
    if len(parts) > 1:  # "best-ranked" is there when the article ranks something best
        return all(_variant_present(part, found) for part in parts)
    base = _base(word)
    for other in found:
        if _ALIASES.get(other) == stem(word):
            return True
        if len(other) < 4 or other[0] != word[0]:
            continue
        # "Korea" / "Korean": a stem ending in a vowel takes the ending whole, too
        for a, b in ((base, other), (_base(other), word), (other, word)):
            if len(a) >= 4 and b.startswith(a) and b[len(a) :] in _DEMONYM_SUFFIXES:
                return True
    return False


def variant_map(asked: set[str], vocabulary: set[str]) -> dict[str, str]:
    """Stems of `vocabulary` that are a variant of a stem in `asked` ("mexican" → "mexico")."""
    out: dict[str, str] = {}
    for term in sorted(asked):  # sorted: the same mapping whatever the hash seed
        if term[0].isdigit():
            continue
        for other in sorted(vocabulary - asked):
            if _variant_present(term, {other}):
                out.setdefault(other, term)
    return out


def written_as_names(texts: Iterable[str]) -> list[str]:
    """The words (lower case) that `texts` write as names: capitalised in mid-sentence at
    least NAME_SHARE of the time, over at least NAME_USES uses."""
    tokens: Counter[str] = Counter()
    for text in texts:
        tokens.update(_MID_SENTENCE.findall(text))
    capitalised: Counter[str] = Counter()
    uses: Counter[str] = Counter()
    for token, count in tokens.items():  # each distinct token once: ~50x fewer than uses
        word = normalise(token)
        uses[word] += count
        if token[0].isupper():
            capitalised[word] += count
    return sorted(
        word
        for word, count in uses.items()
        if count >= NAME_USES and capitalised[word] >= NAME_SHARE * count
    )


def missing_words(
    question: str, texts: list[str], *, names: frozenset[str] = frozenset()
) -> list[str]:
    """The question's subject words that `texts` lack, [] when the texts hold its subject.

    Every name (capitalised word, place, number, very rare word, a word the store writes
    as a name: `names`) must be there, and no more than SOFT_SHARE of the other specific
    words may be lacking. A name known only from the store's writing still counts among
    those other words for the share, so the rule for them is the same with or without it.
    """
    found = _held(texts, cached=True)
    words = _specific(question)
    lacking = [(w, name) for w, name in words if not _variant_present(normalise(w), found)]
    soft = [w for w, name in words if not name]
    soft_lacking = [w for w, name in lacking if not name]
    if any(name or normalise(w) in names for w, name in lacking):
        return [w for w, _ in lacking]
    chat = len(question.split()) <= CHAT_WORDS
    if chat and len(soft_lacking) > SOFT_SHARE * len(soft):
        return [w for w, _ in lacking]
    return []


def lacking_words(question: str, texts: list[str]) -> list[str]:
    """The question's specific words (names and rare words alike) that `texts` lack.

    A word right before the last of a run of them ("grace" in "grace mbeki") is not needed
    when that last one is there, as a surname stands for a person named in full once: "Mbeki
    said" holds "grace mbeki", while "Hurricane Michael" does not hold "hurricane milton".
    """
    found = _held(texts)
    words = _specific_at(question)
    present = [_variant_present(normalise(w), found) for w, _, _ in words]
    lacking = []
    for k, (word, _, at) in enumerate(words):
        if present[k]:
            continue
        positions = [w[2] for w in words[k + 1 : k + 3]]  # the next two specific words
        ends_run = positions[:1] == [at + 1] and positions[1:] != [at + 2]
        if not (ends_run and present[k + 1]):
            lacking.append(word)
    return lacking


def mentions_all(question: str, texts: list[str]) -> bool:
    """Do `texts` hold every word that makes the question specific (rare ones included)?
    False for a question with no such word."""
    words = specific_words(question)
    found = _held(texts)
    return bool(words) and all(_variant_present(normalise(w), found) for w in words)


def _held(texts: list[str], *, cached: bool = False) -> set[str]:
    """The stems `texts` hold, hyphenated words' parts too; `cached` for whole articles (a
    few sentences would only push articles out of the cache)."""
    held = article_terms if cached else _terms_and_parts
    return set().union(*(held(t) for t in texts)) if texts else set()


def _terms_and_parts(text: str) -> frozenset[str]:
    """`terms` with the parts of hyphenated words too: "Newton-John" holds "Newton", "John";
    and the initials of a name written out: "New York Police Department" holds "NYPD"."""
    found = terms(text)
    parts = {stem(part) for t in found if "-" in t for part in t.split("-") if len(part) > 1}
    return frozenset(found | parts | acronyms(text))


# capitalised words in a row, "of", "for", "and", "the" or "on" between them
_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:(?: (?:of|for|and|the|on))* [A-Z][a-z]+)+\b")


def acronyms(text: str) -> set[str]:
    """The initials (three to six letters, as stems) of the names `text` writes out, so that
    a question saying "nypd" or "the dccc" finds "New York Police Department" and
    "Democratic Congressional Campaign Committee". Every stretch of a run of capitalised
    words counts, as a run may join a sentence's first word or two names."""
    out = set()
    for match in _CAPITALISED_RUN.finditer(text):
        initials = "".join(w[0] for w in match.group().split() if w[0].isupper()).lower()
        for size in range(3, 7):
            for i in range(len(initials) - size + 1):
                out.add(stem(initials[i : i + size]))
    return out


@lru_cache(maxsize=256)
def article_terms(text: str) -> frozenset[str]:
    """`_terms_and_parts` of a whole article, cached: an article is checked for many questions."""
    return _terms_and_parts(text)
