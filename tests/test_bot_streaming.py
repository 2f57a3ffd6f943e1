"""An LLM answer in Telegram appears while it is written, then settles into the checked one.

The real bot over HTTP against the Bot API stand-in, the real Newsdesk over the sample
articles, and a scripted OpenAI-compatible server streaming its reply a word at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.answer_log import AnswerLog
from bot.log_queries import LogFilter, list_exchanges, show_exchange
from index.settings import Settings
from index.wiring import open_newsdesk
from tests.bot_helpers import ScriptedAnswerer, bot_settings, running_bot
from tests.fake_openai import FakeOpenAI, Streamed
from tests.standin import TelegramStandin
from tests.test_llm_answer import cite_the_source_saying, llm_settings

USER = 801
QUESTION = "How many troops are at the border now?"
CHECKED = "As of 12 February 2025, about 5,000 active-duty troops are there [1]."
SOURCE = "[1] Border deployment reaches 5,000 active-duty troops, commander tells Congress"


@pytest.fixture()
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        server.stream_pause_s = 0.25  # 13 words: about 3 s of writing
        yield server


def llm_newsdesk(fake: FakeOpenAI, corpus: Settings):  # type: ignore[no-untyped-def]
    settings = llm_settings(fake, newsdesk_data_dir=corpus.newsdesk_data_dir, llm_timeout_s=20)
    return open_newsdesk(settings)


def draft_calls(standin: TelegramStandin) -> list[tuple[float, str, int]]:
    """(time, text sent, status) of every sendMessage and editMessageText, in order."""
    return [
        (c.at, c.params["text"], c.status)
        for c in standin.state.calls
        if c.method in ("sendMessage", "editMessageText")
    ]


async def ask(standin: TelegramStandin, tmp_path: Path, desk: object) -> None:
    async with running_bot(bot_settings(standin, tmp_path), desk):  # type: ignore[arg-type]
        await standin.send_text(USER, USER, QUESTION)
        await standin.wait_until(
            lambda: any(b.get("text") == "👍" for s in standin.sent_to(USER) for b in s.buttons),
            timeout=30,
        )


async def test_the_answer_appears_while_written_and_settles_checked(
    standin: TelegramStandin, fake: FakeOpenAI, sample_settings: Settings, tmp_path: Path
) -> None:
    reply = cite_the_source_saying("5,000 active-duty")
    fake.enqueue([lambda body: reply(body) + " The cartels will surrender on Friday [1]."])
    await ask(standin, tmp_path, llm_newsdesk(fake, sample_settings))
    [final] = standin.sent_to(USER)  # one message: the draft, edited into the answer
    assert final.text.startswith(CHECKED + "\n")
    assert SOURCE in final.text and "surrender" not in final.text and "writing" not in final.text
    assert [b["text"] for b in final.buttons] == ["📄 [1]", "👍", "👎"]
    calls = draft_calls(standin)
    first_draft = calls[0][1]
    assert (
        CHECKED.startswith(first_draft.split("\n")[0]) and "writing… (to be checked)" in first_draft
    )
    assert len(calls) >= 3, "drafts were edited while the model wrote"
    assert any("surrender" in text for _, text, _ in calls[:-1])  # shown as written ...
    times = [at for at, _, _ in calls]
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.9  # ... at most once a second
    log = AnswerLog(tmp_path / "answers.sqlite3")
    [row] = list_exchanges(log, LogFilter())
    checks = json.loads(show_exchange(log, row["id"])["claim_checks"])
    assert row["mode"] == "openai-like" and [c["action"] for c in checks] == ["kept", "dropped"]


async def test_a_429_on_a_draft_edit_is_waited_out_and_the_final_edit_lands(
    standin: TelegramStandin, fake: FakeOpenAI, sample_settings: Settings, tmp_path: Path
) -> None:
    fake.enqueue([cite_the_source_saying("5,000 active-duty")])
    standin.fail_next("editMessageText", 429, "Too Many Requests: retry after 2", retry_after=2)
    await ask(standin, tmp_path, llm_newsdesk(fake, sample_settings))
    [final] = standin.sent_to(USER)
    assert final.text.startswith(CHECKED + "\n") and SOURCE in final.text
    assert [b["text"] for b in final.buttons] == ["📄 [1]", "👍", "👎"]
    calls = draft_calls(standin)
    limited = [i for i, (_, _, status) in enumerate(calls) if status == 429]
    assert len(limited) == 1
    after = calls[limited[0] + 1][0] - calls[limited[0]][0]
    assert after >= 1.9, "nothing was sent to the chat before retry_after had passed"
    assert calls[-1][2] == 200 and CHECKED.split(" [")[0] in calls[-1][1]


async def test_a_failing_stream_is_replaced_by_the_extractive_answer(
    standin: TelegramStandin, fake: FakeOpenAI, sample_settings: Settings, tmp_path: Path
) -> None:
    words = ["About ", "5,000 ", "troops ", "are ", "there ", "[1]."]
    fake.enqueue([Streamed(words, pause_s=0.4, fail_after=4)])
    await ask(standin, tmp_path, llm_newsdesk(fake, sample_settings))
    [final] = standin.sent_to(USER)
    assert final.text.startswith("As of 12 February 2025, roughly 5,000")
    assert "The language model failed" in final.text and "extractive answer" in final.text
    assert draft_calls(standin)[0][1].startswith("About")  # the draft had been shown


async def test_an_extractive_answer_is_sent_at_once_without_drafts(
    standin: TelegramStandin, tmp_path: Path
) -> None:
    await ask(standin, tmp_path, ScriptedAnswerer())
    assert not standin.calls("editMessageText")
    [reply] = standin.sent_to(USER)
    assert "writing" not in reply.text


async def test_in_a_group_drafts_are_paced_for_its_limit_and_unsupported_can_be_marked(
    standin: TelegramStandin, fake: FakeOpenAI, sample_settings: Settings, tmp_path: Path
) -> None:
    reply = cite_the_source_saying("5,000 active-duty")

    def with_a_claim_of_its_own(body: dict[str, Any]) -> str:
        answer = reply(body)
        marker = answer[answer.rindex("[") :].rstrip(".")  # the same source as the answer's
        return f"{answer} The cartels will surrender on Friday {marker}."

    fake.enqueue([with_a_claim_of_its_own])
    settings = llm_settings(
        fake, newsdesk_data_dir=sample_settings.newsdesk_data_dir, llm_timeout_s=20,
        llm_unsupported="mark",
    )  # fmt: skip
    group = -100300
    standin.chat(group, "supergroup")
    async with running_bot(bot_settings(standin, tmp_path), open_newsdesk(settings)):
        await standin.send_text(group, USER, f"/ask {QUESTION}")
        await standin.wait_until(
            lambda: any(b.get("text") == "👍" for s in standin.sent_to(group) for b in s.buttons),
            timeout=30,
        )
    [final] = standin.sent_to(group)
    assert final.reply_to is not None  # the draft answered the question in the group
    assert final.text.startswith(
        CHECKED + " The cartels will surrender on Friday [1] (unverified).\n"
    )
    times = [at for at, _, _ in draft_calls(standin)]
    assert len(times) >= 2 and min(b - a for a, b in zip(times, times[1:])) >= 2.9
