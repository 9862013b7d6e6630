"""Assemble the annotated sets from their parts, validating every line.

Synthetic: corpus/synthetic/parts/<writer>.{documents,gold,patients}.jsonl →
corpus/synthetic/{documents,gold,patients}.jsonl.
Real: corpus/real/documents.jsonl from ../shared/corpus/real-dev/documents.jsonl — text
copied only for public-domain/MIT sources (TREC/SIGIR topics, TCGA reports); MTSamples and
DRAGON keep "text": null with a text_ref to the shared copy (licences: see corpus/README.md).

    python scripts/assemble_corpus.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELDS = {
    "ecog", "karnofsky", "ihc", "lesion", "ct_slice_thickness", "therapy", "wbc", "neutrophils",
    "lymphocytes", "platelets", "hemoglobin", "creatinine", "total_bilirubin", "alt", "ast",
    "lvef", "ecg", "spo2", "age", "sex", "psychiatric_history", "gilbert_syndrome",
    "liver_involvement", "diagnosis", "life_expectancy",
}  # fmt: skip
ASSERTIONS = {"present", "negated", "possible", "historical", "hypothetical", "family"}
CRITERIA = {
    "age", "diagnosis_confirmed", "cd70_ihc_3plus", "prior_therapy_failed", "measurable_lesion",
    "ecog", "life_expectancy", "no_severe_psychiatric_history", "wbc", "neutrophils",
    "lymphocytes", "platelets", "hemoglobin", "lvef", "ecg", "creatinine", "alt_ast",
    "bilirubin", "spo2_room_air",
}  # fmt: skip
OPEN_LICENCE = {"trialgpt_trec_2021", "trialgpt_sigir", "tcga_ftucos"}


def read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.open(encoding="utf-8") if x.strip()]


def write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


CLASS_ALIASES = {"parp_inhibitor": "parpi", "antiangiogenic": "anti_angiogenic"}


def normalise(g: dict) -> dict:
    """Writers spelled a few attribute values differently; map them to the contract's."""
    attrs = g.get("attributes") or {}
    if "classes" in attrs:
        attrs["classes"] = sorted({CLASS_ALIASES.get(c, c) for c in attrs["classes"]})
    return g


def check_gold(rows: list[dict], doc_ids: set[str], where: str) -> list[str]:
    problems = []
    for i, g in enumerate(rows, 1):
        if g.get("doc_id") not in doc_ids:
            problems.append(f"{where}:{i}: unknown doc_id {g.get('doc_id')!r}")
        if g.get("field") not in FIELDS:
            problems.append(f"{where}:{i}: unknown field {g.get('field')!r}")
        if g.get("assertion") not in ASSERTIONS:
            problems.append(f"{where}:{i}: bad assertion {g.get('assertion')!r}")
    return problems


def synthetic() -> list[str]:
    parts = ROOT / "corpus/synthetic/parts"
    docs, gold, patients, problems = [], [], [], []
    for d in sorted(parts.glob("*.documents.jsonl")):
        letter = d.name.split(".")[0]
        ds = read(d)
        gs = [normalise(g) for g in read(parts / f"{letter}.gold.jsonl")]
        ps = read(parts / f"{letter}.patients.jsonl")
        ids = {x["doc_id"] for x in ds}
        problems += check_gold(gs, ids, f"parts/{letter}.gold.jsonl")
        for p in ps:
            missing = CRITERIA - set(p["criteria"])
            if missing:
                problems.append(f"parts/{letter}.patients.jsonl: {p['patient_id']} lacks {missing}")
        docs += ds
        gold += gs
        patients += ps
    docs.sort(key=lambda r: r["doc_id"])
    order = {r["doc_id"]: i for i, r in enumerate(docs)}
    gold.sort(key=lambda g: order[g["doc_id"]])
    patients.sort(key=lambda p: p["patient_id"])
    out = ROOT / "corpus/synthetic"
    write(
        out / "documents.jsonl",
        [{k: r[k] for k in ("doc_id", "patient_id", "kind", "date", "text")} for r in docs],
    )
    write(out / "gold.jsonl", gold)
    write(out / "patients.jsonl", patients)
    print(
        f"synthetic: {len({d['patient_id'] for d in docs})} patients, {len(docs)} documents, {len(gold)} gold lines"
    )
    return problems


def real() -> list[str]:
    src = ROOT.parent / "shared/corpus/real-dev/documents.jsonl"
    rows = []
    for r in read(src):
        row = {k: r[k] for k in ("doc_id", "patient_id", "kind", "date")}
        row["source"] = r["source"]
        if r["source"] in OPEN_LICENCE:
            row["text"] = r["text"]
        else:
            row["text"] = None
            row["text_ref"] = "../../../shared/corpus/real-dev/documents.jsonl"
        rows.append(row)
    # documents added later from ../shared/corpus/unlabeled (by reference) are kept as they are
    built = {r["doc_id"] for r in rows}
    out = ROOT / "corpus/real/documents.jsonl"
    if out.exists():
        rows += [r for r in read(out) if r["doc_id"] not in built]
    write(out, rows)
    ids = {r["doc_id"] for r in rows}
    problems = check_gold(read(ROOT / "corpus/real/gold.jsonl"), ids, "real/gold.jsonl")
    print(
        f"real: {len(rows)} documents ({sum(r['text'] is not None for r in rows)} with text copied)"
    )
    return problems


if __name__ == "__main__":
    problems = synthetic() + real()
    for p in problems:
        print(p, file=sys.stderr)
    sys.exit(1 if problems else 0)
