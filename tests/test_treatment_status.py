"""Treatment-naive statements become negated therapy findings that the rules read as
'no prior therapy'; conditional, negated and narrowed statements give nothing."""

from __future__ import annotations

import pytest

from prescreen.evaluation.scoring import is_scored
from prescreen.extraction.fields.treatment_status import load_rules
from prescreen.rules import load_trial
from prescreen.rules.engine import decide
from prescreen.rules.facts import build_facts

from .conftest import only

NOTE = """GU ONCOLOGY NEW PATIENT
Date: 03/15/2026

HPI: 58M with metastatic clear cell RCC (lung, nodes), biopsy 02/2026 CD70 3+.
{status}

A/P: ECOG 1. First-line options discussed: cabozantinib plus nivolumab versus
pembrolizumab plus axitinib. He asked about the CD70 CAR-T study.
"""


@pytest.mark.parametrize(
    ("status", "value"),
    [
        ("He is treatment-naive.", "anticancer therapy"),
        ("He has had no treatment for this cancer so far.", "anticancer therapy"),
        ("No prior systemic therapy, surgery or radiation.", "systemic therapy"),
        ("Chemo-naive.", "chemotherapy"),
    ],
)
def test_treatment_naive_statements(extract, status, value):
    found = [f for f in only(extract(NOTE.format(status=status)), "therapy")]
    naive = [f for f in found if f.attributes.get("treatment_naive")]
    assert [(f.value, f.assertion) for f in naive] == [(value, "negated")]
    # the planned agents stay plans
    agents = [f for f in found if f not in naive and f.value not in ("surgery", "radiotherapy")]
    assert {f.assertion for f in agents} == {"hypothetical"}
    assert not any(is_scored(f) for f in naive)  # gold lists agents, not this statement


@pytest.mark.parametrize(
    "status",
    [
        "If he is treatment-naive he would qualify for first-line trials.",
        "He is not treatment-naive: see outside records.",
        "No prior therapy with PD-1 inhibitors.",
        "No prior treatment for depression.",
    ],
)
def test_conditional_negated_or_narrowed_statements_give_nothing(extract, status):
    found = only(extract(NOTE.format(status=status)), "therapy")
    assert not [f for f in found if f.attributes.get("treatment_naive")]


def test_treatment_naive_patient_does_not_meet_prior_therapy(extract):
    findings = extract(NOTE.format(status="He is entirely treatment-naive."))
    facts = build_facts("pt", findings, as_of=findings[0].date)
    decision = decide(facts, load_trial("cd70-car-t").trial)
    (crit,) = [c for c in decision.criteria if c.id == "prior_therapy_failed"]
    assert crit.outcome.status == "not_met"


def test_rule_file_loads():
    rules = load_rules()
    assert {p.value for p in rules.phrases} == {
        "anticancer therapy",
        "systemic therapy",
        "chemotherapy",
    }
