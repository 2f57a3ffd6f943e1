"""The support checker as a judge: its precision and recall on hand-labelled pairs.

Usage: python bench/support_judge.py [--mistakes]

Files of (sentence, passage, supported?) pairs labelled by hand: tests/fixtures/
support_pairs.jsonl (sentences written over the sample articles while the checker's rules
were written), support_pairs_heldout.jsonl (written afterwards, never tuned on), and
support_pairs_smollm2.jsonl (every sentence SmolLM2-135M got past the checker in a
bench/llm.py run, against the passage it was cited to; the wording floor was set on it).
Each is judged by wording alone and by wording and meaning (the default embedding model).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.embeddings import OnnxMiniLMEmbedding  # noqa: E402
from index.support import SupportChecker  # noqa: E402
from index.support_eval import judge, labelled_pairs  # noqa: E402
from index.wiring import sentence_similarity  # noqa: E402

FILES = {
    "development": ROOT / "tests" / "fixtures" / "support_pairs.jsonl",
    "held-out": ROOT / "tests" / "fixtures" / "support_pairs_heldout.jsonl",
    "SmolLM2's sentences": ROOT / "tests" / "fixtures" / "support_pairs_smollm2.jsonl",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mistakes", action="store_true", help="List the pairs judged wrongly.")
    args = parser.parse_args()
    similarity = sentence_similarity(OnnxMiniLMEmbedding())
    print("| pairs | judge | pairs (supported) | precision | recall | accuracy |")
    print("|---|---|---|---|---|---|")
    for name, path in FILES.items():
        rows = labelled_pairs(path)
        positives = sum(bool(r["supported"]) for r in rows)
        for label, checker in (
            ("wording", SupportChecker()),
            ("wording + meaning", SupportChecker(similarity=similarity)),
        ):
            report = judge(checker, rows)
            print(
                f"| {name} | {label} | {report.pairs} ({positives}) | {report.precision:.3f} "
                f"| {report.recall:.3f} | {report.accuracy:.3f} |"
            )
            if args.mistakes:
                for m in report.mistakes:
                    print(f"    labelled {m['supported']}, score {m['score']}: {m['sentence']}")


if __name__ == "__main__":
    main()
