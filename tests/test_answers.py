"""Answers as a user reads them, on a one-article undated store and on the sample corpus.

The same settings serve both: the answering sentence leads, questions whose subject no
article holds are declined with the closest stories named, follow-ups stay on topic and a
self-contained question is not mixed with the previous one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from index.models import Answer, Turn
from index.service import Newsdesk
from index.settings import Settings, load_settings
from index.wiring import open_newsdesk
from ingest.pipeline import ingest_sources

SEED = Path(__file__).resolve().parent / "fixtures" / "seed"
AS_OF = date(2025, 6, 1)


@pytest.fixture(scope="session")
def seed_desk(tmp_path_factory: pytest.TempPathFactory) -> Newsdesk:
    """A store holding one undated article and nothing else."""
    data = tmp_path_factory.mktemp("seed") / "data"
    settings = load_settings(_env_file=None, newsdesk_data_dir=data, answer_mode="extractive")
    report = ingest_sources([str(SEED)], settings=settings)
    assert report.ok and len(report.new) == 1, report.summary()
    return open_newsdesk(settings)


@pytest.fixture(scope="session")
def sample_desk(sample_settings: Settings) -> Newsdesk:
    return open_newsdesk(sample_settings)


def lead(answer: Answer) -> str:
    """The first sentence the user reads (up to its first citation marker)."""
    return answer.text.split(" [", 1)[0]


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("Who is Mexico's president?", "Claudia Sheinbaum"),
        ("how many national guard troops is mexico sending", "10,000"),
        ("how many troops are at the border now", "5,000"),
        ("who runs northern command", "Gregory Guillot"),
        ("what does the administration want to label the cartels", "foreign terrorist"),
        ("why are critics uneasy about the military role at the border", "human rights"),
        # "drones" are "unmanned aerial systems" there: what is asked, a distance, finds them
        ("how close to the border can drones fly now", "five miles"),
    ],
)
def test_the_one_undated_article_answers_its_own_facts(
    seed_desk: Newsdesk, question: str, fact: str
) -> None:
    answer = seed_desk.answer(question)
    assert not answer.declined, answer.text
    assert fact in lead(answer), answer.text
    assert answer.citations[0].title.startswith("US Reports 5,000 Troops")
    assert "As of" not in answer.text  # an undated article has no date to frame it with


def test_a_month_or_year_does_not_hide_the_undated_article(seed_desk: Newsdesk) -> None:
    # an undated story may be from any month: a month's window does not leave it out
    answer = seed_desk.answer("how many troops were at the border in february", as_of=AS_OF)
    assert not answer.declined and "5,000" in lead(answer), answer.text
    # a year must be in the story (this one names none)
    year = seed_desk.answer("how many troops were at the border in 2025", as_of=AS_OF)
    assert year.declined and year.text.startswith("I have nothing on “2025”"), year.text


@pytest.mark.parametrize(
    ("question", "lacking"),
    [
        ("how many people died in the earthquake in morocco", "morocco"),
        ("what is the interest rate in japan", "japan"),
        ("who won the super bowl", None),
        # the article names migrants, not the pope: an answer about something else
        ("what did the pope say about migrants", None),
    ],
)
def test_the_one_article_store_declines_what_it_does_not_cover(
    seed_desk: Newsdesk, question: str, lacking: str | None
) -> None:
    answer = seed_desk.answer(question)
    assert answer.declined and not answer.citations, answer.text
    if lacking:
        assert answer.text.startswith("I have nothing on") and f"“{lacking}”" in answer.text


@pytest.mark.parametrize(
    ("question", "url_part", "fact"),
    [
        ("who scored for riverton in extra time", "riverton-rovers-cup-final", "Marco Diaz"),
        ("how hot did it get in port aurelia", "port-aurelia-heat-record", "44.1"),
        ("why is lumen recalling its robots", "lumen-robotics-recall", "overheat"),
        ("how many trains got cancelled in the rail strike", "coastal-rail-strike", "800"),
        ("who leads the drivers union", "coastal-rail-strike", "Grace Mbeki"),
        ("did anyone die of measles in eastmoor", "eastmoor-measles", "one child died"),
        # outcomes a story reports are answered (`declines.unreported_outcome`)
        ("who won the national cup", "riverton-rovers-cup-final", "Riverton Rovers won"),
        ("who beat ashford united in the final", "riverton-rovers-cup-final", "beating Ashford"),
        ("how did the cup final end", "riverton-rovers-cup-final", "beating Ashford United 3-1"),
        # what may come, a story can foresee
        ("when will the rail strike end", "coastal-rail-strike", "29 January"),
    ],
)
def test_sample_questions_in_chat_style_lead_with_the_answer(
    sample_desk: Newsdesk, question: str, url_part: str, fact: str
) -> None:
    answer = sample_desk.answer(question, as_of=AS_OF)
    assert fact in lead(answer), answer.text
    assert url_part in answer.citations[0].url


def test_an_absent_subject_is_declined_naming_the_closest_stories(sample_desk: Newsdesk) -> None:
    answer = sample_desk.answer("how many trains were cancelled by the strike in france")
    assert answer.declined and not answer.citations
    assert answer.text.startswith("I have nothing on “france”")
    assert "The closest I have: “Coastal rail strike cancels 800 trains" in answer.text


def test_a_city_no_story_names_is_declined(sample_desk: Newsdesk) -> None:
    # the rail strike story answers "how many trains", but not for Paris
    answer = sample_desk.answer("how many trains got cancelled by the strike in paris")
    assert answer.declined and not answer.citations
    assert answer.text.startswith("I have nothing on “paris”")
    assert "The closest I have: “Coastal rail strike cancels 800 trains" in answer.text


def test_an_answer_about_something_else_is_declined(sample_desk: Newsdesk) -> None:
    # the sports story has "final" and "won", but no Champions League: its best sentence is
    # about the National Cup and far from the question in meaning
    answer = sample_desk.answer("who won the champions league final", as_of=AS_OF)
    assert answer.declined and not answer.citations, answer.text
    assert answer.text.startswith("I found nothing that answers “who won the champions league")
    assert "The closest I have: “Riverton Rovers win the cup final 3-1" in answer.text


def test_an_article_cannot_tell_what_happened_after_it_was_written(sample_desk: Newsdesk) -> None:
    # the 2024 launch story says the probe is due at the asteroid in 2028
    asked = "how much material did the wayfarer probe gather on its 2028 touchdown"
    answer = sample_desk.answer(asked, as_of=date(2029, 6, 1))
    assert answer.declined and not answer.citations, answer.text
    assert answer.text.startswith("I have nothing from 2028 or later on this, so I won't guess.")
    assert "“Probe launches on six-year trip to asteroid Kestrel-9”" in answer.text
    # what it expects of 2028 it can tell
    plan = sample_desk.answer("what will the wayfarer probe do after its 2028 arrival")
    assert not plan.declined and "18 months mapping it" in lead(plan)


def test_a_year_or_month_with_no_story_is_read_as_the_events(
    sample_desk: Newsdesk,
) -> None:
    # nothing was published in 2003; the 2024 heat story names the record set that year
    answer = sample_desk.answer("how hot did it get in port aurelia in 2003", as_of=AS_OF)
    assert lead(answer) == "The previous record, 42.7 °C, was set in August 2003", answer.text
    assert "port-aurelia-heat-record" in answer.citations[0].url
    # a month is the last one with a story: asked in December 2026, January 2025's strike
    strike = sample_desk.answer(
        "how many trains were cancelled in the rail strike in january", as_of=date(2026, 12, 7)
    )
    assert "800 passenger trains were cancelled" in strike.text, strike.text
    assert "coastal-rail-strike" in strike.citations[0].url
    # a story that does not name the year does not answer for it
    cup = sample_desk.answer("who won the national cup in 2019", as_of=AS_OF)
    assert cup.declined and not cup.citations, cup.text
    assert cup.text.startswith("I have nothing on “2019”")
    assert "The closest I have: “Riverton Rovers win the cup final 3-1" in cup.text


def test_a_date_no_story_falls_in_is_declined_naming_the_stories_of_other_days(
    sample_desk: Newsdesk,
) -> None:
    # the rate cut was in March; no story of any October is about it
    asked = "what did valdoria's central bank do in october"
    answer = sample_desk.answer(asked, as_of=date(2026, 12, 7))
    assert answer.declined and not answer.citations, answer.text
    assert answer.text.startswith(
        "I have nothing from October on this, so I won't guess. The closest I have: "
    ), answer.text
    assert "Valdoria's policy rate to 3.25 percent” (Daily Meridian, 6 March 2025)" in answer.text


@pytest.mark.parametrize(
    ("question", "missing", "story"),
    [
        # the strike story tells of a strike beginning and another planned "if no agreement
        # is reached": nothing of its end
        ("when did the coastal rail strike end", "an end to it", "Coastal rail strike"),
        ("has owen pratt stepped down", "a departure", "Coastal rail strike"),
        # the match report's "low shot in the final minute" is no death
        ("how did marco diaz die", "a death", "Riverton Rovers win"),
        ("did the lumen robots get banned", "a ban", "Lumen Robotics recalls"),
    ],
)
def test_an_outcome_no_story_reports_is_declined(
    sample_desk: Newsdesk, question: str, missing: str, story: str
) -> None:
    answer = sample_desk.answer(question, as_of=AS_OF)
    assert answer.declined and not answer.citations, answer.text
    assert answer.text.startswith(f"My articles on this don't report {missing}, so I won't")
    assert f"The closest I have: “{story}" in answer.text


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("¿quién es el presidente de méxico?", "Spanish"),
        ("combien de soldats sont à la frontière", "French"),
        ("wie viele soldaten sind an der grenze", "German"),
    ],
)
def test_a_question_in_another_language_is_asked_again_in_english(
    seed_desk: Newsdesk, question: str, language: str
) -> None:
    answer = seed_desk.answer(question)
    assert answer.declined and not answer.citations
    assert answer.text.startswith(
        f"That looks like {language}. I can only answer questions in English"
    )


@pytest.mark.parametrize(
    "question",
    ["did el chapo get extradited", "who is the president of costa rica", "has bolsonaro conceded"],
)
def test_english_with_foreign_names_is_english(seed_desk: Newsdesk, question: str) -> None:
    assert not seed_desk.answer(question).text.startswith("That looks like")


@pytest.mark.parametrize(
    ("question", "fact", "note"),
    [
        ("whos mexicos presdient", "Claudia Sheinbaum", "Read “presdient” as “president”."),
        ("what did mexcio deploy to the border", "10,000", "Read “mexcio” as “mexico”."),
        ("who's sheinbuam", "Sheinbaum", "Read “sheinbuam” as “sheinbaum”."),
    ],
)
def test_a_typo_is_read_as_the_word_the_article_uses(
    seed_desk: Newsdesk, question: str, fact: str, note: str
) -> None:
    answer = seed_desk.answer(question)
    assert not answer.declined, answer.text
    assert fact in lead(answer) and answer.note == note
    assert answer.question == question  # the log keeps what was typed


def searched(desk: Newsdesk, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The questions `desk` retrieves passages for, from now until the test ends."""
    asked: list[str] = []
    retrieve = desk.retriever.retrieve

    def counting(question: str, **kwargs: Any) -> Any:
        asked.append(question)
        return retrieve(question, **kwargs)

    monkeypatch.setattr(desk.retriever, "retrieve", counting)
    return asked


def test_a_mistyped_question_is_searched_once_as_read(
    seed_desk: Newsdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = searched(seed_desk, monkeypatch)
    answer = seed_desk.answer("whos mexicos presdient")
    assert asked == ["whos mexicos president"] and not answer.declined


def test_a_reading_that_declines_falls_back_to_the_words_as_typed(
    seed_desk: Newsdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = searched(seed_desk, monkeypatch)
    answer = seed_desk.answer("who is the presdient of qwertzuiop")
    assert asked == ["who is the president of qwertzuiop", "who is the presdient of qwertzuiop"]
    assert answer.declined and answer.note is None  # no reading is claimed for a decline
    assert "“qwertzuiop”" in answer.text


def test_a_word_no_article_comes_near_still_declines(seed_desk: Newsdesk) -> None:
    answer = seed_desk.answer("who is qwertzuiop")
    assert answer.declined and answer.note is None
    assert answer.text.startswith("I have nothing on “qwertzuiop”")


def test_one_article_is_cited_once(sample_desk: Newsdesk) -> None:
    for question in ["how many troops are at the border now", "what did valdoria's bank do"]:
        answer = sample_desk.answer(question, as_of=AS_OF)
        articles = [c.article_id for c in answer.citations]
        assert len(articles) == len(set(articles)), answer.text


def test_a_follow_up_stays_on_topic(sample_desk: Newsdesk) -> None:
    first = sample_desk.answer("how many measles cases are there in eastmoor", as_of=AS_OF)
    history = [Turn(question=first.question, answer=first.text, citations=first.citations)]
    follow = sample_desk.answer("and how many of them went to hospital", history=history)
    assert "Forty-one" in follow.text
    assert "eastmoor-measles" in follow.citations[0].url


def test_a_follow_up_on_the_name_just_given_stays_on_its_story(sample_desk: Newsdesk) -> None:
    first = sample_desk.answer("who leads the drivers union in the rail strike", as_of=AS_OF)
    assert "Grace Mbeki" in lead(first)
    history = [Turn(question=first.question, answer=first.text, citations=first.citations)]
    follow = sample_desk.answer("what pay rise does grace mbeki want", history=history)
    assert "rail" in follow.standalone_question
    assert "7% pay rise" in lead(follow)
    assert "coastal-rail-strike" in follow.citations[0].url


def test_a_self_contained_question_leaves_the_previous_topic(sample_desk: Newsdesk) -> None:
    first = sample_desk.answer("how many measles cases are there in eastmoor", as_of=AS_OF)
    history = [Turn(question=first.question, answer=first.text, citations=first.citations)]
    answer = sample_desk.answer("who leads the drivers union in the rail strike", history=history)
    assert answer.standalone_question == "who leads the drivers union in the rail strike"
    assert "Grace Mbeki" in lead(answer)


def test_tell_me_more_goes_on_with_the_story_until_it_is_all_said(sample_desk: Newsdesk) -> None:
    history: list[Turn] = []
    replies = []
    for question in ["who won the cup final", "tell me more", "what else?", "and the score?"]:
        answer = sample_desk.answer(question, history=history, as_of=AS_OF)
        replies.append(answer)
        history.append(Turn(question=question, answer=answer.text, citations=answer.citations))
    first, more, still_more, score = replies
    assert "Riverton Rovers won the National Cup" in lead(first)
    assert "Tom Keller in the 23rd minute" in first.text  # the sentence after the story's first
    assert more.standalone_question == still_more.standalone_question == "who won the cup final"
    assert "Riverton Rovers won the National Cup" not in more.text  # nothing said twice
    assert "Ines Holt said" in more.text and "Tom Keller" not in more.text
    assert "Marco Diaz" in still_more.text and "Tom Keller" not in still_more.text
    quoted = [c.quote for answer in replies[:3] for c in answer.citations]
    assert len(set(quoted)) == 3 and "riverton-rovers-cup-final" in more.citations[0].url
    assert more.citations[0].number == first.citations[0].number == 1  # the same source, [1]
    assert "else" not in score.standalone_question  # "what else" is no topic
    while not more.declined:  # asked for more until the story runs out
        history.append(Turn(question="more", answer=more.text, citations=more.citations))
        more = sample_desk.answer("more", history=history, as_of=AS_OF)
        assert len(history) < 12
    assert more.text == "That is all I have on this."


def test_tell_me_more_with_nothing_said_yet_asks_what_about(sample_desk: Newsdesk) -> None:
    for history in ([], [Turn(question="more", answer="More about what?")]):
        answer = sample_desk.answer("tell me more", history=history, as_of=AS_OF)
        assert answer.declined and not answer.citations
        assert answer.text == "More about what? Ask me a question about the news first."


def _story(title: str, day: str, slug: str, body: str) -> str:
    """An article file as `newsdesk ingest` reads it: front matter, then the text."""
    url = f"https://example.com/news/{day.replace('-', '/')}/{slug}"
    head = f'title: "{title}"\ndate: {day}\nurl: {url}\nsource: Court Report'
    return f"---\n{head}\n---\n\n{body}\n"


MADRID = _story(
    "Alcaraz beats Zverev to win the Madrid Open",
    "2022-05-08",
    "alcaraz-madrid",
    "Carlos Alcaraz beat defending champion Alexander Zverev 6-3 6-1 in the Madrid Open final "
    "on Sunday, having already beaten Rafael Nadal and Novak Djokovic in earlier rounds.\n\n"
    "The 19-year-old Spaniard is the youngest champion in the tournament's history.",
)
TICKETS = _story(
    "Ticket ballot opens for the summer's championships",
    "2022-03-01",
    "ticket-ballot",
    "Fans hoping to see Wimbledon this summer can enter the public ballot from Tuesday, the "
    "club said. Seats on the show courts at Wimbledon are drawn at random, and queueing for "
    "Wimbledon on the day remains possible for the outside courts.",
)


def _desk_of(folder: Path, *articles: str) -> Newsdesk:
    for i, text in enumerate(articles):
        (folder / f"article-{i}.md").write_text(text, encoding="utf-8")
    data = folder / "data"
    settings = load_settings(_env_file=None, newsdesk_data_dir=data, answer_mode="extractive")
    report = ingest_sources([str(folder)], settings=settings)
    assert report.ok and len(report.new) == len(articles), report.summary()
    return open_newsdesk(settings)


def test_a_name_typed_in_lower_case_must_be_in_the_article(tmp_path: Path) -> None:
    """The store writes "Wimbledon" capitalised every time: a chat question's "wimbledon" is
    a name then, and the Madrid Open final does not answer for the Wimbledon final."""
    desk = _desk_of(tmp_path, MADRID, TICKETS)
    answer = desk.answer("did alcaraz beat djokovic in the wimbledon final", as_of=AS_OF)
    assert answer.declined and not answer.citations, answer.text
    assert "wimbledon" in answer.text
    asked = desk.answer("did alcaraz beat zverev in the madrid open final", as_of=AS_OF)
    assert not asked.declined and "6-3 6-1" in lead(asked), asked.text


def test_a_store_that_never_wrote_a_word_cannot_tell_it_is_a_name(tmp_path: Path) -> None:
    """With no article using "wimbledon", it is one of the question's rarer words, of which
    one may be missing: the answer is given, and says what it leaves out."""
    desk = _desk_of(tmp_path, MADRID)
    answer = desk.answer("did alcaraz beat djokovic in the wimbledon final", as_of=AS_OF)
    assert not answer.declined and "Madrid Open final" in lead(answer), answer.text
    assert answer.note == "Not mentioned in the quoted passages: “wimbledon”."


OBITUARY = _story(
    "Actress who played TV psychic Madame Zora dies at 53",
    "2024-02-02",
    "madame-zora",
    "Dana Whitlock\n\n"  # a byline, then a dateline: the story's first sentence follows
    "PORT AURELIA (AP) — The actress who became famous playing the television psychic "
    "Madame Zora, promising "
    "callers a glimpse of their futures in late-night commercials, has died of cancer.\n\n"
    "Marisol Dane, 53, died in Port Aurelia on Thursday, her lawyer said.\n\n"
    "The commercials ran for six years before the hotline closed.",
)


def test_a_storys_first_sentence_comes_with_the_particulars_after_it(tmp_path: Path) -> None:
    """A news story's first sentence sets it up; the next one names who, where and when."""
    desk = _desk_of(tmp_path, OBITUARY, MADRID)
    answer = desk.answer("where did the actress who played madame zora die", as_of=AS_OF)
    assert lead(answer).startswith("The actress who became famous"), answer.text
    assert "Marisol Dane, 53, died in Port Aurelia" in answer.text
    assert len(answer.citations) == 1 and "Port Aurelia" in answer.citations[0].quote
