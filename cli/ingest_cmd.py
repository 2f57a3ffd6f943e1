"""`newsdesk ingest`: load, chunk, embed and store articles.

Exit status: 0 every input landed; 1 some inputs failed (each is listed with its reason, the
rest landed); 2 bad usage; 3 the run stopped (storage or configuration error: what was
committed stays, nothing is half-visible, running again completes it); 130 interrupted.
"""

from __future__ import annotations

import json
import logging
import sys

import click
from tqdm import tqdm

from cli.main import pass_settings
from cli.terminal import field
from index.errors import NewsdeskError
from index.settings import Settings
from ingest.pipeline import IngestReport, ingest_sources

logger = logging.getLogger(__name__)
EXIT_PARTIAL = 1
EXIT_STOPPED = 3


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@pass_settings
def ingest(settings: Settings, sources: tuple[str, ...], as_json: bool, quiet: bool) -> None:
    """Ingest articles from files, folders, JSON/JSONL(.gz) dumps, web pages and RSS/Atom feeds."""
    show_bar = not quiet and not as_json and sys.stderr.isatty()
    try:
        with tqdm(desc="ingest", unit=" articles", disable=not show_bar, file=sys.stderr) as bar:
            report = ingest_sources(list(sources), settings=settings, progress=bar.update)
    except Exception as exc:  # storage failures come in many types
        logger.debug("ingest stopped", exc_info=True)
        click.echo(f"Error: ingest stopped: {_reason(exc)}; what was committed is kept and "
                   "running the same command again completes the rest", err=True)
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


def _print_report(report: IngestReport) -> None:
    click.echo(report.summary())
    for failure in report.failed:
        click.echo(f"  failed: {field(failure.source, 500)}: {field(failure.reason, 500)}",
                   err=True)


def _report_dict(report: IngestReport) -> dict[str, object]:
    return {
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "failed": [{"source": f.source, "reason": f.reason} for f in report.failed],
        "chunks_embedded": report.chunks_embedded,
        "chunks_reused": report.chunks_reused,
        "seconds": round(report.seconds, 2),
    }
