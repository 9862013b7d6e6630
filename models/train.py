"""Train and save the calibrated confidence model (``prescreen train``).

A candidate finding is positive when it matches a gold line (scored like ``prescreen
evaluate``). Features come from :mod:`models.features`; the estimator is a gradient-boosted
tree ensemble wrapped in ``CalibratedClassifierCV`` (isotonic, folds grouped by document so
one note never sits on both sides of a fold). The isotonic map is fitted on the folds'
out-of-fold predictions and applied to one booster trained on all data (``ensemble=False``):
measured on the synthetic dev split it calibrates as well as the five-booster ensemble
(ECE 0.002 vs 0.003, Brier 0.0114 vs 0.0110) at half the prediction cost and a quarter of
the file size. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prescreen.evaluation.calibration import brier_score, expected_calibration_error
from prescreen.evaluation.corpus import AnnotatedSet
from prescreen.evaluation.scoring import is_scored, score
from prescreen.extraction.batch import extract_documents
from prescreen.extraction.findings import Finding
from prescreen.extraction.pipeline import Extractor

from .confidence import ConfidenceModel, _versions, manifest_path, sha256
from .features import FEATURE_SCHEMA_VERSION, featurize


@dataclass
class Examples:
    features: list[dict[str, Any]]
    labels: list[int]
    groups: list[str]
    heuristic: list[float]
    # where each example's text comes from (the corpus folder: "synthetic", "real"); the
    # domains are given equal total weight in training (``domain_weights``)
    domains: list[str] = field(default_factory=list)

    def extend(self, other: Examples) -> None:
        for k in ("features", "labels", "groups", "heuristic", "domains"):
            getattr(self, k).extend(getattr(other, k))


def domain_weights(domains: Sequence[str]) -> list[float]:
    """Sample weights giving every domain the same total weight: the largest domain's
    examples weigh 1, a smaller domain's proportionally more.

    The model is used on real notes, but real annotated findings are about a tenth of the
    synthetic ones; unweighted, it learned real text's error shapes too weakly and was
    over-confident there. Held out (trained without it), real batch 5's first run went
    ECE 0.074 -> 0.063, Brier 0.085 -> 0.069, and real batch 4's 0.077 -> 0.046, 0.095 ->
    0.065; synthetic batch 8's went 0.014 -> 0.019, 0.041 -> 0.044 (README, confidence)."""
    counts = Counter(domains)
    largest = max(counts.values(), default=0)
    return [largest / counts[d] for d in domains]


def examples(data: AnnotatedSet, findings: Iterable[Finding], domain: str = "") -> Examples:
    """Label every scored finding of a set by whether its fact matches the gold."""
    findings = [f for f in findings if is_scored(f)]
    result = score(findings, data.gold)
    correct = result.correct_finding_ids
    texts = {d.doc_id: (d.text, d.kind) for d in data.documents}
    by_doc: dict[str, list[Finding]] = {}
    for f in findings:
        by_doc.setdefault(f.doc_id, []).append(f)
    ex = Examples([], [], [], [])
    for doc_id in sorted(by_doc):
        fs = by_doc[doc_id]
        text, kind = texts[doc_id]
        for f, feats in zip(fs, featurize(fs, text, kind), strict=True):
            ex.features.append(feats)
            ex.labels.append(int(f.id in correct))
            ex.groups.append(doc_id)
            ex.heuristic.append(f.confidence)
            ex.domains.append(domain)
    return ex


def frozen_findings(data: AnnotatedSet, path: Path) -> tuple[AnnotatedSet, list[Finding]]:
    """Findings saved from an earlier version of the rules (``scripts/fresh_findings.py``)
    and the part of the set they were extracted from (their documents and gold)."""
    findings = [
        Finding.model_validate_json(line)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    ids = {f.doc_id for f in findings}
    docs = [d for d in data.documents if d.doc_id in ids]
    pids = {d.patient_id for d in docs}
    part = AnnotatedSet(
        f"{data.name}[{path.name}]",
        docs,
        [g for g in data.gold if g.doc_id in ids],
        {k: v for k, v in data.patients.items() if k in pids},
        data.splits,
        data.skipped_documents,
    )
    return part, findings


def calibrated(
    model: ConfidenceModel, data: AnnotatedSet, findings: list[Finding]
) -> list[Finding]:
    """A set's findings with the model's confidences (one model call for the set)."""
    by_doc: dict[str, list[Finding]] = {}
    for f in findings:
        by_doc.setdefault(f.doc_id, []).append(f)
    docs = [(by_doc.get(d.doc_id, []), d.text, d.kind) for d in data.documents]
    return [f for doc in model.apply_batch(docs) for f in doc]


def extract_set(data: AnnotatedSet, extractor: Extractor) -> list[Finding]:
    out: list[Finding] = []
    for res in extract_documents(data.documents, extractor=extractor):
        out.extend(res.findings)
    return out


def fit(ex: Examples, seed: int = 0, ensemble: bool = False) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import Pipeline

    vec = DictVectorizer(sparse=False, sort=True)
    x = vec.fit_transform(ex.features)
    folds = list(GroupKFold(n_splits=5).split(x, ex.labels, ex.groups))
    base = HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.06, max_leaf_nodes=15, min_samples_leaf=20,
        l2_regularization=1.0, early_stopping=False, random_state=seed,
    )  # fmt: skip
    clf = CalibratedClassifierCV(base, method="isotonic", cv=folds, ensemble=ensemble)
    if len(set(ex.domains)) > 1:
        import numpy as np

        clf.fit(x, ex.labels, sample_weight=np.asarray(domain_weights(ex.domains)))
    else:
        clf.fit(x, ex.labels)
    return Pipeline([("features", vec), ("model", clf)])


def metrics(labels: Sequence[int], probs: Sequence[float]) -> dict[str, float]:
    pairs = [(p, bool(y)) for p, y in zip(probs, labels, strict=True)]
    return {"n": len(pairs), "positive_rate": round(sum(labels) / max(1, len(labels)), 4),
            "ece": round(expected_calibration_error(pairs), 4),
            "brier": round(brier_score(pairs), 4)}  # fmt: skip


def save(pipeline: Any, path: Path, *, version: str, train_metrics: dict[str, Any]) -> None:
    import skops.io as sio

    bundle = {
        "pipeline": pipeline,
        "version": version,
        "feature_schema": FEATURE_SCHEMA_VERSION,
        "metrics": train_metrics,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(bundle, path)
    manifest = {
        "version": version,
        "sha256": sha256(path),
        "feature_schema": FEATURE_SCHEMA_VERSION,
        "libraries": _versions(),
        "metrics": train_metrics,
        "saved": dt.date.today().isoformat(),
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=2) + "\n")


def model_version(ex: Examples, seed: int) -> str:
    """Names the model by everything it was fitted on: features (which change with the
    rules), labels and documents; the same data and seed give the same name."""
    parts: list[Any] = [ex.features, ex.labels, sorted(ex.groups)]
    if len(set(ex.domains)) > 1:  # weighted by domain (``fit``)
        parts.append(sorted(zip(ex.groups, ex.domains, strict=True)))
    payload = json.dumps(parts, sort_keys=True, default=str)
    h = hashlib.sha256(payload.encode()).hexdigest()[:8]
    return f"hgb-isotonic-s{seed}-{h}"
