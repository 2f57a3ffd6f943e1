"""The extractive composer, citation numbering and follow-up heuristics on hand-made passages."""

from __future__ import annotations

from datetime import date

from index.citations import CitationNumbers, add_marker, quote_context, split_claims
from index.compose import ExtractiveComposer, QuestionKind
from index.declines import unmentioned_note
from index.followup import asks_for_more, heuristic_standalone, key_terms, leans_on_history
from index.models import Citation, Passage, Turn
from index.text import sentence_spans, terms

BORDER = (
    "Officials met on Tuesday. Roughly 5,000 troops are now deployed along the border, "
    "Gen. Gregory Guillot said. The troops focus on surveillance of cartels."
)
OLDER = "The new forces bring the total number of troops at the border to roughly 4,000."


def passage(
    text: str, *, n: int = 1, start: int = 40, day: int = 12, score: float = 0.5
) -> Passage:
    return Passage(
        chunk_id=f"a{n}:v:0", article_id=f"a{n}", title=f"Story {n}", source="Outlet",
        url=f"https://example.com/{n}", published=date(2025, 2, day), start=start,
        end=start + len(text), text=text, score=score,
    )  # fmt: skip


def compose(question: str, passages: list[Passage], **kw: object):  # type: ignore[no-untyped-def]
    numbers = kw.pop("numbers", None) or CitationNumbers()
    composer = ExtractiveComposer(relevance_floor=0.2)
    return composer.compose(question, passages, numbers=numbers, **kw)  # type: ignore[arg-type]


def test_picks_the_sentence_with_the_number_and_dates_it() -> None:
    result = compose("How many troops are at the border now?", [passage(BORDER)])
    assert result.text == (
        "As of 12 February 2025, roughly 5,000 troops are now deployed along the border, "
        "Gen. Gregory Guillot said [1]."
    )
    (citation,) = result.citations
    quote = "Roughly 5,000 troops are now deployed along the border, Gen. Gregory Guillot said."
    assert citation.quote == quote
    offset = BORDER.index(quote)
    assert (citation.start, citation.end) == (40 + offset, 40 + offset + len(quote))
    # shown around the quote, so the reader sees what the passage says next to it
    assert citation.before == "Officials met on Tuesday."
    assert citation.after == "The troops focus on surveillance of cartels."


def test_the_context_of_a_quote_is_whole_sentences_of_its_passage_and_bounded() -> None:
    text = " ".join(f"Sentence number {n} is here." for n in range(1, 8))
    start = text.index("Sentence number 4")
    end = start + len("Sentence number 4 is here.")
    assert quote_context(text, start, end) == (
        "Sentence number 2 is here. Sentence number 3 is here.",
        "Sentence number 5 is here. Sentence number 6 is here.",
    )
    assert quote_context(text, 0, len("Sentence number 1 is here.")) == (
        "",
        "Sentence number 2 is here. Sentence number 3 is here.",
    )
    long = "A very long sentence goes on " + "and on " * 120 + "until it stops."
    text = f"{long} The quoted line is short. {long}"
    start = text.index("The quoted")
    assert quote_context(text, start, start + len("The quoted line is short.")) == ("", "")


def test_the_newest_report_wins_a_question_about_now() -> None:
    older = passage(OLDER, n=2, day=1, score=0.6)
    result = compose("How many troops are at the border now?", [older, passage(BORDER)])
    assert [c.article_id for c in result.citations] == ["a1"]


def test_nothing_relevant_is_declined() -> None:
    result = compose("Who won the cricket world cup?", [passage(BORDER)])
    assert result.declined and not result.citations
    assert result.text.startswith("I have nothing on “cricket” in my articles")
    assert "The closest I have: “Story 1” (Outlet, 12 February 2025)." in result.text


def test_passages_below_the_floor_are_ignored() -> None:
    result = compose("How many troops are at the border now?", [passage(BORDER, score=0.1)])
    assert result.declined


def test_the_same_fact_from_two_outlets_is_said_once() -> None:
    copy = passage("Roughly 5,000 troops are now deployed along the border, officials said.", n=2)
    result = compose("How many troops are deployed along the border?", [passage(BORDER), copy])
    assert len(result.citations) == 1 and result.text.count("5,000") == 1


def test_a_follow_up_does_not_repeat_what_was_quoted() -> None:
    first = compose("What about the troops?", [passage(BORDER)])
    assert first.text.startswith("Roughly 5,000 troops")
    said = first.citations[0].quote.split(" The troops")[0]
    seen = first.citations[0].model_copy(update={"end": first.citations[0].start + len(said)})
    again = compose("What about the troops?", [passage(BORDER)], seen=[seen])
    assert again.text.startswith("The troops focus on surveillance")  # the unseen one first


def test_question_kinds() -> None:
    assert QuestionKind.of("How many troops?") == QuestionKind("number", True)
    assert QuestionKind.of("When will it land?") == QuestionKind("date", False, to_the_day=True)
    assert not QuestionKind.of("what year did it land").to_the_day
    assert QuestionKind.of("why are egg prices so high").wanted == "reason"
    assert QuestionKind.of("where did the plane go down").wanted == "place"
    assert QuestionKind.of("who's mexico's president").wanted == "name"
    assert QuestionKind.of("did the fed raise rates again").wanted == "claim"
    assert QuestionKind.of("What is the situation currently?").about_now


def test_the_sentence_giving_the_sum_leads_the_one_restating_the_question() -> None:
    story = (
        "The Trump administration wants money meant for low-income college students shifted "
        "to help cover the bill for a NASA moonshot by 2024. Education advocates are outraged. "
        "The administration proposed a budget amendment that would transfer nearly $4 billion "
        "from a surplus in the Pell Grant program."
    )
    result = compose(
        "how much pell grant money did trump want to shift to nasa", [passage(story, start=0)]
    )
    assert result.text.startswith("The administration proposed a budget amendment")
    assert "nearly $4 billion" in result.citations[0].quote
    # a question that says no measure keeps the best-worded sentence first
    other = compose("how many years until the nasa moonshot", [passage(story, start=0)])
    assert "moonshot by 2024" in other.citations[0].quote


def test_numbers_stay_stable_and_new_sources_get_the_next_free_one() -> None:
    old = Citation(
        number=2, article_id="a1", title="", source="", published=None, url="",
        chunk_id="a1:v:0", quote="q", start=0, end=1, score=0.5,
    )  # fmt: skip
    numbers = CitationNumbers([Turn(question="q", answer="a [2]", citations=[old])])
    assert numbers.number_for(passage(OLDER, n=7)) == 3
    assert numbers.number_for(passage(BORDER, n=1)) == 2
    other_chunk = passage(OLDER, n=1).model_copy(update={"chunk_id": "a1:v:1"})
    assert numbers.number_for(other_chunk) == 4  # [2] is taken by another chunk in this answer


def test_markers_and_claims() -> None:
    assert add_marker("It rose.", 3) == "It rose [3]."
    assert add_marker("Is it?", 1) == "Is it? [1]"
    assert split_claims("One thing [1]. [2] Another thing. Third [3].") == [
        "One thing [1]. [2]",
        "Another thing.",
        "Third [3].",
    ]


def test_sentence_spans_keep_abbreviations() -> None:
    spans = sentence_spans(BORDER)
    assert [BORDER[s:e] for s, e in spans][1].startswith("Roughly 5,000")
    assert len(spans) == 3  # "Gen." does not end a sentence
    assert {"troop", "5000", "general"} <= terms("5,000 troops, Gen. Guillot")


def test_a_sentence_goes_on_after_a_quoted_question_or_an_unknown_abbreviation() -> None:
    text = (
        'Silly question. Readers love books like "The Palace Papers" (Crown, 592 pp.), '
        "especially this summer. “Where can you still find it?” he said. Doors open from "
        "8 a.m. to 5 p.m. on weekdays."
    )
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Silly question.",
        'Readers love books like "The Palace Papers" (Crown, 592 pp.), especially this summer.',
        "“Where can you still find it?” he said.",
        "Doors open from 8 a.m. to 5 p.m. on weekdays.",
    ]


def test_follow_up_heuristic_carries_the_topic() -> None:
    history = [Turn(question="How many troops are at the border now?", answer="...")]
    assert leans_on_history("and what did Mexico do?")
    assert not leans_on_history("What rate did Valdoria's central bank set?")
    assert key_terms("How many troops are at the border now?") == ["troops", "border"]
    assert heuristic_standalone("and what did Mexico do?", history) == (
        "What did Mexico do (about: troops, border)?"
    )
    assert heuristic_standalone("What did Valdoria's bank do?", history) == (
        "What did Valdoria's bank do?"
    )


TABLET = (
    "Which company will make the first folding tablet with a two-day battery? "
    "The device goes on sale in March for $899. "
    "Harlow Instruments unveiled the Skylark, a folding tablet with a two-day battery, on Tuesday. "
    "Analysts expect strong demand."
)


def test_a_long_quiz_question_gets_the_sentence_naming_the_answer() -> None:
    tablet = passage(TABLET).model_copy(update={"title": "Harlow Instruments unveils Skylark"})
    question = (
        "Amid slumping gadget sales and rising component costs, which company unveiled "
        "a folding tablet with a two-day battery this week?"
    )
    result = compose(question, [tablet, passage(BORDER, n=2, score=0.45)])
    assert not result.declined
    first = result.text.split(" [1]")[0]
    assert first.startswith("Harlow Instruments unveiled the Skylark")
    assert "Which company" not in result.text  # a question in the article answers nothing
    assert [c.article_id for c in result.citations] == ["a1"]
    assert result.citations[0].quote.startswith("Harlow Instruments unveiled")


def test_an_extra_sentence_from_the_same_passage_is_adjacent_to_the_quote() -> None:
    result = compose("How many troops are deployed and what do the troops focus on?",
                     [passage(BORDER)])  # fmt: skip
    (citation,) = result.citations
    assert citation.quote == BORDER[BORDER.index("Roughly") :]
    assert result.text.count("[1]") == 2


MATCH = (
    "Manchester City beat Everton 3-0 on Sunday to stay top of the league. The home side "
    "had started brightly. Everton's keeper made two early saves. Two goals from Ilkay "
    "Gundogan secured the points for City against Everton."
)


def test_a_close_runner_up_further_into_the_quoted_passage_is_quoted_with_it() -> None:
    result = compose("who scored twice for city against everton", [passage(MATCH)])
    assert result.text.count("[1]") == 2 and "Ilkay Gundogan" in result.text
    assert "started brightly" not in result.text  # only the sentences said are in the answer
    (citation,) = result.citations  # one article, one citation: its quote runs across both
    assert citation.quote == MATCH and (citation.start, citation.end) == (40, 40 + len(MATCH))


def test_a_runner_up_from_another_passage_of_the_article_joins_its_one_quote() -> None:
    lead_in = "Prelude to the story.\n\n"
    article = lead_in + MATCH
    cut = article.index(" Two goals") + 1
    first = passage(article[len(lead_in) : cut - 1], start=len(lead_in))
    second = first.model_copy(
        update={"chunk_id": "a1:v:1", "start": cut, "end": len(article), "text": article[cut:]}
    )
    composer = ExtractiveComposer(relevance_floor=0.2, article_text=lambda _id: article)
    question = "who scored twice for city against everton"
    result = composer.compose(question, [first, second], numbers=CitationNumbers())
    assert "Ilkay Gundogan" in result.text and "Manchester City beat" in result.text
    (citation,) = result.citations
    assert citation.quote == article[citation.start : citation.end]
    assert citation.quote.startswith("Manchester City") and citation.quote.endswith("Everton.")
    # without the article's text the two passages cannot be joined into one quote
    alone = compose(question, [first, second])
    assert len(alone.citations) == 1 and alone.text.count("[1]") == 1


def test_the_first_retrieved_story_is_said_when_another_edges_it_out_on_wording() -> None:
    decided = passage(
        "Repairs will start in May. The council voted to rebuild it with stone from the old "
        "quarry.",
        score=0.6,
    ).model_copy(update={"title": "Marlow's harbour wall"})
    met = passage("Marlow council met on Tuesday to discuss the harbour wall and the town's "
                  "budget.", n=2, score=0.5)  # fmt: skip
    result = compose("what did the marlow council decide about the harbour wall", [decided, met])
    assert result.text.startswith("Marlow council met on Tuesday")  # the most words in common
    assert "The council voted to rebuild it" in result.text  # what the first story says
    assert [c.article_id for c in result.citations] == ["a2", "a1"]
    # a story retrieved later needs nearly the best one's score to be cited too
    result = compose("what did the marlow council decide about the harbour wall",
                     [met, decided.model_copy(update={"score": 0.4})])  # fmt: skip
    assert [c.article_id for c in result.citations] == ["a2"]


def test_a_runner_up_too_far_from_the_quote_is_left_out() -> None:
    far = MATCH.replace("The home side", "The home side " + "kept passing the ball around " * 60)
    result = compose("who scored twice for city against everton", [passage(far)])
    assert result.text.count("[1]") == 1


def test_the_sentence_naming_the_headline_subject_is_quoted_before_one_referring_back() -> None:
    text = (
        "“Squid Game” is officially coming back. Netflix announced Sunday that the wildly "
        "popular South Korean show is green lit for a second season. Fans cheered online."
    )
    story = passage(text).model_copy(
        update={"title": "'Squid Game': Netflix green lights season 2 - CNN"}
    )
    result = compose("Which wildly popular show was recently green lit for a new season?", [story])
    (citation,) = result.citations
    assert result.text.startswith("“Squid Game” is officially coming back [1].")
    assert citation.quote == text[: text.index(" Fans")]


def test_an_answer_that_leaves_out_part_of_the_question_says_so() -> None:
    """Quoted, but flagged: the reader sees the answer is about the Madrid final."""
    madrid = passage(
        "Carlos Alcaraz beat Novak Djokovic and Alexander Zverev on his way to the Madrid "
        "Open final, which he won on Sunday. The Spaniard is 20."
    )
    text = "He reached the fourth round at Wimbledon."
    later = madrid.model_copy(update={"chunk_id": "a1:v:1", "start": 400, "text": text})
    result = compose("did alcaraz beat djokovic in the wimbledon final", [madrid, later])
    assert not result.declined
    assert result.text.startswith("Carlos Alcaraz beat Novak Djokovic and Alexander Zverev")
    assert result.note == "Not mentioned in the quoted passages: “wimbledon”."
    covered = compose("did alcaraz beat djokovic in the madrid open final", [madrid, later])
    assert covered.text == result.text and covered.note is None


def test_words_that_stand_together_are_named_together() -> None:
    question = "how bad did the canadian wildfire smoke get in new york city"
    note = unmentioned_note(question, ["york", "city", "canadian"])
    assert note == "Not mentioned in the quoted passages: “canadian”, “york city”."


def test_requests_for_more_are_told_from_new_questions() -> None:
    more = ["tell me more", "Tell me more about it", "what else?", "anything else", "more"]
    more += ["more please", "go on", "more details", "Any more?", "elaborate please"]
    assert [asked for asked in more if not asks_for_more(asked)] == []
    new = ["and the score?", "more troops?", "what else did he say", "how much more is it"]
    new += ["tell me more about the strike"]
    assert [asked for asked in new if asks_for_more(asked)] == []
