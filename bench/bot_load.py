"""Load test: N simulated users asking the real bot concurrently through the Bot API stand-in.

Loopback only, bounded in time. Reports answers per second, p50/p95 time from injecting an
update to the bot's answer arriving, and lost or duplicated replies.

    python bench/bot_load.py --users 50 --seconds 15 --answerer scripted --delay 0.2
    python bench/bot_load.py --answerer real      # ingests samples/articles into a temp dir
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from telegram.ext import AIORateLimiter  # noqa: E402

from tests.bot_helpers import ScriptedAnswerer, bot_settings, running_bot  # noqa: E402
from tests.standin import TelegramStandin  # noqa: E402

SCRIPTED_QUESTIONS = [
    "What about the bike lanes?",
    "How many homes will the wind farm power?",
    "What do editors think of AI tools?",
    "Who won the chess olympiad?",
]
REAL_QUESTIONS = [
    "How many troops were sent to the border?",
    "Who won the cup final?",
    "Why were Lumen robots recalled?",
    "What was the heat record in Port Aurelia?",
    "Did Valdoria cut interest rates?",
    "When did the Kestrel probe launch?",
]


@dataclass
class UserStats:
    asked: int = 0
    latencies: list[float] = field(default_factory=list)
    lost: int = 0


def real_answerer(data_dir: Path) -> Any:
    """The real `Newsdesk` over samples/articles ingested into `data_dir`."""
    from index.settings import Settings
    from index.wiring import open_newsdesk
    from ingest.pipeline import ingest_sources

    settings = Settings(_env_file=None, newsdesk_data_dir=data_dir)  # type: ignore[call-arg]
    ingest_sources([str(ROOT / "samples" / "articles")], settings=settings)
    newsdesk = open_newsdesk(settings)
    newsdesk.answer(REAL_QUESTIONS[0])  # warm the model up outside the measurement
    return newsdesk


def answers_in(standin: TelegramStandin, chat_id: int) -> list[Any]:
    """The bot's final answer messages (they carry the 👍/👎 keyboard) in a chat."""
    return [s for s in standin.sent_to(chat_id) if s.buttons]


class Inbox:
    """Each chat's answers as they arrive (a stand-in listener, so waiting costs O(1))."""

    def __init__(self, standin: TelegramStandin) -> None:
        self.queues: dict[int, asyncio.Queue[Any]] = {}
        standin.state.listeners.append(self._on_sent)

    def _on_sent(self, sent: Any) -> None:
        if sent.buttons:
            self.queues.setdefault(sent.chat_id, asyncio.Queue()).put_nowait(sent)

    def queue(self, chat_id: int) -> asyncio.Queue[Any]:
        return self.queues.setdefault(chat_id, asyncio.Queue())


async def simulate_user(
    standin: TelegramStandin,
    inbox: Inbox,
    chat_id: int,
    questions: list[str],
    deadline: float,
    stats: UserStats,
    reply_timeout: float,
) -> None:
    """Ask, wait for the answer, ask again, until the deadline."""
    while time.monotonic() < deadline:
        question = questions[(chat_id + stats.asked) % len(questions)]
        started = time.monotonic()
        await standin.send_text(chat_id, chat_id, question)
        stats.asked += 1
        try:
            answer = await asyncio.wait_for(inbox.queue(chat_id).get(), reply_timeout)
        except TimeoutError:
            stats.lost += 1
            return
        stats.latencies.append(answer.at - started)


async def run(users: int, seconds: float, answerer: Any, throttle: bool) -> dict[str, Any]:
    standin = await TelegramStandin().start()
    limiter = (
        AIORateLimiter(max_retries=3)
        if throttle
        else AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
    )
    with tempfile.TemporaryDirectory() as tmp:
        settings = bot_settings(standin, Path(tmp), rate_limit_per_minute=100_000)
        stats = [UserStats() for _ in range(users)]
        async with running_bot(settings, answerer, rate_limiter=limiter):
            questions = (
                REAL_QUESTIONS if not isinstance(answerer, ScriptedAnswerer) else SCRIPTED_QUESTIONS
            )
            inbox = Inbox(standin)
            started = time.monotonic()
            await asyncio.gather(
                *(
                    simulate_user(
                        standin, inbox, 10_000 + n, questions, started + seconds, stats[n], 60.0
                    )
                    for n in range(users)
                )
            )
            elapsed = time.monotonic() - started
            await asyncio.sleep(0.5)  # let any duplicate reply arrive before counting
        replies = sum(len(answers_in(standin, 10_000 + n)) for n in range(users))
    await standin.stop()
    latencies = sorted(x for s in stats for x in s.latencies)
    asked = sum(s.asked for s in stats)
    return {
        "users": users,
        "seconds": elapsed,
        "asked": asked,
        "answered": len(latencies),
        "lost": sum(s.lost for s in stats),
        "duplicated": max(0, replies - asked),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else float("nan"),
    }


def print_table(rows: list[dict[str, Any]], label: str) -> None:
    print(f"\n{label}")
    print(
        f"{'users':>5} {'secs':>5} {'asked':>6} {'answered':>8} {'lost':>4} {'dup':>4} "
        f"{'answers/s':>9} {'p50 ms':>8} {'p95 ms':>8}"
    )
    for r in rows:
        print(
            f"{r['users']:>5} {r['seconds']:>5.1f} {r['asked']:>6} {r['answered']:>8} "
            f"{r['lost']:>4} {r['duplicated']:>4} {r['per_second']:>9.1f} "
            f"{r['p50_ms']:>8.0f} {r['p95_ms']:>8.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--answerer", choices=["auto", "real", "scripted"], default="auto")
    parser.add_argument("--delay", type=float, default=0.2, help="scripted answer time (s)")
    parser.add_argument(
        "--throttle",
        action="store_true",
        help="keep Telegram's 30 msg/s flood limits (the production limiter)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        answerer: Any = None
        label = f"scripted answerer, {args.delay * 1000:.0f} ms per answer"
        if args.answerer in ("auto", "real"):
            try:
                answerer = real_answerer(Path(tmp))
                label = "real answerer (index.service.open_newsdesk) over samples/articles"
            except Exception as exc:  # auto: fall back to the scripted one
                if args.answerer == "real":
                    raise
                print(f"real answerer unavailable ({exc}); using the scripted one")
        answerer = answerer or ScriptedAnswerer(delay_s=args.delay)
        rows = [asyncio.run(run(n, args.seconds, answerer, args.throttle)) for n in args.users]
    print_table(rows, label + (", Telegram flood limits on" if args.throttle else ""))


if __name__ == "__main__":
    main()
