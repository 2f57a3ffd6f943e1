"""What makes a question specific, whether an article holds its subject, what it asks for,
and which sentences may be quoted as an answer."""

from __future__ import annotations

from datetime import date

import pytest

from index.asks import QuestionKind, event_year, offers
from index.citations import CitationNumbers
from index.compose import ExtractiveComposer
from index.declines import off_subject, unreported_outcome
from index.embeddings import OnnxMiniLMEmbedding
from index.followup import heuristic_standalone, leans_on_history
from index.grounding import (
    acronyms,
    is_place,
    lacking_words,
    missing_words,
    specific_words,
    written_as_names,
)
from index.models import Passage, Turn
from index.sentences import Candidate, opens_story, quotable, sentences
from index.wiring import sentence_similarity

QUAKE = "A magnitude 7.8 earthquake struck southern Turkey and northern Syria early on Monday."


def test_names_places_years_and_rare_words_make_a_question_specific() -> None:
    assert specific_words("how strong was the earthquake in morocco") == ["earthquake", "morocco"]
    assert specific_words("what happened with hurricane ian in 2024") == [
        "hurricane",
        "ian",
        "2024",
    ]
    assert specific_words("Who is Mexico's president?") == ["Mexico's"]
    assert specific_words("who won the world cup final") == []


@pytest.mark.parametrize(
    ("question", "text", "missing"),
    [
        ("how strong was the earthquake in morocco", QUAKE, ["morocco"]),
        ("how many died in the 2024 turkey earthquake", QUAKE, ["2024"]),
        ("how many died in the turkish earthquake", QUAKE, []),  # demonym
        ("who is the mexican president", "Mexico's president said on Monday.", []),
        ("what did the korean study find", "A study in Korea found less cancer.", []),
        ("what did burma's junta say", "Myanmar's junta said on Monday it would talk.", []),
        ("how many people died in the kentucky flooding", "Floods in Kentucky killed 37.", []),
        ("how many troops are on the canadian border", "Troops at the Mexico border.", None),
    ],
)
def test_the_subject_must_be_in_the_article(
    question: str, text: str, missing: list[str] | None
) -> None:
    found = missing_words(question, [text])
    if missing is None:
        assert found, "a place the article never names"
    else:
        assert found == missing


def test_the_stores_writing_tells_which_lower_case_words_are_names() -> None:
    texts = [
        "Fans queued at Wimbledon on Monday, and tickets for Wimbledon sold out.",
        "He won at Wimbledon twice. The city of London, and the city council, agreed.",
        "Officials met in the City of London.",
    ]
    # sentence openers and headlines do not count: only words in mid-sentence
    assert written_as_names(texts + ["Wimbledon Final Tickets Sold Out"]) == ["wimbledon"]
    article = "Carlos Alcaraz beat Alexander Zverev in the Madrid Open final, after Djokovic."
    question = "did alcaraz beat djokovic in the wimbledon final"
    assert missing_words(question, [article]) == []  # one rarer word of two may be missing
    names = frozenset(written_as_names(texts))
    assert missing_words(question, [article], names=names) == ["wimbledon"]
    assert missing_words("did alcaraz win wimbledon", [texts[1]], names=names) == ["alcaraz"]


@pytest.mark.parametrize(
    ("question", "said", "lacking"),
    [
        # a surname stands for the person named in full
        ("what pay rise does grace mbeki want", "Mbeki said the union wants 7% more.", []),
        ("how bad did hurricane milton hit florida", "Hurricane Michael hit Florida.", ["milton"]),
        (
            "did taylor swift endorse kamala harris",
            "Vice President Kamala Harris will speak.",
            ["taylor", "swift", "endorse"],
        ),
    ],
)
def test_what_an_answer_leaves_out_of_the_question(
    question: str, said: str, lacking: list[str]
) -> None:
    assert lacking_words(question, [said]) == lacking


def _said(text: str, cosine: float, title: str = "Storm batters the coast") -> Candidate:
    p = Passage(
        chunk_id="a:v:0", article_id="a", title=title, source="Outlet",
        url="https://example.com/a", published=None, start=0, end=len(text), text=text, score=0.5,
    )  # fmt: skip
    return Candidate(p, 0, 0, len(text), set(), 1.0, 1.0, features={"semantic": cosine})


def test_an_answer_about_something_else_lacks_a_word_and_is_far_in_meaning() -> None:
    said = [_said("Hurricane Michael has left a trail of disaster across Florida.", 0.42)]
    assert off_subject("how bad did hurricane milton hit florida", said)
    # close in meaning, or holding every word, it answers
    assert not off_subject("how bad did hurricane milton hit florida", [_said(said[0].text, 0.6)])
    assert not off_subject("how bad did hurricane michael hit florida", said)
    # a question that describes what it asks for is answered by a name, not its words
    assert not off_subject("which storm left a trail of disaster in the panhandle", said)
    # a quiz question's paragraph of background is not its subject
    long = "After a week of warnings and evacuations along the gulf coast, how bad did it get "
    assert not off_subject(long + "when hurricane milton finally hit florida", said)


def test_a_sentence_that_lacks_an_ordinary_word_is_read_with_its_headline(
    embed_model: OnnxMiniLMEmbedding,
) -> None:
    similarity = sentence_similarity(embed_model)
    question = "how many ribs did dax shepard break in his motorcycle wreck"
    title = "Dax Shepard needs surgery after breaking bones in motorcycle crash"
    ribs = "The final tally was four broken ribs, and I need surgery."
    cosine = similarity(question, [ribs])[0]
    assert cosine < 0.5  # far from the question: it names neither Shepard nor a wreck
    said = [_said(ribs, cosine, title)]
    assert off_subject(question, said)  # without the model, a lacking word settles it
    # the story's headline names its subject: "wreck" is only a word its sentence lacks
    assert not off_subject(question, said, similarity=similarity)
    # a name it lacks (as the store writes it, or as typed) still settles it
    assert off_subject(question, said, names=frozenset(["wreck"]), similarity=similarity)
    storm = [_said("Hurricane Michael has left a trail of disaster across Florida.", 0.42)]
    milton = "how bad did hurricane milton hit florida"
    assert off_subject(milton, storm, names=frozenset(["milton"]), similarity=similarity)
    # ... and a headline about something else does not rescue the sentence
    other = [_said(ribs, cosine, "Tyson Foods recalls chicken over listeria")]
    assert off_subject(question, other, similarity=similarity)


@pytest.mark.parametrize(
    ("question", "said", "missing"),
    [
        ("how did yevgeny prigozhin die", "Prigozhin said the army lacked ammunition.", "a death"),
        ("how did yevgeny prigozhin die", "Prigozhin was killed in a plane crash.", None),
        ("who won spain's snap election", "Wildfires swept across Spain.", "who won"),
        ("who won spain's snap election", "The Popular Party won the most seats.", None),
        ("when did the actors strike end", "The strike went on for a third week.", "an end to it"),
        ("when did the actors strike end", "The actors ratified a deal on Friday.", None),
        ("when did the strike end", "It will go on if no agreement is reached.", "an end to it"),
        ("was sam bankman-fried found guilty", "He was indicted on eight charges.", "a verdict"),
        ("was sam bankman-fried found guilty", "A jury convicted him on all counts.", None),
        ("was trump found guilty", "Trump pleaded not guilty to 34 counts.", "a verdict"),
        ("was george santos convicted", "If convicted, Santos could face 20 years.", "a verdict"),
        ("was trump found guilty", "He was indicted by a Manhattan grand jury.", "a verdict"),
        (
            "who won the stanley cup",
            "If the Stars beat the Knights they make the playoffs.",
            "who won",
        ),
        ("who won the sag awards", "Here's who won't be vying for the trophies.", "who won"),
        ("when did desantis drop out", "DeSantis was a successful governor.", "a departure"),
        ("when did ron desantis drop out", "DeSantis filed to run.", "a departure"),
        ("what was the vote when they ousted jones", "The House expelled Jones 72-25.", None),
        ("when was jones expelled", "Jones spoke on the House floor.", "a departure"),
        ("when did the key bridge collapse", "Cranes passed under the bridge.", "a collapse"),
        ("how long did santos get in prison", "He could face 20 years in prison.", "a sentencing"),
        ("how many years in prison did he get", "He was sentenced to 25 years.", None),
        ("what sentence did the shooter get", "He will spend life behind bars.", None),
        ("how did the court rule on the case", "It will consider the challenge.", "a ruling"),
        ("how did the court rule on the case", "The court struck the plan down.", None),
        ("when is the court expected to rule", "Arguments were heard in March.", None),
        # what may come is not an outcome to report; a given one ("that killed") is not asked
        ("will the actors strike end soon", "The strike went on for a third week.", None),
        ("who fired the shot that killed the teen", "Chastain fired two shots.", None),
        ("what did biden say at the end of his speech", "Biden said Putin was wrong.", None),
        ("why won't the city take plastic", "The city stopped recycling plastic.", None),
    ],
)
def test_an_outcome_asked_about_must_be_reported(
    question: str, said: str, missing: str | None
) -> None:
    assert unreported_outcome(question, [_said(said, 0.9)]) == missing


@pytest.mark.parametrize(
    ("question", "year"),
    [
        ("who won the 2024 presidential election", 2024),
        ("how many people died in the 2023 turkey earthquake", 2023),
        ("where will the 2026 world cup be played", None),  # to come: an older story can tell
        ("what is expected at the 2025 summit", None),
        ("what happened at the border", None),  # no year
    ],
)
def test_the_year_of_a_past_event_asked_about(question: str, year: int | None) -> None:
    assert event_year(question) == year


def test_an_ordinal_is_its_number() -> None:
    words = specific_words("did djokovic win the french open for his 23rd grand slam")
    assert "23" in words and "rd" not in words
    assert (
        missing_words("did djokovic win his 23rd grand slam", ["Djokovic's 23rd Grand Slam"]) == []
    )


def test_a_long_quiz_question_may_carry_context_the_article_lacks() -> None:
    question = (
        "Amid slumping gadget sales and rising component costs, which company unveiled "
        "a folding tablet with a two-day battery this week?"
    )
    text = "Harlow Instruments unveiled the Skylark, a folding tablet with a two-day battery."
    assert missing_words(question, [text, "The company's tablet goes on sale in March."]) == []


def test_a_rare_word_is_a_name_only_where_names_go_uncapitalised() -> None:
    """Typed in lower case, "sheinbaum" must be in the article; in a question that
    capitalises its names, a rare lower-case word ("superstardom") is only context."""
    text = "Olivia Newton-John, the singer and Grease star, died on Monday at 73."
    assert missing_words("what did sheinbaum say about the troops", [text]) != []
    question = (
        "Hollywood icons joined fans worldwide this week to mourn the singer Olivia "
        "Newton-John. Which blockbuster movie catapulted her to superstardom?"
    )
    assert missing_words(question, [text]) == []


def test_places_and_their_demonyms() -> None:
    assert all(is_place(w) for w in ["morocco", "canadian", "mexican", "chinese", "german"])
    assert not any(is_place(w) for w in ["several", "random", "clinic"])


def test_a_hyphenated_word_is_there_when_its_parts_are() -> None:
    question = "what was the best-ranked us airport in skytrax's list"
    assert missing_words(question, ["Skytrax ranked Denver the best airport in the US."]) == []
    assert missing_words(question, ["Skytrax ranked Denver tenth in the US."]) == ["best-ranked"]


def test_big_cities_are_places_though_english_writes_them_often() -> None:
    # "paris" and "chicago" are too common in English to count as rare words
    assert all(is_place(w) for w in ["paris", "chicago", "london", "lagos", "parisian"])
    assert specific_words("how many trains were cancelled in paris") == ["cancelled", "paris"]
    # a city's name that is also an English word is read as the word
    assert not any(is_place(w) for w in ["pest", "queens", "perm", "erode"])


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("how many people died in the kentucky floods", "number"),
        ("why are egg prices so high", "reason"),
        ("where did the plane go down", "place"),
        ("who's mexico's president", "name"),
        ("when does the probe reach the asteroid", "date"),
        ("did the fed raise rates again", "claim"),
        ("what did mexico send to the border", "thing"),
        # the question word asked first decides: "when it beat" says when the thing asked
        # about happened, it does not ask when
        ("what did mcdonald's credit when it beat profit and sales forecasts", "thing"),
        ("who got two goals for florida when the panthers beat boston 6-3", "name"),
        ("where did rajapaksa fly first when he fled sri lanka", "place"),
        ("how many people died when the bridge collapsed", "number"),
        ("when did the bridge collapse", "date"),
        ("which year did the bridge collapse", "date"),  # "which" at the same word
        ("did biden say why he pulled out", "reason"),  # a question word before yes/no
        ("is the border open", "claim"),
        ("Serena began what could be her final act by playing in which tournament?", "name"),
    ],
)
def test_what_the_question_asks_for(question: str, wanted: str) -> None:
    assert QuestionKind.of(question).wanted == wanted


def test_a_sentence_offers_what_is_asked() -> None:
    number = QuestionKind.of("how many troops are there")
    assert offers("Roughly 5,000 troops are deployed.", number, {"troop"}) == 1.0
    assert offers("The troops were deployed as many times as needed.", number, {"troop"}) == 0.0
    reason = QuestionKind.of("why are egg prices so high")
    assert offers("Prices rose because of a bird flu outbreak.", reason, set()) == 1.0
    place = QuestionKind.of("where did the plane go down")
    assert offers("The plane crashed in Nepal on Sunday.", place, {"plane"}) == 1.0


def test_when_wants_the_day_and_what_year_a_year() -> None:
    strike = {"strike", "teacher", "west", "virginia"}
    when = QuestionKind.of("when did the west virginia teachers strike kick off")
    assert offers("On Feb. 22, 2018, teachers across West Virginia struck.", when, strike) == 1
    assert offers("The 2018 West Virginia teacher strike changed much.", when, strike) == 0.5
    assert offers("The strike began on 22 February.", when, strike) == 1.0
    year = QuestionKind.of("what year did the west virginia teachers strike")
    assert offers("The 2018 West Virginia teacher strike changed much.", year, strike) == 1.0


def test_a_number_question_that_says_what_it_measures_wants_that_measure() -> None:
    money = QuestionKind.of("how much would lamar make if he signs the franchise tag")
    assert money.measure == "money"
    # a number, but not a sum: offered only partly
    assert offers("His ask came on March 2, five days before the tag.", money, set()) == 0.5
    assert offers("He would receive a $32.41 million salary.", money, set()) == 1.0
    assert offers("The fine was 405 million euros.", money, set()) == 1.0
    share = QuestionKind.of("what percent of irish voters said yes")
    assert offers("An estimated 3 million people were expected to vote.", share, set()) == 0.5
    assert offers("Some 62.1% of voters approved the measure.", share, set()) == 1.0
    assert QuestionKind.of("how much of the genome was missing").measure == "share"
    assert QuestionKind.of("how much did target's profit drop").measure is None  # 52% or $
    assert QuestionKind.of("how old do you have to be to get a booster").measure == "age"
    assert QuestionKind.of("how long does her term run").measure == "span"
    # a count says what it counts in the question; a bare "how much" says nothing
    assert QuestionKind.of("how many points did he make").measure is None
    assert QuestionKind.of("how much snow fell in buffalo").measure is None  # inches
    assert QuestionKind.of("how much is left").measure is None


def test_strength_speed_distance_and_temperature_are_measures() -> None:
    # "when it hit" does not make a question about strength a date question
    otis = QuestionKind.of("how strong was hurricane otis when it hit acapulco")
    assert (otis.wanted, otis.measure) == ("number", "strength")
    assert offers("Otis made landfall as a Category 5 storm.", otis, set()) == 1.0
    assert offers("Sunday morning's magnitude-6.8 quake.", otis, set()) == 1.0
    assert offers("Otis killed 27 people in Acapulco.", otis, set()) == 0.5
    far = QuestionKind.of("how far can the eqxx go on one charge")  # "charge" is no sum here
    assert far.measure == "distance"
    assert offers("It covered 620 miles on a single charge.", far, set()) == 1.0
    assert QuestionKind.of("how far over asking did the house sell").measure == "money"
    close = QuestionKind.of("how close to the border can drones fly")  # a distance, in words
    assert (close.wanted, close.measure) == ("number", "distance")
    assert offers("Drones may fly within five miles of the border.", close, set()) == 1.0
    assert offers("About 5,000 troops are at the border.", close, set()) == 0.5
    cold = QuestionKind.of("how cold could wind chills get")
    assert (cold.wanted, cold.measure) == ("number", "temperature")
    assert offers("Wind chills as cold as minus 40 F are forecast.", cold, set()) == 1.0
    assert offers("Wind chills could reach 55 degrees below zero.", cold, set()) == 1.0
    assert QuestionKind.of("how fast is the new train").measure == "speed"


def test_what_is_the_number_noun_asks_for_a_number() -> None:
    coldest = QuestionKind.of("what's the coldest temperature ever recorded in the uk")
    assert (coldest.wanted, coldest.measure) == ("number", "temperature")
    turnout = QuestionKind.of("what turnout did officials claim in kherson")
    assert (turnout.wanted, turnout.measure) == ("number", "share")
    assert QuestionKind.of("what is the price of bitcoin today").measure == "money"
    mortgage = QuestionKind.of("what was the all-time high average 30-year mortgage rate")
    assert (mortgage.wanted, mortgage.measure) == ("number", "share")
    assert QuestionKind.of("whats the final score of the game").wanted == "number"
    assert QuestionKind.of("what is the impact of the interest rate rise").wanted == "thing"
    assert QuestionKind.of("what counts as a highly vaccinated ship").wanted == "thing"
    assert QuestionKind.of("what is the name of the ship").wanted == "name"


def test_initials_stand_for_the_name_written_out() -> None:
    question = "how much did the dccc put into digital ads in the tx-34 special election"
    spelled = "The Democratic Congressional Campaign Committee put $100,000 into TX-34 ads."
    other = "The party put $100,000 into digital ads in the TX-34 special election."
    assert missing_words(question, [spelled]) == []
    assert missing_words(question, [other]) == ["dccc"]
    assert lacking_words(question, [spelled]) == []
    # and the run may start with a sentence's first word or join two names
    found = acronyms("Officers of the New York Police Department and the FBI met.")
    assert {"nypd", "onyp"} <= found and "fbi" not in found  # "FBI" is a word of its own


def test_a_number_in_a_name_is_not_a_quantity() -> None:
    count = QuestionKind.of("how many schools will the big ten have with usc and ucla")
    asked = {"school", "big", "ten", "usc", "ucla"}
    assert offers("UCLA will leave the Pac-12 for the Big Ten, they said.", count, asked) == 0.0
    assert offers("It brings the Big Ten membership to 16.", count, asked) == 1.0
    assert offers("Cases of COVID-19 rose in Game 6.", count, set()) == 0.0
    assert offers("The Category 4 storm hit the coast.", count, set()) == 1.0  # a measure


def test_a_quiz_question_is_asked_by_its_last_sentence() -> None:
    question = (
        "Due to the rising cost of living, a growing number of Americans are leaving their "
        "cities. Where are many Americans moving?"
    )
    assert QuestionKind.of(question).wanted == "place"  # not "number of"
    assert QuestionKind.of("Who is Dr. Fauci?").wanted == "name"  # not split at "Dr."


@pytest.mark.parametrize(
    "sentence",
    [
        "Snow blankets a neighborhood, December 25, 2022, in Buffalo, New York.",
        "Chang W. Lee/Pool/The New York Times/DPA/AP Joe Biden arrives at his inauguration.",
        "Rescuers search the rubble in Antakya. (Photo by Burak Kara/Getty Images)",
        "Obama's favorite books of 2021",
        "Lava fountains and flows are seen as the Mauna Loa volcano erupts on Wednesday.",
        "• Tickets go on sale on Friday for the tour.",
        "READ MORE: THE TEN BEST MOMENTS OF THE YEAR.",
        "Sign up for our newsletter to get the latest news.",
        "Protesters gather in Wuhan, Beijing and Shanghai on November 26.",
        "People celebrate outside the Stonewall Inn on June 27, 2021, in New York City.",
        "A view of empty shelves at a supermarket on January 9, 2022 in Alexandria, Virginia.",
        "Supporters react as they watch the vote count, in Sao Paulo, Brazil on October 2.",
        "This aerial photograph taken from a helicopter on September 28 shows the fence.",
        "Jeff Dean/AP New York Jets QB Mike White celebrates after beating the Chicago Bears.",
        "Matthew Busch for CNN A prayer vigil is held in Uvalde on May 25.",
        "TOBY MELVILLE/REUTERS Princess Eugenie and Jack Brooksbank kiss on the steps.",
        "From left are Hillary Clinton, Albright, Henry Kissinger and John Kerry.",
        "Christine McVie (left) and Stevie Nicks perform together at Radio City Music Hall.",
        "In the back row, from left, are his grandson Prince Louis and Prince William.",
    ],
)
def test_captions_credits_headings_and_list_items_are_never_quoted(sentence: str) -> None:
    assert not quotable(sentence)


@pytest.mark.parametrize(
    "text",
    [
        "(CNN) There have been an estimated 140 million Covid-19 infections in the US.",
        "Washington (CNN) There have been an estimated 140 million Covid-19 infections.",
        "Jackson, Wyoming (CNN) There have been an estimated 140 million infections.",
        "LIVERPOOL, England (AP) — There have been an estimated 140 million infections.",
    ],
)
def test_a_dateline_is_left_out_of_the_quote(text: str) -> None:
    ((start, end),) = sentences(text)
    assert text[start:end].startswith("There have been")


@pytest.mark.parametrize(
    "sentence",
    [
        "On Feb. 22, 2018, teachers across West Virginia went on strike, sparking a movement.",
        "Robert Dolph Ray was born in Des Moines on Sept. 26, 1928, to accountant Clark Ray.",
        "Pebbles was born March 28, 2000, in New York.",
        "King was shot on April 4, 1968, as he stood on a balcony of the Lorraine Motel.",
        "Bencic, coached by Melanie Molitor, is seen as one of the game's rising stars.",
        "The drug is shown to cut the risk of death by half in the trials.",
        "The decoded messages presented the AFP with a pressing ethical dilemma.",
        "Some users claimed the photo shows the vice president's wife, which it does not.",
        "The Times-Picayune/The New Orleans Advocate reports the grades are based on blood loss.",
    ],
)
def test_prose_is_not_a_caption(sentence: str) -> None:
    assert quotable(sentence)


def test_a_story_opens_after_its_byline_and_dateline() -> None:
    text = (
        "Andrea Mandell\n\nFORT LAUDERDALE (AP) — The actress who played a TV psychic has "
        "died of cancer.\n\nShe died in Palm Beach, her lawyer said."
    )
    spans = sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "The actress who played a TV psychic has died of cancer.",
        "She died in Palm Beach, her lawyer said.",
    ]
    passage = Passage(
        chunk_id="m:v:0", article_id="m", title="Actress dies", source="Outlet", url="",
        published=None, start=0, end=len(text), text=text, score=0.6,
    )  # fmt: skip
    first, second = (Candidate(passage, 0, a, b, set(), 1.0, 1.0) for a, b in spans)
    assert opens_story(first) and not opens_story(second)
    later = passage.model_copy(update={"start": 400})  # the article's second chunk
    assert not opens_story(Candidate(later, 0, *spans[0], set(), 1.0, 1.0))


def test_the_answering_sentence_leads_not_the_caption() -> None:
    text = (
        "Snow blankets a neighborhood, December 25, 2022, in Buffalo, New York. "
        "The blizzard killed at least 39 people in Erie County, officials said on Monday. "
        "Crews worked through the night."
    )
    passage = Passage(
        chunk_id="b:v:0", article_id="b", title="Buffalo blizzard", source="Outlet", url="",
        published=date(2022, 12, 27), start=0, end=len(text), text=text, score=0.6,
    )  # fmt: skip
    answer = ExtractiveComposer(relevance_floor=0.2).compose(
        "how many people died in the buffalo blizzard", [passage], numbers=CitationNumbers()
    )
    assert answer.text.startswith(  # the story's first sentence, then the next one
        "As of 27 December 2022, the blizzard killed at least 39 people in Erie County, "
        "officials said on Monday [1]."
    )
    assert "Snow blankets" not in answer.citations[0].quote


def test_a_self_contained_question_is_not_a_follow_up() -> None:
    assert not leans_on_history("Which country elected its first leftist leader?")
    assert leans_on_history("and who ordered that")
    assert leans_on_history("how many of them died")
    history = [Turn(question="How many troops are at the border now?", answer="5,000 [1].")]
    assert (
        heuristic_standalone("Which country elected its first leftist leader?", history)
        == "Which country elected its first leftist leader?"
    )


def test_a_person_the_question_does_not_name_is_the_conversations() -> None:
    assert leans_on_history("did he end up getting convicted")
    assert leans_on_history("what did she say about gun control")
    assert not leans_on_history("did Trump's lawyer say he would appeal")
    history = [
        Turn(
            question="who's accused of holding a woman captive in excelsior springs",
            answer="Timothy Haslett [1].",
        ),
        Turn(question="where in the house was she kept", answer="In the basement [1]."),
    ]
    # carried over two turns, the story's name is not crowded out by the last question's words
    assert heuristic_standalone("did he end up getting convicted", history) == (
        "Did he end up getting convicted (about: excelsior, house, kept, accused, holding, woman)?"
    )


def test_near_duplicate_sampling_is_the_same_in_every_process() -> None:
    """Which passages count as copies (and so the answer) must not depend on the hash seed."""
    import subprocess
    import sys

    code = (
        "from index.dedupe import shingles; "
        "print(sorted(shingles('the pentagon is sending 1,500 more soldiers to the border "
        "with mexico, the acting defense secretary said on wednesday after the declaration')))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1 and outputs.pop().startswith("[")


def test_a_question_about_what_the_last_answer_said_is_a_follow_up() -> None:
    """No pronoun, but it asks only about what was just said: it carries the topic."""
    history = [
        Turn(
            question="who did iowa beat in the final four",
            answer="Caitlin Clark scored 41 points as Iowa beat South Carolina 77-73 [1].",
        )
    ]
    assert heuristic_standalone("how many points did caitlin clark score", history) == (
        "How many points did caitlin clark score (about: iowa, beat, final, four)?"
    )
    # a name the conversation never mentioned starts a new topic
    assert (
        heuristic_standalone("how many points did angel reese score", history)
        == "how many points did angel reese score"
    )
