"""Greetings and thanks are not questions: "hi" gets a hello, not the closest news stories.

"who are you" and "what can you do" ask about newsdesk, not the news: they get a word on what
it does.

A message made only of greeting, thanking or leave-taking words (and a few fillers: "ok",
"lol", the bot's name) is answered by a short fixed reply instead of a search, and is not
logged as a question. Anything else in the message ("thanks, and how many were hurt?")
makes it a question again.
"""

from __future__ import annotations

import re

MAX_WORDS = 8  # a longer message is saying something
_WORD = re.compile(r"[a-z]+")
_GREETING_WORDS = """hi hello hey hiya heya yo howdy hallo greetings morning afternoon evening
    sup wassup whats what up there"""
_THANKS_WORDS = "thanks thank thx ty cheers appreciated appreciate tysm"
_BYE_WORDS = "bye goodbye byebye cya later night goodnight farewell"
_FILLER_WORDS = """you u so very much a lot good great nice cool ok okay okey k kk perfect
    awesome lol haha hahaha please pls bot newsdesk dear all again really see it got"""
_GREETING = frozenset(_GREETING_WORDS.split())
_THANKS = frozenset(_THANKS_WORDS.split())
_BYE = frozenset(_BYE_WORDS.split())
_FILLER = frozenset(_FILLER_WORDS.split())
GREETING_REPLY = (
    "Hi! Ask me a question about the news and I will answer from my articles, citing each source."
)
THANKS_REPLY = "You're welcome! Ask me anything else about the news."
BYE_REPLY = "Bye! I'm here whenever you have another question about the news."
FILLER_REPLY = "Ask me a question about the news whenever you like."
ABOUT_REPLY = (
    "I answer questions about the news from the articles I have read, and every claim in my "
    "answer cites its source. Ask me something, as you would ask a colleague who reads the "
    "papers."
)
# questions about the bot itself, not the news (compared without punctuation or case)
_ABOUT = frozenset(
    [
        "who are you", "what are you", "what can you do", "what do you do", "help",
        "how do you work", "how does this work", "what is this", "who made you",
        "what do you know", "are you a bot", "are you human",
    ]
)  # fmt: skip


def small_talk_reply(message: str) -> str | None:
    """The reply to a message that is only a greeting, thanks or goodbye; else None."""
    words = _WORD.findall(message.lower().replace("’", "'").replace("'", ""))
    if not words or len(words) > MAX_WORDS:
        return None
    if " ".join(words) in _ABOUT:
        return ABOUT_REPLY
    if any(w not in _GREETING | _THANKS | _BYE | _FILLER for w in words):
        return None
    if any(w in _THANKS for w in words):
        return THANKS_REPLY
    if any(w in _BYE for w in words):
        return BYE_REPLY
    if any(w in _GREETING - {"what", "whats", "up", "there"} for w in words) or (
        "up" in words and ("what" in words or "whats" in words)
    ):
        return GREETING_REPLY
    return FILLER_REPLY
