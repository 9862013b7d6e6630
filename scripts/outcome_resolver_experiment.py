"""Experiment (not part of the pipeline): would a learned resolver of the therapy outcome
carry over to new text better than the rules?

Units are the (document, agent) pairs with exactly one present gold therapy line carrying an
outcome; each present therapy mention the rules found for that agent is labelled with it.
A logistic regression over the words around each mention (and the rules' own outcome) is
trained on synthetic train and dev without batch 7b, and compared with the rules on batch 7b
(syn-259..syn-264), which no therapy rule was written from. The rules count as right on a
unit when any mention carries the gold outcome (as the scorer matches); the model takes the
outcome of its most confident mention. The test split is never read.

    python scripts/outcome_resolver_experiment.py
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from prescreen.evaluation.corpus import load_set
from prescreen.extraction.pipeline import Extractor
from prescreen.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = range(259, 265)  # batch 7b
TOKEN = re.compile(r"[a-z]+|\d+|[|:;.,()\-/]")


def features(text: str, f) -> dict[str, float]:
    s, e = f.start, f.end
    ls = text.rfind("\n", 0, s) + 1
    le = text.find("\n", e)
    le = len(text) if le == -1 else le
    left = TOKEN.findall(text[max(0, s - 200) : s].lower())[-15:]
    right = TOKEN.findall(text[e : e + 300].lower())[:25]
    d = {
        f"rule={f.attributes.get('outcome')}": 1.0,
        f"section={f.section}": 1.0,
        "table": float("|" in text[ls:le]),
    }
    for i, w in enumerate(reversed(left)):
        d[f"L{min(i // 5, 2)}={w}"] = d[f"L={w}"] = 1.0
    for i, w in enumerate(right):
        d[f"R{min(i // 5, 4)}={w}"] = d[f"R={w}"] = 1.0
    for w in TOKEN.findall(text[ls:le].lower()):
        d[f"line={w}"] = 1.0
    return d


def main() -> None:
    data = load_set(ROOT / "corpus" / "synthetic")
    docs = [d for d in data.documents if data.splits.get(d.patient_id) != "test"]
    gold: dict[tuple[str, str], list] = collections.defaultdict(list)
    for g in data.gold:
        if g.field == "therapy" and g.assertion == "present":
            gold[(g.doc_id, str(g.value).lower())].append(g)
    ext = Extractor(settings=Settings(model_path="none"))
    units: dict[tuple[str, str, str], list] = collections.defaultdict(list)
    for d in docs:
        held = int(d.patient_id.split("-")[1]) in HELD_OUT
        for f in ext.extract_heuristic(d):
            if f.field != "therapy" or f.assertion.value != "present":
                continue
            gs = gold.get((d.doc_id, str(f.value).lower()), [])
            if len(gs) != 1 or not (gs[0].attributes or {}).get("outcome"):
                continue
            key = ("held_out" if held else "fit", d.doc_id, str(f.value))
            units[key].append((features(d.text, f), f.attributes.get("outcome"),
                               gs[0].attributes["outcome"]))  # fmt: skip
    fit = [m for (part, _, _), ms in units.items() if part == "fit" for m in ms]
    vec = DictVectorizer()
    clf = LogisticRegression(C=1.0, max_iter=2000)
    clf.fit(vec.fit_transform([x for x, _, _ in fit]), [y for _, _, y in fit])
    held = [ms for (part, _, _), ms in units.items() if part == "held_out"]
    rules_ok = model_ok = 0
    for ms in held:
        gold_outcome = ms[0][2]
        rules_ok += any(r == gold_outcome for _, r, _ in ms)
        proba = clf.predict_proba(vec.transform([x for x, _, _ in ms]))
        best = max(range(len(ms)), key=lambda i: proba[i].max())
        model_ok += clf.classes_[proba[best].argmax()] == gold_outcome
    n = len(held)
    print(f"fitted on {len(fit)} mentions; held-out batch 7b: {n} (document, agent) units")
    print(f"  rules right: {rules_ok}/{n} ({rules_ok / n:.3f})")
    print(f"  learned resolver right: {model_ok}/{n} ({model_ok / n:.3f})")


if __name__ == "__main__":
    main()
