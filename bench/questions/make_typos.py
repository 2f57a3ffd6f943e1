"""Write `typos.jsonl` and `typos-heldout.jsonl`: natural questions with one typing slip each.

Usage: python bench/questions/make_typos.py

For every answerable single-turn question of `natural-dev.jsonl` (into `typos.jsonl`, for
tuning) and of `natural-heldout.jsonl` (into `typos-heldout.jsonl`, only reported on), one
word of six letters or more is mistyped in one of the ways typing
goes wrong: two neighbouring letters swapped ("presdient"), a letter left out ("goverment"),
a letter doubled ("pressident") or a key next to the right one hit ("presifent"), never the
first letter. The word, the kind of slip and its place are drawn with `random.Random(11)`,
so the file is the same on every run. Answers and gold articles stay those of the original.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _neighbours(letter: str) -> str:
    for row in ROWS:
        i = row.find(letter)
        if i >= 0:
            return row[max(i - 1, 0) : i] + row[i + 1 : i + 2]
    return ""


def slip(word: str, rng: random.Random) -> str:
    """`word` with one typing slip past its first letter."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double", "neighbour"])
    if kind == "swap" and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    near = _neighbours(word[i])
    return word[:i] + rng.choice(near) + word[i + 1 :] if near else word[:i] + word[i + 1 :]


def main() -> None:
    for source, target in [("natural-dev", "typos"), ("natural-heldout", "typos-heldout")]:
        write(HERE / f"{source}.jsonl", HERE / f"{target}.jsonl")


def write(source: Path, target: Path) -> None:
    rng = random.Random(11)
    out = []
    for line in source.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item.get("declined") or "question" not in item:
            continue
        words = [m for m in re.finditer(r"[a-z]{6,}", item["question"])]
        if not words:
            continue
        picked = rng.choice(words)
        typo = slip(picked.group(), rng)
        question = item["question"][: picked.start()] + typo + item["question"][picked.end() :]
        out.append({**item, "id": f"typo-{item['id']}", "question": question, "typo": typo})
    text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in out)
    target.write_text(text, encoding="utf-8")
    print(f"{len(out)} questions written to {target}")


if __name__ == "__main__":
    main()
