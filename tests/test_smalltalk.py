"""Greetings, thanks and goodbyes are answered in kind (`index.smalltalk`)."""

from __future__ import annotations

import pytest

from index.smalltalk import (
    ABOUT_REPLY,
    BYE_REPLY,
    GREETING_REPLY,
    THANKS_REPLY,
    small_talk_reply,
)


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ("hi", GREETING_REPLY),
        ("Hello there!", GREETING_REPLY),
        ("good morning", GREETING_REPLY),
        ("what's up", GREETING_REPLY),
        ("thanks!", THANKS_REPLY),
        ("Thank you so much", THANKS_REPLY),
        ("ok thx", THANKS_REPLY),
        ("bye", BYE_REPLY),
        ("see you later", BYE_REPLY),
        ("Who are you?", ABOUT_REPLY),
        ("what can you do", ABOUT_REPLY),
    ],
)
def test_small_talk_gets_a_reply_in_kind(message: str, reply: str) -> None:
    assert small_talk_reply(message) == reply


@pytest.mark.parametrize(
    "message",
    [
        "thanks, and how many were hurt?",  # a question after the thanks
        "what's up with egg prices",
        "who won",
        "hi, who is mexico's president",
        "who are you voting for",
        "",
    ],
)
def test_anything_more_is_a_question(message: str) -> None:
    assert small_talk_reply(message) is None
