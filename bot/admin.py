"""Admin review in Telegram: /stats, /recent [n], /show ID, /unanswered (ADMIN_USER_IDS only)."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.errors import AnswerLogError
from bot.log_queries import (
    LogFilter,
    claim_checks,
    list_exchanges,
    show_exchange,
    stats,
    unanswered,
)
from bot.render import esc, link
from bot.sending import send_html
from bot.services import asker_of, services
from bot.split import pack, split_text
from index.citations import marker_list
from index.display import cap, neutralise, one_line
from index.models import ClaimCheck

ADMIN_COMMANDS = [
    ("stats", "Answer log statistics"),
    ("recent", "The latest questions: /recent [n]"),
    ("show", "One exchange with its passages: /show ID"),
    ("unanswered", "Most frequent unanswered questions"),
]
MAX_RECENT = 50


async def _admin_or_refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    asker = asker_of(update)
    if services(context).access.is_admin(asker.user_id):
        return True
    await send_html(context.bot, asker.chat_id, "Sorry, that command is only for admins.")
    return False


async def _send_long(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lines: list[str]) -> None:
    for text in pack(lines):
        await send_html(context.bot, chat_id, text)


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} ms"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def stats_lines(found: dict[str, Any]) -> list[str]:
    """The /stats report, as HTML lines."""
    lines = [
        "<b>Answer log</b>",
        f"Questions: {found['questions']} (errors: {found['errors']})",
        f"Declined: {found['declined']} ({_pct(found['decline_rate'])})",
        f"Feedback: 👍 {found['feedback_up']} / 👎 {found['feedback_down']} "
        f"({_pct(found['feedback_ratio'])} positive)",
        f"Latency: p50 {_ms(found['latency_p50_ms'])}, p95 {_ms(found['latency_p95_ms'])}",
        "",
        "<b>Questions per day</b>",
    ]
    lines += [f"{esc(day)}: {count}" for day, count in found["per_day"]] or ["none yet"]
    return lines


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: volume, decline rate, feedback and latency."""
    if await _admin_or_refuse(update, context):
        found = await asyncio.to_thread(stats, services(context).desk.log)
        await _send_long(context, asker_of(update).chat_id, stats_lines(found))


def _summary_line(row: dict[str, Any]) -> str:
    flags = " ⛔" if row["declined"] else ""
    flags += " ⚠️" if row["error"] else ""
    flags += f" 👍{row['up']}" if row["up"] else ""
    flags += f" 👎{row['down']}" if row["down"] else ""
    question = one_line(row["question"], 120)
    return f"<code>#{row['id']}</code> {esc(row['created_at'])}{flags}\n{esc(question)}"


async def recent_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/recent [n]: the latest n questions (default 10)."""
    if not await _admin_or_refuse(update, context):
        return
    args = context.args or []
    count = int(args[0]) if args and args[0].isdigit() else 10
    where = LogFilter(limit=max(1, min(count, MAX_RECENT)))
    rows = await asyncio.to_thread(list_exchanges, services(context).desk.log, where)
    lines = (
        ["<b>Recent questions</b>", *map(_summary_line, rows)] if rows else ["No questions yet."]
    )
    await _send_long(context, asker_of(update).chat_id, lines)


def show_lines(found: dict[str, Any]) -> list[str]:
    """The /show report: question, answer, and each cited passage."""
    lines = [
        _summary_line({**found, "question": ""}).rstrip(),
        f"<b>Asked by</b> {esc(one_line(found['user_name'] or found['user_id'], 100))} "
        f"in {esc(one_line(found['chat_type'], 20))} chat {found['chat_id']}",
        f"<b>Q:</b> {esc(cap(neutralise(found['question']), 1000))}",
    ]
    if found["error"]:
        lines.append(f"<b>Error:</b> {esc(cap(neutralise(found['error']), 1000))}")
    lines += [esc(p) for p in split_text("A: " + neutralise(found["answer"] or ""), 3500)]
    if found.get("note"):
        lines.append(f"<i>{esc(cap(neutralise(found['note']), 1000))}</i>")
    lines += _check_lines(claim_checks(found))
    for cite in found["citations"]:
        label = cite["title"] or cite["url"] or cite["source"] or cite["article_id"] or "source"
        lines.append(
            f"[{cite['number']}] {link(cite['url'] or '', label)} (score {cite['score'] or 0:.2f})"
        )
        lines += [
            f"<blockquote>{esc(p)}</blockquote>"
            for p in split_text(neutralise(cite["passage"] or ""), 3500)
        ]
    return lines


def _check_lines(checks: list[ClaimCheck]) -> list[str]:
    """What checking a generated answer did, one line per sentence the model wrote."""
    return [
        f"• <b>{esc(check.action)}</b> ({esc(marker_list(check.given, none='no marker'))} → "
        f"{esc(marker_list(check.numbers, none='–'))}): "
        f"{esc(cap(neutralise(check.sentence), 300))}"
        for check in checks
    ]


async def show_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/show ID: one exchange with its answer and passages."""
    if not await _admin_or_refuse(update, context):
        return
    chat_id, args = asker_of(update).chat_id, context.args or []
    if not args or not args[0].lstrip("#").isdigit():
        await send_html(context.bot, chat_id, "Usage: /show ID (see /recent)")
        return
    try:
        found = await asyncio.to_thread(
            show_exchange, services(context).desk.log, int(args[0].lstrip("#"))
        )
    except AnswerLogError as exc:
        await send_html(context.bot, chat_id, esc(exc))
        return
    await _send_long(context, chat_id, show_lines(found))


async def unanswered_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unanswered: the most frequent questions the bot declined."""
    if not await _admin_or_refuse(update, context):
        return
    rows = await asyncio.to_thread(unanswered, services(context).desk.log)
    lines = ["<b>Most frequent unanswered questions</b>"]
    lines += [f"{count}× {esc(one_line(question, 300))}" for question, count in rows] or [
        "None so far."
    ]
    await _send_long(context, asker_of(update).chat_id, lines)
