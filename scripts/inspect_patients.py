"""Development aid: patients whose predicted status differs from gold, with the criteria
that are not met or unknown (status, confidence, reason) next to the gold answers.

Only for the train/dev splits (never inspect test): python scripts/inspect_patients.py SET SPLIT
"""

from __future__ import annotations

import sys

from prescreen.evaluation.corpus import load_set
from prescreen.evaluation.evaluate import evaluate_set
from prescreen.rules import load_trial
from prescreen.screening import screen

set_dir, split = sys.argv[1:3]
if split == "test":
    sys.exit("refusing to inspect the test split")
data = load_set(set_dir).split(split)
ev = evaluate_set(data)
trial = load_trial("cd70-car-t")
docs = [d for d in data.documents if d.patient_id in data.patients]
report = screen(docs, ev.findings, trial, pipeline_version="dev", model_version="dev")
for p in report["patients"]:
    gold = data.patients[p["patient_id"]]
    if p["status"] in gold["status"].split("|"):
        continue
    print(f"== {p['patient_id']}: gold {gold['status']}, predicted {p['status']}")
    for c in p["criteria"]:
        want = gold["criteria"].get(c["id"], "-")
        if c["status"] != "met" or c["status"] not in want.split("|"):
            print(
                f"   {c['id']:<30} got {c['status']:<8} conf {c['confidence']:.2f} "
                f"gold {want:<14} {c['reason'][:90]}"
            )
