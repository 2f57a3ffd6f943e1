"""How often the support checker agrees with a person: precision and recall as a judge.

Read (sentence, passage, supported?) pairs a person labelled (JSONL: `sentence`, `passage`,
`title`?, `supported`, `kind`?) and score the checker's verdicts against them, "supported"
being the positive class: precision is the share of the pairs it calls supported that are,
recall the share of the supported pairs it calls supported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from index.models import Passage
from index.support import SupportChecker


@dataclass
class JudgeReport:
    pairs: int
    precision: float
    recall: float
    accuracy: float
    mistakes: list[dict[str, object]] = field(default_factory=list)


def labelled_pairs(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def as_passage(row: dict[str, object]) -> Passage:
    text = str(row["passage"])
    return Passage(
        chunk_id="labelled", article_id="labelled", title=str(row.get("title", "")), source="",
        url="", published=None, start=0, end=len(text), text=text, score=1.0,
    )  # fmt: skip


def judge(checker: SupportChecker, rows: list[dict[str, object]]) -> JudgeReport:
    """The checker's agreement with the labels of `rows`."""
    tp = fp = fn = tn = 0
    mistakes = []
    for row in rows:
        support = checker.check(str(row["sentence"]), as_passage(row))
        said, truth = support.supported, bool(row["supported"])
        tp, fp = tp + (said and truth), fp + (said and not truth)
        fn, tn = fn + (truth and not said), tn + (not said and not truth)
        if said != truth:
            mistakes.append({**row, "score": support.score, "missing": list(support.missing)})
    return JudgeReport(
        pairs=len(rows),
        precision=tp / (tp + fp) if tp + fp else 0.0,
        recall=tp / (tp + fn) if tp + fn else 0.0,
        accuracy=(tp + tn) / len(rows) if rows else 0.0,
        mistakes=mistakes,
    )
