"""Development aid: show misses and false alarms of one field with their context.

Only for the train/dev splits (never inspect test): python scripts/inspect_errors.py SET SPLIT FIELD [N]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from prescreen.evaluation.corpus import load_set
from prescreen.evaluation.evaluate import evaluate_set

set_dir, split, field = sys.argv[1:4]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 15
if split == "test":
    sys.exit("refusing to inspect the test split")
data = load_set(set_dir).split(split)
ev = evaluate_set(data)
texts = {d.doc_id: d.text for d in data.documents}
gold_lines = [json.loads(x) for x in Path(set_dir, "gold.jsonl").read_text().splitlines()]
print("== misses")
for m in [m for m in ev.result.misses if m["field"] == field][:n]:
    g = gold_lines[m["gold_line"] - 1]
    preds = [
        (f.value, f.assertion.value, f.attributes.get("lymph_node"))
        for f in ev.findings
        if f.doc_id == m["doc_id"] and f.field == field
    ]
    print(
        m["doc_id"], "gold:", g["value"], g["assertion"], g.get("attributes", {}), "| preds:", preds
    )
print("== false alarms")
for fa in [f for f in ev.result.false_alarms if f["field"] == field][:n]:
    t = texts[fa["doc_id"]]
    f = next(x for x in ev.findings if x.id == fa["finding_id"])
    ctx = t[max(0, fa["start"] - 80) : fa["end"] + 60].replace("\n", " | ")
    print(
        fa["doc_id"],
        f.value,
        f.assertion.value,
        {k: v for k, v in f.attributes.items() if k in ("marker", "room_air", "finding")},
        "::",
        ctx,
    )
