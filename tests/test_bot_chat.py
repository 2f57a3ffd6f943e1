"""End to end: the real bot over HTTP against the Bot API stand-in — chats and groups."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.answer_log import AnswerLog
from bot.log_queries import LogFilter, list_exchanges
from tests.bot_helpers import ARTICLES, DECLINE, ScriptedAnswerer, bot_settings, running_bot
from tests.standin import BOT_USER, TelegramStandin, parse_html

USER, OTHER = 501, 502
GROUP = -100200


@pytest.fixture
async def bot(
    standin: TelegramStandin, answerer: ScriptedAnswerer, tmp_path: Path
) -> AsyncIterator[TelegramStandin]:
    async with running_bot(bot_settings(standin, tmp_path), answerer):
        yield standin


async def test_private_question_gets_a_cited_answer(bot: TelegramStandin, tmp_path: Path) -> None:
    await bot.send_text(USER, USER, "What did the council decide about bike lanes?")
    [reply] = await bot.wait_for_sent(USER)
    assert reply.parse_mode == "HTML"
    assert reply.text.startswith(
        "The council approved 40 km of protected bike lanes, due by 2026 [1]."
    )
    assert (
        "Sources\n[1] City council approves new bike lanes — Metro Daily, 2024-05-02" in reply.text
    )
    assert (
        '<a href="https://news.example.com/2024/05/bike-lanes">City council approves new '
        "bike lanes</a>" in reply.raw
    )
    labels = [b["text"] for b in reply.buttons]
    assert labels == ["📄 [1]", "👍", "👎"]
    assert bot.calls("sendChatAction")[0].params == {"chat_id": str(USER), "action": "typing"}
    commands = [c["command"] for c in bot.state.commands]
    assert commands == ["ask", "sources", "new", "help"]
    log = AnswerLog(tmp_path / "answers.sqlite3")
    [row] = list_exchanges(log, LogFilter())
    assert (row["question"], row["chat_type"], row["user_id"], row["n_citations"]) == (
        "What did the council decide about bike lanes?",
        "private",
        USER,
        1,
    )
    assert row["retrieve_ms"] == 12.5 and row["mode"] == "scripted"


async def test_source_button_shows_the_quoted_passage(bot: TelegramStandin) -> None:
    await bot.send_text(USER, USER, "How many homes will the wind farm power?")
    [reply] = await bot.wait_for_sent(USER)
    source_button = next(b for b in reply.buttons if b["text"] == "📄 [1]")
    query_id = await bot.press(reply, USER, source_button["callback_data"])
    await bot.wait_for_callback_answer(query_id)
    _, passage = await bot.wait_for_sent(USER, 2)
    assert passage.reply_to == reply.message_id
    assert (
        "<blockquote expandable><b>The offshore wind farm, due to open in 2025, is expected "
        "to power about 200,000 homes.</b></blockquote>" in passage.raw
    )
    assert passage.text.startswith(
        "[1] Harbour wind farm to power 200,000 homes\nCoastal Herald · 2024-06-11"
    )


async def test_declined_question_says_so_without_sources(bot: TelegramStandin) -> None:
    await bot.send_text(USER, USER, "Who won the chess olympiad?")
    [reply] = await bot.wait_for_sent(USER)
    assert reply.text == DECLINE
    assert [b["text"] for b in reply.buttons] == ["👍", "👎"]


async def test_a_greeting_or_thanks_is_answered_in_kind_not_searched(
    bot: TelegramStandin, answerer: ScriptedAnswerer, tmp_path: Path
) -> None:
    await bot.send_text(USER, USER, "hi there!")
    [hello] = await bot.wait_for_sent(USER)
    assert hello.text.startswith("Hi! Ask me a question about the news") and not hello.buttons
    await bot.send_text(USER, USER, "thanks a lot")
    thanks = (await bot.wait_for_sent(USER, 2))[1]
    assert thanks.text == "You're welcome! Ask me anything else about the news."
    await bot.send_text(USER, USER, "thanks, and how many homes will the wind farm power?")
    answer = (await bot.wait_for_sent(USER, 3))[2]  # more than thanks: a question again
    assert "[1]" in answer.text
    asked = [call["question"] for call in answerer.calls]
    assert asked == ["thanks, and how many homes will the wind farm power?"]
    rows = list_exchanges(AnswerLog(tmp_path / "answers.sqlite3"), LogFilter())
    assert [row["question"] for row in rows] == asked


async def test_group_chatter_is_ignored_but_mention_reply_and_ask_are_answered(
    bot: TelegramStandin, answerer: ScriptedAnswerer
) -> None:
    bot.chat(GROUP, "supergroup")
    await bot.send_text(GROUP, USER, "anyone up for lunch? the bike lanes look nice")
    await bot.send_text(GROUP, USER, f"@{BOT_USER['username']} what about the wind farm?")
    [first] = await bot.wait_for_sent(GROUP)
    assert "200,000 homes" in first.text and first.reply_to is not None
    await bot.send_text(GROUP, OTHER, "and the bike lanes?", reply_to=first)
    await bot.wait_for_sent(GROUP, 2)
    await bot.send_text(GROUP, OTHER, "/ask what do editors think of AI tools?")
    replies = await bot.wait_for_sent(GROUP, 3)
    assert "protected bike lanes" in replies[1].text
    assert "judgement stays human" in replies[2].text
    assert [c["question"].strip() for c in answerer.calls] == [
        "what about the wind farm?",
        "and the bike lanes?",
        "what do editors think of AI tools?",
    ]


async def test_title_full_of_markup_characters_renders(bot: TelegramStandin) -> None:
    await bot.send_text(USER, USER, "What do editors say about AI tools?")
    [reply] = await bot.wait_for_sent(USER)
    tricky = ARTICLES[2]
    assert reply.parse_mode == "HTML"  # accepted by the stand-in's strict HTML check
    assert f"[1] {tricky.title} — {tricky.source}, 2024-07-01" in reply.text
    assert "Editors say <AI> tools help" in reply.text
    assert 'href="https://example.com/q?a=1&amp;b=&lt;2&gt;&amp;c=&quot;x&quot;"' in reply.raw
    query_id = await bot.press(reply, USER, reply.buttons[0]["callback_data"])
    await bot.wait_for_callback_answer(query_id)
    _, passage = await bot.wait_for_sent(USER, 2)
    assert tricky.quote in passage.text and parse_html(passage.raw) == passage.text


async def test_start_help_and_sources_commands(bot: TelegramStandin) -> None:
    await bot.send_text(USER, USER, "/sources")
    [nothing] = await bot.wait_for_sent(USER)
    assert nothing.text == "There is no answer with sources to show yet."
    await bot.send_text(USER, USER, "Tell me about the wind farm and the bike lanes")
    await bot.wait_for_sent(USER, 2)
    await bot.send_text(USER, USER, "/sources")
    sources = (await bot.wait_for_sent(USER, 3))[2]
    assert sources.text.splitlines() == [
        "Sources of the last answer",
        "[1] City council approves new bike lanes — Metro Daily, 2024-05-02",
        "[2] Harbour wind farm to power 200,000 homes — Coastal Herald, 2024-06-11",
    ]
    assert [b["callback_data"].split(":")[2] for b in sources.buttons[:2]] == ["1", "2"]
    await bot.send_text(USER, USER, "/start")
    start = (await bot.wait_for_sent(USER, 4))[3]
    assert start.text.startswith("Hello! I answer questions about the news")
    assert "/new — forget this conversation" in start.text
    assert "say “tell me more” for what I have not said yet" in start.text


async def test_feedback_is_recorded_and_thanked(bot: TelegramStandin, tmp_path: Path) -> None:
    await bot.send_text(USER, USER, "bike lanes?")
    [reply] = await bot.wait_for_sent(USER)
    down = next(b for b in reply.buttons if b["text"] == "👎")
    query_id = await bot.press(reply, OTHER, down["callback_data"])
    thanks = await bot.wait_for_callback_answer(query_id)
    assert thanks["text"] == "Thanks for your feedback!"
    log = AnswerLog(tmp_path / "answers.sqlite3")
    [row] = list_exchanges(log, LogFilter(feedback="down"))
    assert row["question"] == "bike lanes?" and row["down"] == 1
    with log.connection() as db:
        who = db.execute("SELECT user_id, value FROM feedback").fetchall()
    assert [tuple(r) for r in who] == [(OTHER, "down")]


async def test_every_callback_query_is_answered(bot: TelegramStandin) -> None:
    bot.chat(USER)
    fake = bot.state.sent  # press a button on a message the bot never sent with such data
    await bot.send_text(USER, USER, "/help")
    [help_message] = await bot.wait_for_sent(USER)
    assert fake and help_message.buttons == []
    query_id = await bot.press(help_message, USER, "old-button-v0")
    answered = await bot.wait_for_callback_answer(query_id)
    assert answered["text"] == "That button no longer works."
    query_id = await bot.press(help_message, USER, "src:999:1")
    answered = await bot.wait_for_callback_answer(query_id)
    assert answered["text"] == "Sorry, I no longer have that source."
    assert json.loads(answered.get("show_alert", "false")) is True
