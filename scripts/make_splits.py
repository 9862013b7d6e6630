"""Assign patients to train/dev/test before anyone looks at the text (seeded, stratified).

Synthetic: the first 120 patients → 60 train / 20 dev / 40 test, stratified by writer and
intended status so every writer's style and every outcome appear in each split; batches
2-10 (syn-121..syn-300, written after the extractor existed) → dev.
Real: the 69 public documents → dev / test (frozen) by a hash of the doc_id.

    python scripts/make_splits.py
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 5


FIRST_BATCH_2 = 121  # syn-121.. (batches 2-10) were written later: all development data


def synthetic() -> dict[str, str]:
    profiles = [json.loads(x) for x in (ROOT / "corpus/synthetic/profiles.jsonl").open()]
    later = {p["patient_id"] for p in profiles if int(p["patient_id"][4:]) >= FIRST_BATCH_2}
    profiles = [p for p in profiles if p["patient_id"] not in later]
    rng = random.Random(SEED)
    strata: dict[tuple[str, str], list[str]] = defaultdict(list)
    for p in profiles:
        strata[(p["writer"], p["intended_status"])].append(p["patient_id"])
    order: list[str] = []
    for key in sorted(strata):
        ids = sorted(strata[key])
        rng.shuffle(ids)
        order.extend(ids)
    # deal patients round-robin over a 6-slot pattern: test, train, test, dev, train, train ...
    pattern = ["test", "train", "train", "test", "dev", "train"]
    splits = {pid: pattern[i % len(pattern)] for i, pid in enumerate(order)}
    return splits | {pid: "dev" for pid in sorted(later)}


def real(doc_ids: list[str]) -> dict[str, str]:
    def h(x: str) -> int:
        return int(hashlib.sha256(f"split:{x}".encode()).hexdigest(), 16)

    ranked = sorted(doc_ids, key=h)
    half = len(ranked) // 2
    return {d: ("test" if i < half else "dev") for i, d in enumerate(ranked)}


def main() -> None:
    syn = synthetic()
    (ROOT / "corpus/synthetic/splits.json").write_text(
        json.dumps(syn, indent=1, sort_keys=True) + "\n"
    )
    src = ROOT.parent / "shared/corpus/real-dev/documents.jsonl"
    ids = [json.loads(x)["doc_id"] for x in src.open()]
    out = ROOT / "corpus/real/splits.json"
    # documents added later (all dev) keep their entries; the 69 are re-derived from the hash
    kept = json.loads(out.read_text()) if out.exists() else {}
    (out).write_text(json.dumps(kept | real(ids), indent=1, sort_keys=True) + "\n")
    counts: dict[str, int] = defaultdict(int)
    for v in syn.values():
        counts[v] += 1
    print("synthetic patients per split:", dict(counts))


if __name__ == "__main__":
    main()
