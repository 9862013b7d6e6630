"""Patient-level agreement: decisions of the rules on extracted findings vs patients.jsonl.

Gold gives each patient's status and, per criterion, met | not_met | unknown, or several
accepted answers ("met|unknown") where the trial text is open.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prescreen.extraction.findings import Finding
from prescreen.rules import LoadedTrial
from prescreen.rules.routing import RoutingPolicy
from prescreen.screening import screen

from .corpus import AnnotatedSet


def _accepts(gold: str, got: str) -> bool:
    return got in gold.split("|")


def evaluate_patients(
    data: AnnotatedSet,
    findings: list[Finding],
    trial: LoadedTrial,
    pipeline_version: str,
    model_version: str = "heuristic",
) -> dict[str, Any]:
    if not data.patients:
        return {}
    docs = [d for d in data.documents if d.patient_id in data.patients]
    report = screen(
        docs, findings, trial, pipeline_version=pipeline_version, model_version=model_version
    )
    per_crit: dict[str, Counter[str]] = defaultdict(Counter)
    confusion: Counter[tuple[str, str]] = Counter()
    disagreements: list[dict[str, str]] = []
    status_ok = 0
    for p in report["patients"]:
        gold = data.patients[p["patient_id"]]
        ok = _accepts(gold["status"], p["status"])
        status_ok += ok
        confusion[(gold["status"], p["status"])] += 1
        got = {c["id"]: c["status"] for c in p["criteria"]}
        for cid, want in gold["criteria"].items():
            if cid not in got:
                continue
            hit = _accepts(want, got[cid])
            per_crit[cid]["agree" if hit else "disagree"] += 1
            if not hit:
                disagreements.append(
                    {
                        "patient_id": p["patient_id"],
                        "criterion": cid,
                        "gold": want,
                        "predicted": got[cid],
                    }
                )
    n = len(report["patients"])
    crit_total = sum(sum(c.values()) for c in per_crit.values())
    crit_agree = sum(c["agree"] for c in per_crit.values())
    return {
        "patients": n,
        "status_agreement": round(status_ok / n, 4) if n else 0.0,
        "criteria_agreement": round(crit_agree / crit_total, 4) if crit_total else 0.0,
        "criteria_n": crit_total,
        "per_criterion": {
            cid: {"n": sum(c.values()), "agreement": round(c["agree"] / sum(c.values()), 4)}
            for cid, c in sorted(per_crit.items())
        },
        "status_confusion": {f"{g}->{p}": v for (g, p), v in sorted(confusion.items())},
        "disagreements": disagreements,
        "versions": report["versions"],
    }


@dataclass(frozen=True)
class ExclusionChoice:
    """Where ``confident_not_met`` was set, and what it did on the patients it was chosen on."""

    threshold: float
    agreement: int  # patients whose status matched the gold
    unsafe: int  # patients made ineligible whose gold status is not ineligible
    patients: int


def choose_confident_not_met(
    sets: Sequence[tuple[AnnotatedSet, list[Finding]]],
    trial: LoadedTrial,
    policy: RoutingPolicy,
    grid: Sequence[float],
    *,
    pipeline_version: str = "",
    model_version: str = "",
) -> ExclusionChoice:
    """The confidence from which one not_met excludes a patient without a nurse.

    Every candidate of ``grid`` (none below ``policy.min_confident_not_met``) decides the
    set's patients; a candidate may not exclude more patients wrongly than the strictest
    one does (a wrong exclusion is the error a nurse must never be spared), and among the
    rest the one whose statuses agree with the gold most wins — ties go to the higher
    threshold, which sends more to a nurse.
    """
    cands = sorted({round(t, 4) for t in grid if t >= policy.min_confident_not_met})
    if not cands:
        raise ValueError("no candidate threshold at or above min_confident_not_met")
    results: list[ExclusionChoice] = []
    for t in cands:
        ok = unsafe = n = 0
        for data, findings in sets:
            report = screen(
                [d for d in data.documents if d.patient_id in data.patients],
                findings,
                trial,
                pipeline_version=pipeline_version,
                model_version=model_version,
                policy=policy.model_copy(update={"confident_not_met": t}),
            )
            for p in report["patients"]:
                gold = data.patients[p["patient_id"]]["status"]
                ok += _accepts(gold, p["status"])
                unsafe += p["status"] == "ineligible" and not _accepts(gold, "ineligible")
                n += 1
        results.append(ExclusionChoice(t, ok, unsafe, n))
    allowed = [r for r in results if r.unsafe <= results[-1].unsafe]
    return max(allowed, key=lambda r: (r.agreement, r.threshold))
