"""Typos in questions: "whos mexicos presdient" read as "whos mexicos president".

A question word the articles do not use, and that English has not either (or only as a
rarity: "prises"), cannot be found, and the subject check declines the question for lacking
it. Such a word is read as the stored word it most likely mistypes: one edit away (a swap of
two neighbouring letters counts as one), two for words of nine letters or more, with the
same first letter (people rarely mistype that one), and among equals the word more articles
use. A word of four or five letters is read only as the one stored word one edit away
("brwon" as "brown"), or as the one the articles use ten times as often as any other
("musem" as "museum", not "mused"): the likelier word, by as much as a reading should be
sure of, or as the only one a stored passage holds together with the question's other words,
when the store can tell (`best_match`): "email got haked" is read as "hacked", not "hated" or
"hiked", since a passage holds "email" and "hacked" together and none "hated" or "hiked".
"milei" (beside "miles" and "mile") is left as it is: no passage holds either with "javier",
and the nearest stored word is a guess.
The parts of a hyphenated word are read one by one ("fiisher-price").
A word the articles use only once or twice, when a word one edit away is used twenty times
as often, is taken for the articles' own typo ("westminister"). The store's words come with
its keyword index (`KeywordIndex.words`), so "sheinbuam" is read as the "Sheinbaum" the
articles name.

The service asks the question as read first (as written, it would be declined for lacking
the mistyped word: one attempt instead of two), falls back to the question as written when
the reading is declined, and the answer says how it read the question ("Read “presdient”
as “president”.").
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from index.grounding import zipf
from index.text import WORD, normalise

MIN_LETTERS = 4  # shorter words are abbreviations and names, not typos worth guessing at
SHORT_WORD = 6  # under this length, only a word with one stored word one edit away
LONG_WORD = 9  # ... and from this length two edits still point at one word
# an English word rarer than this (Zipf; about 1 per million words) may still be a typo
RARE_ENGLISH = 3.0
DOMINANT = 10  # a short word is read as a neighbour used this many times as often as the next
CONTEXT_READINGS = 5  # the readings, most used first, a question's matches are compared for
STORE_TYPO = (3, 20)  # a stored word used at most 3 times, beside one used 20 times as often
# rapidfuzz: edit distances in C++ over the store's vocabulary (~140,000 words for 8,000
# articles) in a few milliseconds; the standard library's difflib takes seconds for that
Vocabulary = Callable[[], Mapping[str, int]]  # word -> number of chunks using it
BestMatch = Callable[[str], float]  # a text -> how well the best stored passage matches it


class Speller:
    """Corrections for the mistyped words of a question, from the store's vocabulary."""

    def __init__(self, vocabulary: Vocabulary, best_match: BestMatch | None = None) -> None:
        self._vocabulary = vocabulary
        self._best_match = best_match
        self._by_letter: dict[str, list[str]] = {}
        self._of: Mapping[str, int] | None = None
        self._lock = threading.Lock()

    def corrections(self, question: str) -> dict[str, str]:
        """{word as written: its reading} for each word of `question` taken for a typo."""
        out: dict[str, str] = {}
        # each part of a hyphenated word on its own ("fiisher-price"): the ones that may be typos
        suspects = {
            token: [part if _could_be_typo(part) else None for part in token.split("-")]
            for token in dict.fromkeys(m.group() for m in WORD.finditer(question))
        }
        suspects = {t: parts for t, parts in suspects.items() if any(parts)}
        if not suspects:
            return out
        vocabulary, by_letter = self._vocab()
        for token, parts in suspects.items():
            read = [
                p and self._reading(p, vocabulary, by_letter, _rereading(question, p))
                for p in parts
            ]
            if any(read):
                out[token] = "-".join(r or p for p, r in zip(token.split("-"), read))
        return out

    def _reading(
        self,
        token: str,
        vocabulary: Mapping[str, int],
        by_letter: dict[str, list[str]],
        reread: Callable[[str], str],
    ) -> str | None:
        """How one word (no hyphen) that may be a typo is read, or None when it is none
        worth reading."""
        word = normalise(token)
        if _possessive(word, vocabulary):
            return None
        uses = vocabulary.get(word, 0)
        if uses > STORE_TYPO[0]:
            return None
        fix = self._closest(word, vocabulary, by_letter.get(word[0], []), reread)
        if fix is None or (uses and vocabulary[fix] < STORE_TYPO[1] * uses):
            return None
        written = token.lower().replace(word, fix, 1)
        return written.capitalize() if token[0].isupper() else written

    def _vocab(self) -> tuple[Mapping[str, int], dict[str, list[str]]]:
        """The store's words, and the same words by first letter (a reading keeps the first
        letter: searching one letter's words is some 20x less work); one consistent pair,
        as the bot answers in threads."""
        current = self._vocabulary()  # the same mapping until the store's index is rebuilt
        with self._lock:
            if current is not self._of:
                by_letter: dict[str, list[str]] = {}
                for word in current:
                    by_letter.setdefault(word[:1], []).append(word)
                self._of, self._by_letter = current, by_letter
            return current, self._by_letter

    def _closest(
        self,
        word: str,
        vocabulary: Mapping[str, int],
        words: list[str],
        reread: Callable[[str], str],
    ) -> str | None:
        """The stored word `word` most likely mistypes, among `words` (its first letter's);
        `reread` gives the question with the word read as another."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        limit = 2 if len(word) >= LONG_WORD else 1
        found = process.extract(word, words, scorer=OSA.distance, score_cutoff=limit, limit=20)
        near = sorted((edits, -vocabulary[w], w) for w, edits, _ in found if w != word)
        if len(word) < SHORT_WORD and len(near) > 1:
            (edits, minus_uses, _), (next_edits, minus_next_uses, _) = near[0], near[1]
            if edits == next_edits and -minus_uses < DOMINANT * -minus_next_uses:
                # no stored word is clearly the one meant by itself: perhaps in the question
                return self._in_context([w for e, _, w in near if e == edits], reread)
        return near[0][2] if near else None

    def _in_context(self, readings: list[str], reread: Callable[[str], str]) -> str | None:
        """The one reading a stored passage holds together with the question's other words:
        under it the question matches a passage better than the reading alone does, or the
        question without it. None when no reading does, or more than one ("who scored tice
        in the final", where "scored twice" and "extra time" are both in the match report)."""
        best_match = self._best_match
        if best_match is None:
            return None
        apart = best_match(reread(""))
        together = [
            reading
            for reading in readings[:CONTEXT_READINGS]
            if best_match(reread(reading)) > max(apart, best_match(reading))
        ]
        return together[0] if len(together) == 1 else None


def _rereading(question: str, written: str) -> Callable[[str], str]:
    """`question` with the word `written` read as another."""
    return lambda reading: read_as(question, {written: reading})


def _could_be_typo(token: str) -> bool:
    """Long enough, letters only, and not a word English uses commonly."""
    word = normalise(token)
    return len(word) >= MIN_LETTERS and word.isalpha() and zipf(word) < RARE_ENGLISH


def _possessive(word: str, vocabulary: Mapping[str, int]) -> bool:
    """ "mexicos": a possessive typed without its apostrophe, which stemming takes care of."""
    return word.endswith("s") and (word[:-1] in vocabulary or zipf(word[:-1]) > 0)


def read_as(question: str, corrections: Mapping[str, str]) -> str:
    """`question` with each corrected word replaced by its reading."""
    parts, last = [], 0
    for match in WORD.finditer(question):
        if match.group() in corrections:
            parts += [question[last : match.start()], corrections[match.group()]]
            last = match.end()
    return "".join(parts) + question[last:]


def reading_note(corrections: Mapping[str, str]) -> str:
    """What the user is told: "Read “presdient” as “president”." """
    said = [f"“{word}” as “{fix}”" for word, fix in corrections.items()]
    listed = ", ".join(said[:-1]) + f" and {said[-1]}" if len(said) > 1 else said[0]
    return f"Read {listed}."
