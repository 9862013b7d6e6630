"""Psychiatric history, Gilbert's syndrome and liver involvement in realistic notes."""

from __future__ import annotations

import pytest

from prescreen.extraction.fields.history import load_rules
from prescreen.yamlfile import DataFileError

from .conftest import only

CLINIC_NOTE = """MEDICAL ONCOLOGY - FOLLOW UP
Date: 03/15/2026

HPI: 58F with metastatic ccRCC (lung, bone), progression on cabozantinib. Here to discuss
the CD70 CAR-T study. Fatigue mild, eating well.

PMH: HTN; hypothyroidism; {pmh}
{psych}
Meds: amlodipine 5 mg, levothyroxine 88 mcg.
Allergies: NKDA.

Vitals: BP 128/76, HR 72, SpO2 97% RA.

A/P: ECOG 1. Labs adequate. Refer to trial team.
"""


def _psych(findings):
    return {(f.value, f.assertion.value) for f in only(findings, "psychiatric_history")}


# ---------------------------------------------------------------- psychiatric history
@pytest.mark.parametrize(
    ("psych", "expected", "severe"),
    [
        ("Psych hx: none.", {("psychiatric disorder", "negated")}, False),
        ("Psych: none.", {("psychiatric disorder", "negated")}, False),
        ("Psychiatric: no history.", {("psychiatric disorder", "negated")}, False),
        ("No history of psychiatric illness.", {("psychiatric disorder", "negated")}, False),
        ("PSYCH HX:  Nothing significant.", {("psychiatric disorder", "negated")}, False),
        ("No personal psych history.", {("psychiatric disorder", "negated")}, False),
        ("Denies any psychiatric history.", {("psychiatric disorder", "negated")}, False),
        (
            "Psychiatric review of systems is negative for affective disorders.",
            {("psychiatric disorder", "negated")},
            False,
        ),
        ("Schizophrenia, stable on clozapine.", {("schizophrenia", "present")}, True),
        ("Schizoaffective disorder (2011).", {("schizoaffective disorder", "present")}, True),
        # the subtype is part of the name, not a second disorder
        (
            "Schizoaffective disorder, bipolar type; on clozapine.",
            {("schizoaffective disorder", "present")},
            True,
        ),
        ("Bipolar affective D/O, on lithium.", {("bipolar disorder", "present")}, True),
        (
            "Major depressive disorder with psychotic features, 2018.",
            {("major depressive disorder", "present")},
            True,
        ),
        (
            "Depression with two psychiatric admissions (2015, 2019).",
            {("depression", "present")},
            True,
        ),
        ("History of suicide attempt in 2010.", {("suicide attempt", "present")}, True),
        ("Psychosis after high-dose steroids in 2021.", {("psychosis", "present")}, True),
        ("PTSD from military service, sees VA counselor.", {("ptsd", "present")}, False),
        (
            "Psych: depression (moderate) dx 2019, on sertraline 100 mg, followed by PCP.",
            {("depression", "present")},
            False,
        ),
        (
            "Generalized anxiety, managed with escitalopram by her PCP.",
            {("anxiety", "present")},
            False,
        ),
        ("Denies depression.", {("depression", "negated")}, False),
        ("No history of mental illness.", {("psychiatric disorder", "negated")}, False),
        (
            "Psych: GAD, on escitalopram via her GP.",
            {("generalized anxiety disorder", "present")},
            False,
        ),
        # one condition named twice in a document takes its precise name
        (
            "Psych: GAD - anxiety is well controlled on buspirone.",
            {("generalized anxiety disorder", "present")},
            False,
        ),
        ("Panic attacks in 2019, on sertraline since.", {("panic attacks", "present")}, False),
        ("Anti-GAD antibodies were negative.", set(), False),
        (
            "Adjustment disorder after her divorce (2019), counselling only.",
            {("adjustment disorder", "present")},
            False,
        ),
        (
            "Low mood and depressive symptoms since the diagnosis, on citalopram.",
            {("depression", "present")},
            False,
        ),
    ],
)
def test_psychiatric_phrasings(extract, psych, expected, severe):
    findings = extract(CLINIC_NOTE.format(pmh="OA knees.", psych=psych))
    assert _psych(findings) == expected
    for f in only(findings, "psychiatric_history"):
        assert f.attributes["severe"] is severe
        assert f.unit is None


def test_written_severity_is_kept(extract):
    (f,) = only(extract("Psych: depression (moderate), outpatient only."), "psychiatric_history")
    assert f.attributes["severity"] == "moderate"
    assert f.attributes["severe"] is False


def test_psychiatric_history_is_present_not_historical(extract):
    """ANNOTATION.md: psychiatric history is a fact of the history (present)."""
    (f,) = only(extract("History of bipolar disorder, diagnosed 2005."), "psychiatric_history")
    assert (f.value, f.assertion) == ("bipolar disorder", "present")


def test_condition_with_negated_admission_stays_not_severe(extract):
    text = "Depression since 2019 on sertraline; never hospitalized, no suicide attempts."
    found = {(f.value, f.assertion.value, f.attributes["severe"]) for f in
             only(extract(text), "psychiatric_history")}  # fmt: skip
    assert found == {("depression", "present", False), ("suicide attempt", "negated", True)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Family hx: mother - schizophrenia (institutional care);\n"
            "brother - bipolar disorder; father - HTN.",
            {("schizophrenia", "family"), ("bipolar disorder", "family")},
        ),
        ("Mother with schizophrenia.", {("schizophrenia", "family")}),
        (
            "No psychiatric history. His late sister had schizophrenia.",
            {("psychiatric disorder", "negated"), ("schizophrenia", "family")},
        ),
        # a negated family statement says nothing about anyone
        ("No family history of bipolar disorder.", set()),
    ],
)
def test_family_mentions(extract, text, expected):
    assert _psych(extract(text)) == expected


def test_relative_at_the_visit_is_not_family_history(extract):
    """pseudo.companion: 'here w/ mom' does not make the patient's facts a relative's."""
    assert _psych(extract("Depression, stable on sertraline, here w/ mom today.")) == {
        ("depression", "present")
    }
    text = "17 y/o w/ metastatic osteosarcoma (lungs, liver), here w/ mother to review screening."
    (f,) = only(extract(text), "liver_involvement")
    assert f.assertion == "present"
    text = (
        "64F with metastatic cholangiocarcinoma (liver and nodal metastases), referred by her "
        "son after a second opinion elsewhere."
    )
    (f,) = only(extract(text), "liver_involvement")
    assert f.assertion == "present"
    text = (
        "Thank you for referring Mr K, whom I saw today with his daughter, with liver metastases."
    )
    (f,) = only(extract(text), "liver_involvement")
    assert f.assertion == "present"


@pytest.mark.parametrize(
    "text",
    [
        "This is an anxiety provoking time for the whole family.",
        "ECG: sinus tachycardia, likely anxiety.",
        "No ST depression or elevation.",
        "Hemostasis with bipolar cautery.",
        "Depression screening (PHQ-9) today: 2.",
        "No psychiatric admissions.",
    ],
)
def test_not_psychiatric_history(extract, text):
    assert not only(extract(text), "psychiatric_history")


def test_no_other_psychiatric_history_beside_a_condition_is_not_a_negation(extract):
    text = "psych: anxiety around scans, no psychiatric admissions, no other psychiatric history."
    assert _psych(extract(text)) == {("anxiety", "present")}


def test_conflicting_documents_keep_their_own_findings(extract):
    first = extract("Psych: no psychiatric history.", doc_id="a")
    second = extract("PMH: bipolar disorder, admitted 2019 (mania).", doc_id="b")
    assert _psych(first) == {("psychiatric disorder", "negated")}
    (f,) = only(second, "psychiatric_history")
    assert (f.doc_id, f.value, f.assertion, f.attributes["severe"]) == (
        "b", "bipolar disorder", "present", True,
    )  # fmt: skip


# ---------------------------------------------------------------- Gilbert's syndrome
@pytest.mark.parametrize(
    ("pmh", "assertion"),
    [
        ("known Gilbert's syndrome.", "present"),
        ("Gilbert syndrome (UGT1A1*28 homozygous).", "present"),
        ("Gilbert's disease, bilirubin runs 2-3.", "present"),
        ("T bili 2.6, indirect, c/w known Gilbert.", "present"),
        ("no Gilbert's.", "negated"),
        ("He has no history of Gilbert's syndrome.", "negated"),
    ],
)
def test_gilbert_phrasings(extract, pmh, assertion):
    (f,) = only(extract(CLINIC_NOTE.format(pmh=pmh, psych="")), "gilbert_syndrome")
    assert (f.value, f.assertion) == (True, assertion)


def test_not_gilbert_conjugated(extract):
    text = "Hyperbilirubinaemia is predominantly conjugated - NOT Gilbert's syndrome."
    (f,) = only(extract(text), "gilbert_syndrome")
    assert f.assertion == "negated"


@pytest.mark.parametrize(
    "text",
    ["Seen by Dr. Gilbert in clinic.", "He was in Gilbert two weeks ago for a fever."],
)
def test_gilbert_as_a_name_or_place(extract, text):
    assert not only(extract(text), "gilbert_syndrome")


# ---------------------------------------------------------------- liver involvement
CT_REPORT = """CT CHEST/ABDOMEN/PELVIS WITH CONTRAST
History: metastatic colon cancer, restaging.
Technique: 2.5 mm axial reconstructions.

FINDINGS:
Lungs: scattered bilateral nodules, largest 1.2 cm.
{liver}
Kidneys: normal.

IMPRESSION:
1. Progressive pulmonary metastases.
"""


@pytest.mark.parametrize(
    ("liver", "assertion"),
    [
        ("Liver: numerous hypervascular metastases, largest 5.2 cm.", "present"),
        ("Liver: two enhancing lesions, seg 7 3.1 cm.", "present"),
        ("Multiple hepatic metastases, enlarging.", "present"),
        ("No liver metastases.", "negated"),
        ("No evidence of hepatic metastases.", "negated"),
        ("Liver: no focal lesions.", "negated"),
        ("No evidence of hepatic or adrenal metastases.", "negated"),
        ("Possible liver metastasis in segment 7.", "possible"),
        ("Indeterminate hepatic lesion, 6 mm.", "possible"),
        ("Hepatic lesion, indeterminate, 6 mm.", "possible"),
        ("Resolved liver metastases after ablation.", "historical"),
        ("Liver metastases, now resolved.", "historical"),
    ],
)
def test_liver_phrasings_in_a_ct_report(extract, liver, assertion):
    (f,) = only(extract(CT_REPORT.format(liver=liver), kind="radiology"), "liver_involvement")
    assert (f.value, f.assertion) == (True, assertion)
    if assertion == "historical":  # ANNOTATION.md: past, resolved disease
        assert "resolved" in f.attributes["assertion_reason"]


@pytest.mark.parametrize(
    "text",
    [
        "Hx: metastatic osteosarcoma to the liver, restaging.",
        "Known mets to liver and bone.",
        "CT 8/6: PD lungs + liver (seg 7 3.1 cm).",
        "17F metastatic osteosarcoma (lungs, liver), on cabozantinib.",
        "Liver, segment 6, core biopsy: metastatic glioblastoma.",
        "Liver bx 3/6/26 confirmed metastatic ccRCC.",
        "New liver lesions consistent with metastasis.",
        "now w/ rapidly progressive hepatic disease.",
    ],
)
def test_liver_involvement_present(extract, text):
    found = only(extract(text), "liver_involvement")
    assert [(f.value, f.assertion) for f in found] == [(True, "present")]


@pytest.mark.parametrize(
    "text",
    [
        "Liver function tests within normal limits.",
        "Nodal mass encasing the common hepatic duct.",
        "1.1 cm hepatic cyst, unchanged.",
        "Liver edge palpable 3 cm below costal margin.",
        "Chronic liver disease (NASH).",
        "Liver: homogeneous enhancement.",
    ],
)
def test_not_liver_involvement(extract, text):
    assert not only(extract(text), "liver_involvement")


@pytest.mark.parametrize(
    ("text", "assertion"),
    [
        # pos.possibility / pos.could_have (new ConText rules)
        ("There is a possibility of liver metastases.", "possible"),
        ("She could have liver metastases.", "possible"),
        # pos.question_of
        ("At that point there was also a question of hepatic metastases.", "possible"),
    ],
)
def test_new_context_rules_for_liver(extract, text, assertion):
    (f,) = only(extract(text), "liver_involvement")
    assert f.assertion == assertion


def test_negation_before_a_hard_line_wrap(extract):
    text = "STUDIES\n  CT CAP 07/28/2026: pelvic mass 39 mm. No evidence\n  of hepatic metastases."
    (f,) = only(extract(text), "liver_involvement")
    assert f.assertion == "negated"


def test_liver_evidence_span_keeps_the_cue_outside(extract):
    (f,) = only(extract("Liver: no focal lesions."), "liver_involvement")
    assert f.text == "focal lesions"
    assert f.attributes["context_modifiers"] == ["neg.no"]


# ---------------------------------------------------------------- rule file
def test_rule_file_rejects_unknown_keys(tmp_path):
    src = (load_rules.__globals__["RESOURCES"] / "history.yaml").read_text()
    bad = tmp_path / "history.yaml"
    bad.write_text(src.replace("gilbert:\n", "gilbert:\n  colour: blue\n", 1))
    with pytest.raises(DataFileError, match=r"history\.yaml:\d+"):
        load_rules(bad)


def test_confidence_explains_itself(extract):
    (f,) = only(extract("Gilbert's disease, bilirubin runs 2-3."), "gilbert_syndrome")
    assert f.explanation[0].reason.startswith("rule prior (history.gilbert")
    assert sum(s.delta for s in f.explanation) == pytest.approx(f.confidence, abs=1e-3)


def test_not_severe_is_not_severe(extract):
    for text in (
        "The history of depression is not severe (outpatient treatment only).",
        "Depression not severe - not exclusionary.",
        "Psychiatric: panic disorder only, not a severe disorder.",
        "Mood: depression, not considered severe by her psychiatrist.",
    ):
        (f,) = [x for x in extract(text) if x.field == "psychiatric_history"]
        assert f.attributes["severe"] is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Psych: sleeps badly, chronic insomnia, zopiclone prn.", {("insomnia", "present")}),
        ("ROS: + fatigue, + insomnia on dexamethasone. PMH: HTN.", set()),
        ("Psych hx: major depression 2018, on citalopram.", {("major depression", "present")}),
    ],
)
def test_psych_insomnia_on_a_psych_line_and_major_depression_keeps_its_name(
    extract, text, expected
):
    assert _psych(extract(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "CT 3/3: new lung nodules. Liver clear. Small renal cyst.",
        "CT 3/3: pleural thickening, no liver disease.",
        "Restaging: nodal progression. No hepatic or peritoneal disease.",
    ],
)
def test_liver_clear_or_no_liver_disease_is_negated(extract, text):
    (f,) = only(extract(text), "liver_involvement")
    assert (f.value, f.assertion.value) == (True, "negated")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Liver US 01/26: no focal liver lesion, mild steatosis.", "negated"),
        ("No evidence of liver or other abdominal metastatic disease.", "negated"),
        ("Now recurrent/metastatic (liver), off therapy.", "present"),
        ("Transaminase rise likely from the liver metastases.", "present"),
        ("Bilirubin up, most likely reflecting the hepatic metastases.", "present"),
    ],
)
def test_liver_involvement_phrasings(extract, text, expected):
    (f,) = only(extract(text), "liver_involvement")
    assert f.assertion == expected


def test_no_new_liver_lesions_says_nothing_of_the_known_ones(extract):
    text = "Liver: two hepatic metastases, smaller. No new hepatic lesions."
    assert [f.assertion for f in only(extract(text), "liver_involvement")] == ["present"]


def test_a_benign_liver_finding_is_still_not_involvement(extract):
    assert not only(extract("Simple hepatic cyst 1.2 cm, unchanged."), "liver_involvement")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FHx: mother schizophrenia, brother bipolar.", {("bipolar disorder", "family")}),
        ("Hx of bipolar, stable on lithium.", {("bipolar disorder", "present")}),
        ("Past surgical history: bipolar hemiarthroplasty, left hip (2019).", set()),
        ("Hemostasis obtained with bipolar cautery.", set()),
    ],
)
def test_bipolar_without_disorder(extract, text, expected):
    found = {(v, a) for v, a in _psych(extract(text)) if v == "bipolar disorder"}
    assert found == expected


def test_a_question_mark_glued_to_liver_metastases_makes_them_a_question(extract):
    found = extract("Clinical indication: ALT rising - ?liver metastases.\n")
    (liver,) = [f for f in found if f.field == "liver_involvement"]
    assert liver.assertion.value == "possible"
    (plain,) = [f for f in extract("CT: liver metastases.\n") if f.field == "liver_involvement"]
    assert plain.assertion.value == "present"


def test_a_family_psychiatric_history_section_is_family(extract):
    text = (
        "Family psychiatric history: none known for depression, bipolar disorder, "
        "schizophrenia or suicide attempts in relatives.\n\nSocial history: retired teacher.\n"
    )
    found = [f for f in extract(text) if f.field == "psychiatric_history"]
    # the relatives' conditions are family; "none known" is not the patient's own history
    assert found and {f.assertion.value for f in found} == {"family"}


@pytest.mark.parametrize(
    "text",
    [
        "A schizoaffective disorder cannot be entirely ruled out.",
        "A borderline personality disorder may be present as well.",
        "A bipolar disorder diagnosis is a possibility.",
    ],
)
def test_an_open_question_about_a_psychiatric_diagnosis_is_possible(extract, text):
    found = [f for f in extract(text) if f.field == "psychiatric_history"]
    assert found and {f.assertion.value for f in found} == {"possible"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "PMH: GAD on sertraline. Mother with anxiety.",
            {("generalized anxiety disorder", "present"), ("anxiety", "family")},
        ),
        (
            "Psych: GAD. No anxiety related to upcoming scans.",
            {("generalized anxiety disorder", "present"), ("anxiety", "negated")},
        ),
        ("GAD 7: 15 today.", set()),
    ],
)
def test_precise_names_stay_with_the_patients_own_mentions(extract, text, expected):
    assert _psych(extract(text)) == expected
