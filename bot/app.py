"""`build_application`: the Telegram bot, wired to an answerer and the answer log."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Sequence
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import admin, callbacks, handlers
from bot.access import AccessPolicy, RateLimiter
from bot.answer_log import AnswerLog
from bot.desk import AnswerDesk
from bot.errors import BotApiUnreachableError, BotTokenError
from bot.jobs import PeriodicTask, schedule
from bot.memory import ConversationMemory
from bot.sending import send_html
from bot.services import KEY, BotServices, services
from index.service import Answerer
from index.settings import Settings

logger = logging.getLogger(__name__)
TOKEN_SHAPE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")
WEBHOOK_PATH = "telegram"  # the default TELEGRAM_WEBHOOK_PATH: POST /telegram
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
SORRY = "Sorry, something went wrong while handling that. Please try again in a moment."


def bot_token(settings: Settings) -> str:
    """The bot token, or `BotTokenError` saying what is wrong with it (never its value)."""
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
        raise BotTokenError(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token "
            "in .env (TELEGRAM_BOT_TOKEN=123456789:AA...)"
        )
    token = settings.telegram_bot_token.get_secret_value().strip()
    if not TOKEN_SHAPE.match(token):
        raise BotTokenError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (expected <digits>:<secret>, "
            "as @BotFather gives it)"
        )
    return token


class NetworkTracebackFilter(logging.Filter):
    """PTB's retry loops log each network failure with a chained traceback; one line will do.

    The cause is reported where it matters (a clean start-up error, a retry warning).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, NetworkError):
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


_NETWORK_FILTER = NetworkTracebackFilter()


def file_url(base_url: str) -> str:
    """The file endpoint next to a Bot API base URL (`…/bot` → `…/file/bot`)."""
    return re.sub(r"/bot(\{token\})?$", r"/file/bot\1", base_url.rstrip("/"))


def build_application(
    settings: Settings,
    *,
    answerer: Answerer,
    log: AnswerLog,
    rate_limiter: BaseRateLimiter | None = None,
    tasks: Sequence[PeriodicTask] = (),
) -> Application:
    """The bot, ready to `run_polling`/`run_webhook` (or to start by hand in tests)."""
    for name in ("telegram.ext", "telegram.ext.Updater", "telegram.ext.Application"):
        if _NETWORK_FILTER not in logging.getLogger(name).filters:
            logging.getLogger(name).addFilter(_NETWORK_FILTER)
    app = (
        ApplicationBuilder()
        .token(bot_token(settings))
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_url(settings.telegram_api_base_url))
        .concurrent_updates(True)
        .rate_limiter(rate_limiter or AIORateLimiter(max_retries=3))
        .get_updates_request(TolerantUpdatesRequest(connection_pool_size=1))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    memory = ConversationMemory(log.path, max_turns=settings.history_turns)
    desk = AnswerDesk(
        answerer=answerer, log=log, memory=memory, max_question_chars=settings.max_question_chars
    )
    app.bot_data[KEY] = BotServices(
        desk=desk,
        access=AccessPolicy.from_settings(settings),
        limiter=RateLimiter(settings.rate_limit_per_minute),
    )
    add_handlers(app)
    for task in tasks:
        schedule(app, task)
    return app


class TolerantUpdatesRequest(HTTPXRequest):
    """The getUpdates transport, keeping only the update_id of updates PTB cannot parse.

    PTB parses a getUpdates batch in one go: a single update of a shape it does not know
    fails the whole batch, the offset never moves past it, and the bot fetches the same batch
    forever, answering nobody. An update reduced to its id is confirmed and skipped instead.
    """

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        data = HTTPXRequest.parse_json_payload(payload)
        if isinstance(data.get("result"), list):
            updates = (readable_update(raw) for raw in data["result"])
            data["result"] = [update for update in updates if update is not None]
        return data


def readable_update(raw: object) -> dict[str, Any] | None:
    """`raw` if PTB can parse it, else just its update_id (None without a usable one)."""
    update_id = raw.get("update_id") if isinstance(raw, dict) else None
    try:
        Update.de_json(copy.deepcopy(raw), None)  # type: ignore[arg-type]
    except Exception as exc:  # PTB raises whatever the malformed JSON trips over
        logger.warning(
            "skipping update %s that could not be parsed (%s: %s)",
            update_id,
            type(exc).__name__,
            exc,
        )
        return {"update_id": update_id} if isinstance(update_id, int) else None
    return raw  # type: ignore[return-value]


def add_handlers(app: Application) -> None:
    """Register every handler, the access gate first and the error handler last."""
    app.add_handler(TypeHandler(Update, gate), group=-1)
    for name, callback in [
        ("start", handlers.start_command),
        ("help", handlers.help_command),
        ("ask", handlers.ask_command),
        ("sources", handlers.sources_command),
        ("new", handlers.new_command),
        ("stats", admin.stats_command),
        ("recent", admin.recent_command),
        ("show", admin.show_command),
        ("unanswered", admin.unanswered_command),
    ]:
        app.add_handler(CommandHandler(name, callback))
    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & text, handlers.private_text))
    app.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS & text & handlers.AddressedToBot(), handlers.group_text
        )
    )
    app.add_handler(CallbackQueryHandler(callbacks.show_source, pattern=callbacks.SOURCE_PATTERN))
    app.add_handler(
        CallbackQueryHandler(callbacks.record_feedback, pattern=callbacks.FEEDBACK_PATTERN)
    )
    app.add_handler(CallbackQueryHandler(callbacks.stale_button))
    app.add_error_handler(on_error)


async def post_init(app: Application) -> None:
    """Start-up: publish the command menu (admins also see the admin commands)."""
    commands = [BotCommand(name, text) for name, text in handlers.COMMANDS]
    await app.bot.set_my_commands(commands)
    admin_commands = commands + [BotCommand(name, text) for name, text in admin.ADMIN_COMMANDS]
    for admin_id in app.bot_data[KEY].access.admins:
        try:
            await app.bot.set_my_commands(admin_commands, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # e.g. the admin has not started a chat with the bot yet
            logger.warning("could not set admin commands for %s: %s", admin_id, exc)
    logger.info("bot @%s is up", app.bot.username)


async def post_shutdown(app: Application) -> None:
    """Close the answer threads and memory (the answer log belongs to whoever opened it)."""
    app.bot_data[KEY].desk.close()


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop updates from chats and users outside the allowlists (politely, in private)."""
    chat, user = update.effective_chat, update.effective_user
    if services(context).access.allows(chat.id if chat else None, user.id if user else None):
        return
    logger.info(
        "ignoring update from chat %s user %s (not allowed)",
        chat.id if chat else None,
        user.id if user else None,
    )
    if update.callback_query:
        await update.callback_query.answer()
    elif chat is not None and chat.type == "private" and update.effective_message:
        await send_html(context.bot, chat.id, "Sorry, this bot is private.")
    raise ApplicationHandlerStop


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error with its traceback and tell the user something went wrong.

    A network error while fetching updates (no update involved) is routine: PTB retries
    it, so it is one warning line, not a traceback.
    """
    if update is None and isinstance(context.error, NetworkError):
        logger.warning(
            "Telegram unreachable while fetching updates (%s: %s); retrying",
            type(context.error).__name__,
            context.error,
        )
        return
    logger.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query:
            await update.callback_query.answer(SORRY[:200])
        elif update.effective_chat:
            await send_html(context.bot, update.effective_chat.id, SORRY)
    except TelegramError as exc:
        logger.warning("could not tell the user about the error: %s", exc)


def webhook_options(settings: Settings, *, listen: str | None = None) -> dict[str, Any]:
    """`run_webhook`/`Updater.start_webhook` arguments: where to listen, what to tell Telegram."""
    secret = settings.telegram_webhook_secret
    return {
        "listen": listen or settings.telegram_webhook_listen,
        "port": settings.telegram_webhook_port,
        "url_path": settings.telegram_webhook_path,
        "webhook_url": settings.telegram_webhook_url,
        "allowed_updates": ALLOWED_UPDATES,
        "secret_token": secret.get_secret_value() if secret else None,
    }


def run_bot(
    settings: Settings,
    *,
    answerer: Answerer,
    log: AnswerLog,
    listen: str | None = None,
    tasks: Sequence[PeriodicTask] = (),
) -> None:
    """Run until interrupted: webhook mode if TELEGRAM_WEBHOOK_URL is set, else long polling."""
    app = build_application(settings, answerer=answerer, log=log, tasks=tasks)
    try:
        if settings.telegram_webhook_url:
            app.run_webhook(**webhook_options(settings, listen=listen))
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        raise BotTokenError("Telegram rejected TELEGRAM_BOT_TOKEN (Unauthorized)") from None
    except NetworkError as exc:
        raise BotApiUnreachableError(
            f"cannot reach the Telegram Bot API at {settings.telegram_api_base_url} ({exc}); "
            "check the network or TELEGRAM_API_BASE_URL"
        ) from None
