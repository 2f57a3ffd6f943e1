"""The answer log as CSV for spreadsheets: the one place that formats cells for one.

A cell that starts with `=`, `+`, `-`, `@`, tab or carriage return is a formula to Excel,
LibreOffice and Google Sheets, and questions come from anyone (CSV injection, OWASP): such
cells get a leading `'`, which spreadsheets show as text. Control and bidi characters are
removed; numbers stay numbers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from index.display import neutralise

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """`value` safe for a spreadsheet cell: text neutralised, formulas defused."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = neutralise(value) if isinstance(value, str) else neutralise(json.dumps(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(rows: Iterable[dict[str, Any]], columns: list[str], out: TextIO) -> int:
    """Write `rows` (only `columns`, nested values as JSON) as CSV; returns how many."""
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        cells = {
            key: json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
            for key, value in row.items()
        }
        writer.writerow({key: csv_cell(value) for key, value in cells.items()})
        count += 1
    return count
