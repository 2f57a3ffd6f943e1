"""`newsdesk ingest`: load, chunk, embed and store articles; `--watch` keeps polling feeds.

Exit status: 0 every input landed; 1 some inputs failed (each is listed with its reason, the
rest landed); 2 bad usage; 3 the run stopped (storage or configuration error: what was
committed stays, nothing is half-visible, running again completes it); 130 interrupted.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import TYPE_CHECKING

import click

from cli.context import pass_wiring
from cli.terminal import field
from index.errors import NewsdeskError

if TYPE_CHECKING:
    from index.wiring import Wiring
    from ingest.feeds import PollResult
    from ingest.pipeline import IngestReport

logger = logging.getLogger(__name__)
EXIT_PARTIAL = 1
EXIT_STOPPED = 3


@click.command()
@click.argument("sources", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--watch",
    is_flag=True,
    help="Keep polling feeds (FEEDS, FEEDS_FILE and any feed URLs given) every "
    "FEED_POLL_MINUTES; Ctrl-C stops.",
)
@click.option("--polls", type=click.IntRange(min=1), help="With --watch: stop after N rounds.")
@pass_wiring
def ingest(
    wiring: Wiring,
    sources: tuple[str, ...],
    as_json: bool,
    quiet: bool,
    watch: bool,
    polls: int | None,
) -> None:
    """Ingest articles from files, folders, JSON/JSONL(.gz) dumps, web pages and RSS/Atom feeds.

    Pages that hold no article text are reported as skipped; the exit status is 1 only
    when something failed.

    \b
    Examples:
      newsdesk ingest samples/articles dump.jsonl.gz
      newsdesk ingest https://example.com/story https://example.com/feed.xml
      newsdesk ingest --watch https://example.com/feed.xml
    """
    if watch:
        _watch(wiring, list(sources), polls=polls)
        return
    if not sources:
        raise click.UsageError("name at least one file, folder or URL (or use --watch)")
    try:
        report = _ingest_once(wiring, list(sources), show_bar=not quiet and not as_json)
    except Exception as exc:  # storage failures come in many types
        logger.debug("ingest stopped", exc_info=True)
        click.echo(
            f"Error: ingest stopped: {_reason(exc)}; what was committed is kept and "
            "running the same command again completes the rest",
            err=True,
        )
        sys.exit(EXIT_STOPPED)
    if as_json:
        click.echo(json.dumps(_report_dict(report), indent=2))
    else:
        _print_report(report)
    if not report.ok:
        sys.exit(EXIT_PARTIAL)


def _reason(exc: BaseException) -> str:
    """One line for a storage or configuration error (disk full, unwritable, damaged)."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if isinstance(exc, NewsdeskError) else f"{type(exc).__name__}: {text}"[:300]


def _ingest_once(wiring: Wiring, specs: list[str], *, show_bar: bool) -> IngestReport:
    """One run over `specs`, with a progress bar whose total is counted up front."""
    from tqdm import tqdm

    from ingest.pipeline import open_ingestor
    from ingest.sources import count_articles, load_sources

    total = count_articles(specs)
    show_bar = show_bar and sys.stderr.isatty()
    with tqdm(
        desc="ingest", total=total, unit=" articles", disable=not show_bar, file=sys.stderr
    ) as bar:

        def tick(n: int) -> None:
            if bar.total is not None and bar.n + n > bar.total:
                bar.total = bar.n + n  # a feed listed more entries than counted
            bar.update(n)

        items = load_sources(specs, settings=wiring.settings)
        return open_ingestor(wiring).ingest(items, progress=tick)


def _watch(wiring: Wiring, extra: list[str], *, polls: int | None) -> None:
    """Poll the configured feeds (and `extra` feed URLs) until Ctrl-C or `polls` rounds."""
    from ingest.feeds import FeedPoller, feed_urls, watch_feeds
    from ingest.pipeline import open_ingestor

    feeds = list(dict.fromkeys(feed_urls(wiring.settings) + extra))
    if not feeds:
        raise click.UsageError("no feeds to watch: set FEEDS or FEEDS_FILE, or name feed URLs")
    ingestor = open_ingestor(wiring)
    poller = FeedPoller(feeds=feeds, settings=wiring.settings, ingest=ingestor.ingest)
    minutes = wiring.settings.feed_poll_minutes
    click.echo(f"watching {len(feeds)} feed(s) every {minutes:g} min; Ctrl-C stops", err=True)
    watch_feeds(poller, polls=polls, on_poll=_print_polls)


def _print_polls(results: list[PollResult]) -> None:
    for result in results:
        if result.status == "error":
            line = f"{result.url}: error: {result.error} (retry in {result.retry_in_s:.0f} s)"
        else:
            line = f"{result.url}: {result.status}, {result.fetched} new entries fetched"
        click.echo(line, err=True)


def _print_report(report: IngestReport) -> None:
    click.echo(report.summary())
    for skipped in report.skipped:
        click.echo(f"  skipped: {skipped.source}: {skipped.reason}", err=True)
    for failure in report.failed:
        click.echo(
            f"  failed: {field(failure.source, 500)}: {field(failure.reason, 500)}", err=True
        )


def _report_dict(report: IngestReport) -> dict[str, object]:
    return {
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": [{"source": f.source, "reason": f.reason} for f in report.skipped],
        "failed": [{"source": f.source, "reason": f.reason} for f in report.failed],
        "chunks_embedded": report.chunks_embedded,
        "chunks_reused": report.chunks_reused,
        "seconds": round(report.seconds, 2),
    }
