"""Choosing ``confident_not_met`` on annotated patients (what `prescreen train` does)."""

from __future__ import annotations

import pytest

from prescreen.evaluation.corpus import AnnotatedSet
from prescreen.evaluation.patients import choose_confident_not_met
from prescreen.extraction.findings import Document, Finding
from prescreen.rules import load_trial
from prescreen.rules.routing import RoutingPolicy
from tests.test_rules import AS_OF, ELIGIBLE, lab

TRIAL = load_trial("cd70-car-t")
POLICY = RoutingPolicy(finding_auto_accept=0.9, criterion_auto_accept=0.9)
GRID = [round(0.05 * i, 2) for i in range(1, 20)]


def _patient(pid: str, platelets: Finding | None = None) -> list[Finding]:
    """An otherwise eligible chart, optionally with another platelet count."""
    fs = [f for f in ELIGIBLE if platelets is None or f.field != "platelets"]
    fs += [platelets] if platelets else []
    return [
        f.model_copy(update={"id": f"{pid}-{i}", "patient_id": pid, "doc_id": f"{pid}-d"})
        for i, f in enumerate(fs)
    ]


def _set(gold: dict[str, str], findings: list[Finding]) -> AnnotatedSet:
    docs = [
        Document(doc_id=f"{pid}-d", patient_id=pid, kind="clinic_note", date=AS_OF, text="x")
        for pid in gold
    ]
    patients = {pid: {"patient_id": pid, "status": s, "criteria": {}} for pid, s in gold.items()}
    return AnnotatedSet("mini", docs, [], patients, {})


def test_lowest_safe_threshold_wins_ties_to_the_higher_one():
    # p1 truly fails on platelets, read at 0.7; p2 is eligible but a misread count gives a
    # not_met at 0.55 (excluding p2 would be the unsafe error); p3 is eligible
    findings = (
        _patient("p1", lab("platelets", 40, "10^9/L", conf=0.7))
        + _patient("p2", lab("platelets", 30, "10^9/L", conf=0.55))
        + _patient("p3")
    )
    gold = {"p1": "ineligible", "p2": "eligible", "p3": "eligible"}
    choice = choose_confident_not_met([(_set(gold, findings), findings)], TRIAL, POLICY, GRID)
    # 0.5 excludes p2 (unsafe); 0.6-0.7 exclude p1 only (p2 to review): 2/3 agree; from
    # 0.75 p1 goes to review too (1/3); ties between 0.6, 0.65, 0.7 go to 0.7
    assert choice.threshold == 0.7
    assert (choice.agreement, choice.unsafe, choice.patients) == (2, 0, 3)


def test_candidates_below_the_floor_are_never_taken():
    findings = _patient("p1", lab("platelets", 40, "10^9/L", conf=0.3))
    data = _set({"p1": "ineligible"}, findings)
    choice = choose_confident_not_met([(data, findings)], TRIAL, POLICY, GRID)
    assert choice.threshold >= POLICY.min_confident_not_met
    assert choice.agreement == 0  # the 0.3 exclusion goes to a nurse whatever the gold says
    with pytest.raises(ValueError, match="min_confident_not_met"):
        choose_confident_not_met([(data, findings)], TRIAL, POLICY, [0.1, 0.2])


def test_counts_add_up_over_several_sets():
    a = _patient("p1", lab("platelets", 40, "10^9/L", conf=0.9))
    b = _patient("p2")
    choice = choose_confident_not_met(
        [(_set({"p1": "ineligible"}, a), a), (_set({"p2": "eligible"}, b), b)],
        TRIAL,
        POLICY,
        GRID,
    )
    assert (choice.threshold, choice.agreement, choice.patients) == (0.9, 2, 2)
