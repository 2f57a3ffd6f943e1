"""`newsdesk ingest`: load, chunk, embed and store articles."""

from __future__ import annotations

import json
import sys

import click
from tqdm import tqdm

from cli.main import pass_settings
from index.settings import Settings
from ingest.pipeline import IngestReport, ingest_sources


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@pass_settings
def ingest(settings: Settings, sources: tuple[str, ...], as_json: bool, quiet: bool) -> None:
    """Ingest articles from files, folders, JSON/JSONL(.gz) dumps, web pages and RSS/Atom feeds."""
    show_bar = not quiet and not as_json and sys.stderr.isatty()
    with tqdm(desc="ingest", unit=" articles", disable=not show_bar, file=sys.stderr) as bar:
        report = ingest_sources(list(sources), settings=settings, progress=bar.update)
    if as_json:
        click.echo(json.dumps(_report_dict(report), indent=2))
    else:
        _print_report(report)
    if not report.ok:
        sys.exit(1)


def _print_report(report: IngestReport) -> None:
    click.echo(report.summary())
    for failure in report.failed:
        click.echo(f"  failed: {failure.source}: {failure.reason}", err=True)


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
