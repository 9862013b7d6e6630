"""Score findings against gold at the level of distinct facts.

Predictions are de-duplicated per document (same field, assertion and value → one
fact, keeping the most confident). A fact matches one gold line per distinct mention: two
gold facts of one document may share a value (an 11 mm node and an 11 mm nodule, one agent
given in two courses with different outcomes), and each needs its own mention whose
attributes agree. A prediction matches a gold line when doc_id, field,
assertion and value agree — numbers within 2%, free-text values when most of the
gold's words appear in the prediction (function words left out, an organ's adjective read as
its noun: "squamous cell carcinoma of the cervix" = "cervical squamous cell carcinoma") —
and every attribute the gold lists agrees.
Optional gold lines are never counted as missed, and a prediction matching one is not a
false alarm. Misses and false alarms are reported by ids and offsets only (no values).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from prescreen.extraction.findings import Finding

from .corpus import GoldFact

FREE_TEXT_FIELDS = {"therapy", "diagnosis", "psychiatric_history"}
REL_TOL = 0.02
IHC_SCORES = {"0", "1+", "2+", "3+"}


def is_scored(f: Finding) -> bool:
    """Predictions the gold conventions do not list are left out of the score
    (ANNOTATION.md): unscored IHC results ("positive", intensity only) and surgery /
    radiotherapy as therapy values, and treatment-naive statements (gold lists agents)."""
    if f.field == "ihc":
        return f.value in IHC_SCORES
    if f.field == "therapy":
        return f.value not in ("surgery", "radiotherapy") and not f.attributes.get(
            "treatment_naive"
        )
    return True


@dataclass
class PredFact:
    """One distinct predicted fact (several findings may share it)."""

    doc_id: str
    field: str
    value: Any
    assertion: str
    confidence: float
    findings: list[Finding]

    @property
    def attributes(self) -> list[dict[str, Any]]:
        return [f.attributes for f in self.findings]


# Free-text values name the same thing in different words: "squamous cell carcinoma of the
# cervix" and "cervical squamous cell carcinoma". Function words do not count, and an organ's
# adjective or British spelling counts as its noun.
_FUNCTION_WORDS = {"of", "the", "a", "an", "and", "with", "in", "to", "at", "on", "for"}
_SAME_WORD = {
    "cervical": "cervix", "ovarian": "ovary", "hepatic": "liver", "renal": "kidney",
    "pulmonary": "lung", "gastric": "stomach", "colonic": "colon", "rectal": "rectum",
    "pancreatic": "pancreas", "thymic": "thymus", "esophageal": "esophagus",
    "oesophageal": "esophagus", "oesophagus": "esophagus", "prostatic": "prostate",
    "endometrial": "endometrium", "uterine": "uterus", "laryngeal": "larynx",
    "vesical": "bladder", "tumour": "tumor", "tumours": "tumors",
}  # fmt: skip


def _words(s: str) -> set[str]:
    return {
        _SAME_WORD.get(w, w)
        for w in re.split(r"[^a-z0-9+]+", s.lower())
        if w and w not in _FUNCTION_WORDS
    }


def values_agree(field_name: str, pred: Any, gold: Any) -> bool:
    if isinstance(gold, bool) or isinstance(pred, bool):
        return pred == gold
    if isinstance(gold, int | float) and isinstance(pred, int | float):
        if gold == 0:
            return abs(pred) <= 0.01
        return abs(pred - gold) <= REL_TOL * abs(gold)
    if isinstance(gold, str) and isinstance(pred, str):
        if field_name in FREE_TEXT_FIELDS:
            g, p = _words(gold), _words(pred)
            return bool(g) and len(g & p) / len(g) > 0.5
        return gold.strip().lower() == pred.strip().lower()
    if isinstance(gold, str) and isinstance(pred, int | float):
        try:
            return values_agree(field_name, pred, float(gold))
        except ValueError:
            return False
    return pred == gold


def attribute_agrees(pred: Any, gold: Any) -> bool:
    if isinstance(gold, list):
        return isinstance(pred, list) and {str(x).lower() for x in gold} == {
            str(x).lower() for x in pred
        }
    if isinstance(gold, bool) or isinstance(pred, bool):
        return pred == gold
    if isinstance(gold, int | float) and isinstance(pred, int | float):
        return math.isclose(pred, gold, rel_tol=REL_TOL, abs_tol=0.011)
    if isinstance(gold, str) and isinstance(pred, str):
        return gold.strip().lower() == pred.strip().lower()
    return pred == gold


def _agrees(attributes: dict[str, Any], gold: GoldFact) -> bool:
    """One finding's attributes hold every attribute the gold line lists."""
    return all(k in attributes and attribute_agrees(attributes[k], v)
               for k, v in gold.attributes.items())  # fmt: skip


def _attrs_agree(pred: PredFact, gold: GoldFact) -> bool:
    if not gold.attributes:
        return True
    return any(_agrees(a, gold) for a in pred.attributes)


def _value_key(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, str):
        return value.strip().lower()
    return value


def dedupe(findings: Iterable[Finding]) -> list[PredFact]:
    groups: dict[tuple[Any, ...], PredFact] = {}
    for f in findings:
        key = (f.doc_id, f.field, f.assertion.value, _value_key(f.value))
        g = groups.get(key)
        if g is None:
            groups[key] = PredFact(f.doc_id, f.field, f.value, f.assertion.value, f.confidence, [f])
        else:
            g.findings.append(f)
            g.confidence = max(g.confidence, f.confidence)
    return list(groups.values())


@dataclass
class FieldScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    n_gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "n": self.n_gold,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class ScoreResult:
    per_field: dict[str, FieldScore]
    overall: FieldScore
    assertion_correct: int
    assertion_total: int
    labelled: list[tuple[float, bool]]  # (confidence, correct) per distinct predicted fact
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_alarms: list[dict[str, Any]] = field(default_factory=list)
    correct_finding_ids: set[str] = field(default_factory=set)  # findings of matched facts

    @property
    def assertion_accuracy(self) -> float:
        return self.assertion_correct / self.assertion_total if self.assertion_total else 0.0


def _free_mention(p: PredFact, g: GoldFact, used: set[tuple[int, int]]) -> tuple[int, int] | None:
    """A mention (span) of the predicted fact, not yet matched to another gold line, whose
    attributes agree with this gold line. Gold has one line per distinct fact, and two facts
    of one document may share a value (an 11 mm node and an 11 mm nodule; one agent given in
    two courses with different outcomes): each is matched by its own mention."""
    for f in p.findings:
        span = (f.start, f.end)
        if span in used:
            continue
        if _agrees(f.attributes, g):
            return span
    return None


def score(findings: Iterable[Finding], gold: Iterable[GoldFact]) -> ScoreResult:
    preds = dedupe(f for f in findings if is_scored(f))
    gold = list(gold)
    by_key: dict[tuple[str, str], list[PredFact]] = defaultdict(list)
    for p in preds:
        by_key[(p.doc_id, p.field)].append(p)
    gold_by_key: dict[tuple[str, str], list[GoldFact]] = defaultdict(list)
    for g in gold:
        gold_by_key[(g.doc_id, g.field)].append(g)

    per_field: dict[str, FieldScore] = defaultdict(FieldScore)
    matched: set[int] = set()
    used: dict[int, set[tuple[int, int]]] = {}  # the mentions (spans) of a fact already matched
    neutral: set[int] = set()
    misses: list[dict[str, Any]] = []
    a_correct = a_total = 0

    for key in set(by_key) | set(gold_by_key):
        cands = by_key.get(key, [])
        golds = sorted(gold_by_key.get(key, []), key=lambda g: g.optional)
        for g in golds:
            fs = per_field[g.field]
            if not g.optional:
                fs.n_gold += 1
            hits = [
                p
                for p in cands
                if p.assertion == g.assertion
                and values_agree(g.field, p.value, g.value)
                and _free_mention(p, g, used.get(id(p), set())) is not None
            ]
            if hits:
                best = max(hits, key=lambda p: (id(p) not in matched, p.confidence))
                matched.add(id(best))
                mention = _free_mention(best, g, used.get(id(best), set()))
                used.setdefault(id(best), set()).add(mention)  # type: ignore[arg-type]
                if not g.optional:
                    fs.tp += 1
            elif not g.optional:
                fs.fn += 1
                misses.append(
                    {
                        "doc_id": g.doc_id,
                        "field": g.field,
                        "gold_line": g.index,
                        "assertion": g.assertion,
                    }
                )
            # assertion accuracy: the fact was found, whatever its assertion
            if not g.optional:
                found = [
                    p
                    for p in cands
                    if values_agree(g.field, p.value, g.value) and _attrs_agree(p, g)
                ]
                if found:
                    a_total += 1
                    a_correct += any(p.assertion == g.assertion for p in found)
        # unmatched predictions that agree with an optional gold line are neutral
        for p in cands:
            if id(p) in matched:
                continue
            if any(
                g.optional
                and p.assertion == g.assertion
                and values_agree(g.field, p.value, g.value)
                for g in golds
            ):
                neutral.add(id(p))

    false_alarms = []
    labelled: list[tuple[float, bool]] = []
    correct_ids: set[str] = set()
    for p in preds:
        ok = id(p) in matched or id(p) in neutral
        labelled.append((p.confidence, ok))
        if ok:
            correct_ids.update(f.id for f in p.findings)
        if not ok:
            per_field[p.field].fp += 1
            f = p.findings[0]
            false_alarms.append(
                {
                    "doc_id": p.doc_id,
                    "field": p.field,
                    "finding_id": f.id,
                    "start": f.start,
                    "end": f.end,
                    "assertion": p.assertion,
                }
            )

    overall = FieldScore()
    for fs in per_field.values():
        overall.tp += fs.tp
        overall.fp += fs.fp
        overall.fn += fs.fn
        overall.n_gold += fs.n_gold
    return ScoreResult(
        per_field=dict(sorted(per_field.items())),
        overall=overall,
        assertion_correct=a_correct,
        assertion_total=a_total,
        labelled=labelled,
        misses=sorted(misses, key=lambda m: (m["doc_id"], m["gold_line"])),
        false_alarms=sorted(false_alarms, key=lambda m: (m["doc_id"], m["start"])),
        correct_finding_ids=correct_ids,
    )


def gold_agreement(reference: Iterable[GoldFact], other: Iterable[GoldFact]) -> ScoreResult:
    """Inter-annotator agreement: score one annotator's lines against another's."""
    from prescreen.extraction.findings import Assertion

    preds = []
    for i, g in enumerate(other):
        preds.append(
            Finding(
                id=f"ann2-{i}",
                doc_id=g.doc_id,
                patient_id=g.doc_id,
                field=g.field,
                value=g.value,
                attributes=g.attributes,
                text="",
                start=0,
                end=0,
                assertion=Assertion(g.assertion),
                confidence=1.0,
                rule="annotator",
                pipeline_version="-",
            )
        )
    return score(preds, reference)
