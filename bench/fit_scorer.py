"""Fit the weights of the sentence scorer (`index.sentences.WEIGHTS`) on dev questions.

Usage: python bench/fit_scorer.py --data-dir STORE --fit A.jsonl [--fit B.jsonl] --check C.jsonl

For every answerable question, the composer's candidate sentences (only articles holding the
question's subject, as in answering) get their features plus "semantic", the embedding
model's cosine to the question. A listwise softmax model (the answer sentence should score
highest among a question's candidates) is fitted on the --fit files with L2 shrinkage
towards the current weights, and the share of questions whose top sentence holds the answer
string is printed for the current and the fitted weights, on the fit files and on the
--check files (held out: never fitted on). Weights are printed scaled to coverage = 1.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date
from pathlib import Path

import numpy as np

from index.evaluate import EvalItem, contains_answer, read_questions
from index.sentences import WEIGHTS

NAMES = list(WEIGHTS)
Group = tuple[np.ndarray, np.ndarray]  # (features per candidate, is-answer per candidate)


def groups(items: list[EvalItem], desk: object) -> list[Group]:
    """One (X, y) per answerable single-turn question that has candidate sentences."""
    from index.embeddings import embed_texts
    from index.service import Newsdesk

    assert isinstance(desk, Newsdesk)
    out: list[Group] = []
    for item in items:
        turn = item.turns[0]
        if len(item.turns) > 1 or turn.expect_decline or not turn.answer:
            continue
        as_of = item.day or date.today()
        passages = desk.retriever.retrieve(turn.question, as_of=as_of, keep_below_floor=True)
        ranking = desk.composer.rank_sentences(turn.question, passages)
        cands = ranking.candidates[:40]
        if not cands:
            continue
        vectors = embed_texts(desk.retriever.embed_model, [turn.question] + [c.text for c in cands])
        cosines = vectors[1:] @ vectors[0]
        rows = []
        for cand, cosine in zip(cands, cosines):
            rows.append([{**cand.features, "semantic": float(cosine)}.get(n, 0.0) for n in NAMES])
        y = np.array([contains_answer(turn.answer, [c.text]) for c in cands], dtype=float)
        out.append((np.array(rows), y))  # all 0 (no candidate holds it): a miss either way
    return out


def top1(data: list[Group], w: np.ndarray) -> float:
    """Share of questions whose best-scored sentence holds the answer string."""
    hits = sum(float(y[int(np.argmax(x @ w))]) for x, y in data)
    return hits / max(len(data), 1)


def fit(data: list[Group], start: np.ndarray, l2: float, steps: int = 3000) -> np.ndarray:
    """Maximise sum log P(answer sentences) under softmax(x @ w), shrunk towards `start`."""
    w = start.copy()
    usable = [(x, y) for x, y in data if 0 < y.sum() < len(y)]
    lr = 0.05
    for _ in range(steps):
        grad = np.zeros_like(w)
        for x, y in usable:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            target = y / y.sum()
            grad += x.T @ (target - p)
        grad = grad / len(usable) - l2 * (w - start)
        w += lr * grad
    return w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--fit", action="append", required=True)
    parser.add_argument("--check", action="append", default=[])
    parser.add_argument("--l2", type=float, default=0.05)
    args = parser.parse_args()
    os.environ["NEWSDESK_DATA_DIR"] = args.data_dir
    from index.settings import load_settings
    from index.wiring import Wiring

    desk = Wiring(load_settings()).newsdesk
    fit_items = [i for f in args.fit for i in read_questions(Path(f))]
    check_items = [i for f in args.check for i in read_questions(Path(f))]
    fit_data, check_data = groups(fit_items, desk), groups(check_items, desk)
    n_fit, n_check = len(fit_data), len(check_data)
    start = np.array([WEIGHTS[n] for n in NAMES])
    fitted = fit(fit_data, start, args.l2)
    fitted = fitted / fitted[NAMES.index("coverage")]
    report = {
        "questions": {"fit": n_fit, "check": n_check},
        "top1_current": {"fit": top1(fit_data, start), "check": top1(check_data, start)},
        "top1_fitted": {"fit": top1(fit_data, fitted), "check": top1(check_data, fitted)},
        "answer_among_candidates": {
            "fit": sum(float(y.max()) for _, y in fit_data) / max(n_fit, 1),
            "check": sum(float(y.max()) for _, y in check_data) / max(n_check, 1),
        },
        "weights": {n: round(float(v), 3) for n, v in zip(NAMES, fitted)},
    }  # fmt: skip
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
