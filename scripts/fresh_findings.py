"""Freeze the findings a version of the rules produced on documents it was not fitted to.

The confidence model learns which findings are right from examples; findings of documents
the rules were developed on are almost all right, so a model trained only on them is
over-confident on new text. The first run of the rules on a fresh synthetic batch (before
any rule was changed for it) is a sample of realistic errors: this script writes those
findings (heuristic confidence) so that ``prescreen train --fresh`` can learn from them.

Run it from a checkout of the commit whose rules had not seen the batch, e.g.:

    git worktree add /tmp/old 25c0043 && cd /tmp/old && pip install -e . && \\
    python scripts/fresh_findings.py corpus/synthetic 121 150 > corpus/fresh/batch2.jsonl
"""

from __future__ import annotations

import sys

from prescreen.evaluation.corpus import load_set
from prescreen.extraction.pipeline import Extractor
from prescreen.settings import Settings


def main() -> None:
    folder, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    data = load_set(folder)
    ex = Extractor(settings=Settings(model_path="none"))
    for d in data.documents:
        if not lo <= int(d.patient_id.split("-")[1]) <= hi:
            continue
        for f in ex.extract_heuristic(d):
            sys.stdout.write(f.model_dump_json() + "\n")


if __name__ == "__main__":
    main()
