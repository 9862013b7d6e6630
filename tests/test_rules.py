"""Eligibility rules: every criterion's boundary, exceptions, freshness, conflicts,
missing data, negation, derived values, confirmations and the patient status."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from prescreen.extraction.findings import Assertion, Finding
from prescreen.rules import load_trial
from prescreen.rules.engine import decide
from prescreen.rules.facts import Confirmation, build_facts
from prescreen.rules.routing import RoutingPolicy

AS_OF = dt.date(2026, 3, 15)
_ids = itertools.count()
TRIAL = load_trial("cd70-car-t").trial
# a fixed policy: the shipped one's thresholds move whenever the model is retrained
POLICY = RoutingPolicy(finding_auto_accept=0.9, criterion_auto_accept=0.9, confident_not_met=0.8)


def F(
    field: str,
    value: Any,
    *,
    unit: str | None = None,
    days_ago: int = 1,
    assertion: str = "present",
    conf: float = 0.95,
    doc: str = "d1",
    **attrs: Any,
) -> Finding:
    return Finding(
        id=f"f{next(_ids)}",
        doc_id=doc,
        patient_id="p",
        field=field,
        value=value,
        unit=unit,
        attributes=attrs,
        text=f"{field} {value}",
        start=0,
        end=1,
        assertion=Assertion(assertion),
        date=AS_OF - dt.timedelta(days=days_ago),
        date_source="document",
        confidence=conf,
        rule="test",
        pipeline_version="test",
    )


def lab(field: str, value: float, unit: str, **kw: Any) -> Finding:
    kw.setdefault("uln_source", "note")
    return F(field, value, unit=unit, **kw)


ELIGIBLE = [
    F("age", 58, unit="years"),
    F(
        "diagnosis",
        "clear cell renal cell carcinoma",
        doc="path",
        metastatic=True,
        confirmation="histologic",
    ),
    F("ihc", "3+", doc="path", marker="CD70"),
    F("therapy", "sunitinib", classes=["tki", "anti_angiogenic"], outcome="progression"),
    F("lesion", 32, unit="mm", doc="ct", lymph_node=False, modality="CT"),
    F("ct_slice_thickness", 5, unit="mm", doc="ct"),
    F("ecog", 1),
    F("life_expectancy", 26, unit="weeks"),
    F("psychiatric_history", "psychiatric disorder", assertion="negated"),
    lab("wbc", 4.8, "10^9/L", x_uln=0.5),
    lab("neutrophils", 2.9, "10^9/L", x_uln=0.4),
    lab("lymphocytes", 0.9, "10^9/L", x_uln=0.3),
    lab("platelets", 162, "10^9/L", x_uln=0.4),
    lab("hemoglobin", 106, "g/L", x_uln=0.7),
    F("lvef", 58, unit="%"),
    F("ecg", "normal", significant=False),
    lab("creatinine", 97.2, "umol/L", x_uln=0.92),
    lab("alt", 45, "U/L", x_uln=1.12),
    lab("ast", 40, "U/L", x_uln=1.0),
    lab("total_bilirubin", 15, "umol/L", x_uln=0.7),
    F("spo2", 96, unit="%", room_air=True),
]


def run(
    findings: list[Finding],
    confirmations: list[Confirmation] | None = None,
    kinds: dict[str, str] | None = None,
):
    facts = build_facts(
        "p",
        findings,
        as_of=AS_OF,
        confirmations=confirmations or [],
        document_kinds=kinds or {"path": "pathology", "ct": "radiology"},
    )
    return decide(facts, TRIAL, POLICY)


def with_(replace_field: str, *new: Finding) -> list[Finding]:
    return [f for f in ELIGIBLE if f.field != replace_field] + list(new)


def status(decision, cid: str) -> str:
    return next(r.outcome.status for r in decision.criteria if r.id == cid)


def test_complete_chart_is_eligible():
    d = run(ELIGIBLE)
    assert {r.id: r.outcome.status for r in d.criteria if r.outcome.status != "met"} == {}
    assert d.status == "eligible"
    assert [m.id for m in d.pending_manual] == [
        "venous_access",
        "contraception",
        "informed_consent",
    ]
    assert d.review_items == []


@pytest.mark.parametrize(
    ("field", "value", "unit", "cid", "expected"),
    [
        ("platelets", 50, "10^9/L", "platelets", "not_met"),
        ("platelets", 51, "10^9/L", "platelets", "met"),
        ("wbc", 2.0, "10^9/L", "wbc", "not_met"),
        ("wbc", 2.1, "10^9/L", "wbc", "met"),
        ("neutrophils", 0.8, "10^9/L", "neutrophils", "not_met"),
        ("neutrophils", 0.81, "10^9/L", "neutrophils", "met"),
        ("lymphocytes", 0.5, "10^9/L", "lymphocytes", "not_met"),
        ("lymphocytes", 0.6, "10^9/L", "lymphocytes", "met"),
        ("hemoglobin", 90, "g/L", "hemoglobin", "not_met"),
        ("hemoglobin", 91, "g/L", "hemoglobin", "met"),
    ],
)
def test_hematology_boundaries(field, value, unit, cid, expected):
    d = run(with_(field, lab(field, value, unit, x_uln=0.5)))
    assert status(d, cid) == expected
    if expected == "not_met":
        assert d.status == "ineligible"


@pytest.mark.parametrize(
    ("field", "value", "cid", "expected"),
    [
        ("age", 18, "age", "met"), ("age", 17, "age", "not_met"),
        ("lvef", 50, "lvef", "met"), ("lvef", 49, "lvef", "not_met"),
        ("life_expectancy", 12, "life_expectancy", "met"),
        ("life_expectancy", 11, "life_expectancy", "not_met"),
        ("ecog", 2, "ecog", "met"), ("ecog", 3, "ecog", "not_met"),
    ],
)  # fmt: skip
def test_numeric_boundaries(field, value, cid, expected):
    unit = {"age": "years", "lvef": "%", "life_expectancy": "weeks"}.get(field)
    assert status(run(with_(field, F(field, value, unit=unit))), cid) == expected


@pytest.mark.parametrize(
    ("x_uln", "liver", "expected"),
    [(3.0, False, "met"), (3.1, False, "not_met"), (4.0, False, "not_met"),
     (4.0, True, "met"), (5.0, True, "met"), (5.1, True, "not_met")],
)  # fmt: skip
def test_alt_with_and_without_liver_involvement(x_uln, liver, expected):
    findings = with_("alt", lab("alt", 40 * x_uln, "U/L", x_uln=x_uln))
    if liver:
        findings.append(F("liver_involvement", True))
    d = run(findings)
    assert status(d, "alt_ast") == expected
    reason = next(r.outcome.reason for r in d.criteria if r.id == "alt_ast")
    assert ("relaxed to 5×ULN" in reason) == liver


def test_negated_liver_metastases_do_not_relax():
    d = run(
        [
            *with_("alt", lab("alt", 160, "U/L", x_uln=4.0)),
            F("liver_involvement", True, assertion="negated"),
        ]
    )
    assert status(d, "alt_ast") == "not_met"


@pytest.mark.parametrize(
    ("x_uln", "extra", "expected"),
    [(2.0, None, "met"), (2.5, None, "not_met"), (2.5, "gilbert_syndrome", "met"),
     (2.5, "liver_involvement", "met"), (3.2, "gilbert_syndrome", "not_met")],
)  # fmt: skip
def test_bilirubin_relaxed_for_gilbert_or_liver(x_uln, extra, expected):
    findings = with_("total_bilirubin", lab("total_bilirubin", 20 * x_uln, "umol/L", x_uln=x_uln))
    if extra:
        findings.append(F(extra, True))
    assert status(run(findings), "bilirubin") == expected


def test_creatinine_boundary():
    assert (
        status(run(with_("creatinine", lab("creatinine", 180, "umol/L", x_uln=2.0))), "creatinine")
        == "met"
    )
    assert (
        status(run(with_("creatinine", lab("creatinine", 190, "umol/L", x_uln=2.1))), "creatinine")
        == "not_met"
    )


def test_not_met_on_a_default_uln_is_unknown_and_reviewed():
    d = run(with_("alt", F("alt", 160, unit="U/L", x_uln=3.56, uln_source="default")))
    r = next(r for r in d.criteria if r.id == "alt_ast")
    assert r.outcome.status == "unknown" and r.outcome.derived
    assert "derived" in r.outcome.reason
    assert d.status == "needs_review"
    assert d.review_items[0].criterion_id == "alt_ast"


def test_a_value_quoted_again_keeps_the_range_printed_with_it():
    """The lab printout gives bilirubin 53 with its range (2.58 x ULN); the next note quotes
    the same value with no range: the same measurement, not a default-ULN guess."""
    printed = lab("total_bilirubin", 53, "umol/L", x_uln=2.58, uln=1.2, days_ago=5)  # mg/dL
    quoted = F(
        "total_bilirubin", 53, unit="umol/L", days_ago=1, uln=21, x_uln=2.52,
        x_uln_conservative=2.52, uln_source="default",
    )  # fmt: skip
    d = run(with_("total_bilirubin", printed, quoted))
    r = next(r for r in d.criteria if r.id == "bilirubin")
    assert r.outcome.status == "not_met" and not r.outcome.derived
    quoted_now = build_facts("p", [printed, quoted], as_of=AS_OF).findings[1]
    assert quoted_now.attributes["x_uln"] == 2.58  # the printed ratio, not 53 / 1.2
    # a different value, or a range printed only after the quote, is not the same measurement
    other = F("total_bilirubin", 60, unit="umol/L", days_ago=1, x_uln=2.86, uln_source="default")
    later = lab("total_bilirubin", 53, "umol/L", x_uln=2.58, uln=20.5, days_ago=0)
    for findings in ([printed, other], [later, quoted]):
        facts = build_facts("p", findings, as_of=AS_OF)
        assert any(f.attributes["uln_source"] == "default" for f in facts.findings)


def test_met_on_a_default_uln_stands_with_lower_confidence():
    d = run(with_("alt", F("alt", 30, unit="U/L", x_uln=0.67, uln_source="default")))
    r = next(r for r in d.criteria if r.id == "alt_ast")
    assert r.outcome.status == "met" and r.outcome.confidence < 0.95


def test_unknown_unit_cannot_decide():
    d = run(
        with_("hemoglobin", F("hemoglobin", 7.5, unit=None, unit_candidates=["g/dL", "mmol/L"]))
    )
    assert status(d, "hemoglobin") == "unknown"


def test_stale_labs_are_unknown():
    d = run(with_("platelets", lab("platelets", 162, "10^9/L", days_ago=20)))
    r = next(r for r in d.criteria if r.id == "platelets")
    assert r.outcome.status == "unknown" and r.outcome.stale
    assert (
        status(run(with_("platelets", lab("platelets", 162, "10^9/L", days_ago=14))), "platelets")
        == "met"
    )


def test_latest_value_wins():
    d = run(
        with_(
            "platelets",
            lab("platelets", 38, "10^9/L", days_ago=10),
            lab("platelets", 162, "10^9/L", days_ago=2),
        )
    )
    assert status(d, "platelets") == "met"


def test_conflicting_values_on_one_date_are_unknown():
    d = run(with_("ecog", F("ecog", 1, doc="a"), F("ecog", 3, doc="b")))
    r = next(r for r in d.criteria if r.id == "ecog")
    assert r.outcome.status == "unknown" and r.outcome.conflict
    assert len(r.outcome.evidence) == 2
    assert d.status == "needs_review"


def test_agreeing_different_values_lower_confidence():
    d = run(with_("ecog", F("ecog", 0, doc="a"), F("ecog", 1, doc="b")))
    r = next(r for r in d.criteria if r.id == "ecog")
    assert r.outcome.status == "met" and r.outcome.confidence < 0.95


def test_historical_and_hypothetical_values_do_not_count():
    d = run(with_("ecog", F("ecog", 3, assertion="historical"), F("ecog", 1)))
    assert status(d, "ecog") == "met"


@pytest.mark.parametrize(
    ("kps", "expected"),
    [(80, "met"), (70, "met"), (60, "unknown"), (50, "unknown"), (40, "not_met"), (30, "not_met")],
)
def test_karnofsky_fallback(kps, expected):
    assert status(run(with_("ecog", F("karnofsky", kps, unit="%"))), "ecog") == expected


def test_ecog_preferred_over_karnofsky():
    assert status(run(with_("ecog", F("ecog", 1), F("karnofsky", 40, unit="%"))), "ecog") == "met"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3+", "met"),
        ("2+", "not_met"),
        ("negative", "not_met"),
        ("positive", "unknown"),
        (None, "unknown"),
    ],
)
def test_cd70(value, expected):
    assert (
        status(run(with_("ihc", F("ihc", value, doc="path", marker="CD70"))), "cd70_ihc_3plus")
        == expected
    )


def test_other_markers_do_not_count_for_cd70():
    assert status(run(with_("ihc", F("ihc", "3+", marker="HER2"))), "cd70_ihc_3plus") == "unknown"


def test_missing_cd70_is_unknown():
    d = run(with_("ihc"))
    assert status(d, "cd70_ihc_3plus") == "unknown"
    reason = next(r.outcome.reason for r in d.criteria if r.id == "cd70_ihc_3plus")
    assert reason == "no ihc result for marker CD70"  # readable, not a dict
    assert d.status == "needs_review"
    assert "cd70_ihc_3plus" in [i.criterion_id for i in d.review_items]


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([F("psychiatric_history", "schizophrenia", severe=True)], "not_met"),
        ([F("psychiatric_history", "depression", severe=False)], "met"),
        ([F("psychiatric_history", "psychiatric disorder", assertion="negated")], "met"),
        ([F("psychiatric_history", "schizophrenia", severe=True, assertion="family")], "unknown"),
        ([], "unknown"),
    ],
)
def test_psychiatric_history(findings, expected):
    assert (
        status(run(with_("psychiatric_history", *findings)), "no_severe_psychiatric_history")
        == expected
    )


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([F("therapy", "olaparib", classes=["parpi"], outcome="intolerance")], "met"),
        ([F("therapy", "carboplatin", classes=["chemotherapy"], outcome="progression")], "met"),
        ([F("therapy", "surgery", outcome="progression")], "met"),
        ([F("therapy", "pembrolizumab", classes=["immunotherapy"], outcome="progression")],
         "unknown"),
        ([F("therapy", "sunitinib", classes=["tki"], outcome="unknown")], "unknown"),
        ([F("therapy", "cabozantinib", classes=["tki"], outcome="progression",
            assertion="hypothetical")], "unknown"),
        ([F("therapy", "chemotherapy", assertion="negated")], "not_met"),
        # a treatment-naive statement, then a therapy the patient did receive
        ([F("therapy", "anticancer therapy", assertion="negated", treatment_naive=True),
          F("therapy", "sunitinib", classes=["tki"], outcome="unknown")], "unknown"),
    ],
)  # fmt: skip
def test_prior_therapy(findings, expected):
    assert status(run(with_("therapy", *findings)), "prior_therapy_failed") == expected


def _lesions(*findings: Finding) -> list[Finding]:
    return [f for f in ELIGIBLE if f.field not in ("lesion", "ct_slice_thickness")] + list(findings)


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([F("lesion", 10, doc="ct", lymph_node=False, modality="CT")], "met"),
        ([F("lesion", 9, doc="ct", lymph_node=False, modality="CT")], "not_met"),
        ([F("lesion", 22, doc="ct", lymph_node=True, short_axis_mm=15, modality="CT")], "met"),
        ([F("lesion", 22, doc="ct", lymph_node=True, short_axis_mm=14, modality="CT")], "not_met"),
        ([F("lesion", 30, doc="ct", lymph_node=False, modality="CT"),
          F("ct_slice_thickness", 7, doc="ct")], "not_met"),
        ([F("lesion", 30, doc="mri", lymph_node=False, modality="MRI")], "unknown"),
        ([F("lesion", 30, doc="ct", lymph_node=False, modality="CT", days_ago=40)], "unknown"),
        ([F("lesion", 30, doc="ct", lymph_node=False, modality="CT", assertion="historical")],
         "unknown"),
    ],
)  # fmt: skip
def test_measurable_lesion(findings, expected):
    assert status(run(_lesions(*findings)), "measurable_lesion") == expected


def test_missing_slice_thickness_is_met_with_lower_confidence():
    d = run(_lesions(F("lesion", 30, doc="ct", lymph_node=False, modality="CT")))
    r = next(r for r in d.criteria if r.id == "measurable_lesion")
    assert r.outcome.status == "met" and "not stated" in r.outcome.reason


@pytest.mark.parametrize(
    ("room_air", "value", "expected"),
    [(True, 92, "met"), (True, 91, "not_met"), (None, 95, "met"), (False, 95, "unknown")],
)
def test_spo2(room_air, value, expected):
    assert (
        status(run(with_("spo2", F("spo2", value, unit="%", room_air=room_air))), "spo2_room_air")
        == expected
    )


@pytest.mark.parametrize(
    ("value", "significant", "expected"),
    [("normal", False, "met"), ("abnormal", False, "met"), ("abnormal", True, "not_met")],
)
def test_ecg(value, significant, expected):
    assert status(run(with_("ecg", F("ecg", value, significant=significant))), "ecg") == expected


def test_diagnosis_needs_confirmation_and_advanced_disease():
    d = run(
        with_("diagnosis", F("diagnosis", "ccrcc", doc="note", metastatic=True)),
        kinds={"note": "clinic_note"},
    )
    assert status(d, "diagnosis_confirmed") == "unknown"
    d = run(
        with_("diagnosis", F("diagnosis", "ccrcc", doc="path", metastatic=True)),
        kinds={"path": "pathology"},
    )
    assert status(d, "diagnosis_confirmed") == "met"


def test_low_confidence_exclusion_goes_to_review_first():
    d = run(with_("platelets", lab("platelets", 40, "10^9/L", conf=0.5)))
    assert status(d, "platelets") == "not_met"
    assert d.status == "needs_review"
    assert d.review_items[0].criterion_id == "platelets"


def test_review_items_are_ordered_by_how_decisive_they_are():
    findings = with_("alt", F("alt", 160, unit="U/L", x_uln=3.6, uln_source="default"))
    findings = [f for f in findings if f.field != "life_expectancy"]
    d = run(findings)
    assert [i.criterion_id for i in d.review_items] == ["alt_ast", "life_expectancy"]


def test_confirmation_corrects_a_value_and_re_decides():
    plt = lab("platelets", 38, "10^9/L")
    d = run(with_("platelets", plt))
    assert d.status == "ineligible"
    fix = Confirmation(
        patient_id="p", action="correct", finding_id=plt.id, value=138, reviewer="rn.smith"
    )
    d2 = run(with_("platelets", plt), [fix])
    assert status(d2, "platelets") == "met" and d2.status == "eligible"


def test_confirmed_default_uln_value_can_exclude():
    alt = F("alt", 160, unit="U/L", x_uln=3.56, uln_source="default")
    ok = Confirmation(patient_id="p", action="confirm", finding_id=alt.id, reviewer="rn")
    assert status(run(with_("alt", alt), [ok]), "alt_ast") == "not_met"


def test_rejected_finding_is_ignored_and_added_value_used():
    bad = F("ecog", 3)
    d = run(
        with_("ecog", bad),
        [
            Confirmation(patient_id="p", action="reject", finding_id=bad.id, reviewer="rn"),
            Confirmation(
                patient_id="p", action="add", field="ecog", value=1, date=AS_OF, reviewer="rn"
            ),
        ],
    )
    assert status(d, "ecog") == "met"


def test_manual_criteria_are_pending_and_can_be_decided():
    d = run(
        ELIGIBLE,
        [
            Confirmation(
                patient_id="p",
                action="decide",
                criterion_id="informed_consent",
                status="met",
                reviewer="rn",
            )
        ],
    )
    assert [m.id for m in d.pending_manual] == ["venous_access", "contraception"]
    assert d.status == "eligible"


def test_every_shipped_trial_file_validates():
    from prescreen.rules import available_trials

    names = available_trials()
    assert {"cd70-car-t", "example-her2-adc"} <= set(names)
    for name in names:
        assert load_trial(name).trial.criteria


def test_second_trial_works_with_no_code_change():
    other = load_trial("example-her2-adc").trial
    findings = [
        F("age", 50, unit="years"),
        F("ihc", "2+", marker="HER2"),
        F("ecog", 1),
        lab("neutrophils", 2.0, "10^9/L"),
        F("lvef", 60, unit="%"),
        F("therapy", "trastuzumab deruxtecan", outcome="progression"),
    ]
    d = decide(build_facts("p", findings, as_of=AS_OF), other, POLICY)
    by_id = {r.id: r.outcome.status for r in d.criteria}
    assert by_id["her2_low"] == "met"
    assert by_id["no_prior_topoisomerase_adc"] == "not_met"  # exclusion condition present
    assert d.status == "ineligible"
    findings[-1] = F("therapy", "paclitaxel", outcome="progression")
    d = decide(build_facts("p", findings, as_of=AS_OF), other, POLICY)
    assert {r.id: r.outcome.status for r in d.criteria}["no_prior_topoisomerase_adc"] == "met"
    assert d.status == "eligible"


@pytest.mark.parametrize(
    ("yaml_text", "line", "problem"),
    [
        (
            "id: x\ntitle: t\nversion: '1'\nsource: s\ncriteria:\n  - id: a\n    text: t\n"
            "    check: {kind: value, field: age, op: '=>', value: 18}\n",
            8,
            "op",
        ),
        (
            "id: x\ntitle: t\nversion: '1'\nsource: s\ncriteria:\n  - id: a\n    text: t\n"
            "    colour: red\n    manual: true\n",
            8,
            "colour",
        ),
        (
            "id: x\ntitle: t\nversion: '1'\nsource: s\ncriteria:\n  - id: a\n    text: t\n",
            6,
            "either a 'check' or 'manual",
        ),
    ],
)
def test_invalid_trial_files_are_rejected_with_file_and_line(tmp_path, yaml_text, line, problem):
    from prescreen.rules import DataFileError

    p = tmp_path / "bad.yaml"
    p.write_text(yaml_text)
    with pytest.raises(DataFileError) as exc:
        load_trial(p)
    assert exc.value.path == str(p)
    assert exc.value.line == line
    assert problem in str(exc.value)


def test_unscored_statement_does_not_contradict_a_score():
    d = run(with_("ihc", F("ihc", "3+", marker="CD70"), F("ihc", None, marker="CD70")))
    assert status(d, "cd70_ihc_3plus") == "met"
    d = run(with_("ihc", F("ihc", "3+", marker="CD70"), F("ihc", "2+", marker="CD70")))
    assert status(d, "cd70_ihc_3plus") == "unknown"


def test_unitless_value_does_not_conflict_with_a_value_that_has_its_unit():
    d = run(
        with_(
            "hemoglobin",
            lab("hemoglobin", 102, "g/L"),
            F("hemoglobin", 10.2, unit=None, unit_candidates=["g/dL", "mmol/L"]),
        )
    )
    assert status(d, "hemoglobin") == "met"


@pytest.mark.parametrize(
    ("value", "bound", "expected"),
    [(26, ">", "met"), (13, ">", "met"), (8, ">", "unknown"), (13, "<", "unknown"),
     (8, "<", "not_met"), (12, "<", "not_met"), (13, None, "met")],
)  # fmt: skip
def test_life_expectancy_with_a_written_bound(value, bound, expected):
    attrs = {"comparator": bound} if bound else {}
    f = F("life_expectancy", value, unit="weeks", **attrs)
    assert status(run(with_("life_expectancy", f)), "life_expectancy") == expected


def test_recurrent_disease_counts_as_advanced():
    f = F(
        "diagnosis",
        "cervical squamous cell carcinoma",
        doc="path",
        recurrent=True,
        confirmation="histologic",
    )
    assert status(run(with_("diagnosis", f)), "diagnosis_confirmed") == "met"


def test_exclusion_stands_when_one_source_printed_its_range():
    printed = lab("creatinine", 256.4, "umol/L", x_uln=2.23)
    assumed = F(
        "creatinine",
        256.4,
        unit="umol/L",
        x_uln=2.79,
        x_uln_conservative=2.79,
        uln_source="default",
        doc="note",
    )
    assert status(run(with_("creatinine", printed, assumed)), "creatinine") == "not_met"


def test_routing_sends_uncertain_met_criteria_to_review():
    strict = RoutingPolicy(finding_auto_accept=0.99, criterion_auto_accept=0.99)
    facts = build_facts(
        "p", ELIGIBLE, as_of=AS_OF, document_kinds={"path": "pathology", "ct": "radiology"}
    )
    d = decide(facts, TRIAL, strict)
    assert d.status == "eligible"  # the status is the rules'; routing adds what to confirm
    assert d.review_items and all(i.priority == 6 for i in d.review_items)


def test_a_unitless_quote_of_an_earlier_printed_value_is_that_measurement():
    """'hgb was 8.7' in a later note, no unit, no date: the 8.7 g/dL printed 7 weeks before
    (now stale), not a new value with a guessed unit; the current value decides."""
    printed = lab("hemoglobin", 87, "g/L", days_ago=50, original_value=8.7, original_unit="g/dL")
    quote = F(
        "hemoglobin", 87, unit="g/L", days_ago=0, original_value=8.7, unit_inferred="g/dL",
        unit_inference="document_system", unit_candidates=["g/dL", "mmol/L"], uln_source="default",
    )  # fmt: skip
    current = lab("hemoglobin", 102, "g/L", days_ago=2, original_value=10.2, x_uln=0.6)
    facts = build_facts("p", [printed, quote, current], as_of=AS_OF)
    moved = next(f for f in facts.findings if f.attributes.get("restates_finding"))
    assert moved.date == printed.date and "unit_inferred" not in moved.attributes
    assert status(run(with_("hemoglobin", printed, quote, current)), "hemoglobin") == "met"


def test_no_measurable_lesion_rests_on_the_lesions_closest_to_the_limit():
    """'None reaches RECIST size' is as sure as the sizes that come closest to the limit; a
    doubtful 3 mm focus elsewhere does not make it doubtful."""
    small = [
        F("lesion", 8, unit="mm", doc="ct", lymph_node=False, modality="CT", conf=0.95),
        F("lesion", 11, unit="mm", doc="ct", lymph_node=True, short_axis_mm=9, modality="CT",
          conf=0.93),
        F("lesion", 3, unit="mm", doc="ct", lymph_node=False, modality="CT", conf=0.55),
    ]  # fmt: skip
    d = run(with_("lesion", *small))
    r = next(r for r in d.criteria if r.id == "measurable_lesion")
    assert r.outcome.status == "not_met" and r.outcome.confidence >= 0.9
    assert d.status == "ineligible"
    # a doubtful reading near the limit keeps the exclusion doubtful
    near = [*small[:2], F("lesion", 9, unit="mm", doc="ct", lymph_node=False, modality="CT",
                          conf=0.55)]  # fmt: skip
    r = next(r for r in run(with_("lesion", *near)).criteria if r.id == "measurable_lesion")
    assert r.outcome.confidence < 0.8


def test_a_bound_the_exact_value_satisfies_does_not_make_a_conflict():
    """'ANC 0.6' in the table and 'Neutrophils <1.0 - telephoned' in the comments of the same
    report: the exact value decides."""
    both = with_(
        "neutrophils",
        lab("neutrophils", 0.6, "10^9/L", x_uln=0.1),
        lab("neutrophils", 1.0, "10^9/L", comparator="<"),
    )
    assert status(run(both), "neutrophils") == "not_met"


def test_a_bound_the_exact_value_breaks_is_still_a_conflict():
    both = with_(
        "neutrophils",
        lab("neutrophils", 1.2, "10^9/L", x_uln=0.2),
        lab("neutrophils", 1.0, "10^9/L", comparator="<"),
    )
    d = run(both)
    assert status(d, "neutrophils") == "unknown"
    (r,) = [r for r in d.criteria if r.id == "neutrophils"]
    assert r.outcome.conflict
