"""`newsdesk logs …`: admin review of the answer log (list, show, export, stats, path)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import date
from typing import TYPE_CHECKING, Any, TextIO

import click

from cli.context import DAY, pass_settings
from cli.csv_export import write_csv
from cli.terminal import block, field

if TYPE_CHECKING:
    from bot.answer_log import AnswerLog
    from index.settings import Settings

EXPORT_COLUMNS = [
    "id",
    "created_at",
    "chat_id",
    "chat_type",
    "user_id",
    "user_name",
    "question",
    "standalone_question",
    "answer",
    "declined",
    "mode",
    "model",
    "retrieve_ms",
    "compose_ms",
    "total_ms",
    "error",
    "note",
    "claim_checks",
    "up",
    "down",
    "n_citations",
    "citations",
    "feedback",
]


def open_log(settings: Settings) -> AnswerLog:
    """The existing answer log; a clean error if nothing has written one yet."""
    from bot.answer_log import AnswerLog
    from bot.errors import AnswerLogError

    if not settings.log_db_path.exists():
        raise AnswerLogError(
            f"no answer log at {settings.log_db_path} yet (it is created "
            "when the bot, `newsdesk ask` or `newsdesk chat` answers)"
        )
    return AnswerLog(settings.log_db_path)


def _short(text: str | None, width: int) -> str:
    return field(text, width)


def _flags(row: dict[str, Any]) -> str:
    """D = declined, E = error, T = asked in the terminal; then 👍/👎 as +up/-down."""
    flags = ("D" if row["declined"] else ".") + ("E" if row["error"] else ".")
    flags += "T" if row.get("chat_type") == "terminal" else ""
    return flags + (f" +{row['up']}/-{row['down']}" if row["up"] or row["down"] else "")


@click.group(epilog="Example:  newsdesk logs list --since yesterday --declined")
def logs() -> None:
    """Review the answer log: every question asked in Telegram or here."""


@logs.command("list")
@click.option("-n", "--limit", default=20, show_default=True, help="How many exchanges.")
@click.option("-q", "--query", "text", help="Full-text search in questions and answers.")
@click.option("--since", type=DAY, help="Only from this day (UTC): YYYY-MM-DD, 'yesterday', '7d'.")
@click.option("--declined", is_flag=True, help="Only questions the bot could not answer.")
@click.option("--feedback", type=click.Choice(["up", "down"]), help="Only with this feedback.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_settings
def list_command(
    settings: Settings,
    limit: int,
    text: str | None,
    since: date | None,
    declined: bool,
    feedback: str | None,
    as_json: bool,
) -> None:
    """List logged exchanges, newest first.

    \b
    Example:  newsdesk logs list -n 50 -q border --since 2025-02-01
    """
    from bot.log_queries import LogFilter, list_exchanges

    where = LogFilter(limit=limit, text=text, since=since, declined=declined, feedback=feedback)
    rows = list_exchanges(open_log(settings), where)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    click.echo(f"{'ID':>5}  {'TIME (UTC)':19}  {'FLAGS':9}  {'MS':>6}  QUESTION")
    for row in rows:
        ms = f"{row['total_ms']:.0f}" if row["total_ms"] is not None else "-"
        click.echo(
            f"{row['id']:>5}  {row['created_at']:19}  {_flags(row):9}  {ms:>6}  "
            f"{_short(row['question'], 70)}"
        )


@logs.command("show")
@click.argument("exchange_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def show_command(settings: Settings, exchange_id: int, as_json: bool) -> None:
    """Show one exchange: question, answer, and every cited passage.

    \b
    Example:  newsdesk logs show 42
    """
    from bot.log_queries import claim_checks, show_exchange
    from index.citations import marker_list

    found = show_exchange(open_log(settings), exchange_id)
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    click.echo(
        f"#{found['id']}  {found['created_at']} UTC  {field(found['chat_type'])} chat "
        f"{found['chat_id']}  user {field(found['user_name'] or found['user_id'])}"
    )
    click.echo(f"Q: {block(found['question'])}")
    if found["standalone_question"] and found["standalone_question"] != found["question"]:
        click.echo(f"   (standalone: {block(found['standalone_question'])})")
    click.echo(f"A: {block(found['answer'])}")
    click.echo(
        f"   declined={bool(found['declined'])} mode={field(found['mode'])} "
        f"model={field(found['model'])} retrieve={found['retrieve_ms']} ms "
        f"compose={found['compose_ms']} ms total={found['total_ms']} ms"
    )
    if found["error"]:
        click.echo(f"   error: {block(found['error'])}")
    if found.get("note"):
        click.echo(f"   note: {block(found['note'])}")
    for check in claim_checks(found):
        given = marker_list(check.given, none="no marker")
        shown = marker_list(check.numbers, none="-")
        reason = f" — {block(check.reason)}" if check.reason else ""
        click.echo(
            f"   check: {check.action} ({given} → {shown}, support "
            f"{check.support:.2f}) {block(check.sentence)}{reason}"
        )
    for cite in found["citations"]:
        click.echo(
            f"\n[{cite['number']}] {field(cite['title'])} — {field(cite['source'])}, "
            f"{field(cite['published'])}  score {cite['score'] or 0:.3f}\n"
            f"    {field(cite['url'], 1000)}"
        )
        click.echo("    > " + block(cite["passage"]).replace("\n", "\n    > "))
    for vote in found["feedback"]:
        who = field(vote["user_name"] or vote["user_id"])
        click.echo(f"\nfeedback: {field(vote['value'])} by {who} at {vote['created_at']}")


def _write_export(log: AnswerLog, fmt: str, out: TextIO) -> int:
    from bot.log_queries import iter_export

    if fmt == "csv":
        return write_csv(iter_export(log), EXPORT_COLUMNS, out)
    count = 0
    for row in iter_export(log):
        count += 1
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return count


def _export_to_file(log: AnswerLog, fmt: str, output: str) -> int:
    """Write the export beside `output` and move it in place only when complete.

    A full disk or any other failure leaves no truncated file behind (and an older export
    at `output` untouched); the error is one line.
    """
    from bot.errors import AnswerLogError

    folder = os.path.dirname(os.path.abspath(output))
    handle, partial = tempfile.mkstemp(prefix=".export-", dir=folder)
    try:
        with open(handle, "w", encoding="utf-8", newline="") as out:
            count = _write_export(log, fmt, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, output)
    except OSError as exc:
        raise AnswerLogError(f"could not write {output}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return count


@logs.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    default="jsonl",
    show_default=True,
    help="csv: one row per exchange; jsonl: one object per line.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of stdout.",
)
@pass_settings
def export_command(settings: Settings, fmt: str, output: str | None) -> None:
    """Export every exchange with its citations and feedback.

    \b
    Example:  newsdesk logs export --format csv -o answers.csv
    """
    log = open_log(settings)
    if output is None:
        _write_export(log, fmt, sys.stdout)
        return
    count = _export_to_file(log, fmt, output)
    click.echo(f"exported {count} exchanges to {output}", err=True)


@logs.command("stats")
@click.option("--days", default=14, show_default=True, help="Days of per-day counts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_settings
def stats_command(settings: Settings, days: int, as_json: bool) -> None:
    """Questions per day, decline rate, feedback ratio, latency, top unanswered questions.

    \b
    Example:  newsdesk logs stats --days 30
    """
    from bot.log_queries import stats

    found = stats(open_log(settings), days=days)
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    pct = lambda v: "-" if v is None else f"{v:.1%}"  # noqa: E731
    ms = lambda v: "-" if v is None else f"{v:.0f} ms"  # noqa: E731
    click.echo(f"questions:      {found['questions']} ({found['errors']} errors)")
    click.echo(f"declined:       {found['declined']} ({pct(found['decline_rate'])})")
    click.echo(
        f"feedback:       {found['feedback_up']} up / {found['feedback_down']} down "
        f"({pct(found['feedback_ratio'])} positive)"
    )
    click.echo(
        f"latency:        p50 {ms(found['latency_p50_ms'])}, p95 {ms(found['latency_p95_ms'])}"
    )
    click.echo("\nquestions per day:")
    for day, count in found["per_day"]:
        click.echo(f"  {day}  {count}")
    click.echo("\nmost frequent unanswered questions:")
    for question, count in found["unanswered"]:
        click.echo(f"  {count:>4}  {_short(question, 80)}")


@logs.command("path")
@pass_settings
def path_command(settings: Settings) -> None:
    """Print the answer log's file (open it with sqlite3 or Datasette).

    \b
    Example:  sqlite3 "$(newsdesk logs path)"
    """
    click.echo(str(settings.log_db_path))
