"""End to end: memory across restarts, access control, limits, long answers, Telegram errors."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.answer_log import AnswerLog
from bot.log_queries import LogFilter, list_exchanges, show_exchange
from index.models import Answer
from tests.bot_helpers import ARTICLES, ScriptedAnswerer, bot_settings, citation, running_bot
from tests.standin import MAX_TEXT, TelegramStandin, parse_html

USER, ADMIN, STRANGER = 601, 602, 603


async def test_follow_up_uses_history_that_survives_a_restart(
    standin: TelegramStandin, tmp_path: Path
) -> None:
    settings = bot_settings(standin, tmp_path, history_turns=2)
    first = ScriptedAnswerer()
    async with running_bot(settings, first):
        await standin.send_text(USER, USER, "Tell me about the bike lanes and the wind farm")
        await standin.wait_for_sent(USER)
    second = ScriptedAnswerer()
    async with running_bot(settings, second):  # a new process would see the same SQLite file
        await standin.send_text(USER, USER, "When will the second one be finished?")
        _, follow_up = await standin.wait_for_sent(USER, 2)
        await standin.send_text(USER, USER, "/new")
        forgot = (await standin.wait_for_sent(USER, 3))[2]
        await standin.send_text(USER, USER, "When will it be finished?")
        await standin.wait_for_sent(USER, 4)
    [call, after_new] = second.calls
    [turn] = call["history"]
    assert turn.question == "Tell me about the bike lanes and the wind farm"
    assert [(c.number, c.title) for c in turn.citations] == [
        (1, ARTICLES[0].title),
        (2, ARTICLES[1].title),
    ]
    assert "[2] Harbour wind farm to power 200,000 homes" in follow_up.text  # kept its number
    assert forgot.text.startswith("Done: I have forgotten our conversation")
    assert after_new["history"] == []


async def test_history_is_bounded(standin: TelegramStandin, tmp_path: Path) -> None:
    answerer = ScriptedAnswerer()
    async with running_bot(bot_settings(standin, tmp_path, history_turns=2), answerer):
        for n, question in enumerate(["bike lanes?", "wind farm?", "AI editors?", "and?"], 1):
            await standin.send_text(USER, USER, question)
            await standin.wait_for_sent(USER, n)
    assert [t.question for t in answerer.calls[-1]["history"]] == ["wind farm?", "AI editors?"]


async def test_admin_commands_only_for_admins(standin: TelegramStandin, tmp_path: Path) -> None:
    settings = bot_settings(standin, tmp_path, admin_user_ids=[ADMIN])
    async with running_bot(settings, ScriptedAnswerer()):
        await standin.send_text(USER, USER, "bike lanes?")
        await standin.wait_for_sent(USER)  # so that it is exchange #1
        await standin.send_text(USER + 10, USER + 10, "who won the chess olympiad?")
        await standin.wait_for_sent(USER + 10)
        for n, command in enumerate(["/stats", "/recent 5", "/show 1", "/unanswered"], 1):
            await standin.send_text(USER, USER, command)
            await standin.send_text(ADMIN, ADMIN, command)
            await standin.wait_for_sent(USER, n + 1)  # one at a time: updates run concurrently
            await standin.wait_for_sent(ADMIN, n)
        refusals = standin.sent_to(USER)[1:]
        stats, recent, show, unanswered = standin.sent_to(ADMIN)
    assert {r.text for r in refusals} == {"Sorry, that command is only for admins."}
    assert "Questions: 2 (errors: 0)" in stats.text and "Declined: 1 (50%)" in stats.text
    assert recent.text.splitlines()[0] == "Recent questions"
    assert "who won the chess olympiad?" in recent.text and "bike lanes?" in recent.text
    assert "Q: bike lanes?" in show.text
    assert ARTICLES[0].quote in show.text and "<blockquote>" in show.raw
    assert "1× who won the chess olympiad?" in unanswered.text
    admin_scoped = [c for c in standin.calls("setMyCommands") if "scope" in c.params]
    assert len(admin_scoped) == 1 and "unanswered" in admin_scoped[0].params["commands"]


async def test_allowlist_keeps_strangers_out(standin: TelegramStandin, tmp_path: Path) -> None:
    answerer = ScriptedAnswerer()
    settings = bot_settings(standin, tmp_path, allowed_user_ids=[USER])
    async with running_bot(settings, answerer):
        await standin.send_text(STRANGER, STRANGER, "bike lanes?")
        [refusal] = await standin.wait_for_sent(STRANGER)
        await standin.send_text(USER, USER, "bike lanes?")
        [answer] = await standin.wait_for_sent(USER)
    assert refusal.text == "Sorry, this bot is private."
    assert "[1] City council approves new bike lanes" in answer.text
    assert [c["question"] for c in answerer.calls] == ["bike lanes?"]
    assert [r["user_id"] for r in list_exchanges(AnswerLog(settings.log_db_path), LogFilter())] == [
        USER
    ]


async def test_rate_limit_and_length_limit_answer_politely(
    standin: TelegramStandin, tmp_path: Path
) -> None:
    answerer = ScriptedAnswerer()
    settings = bot_settings(standin, tmp_path, rate_limit_per_minute=2, max_question_chars=40)
    async with running_bot(settings, answerer):
        await standin.send_text(USER, USER, "bike lanes? " * 10)
        [too_long] = await standin.wait_for_sent(USER)
        for n in range(2, 4):
            await standin.send_text(USER, USER, "wind farm?")
            await standin.wait_for_sent(USER, n)
        await standin.send_text(USER, USER, "wind farm, again?")
        slow_down = (await standin.wait_for_sent(USER, 4))[3]
    assert too_long.text.startswith("That question is too long (119 characters)")
    assert slow_down.text.startswith("You are asking faster than I can keep up")
    assert len(answerer.calls) == 1  # the too-long one never reached the answerer


async def test_long_answer_is_split_into_valid_messages(
    standin: TelegramStandin, tmp_path: Path
) -> None:
    sentence = "Cyclists & drivers <both> said the lanes [1] changed their commute. "
    text = (sentence * 150).strip()
    assert len(text) > 10_000
    answerer = ScriptedAnswerer()
    answerer.enqueue(
        Answer(
            question="q", standalone_question="q", text=text, citations=[citation(ARTICLES[0], 1)]
        )
    )
    async with running_bot(bot_settings(standin, tmp_path), answerer):
        await standin.send_text(USER, USER, "Tell me everything about the bike lanes")
        await standin.wait_until(lambda: any(s.buttons for s in standin.sent_to(USER)))
    messages = standin.sent_to(USER)
    assert len(messages) == 3
    assert all(m.parse_mode == "HTML" and len(m.text) <= MAX_TEXT for m in messages)
    assert all(parse_html(m.raw) == m.text for m in messages)
    assert all(m.text.endswith(("commute.", "2024-05-02")) for m in messages)
    shown = " ".join(m.text for m in messages)
    assert shown.startswith(text) and shown.count(sentence.strip()) == 150
    assert messages[-1].buttons and not messages[0].buttons
    assert all(c.status == 200 for c in standin.calls("sendMessage"))


async def test_flood_control_retry_after_is_honoured(
    standin: TelegramStandin, tmp_path: Path
) -> None:
    standin.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    async with running_bot(bot_settings(standin, tmp_path), ScriptedAnswerer()):
        await standin.send_text(USER, USER, "bike lanes?")
        [reply] = await standin.wait_for_sent(USER)
    refused, accepted = standin.calls("sendMessage")
    assert refused.status == 429 and accepted.status == 200
    assert accepted.at - refused.at >= 1.0
    assert "protected bike lanes" in reply.text


async def test_parse_error_falls_back_to_plain_text(
    standin: TelegramStandin, tmp_path: Path
) -> None:
    standin.fail_next(
        "sendMessage",
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 3',
    )
    async with running_bot(bot_settings(standin, tmp_path), ScriptedAnswerer()):
        await standin.send_text(USER, USER, "bike lanes?")
        [reply] = await standin.wait_for_sent(USER)
    assert reply.parse_mode is None
    assert reply.text.startswith("The council approved 40 km")
    assert (
        "[1] City council approves new bike lanes "
        "(https://news.example.com/2024/05/bike-lanes) — Metro Daily"
    ) in reply.text
    assert [b["text"] for b in reply.buttons] == ["📄 [1]", "👍", "👎"]


async def test_network_errors_are_retried(standin: TelegramStandin, tmp_path: Path) -> None:
    standin.fail_next("sendMessage", 502, "Bad Gateway")
    async with running_bot(bot_settings(standin, tmp_path), ScriptedAnswerer()):
        await standin.send_text(USER, USER, "wind farm?")
        [reply] = await standin.wait_for_sent(USER)
    assert [c.status for c in standin.calls("sendMessage")] == [502, 200]
    assert "200,000 homes" in reply.text


class BrokenAnswerer(ScriptedAnswerer):
    def answer(self, question, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the index is on fire")


async def test_errors_are_logged_and_the_user_told(
    standin: TelegramStandin, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = bot_settings(standin, tmp_path)
    async with running_bot(settings, BrokenAnswerer()):
        await standin.send_text(USER, USER, "bike lanes?")
        [reply] = await standin.wait_for_sent(USER)
    assert reply.text.startswith("Sorry, something went wrong")
    record = next(r for r in caplog.records if r.name == "bot.app")
    assert record.exc_info and "the index is on fire" in str(record.exc_info[1])
    [row] = list_exchanges(AnswerLog(settings.log_db_path), LogFilter())
    assert show_exchange(AnswerLog(settings.log_db_path), row["id"])["error"] == (
        "RuntimeError: the index is on fire"
    )


class GatedAnswerer(ScriptedAnswerer):
    """Holds any question mentioning "slow" until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate, self.waiting = threading.Event(), threading.Event()

    def answer(self, question, **kwargs):  # type: ignore[no-untyped-def]
        if "slow" in question:
            self.waiting.set()
            assert self.gate.wait(20)
        return super().answer(question, **kwargs)


async def test_one_slow_question_does_not_stall_other_chats(
    standin: TelegramStandin, tmp_path: Path
) -> None:
    answerer = GatedAnswerer()
    async with running_bot(bot_settings(standin, tmp_path), answerer):
        await standin.send_text(USER, USER, "a slow question about bike lanes")
        while not answerer.waiting.is_set():  # the slow one is being answered
            await asyncio.sleep(0.01)
        await standin.send_text(STRANGER, STRANGER, "wind farm?")
        [fast] = await standin.wait_for_sent(STRANGER)
        assert standin.sent_to(USER) == []  # still waiting on the slow answer
        answerer.gate.set()
        [slow] = await standin.wait_for_sent(USER)
    assert "200,000 homes" in fast.text and "bike lanes" in slow.text


async def test_chat_allowlist(standin: TelegramStandin, tmp_path: Path) -> None:
    answerer = ScriptedAnswerer()
    settings = bot_settings(standin, tmp_path, allowed_chat_ids=[-1001])
    standin.chat(-1001, "group")
    standin.chat(-1002, "group")
    async with running_bot(settings, answerer):
        await standin.send_text(-1002, USER, "/ask bike lanes?")
        await standin.send_text(USER, USER, "bike lanes?")
        await standin.send_text(-1001, USER, "/ask wind farm?")
        [allowed] = await standin.wait_for_sent(-1001)
        [private] = await standin.wait_for_sent(USER)
    assert "200,000 homes" in allowed.text
    assert private.text == "Sorry, this bot is private."
    assert standin.sent_to(-1002) == []
    assert [c["question"] for c in answerer.calls] == ["wind farm?"]


UNEXPECTED_SHAPES: dict[str, dict[str, Any]] = {
    "unknown-kind": {"business_message_v9": {"id": 1}},
    "message-not-an-object": {"message": "oops"},
    "message-missing-fields": {"message": {"message_id": 1}},
}


@pytest.mark.parametrize("update", UNEXPECTED_SHAPES.values(), ids=UNEXPECTED_SHAPES.keys())
async def test_update_of_unexpected_shape_does_not_stop_polling(
    standin: TelegramStandin, tmp_path: Path, update: dict[str, Any]
) -> None:
    answerer = ScriptedAnswerer()
    async with running_bot(bot_settings(standin, tmp_path), answerer):
        odd = await standin.push(update)
        await standin.send_text(USER, USER, "bike lanes?")
        [reply] = await standin.wait_for_sent(USER)
        # the odd update is confirmed (offset moved past it), so it is not fetched forever
        await standin.wait_until(
            lambda: any(
                int(c.params.get("offset", 0) or 0) > odd["update_id"]
                for c in standin.calls("getUpdates")
            )
        )
    assert "[1] City council approves new bike lanes" in reply.text
    assert [c["question"] for c in answerer.calls] == ["bike lanes?"]
