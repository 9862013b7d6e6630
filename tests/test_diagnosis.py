"""Primary tumour diagnosis: normalised type, one value per tumour, stage, confirmation."""

from __future__ import annotations

import pytest

from prescreen.extraction.fields.diagnosis import load_rules, type_words
from prescreen.yamlfile import DataFileError

from .conftest import only

CLINIC_NOTE = """ONCOLOGY CLINIC NOTE
Date: 03/15/2026

ID: {dx}

HPI: Progression on second-line therapy. Here to discuss the CD70 CAR-T study.
PMH: HTN, hypothyroidism.
Meds: amlodipine.

A/P: ECOG 1. Refer to trial team.
"""


def _dx(findings):
    return {(f.value, f.assertion.value) for f in only(findings, "diagnosis")}


@pytest.mark.parametrize(
    ("dx", "value"),
    [
        ("62F with metastatic ccRCC on cabozantinib.", "clear cell renal cell carcinoma"),
        ("43M, papillary RCC (pT2a).", "papillary renal cell carcinoma"),
        ("47F, recurrent HGSOC, platinum resistant.", "high-grade serous ovarian carcinoma"),
        ("66M, PDAC with liver metastases.", "pancreatic ductal adenocarcinoma"),
        ("59M, stage IV NSCLC.", "non-small cell lung cancer"),
        ("44F, metastatic TNBC.", "triple-negative breast cancer"),
        ("35M, HCC, BCLC C.", "hepatocellular carcinoma"),
        ("40F, recurrent GBM.", "glioblastoma"),
        ("33M, recurrent metastatic NPC.", "nasopharyngeal carcinoma"),
        ("58F, follicular thyroid cancer, lung metastases.", "follicular thyroid carcinoma"),
        ("61M, Hurthle cell carcinoma, RAI-refractory.", "hurthle cell carcinoma"),
        ("72M, cisplatin-refractory HNSCC.", "head and neck squamous cell carcinoma"),
        ("81M, metastatic adenocarcinoma of the right lung.", "lung adenocarcinoma"),
        ("53F, metastatic cervical SCC.", "cervical squamous cell carcinoma"),
        ("64F, met lung adeno, KRAS G12V.", "lung adenocarcinoma"),
        ("71F, squamous cell carcinoma of the skin, scalp.", "cutaneous squamous cell carcinoma"),
        ("69M, follicular non-Hodgkin's lymphoma.", "follicular lymphoma"),
        ("39M, epithelioid MPM.", "malignant pleural mesothelioma"),
        ("73M, metastatic thymic ca.", "thymic carcinoma"),
        ("25M, relapsed osteosarcoma of the L distal femur.", "osteosarcoma"),
        # mucosal melanomas keep their site; "glossal" is the tongue
        ("58F, recurrent vulvar melanoma, biopsy-proven.", "vulvar melanoma"),
        ("61M, metastatic glossal carcinoma.", "oral carcinoma"),
        ("70M, adenocarcinoma of the duodenum, unresectable.", "duodenal adenocarcinoma"),
    ],
)
def test_types_and_abbreviations_are_written_out(extract, dx, value):
    found = only(extract(CLINIC_NOTE.format(dx=dx)), "diagnosis")
    assert {f.value for f in found} == {value}
    assert {f.assertion for f in found} == {"present"}


def test_one_value_per_tumour_in_a_document(extract):
    text = (
        "Hx: L clear cell RCC s/p nephrectomy 2020.\n"
        "Restaging CT: progressive metastatic RCC, new hepatic mets.\n"
        "A/P: metastatic renal cell carcinoma, CD70 3+."
    )
    found = only(extract(text), "diagnosis")
    assert {f.value for f in found} == {"clear cell renal cell carcinoma"}
    assert {f.attributes.get("written_as") for f in found} == {
        None, "renal cell carcinoma",
    }  # fmt: skip


def test_subtype_and_histology_of_one_breast_tumour_are_one_value(extract):
    text = "44F metastatic TNBC.\nOnc hx: 06/2024 L breast IDC, cT2N1, triple negative."
    assert {f.value for f in only(extract(text), "diagnosis")} == {"triple-negative breast cancer"}


def test_type_split_by_a_line_wrap(extract):
    text = "History: unresectable epithelioid malignant pleural\nmesothelioma, progressing."
    (f,) = only(extract(text), "diagnosis")
    assert f.value == "malignant pleural mesothelioma"
    assert f.text == "malignant pleural\nmesothelioma"


PATHOLOGY = """SURGICAL PATHOLOGY REPORT
Accession: S26-01904
Specimen: Liver, right lobe lesion, US-guided core biopsy x3

Microscopic: Nests of tumor cells with clear cytoplasm. PAX8 and CA9 positive.

FINAL DIAGNOSIS:
Liver, right lobe, core biopsy:
- METASTATIC CLEAR CELL RENAL CELL CARCINOMA, ISUP grade 3.
- CD70 IHC 3+.
"""


def test_pathology_final_diagnosis_is_histologic_confirmation(extract):
    (f,) = only(extract(PATHOLOGY, kind="pathology"), "diagnosis")
    assert f.value == "clear cell renal cell carcinoma"
    assert f.attributes["confirmation"] == "histologic"
    assert f.attributes["metastatic"] is True
    assert f.attributes["advanced"] is True
    assert f.assertion == "present"


@pytest.mark.parametrize(
    ("text", "confirmation"),
    [
        ("45M with biopsy-proven metastatic osteosarcoma.", "histologic"),
        ("Histologically confirmed glioblastoma, IDH-wildtype.", "histologic"),
        ("Liver bx 9/26: metastatic GBM.", "histologic"),
        ("Pleural fluid cytology positive for metastatic NSCLC.", "cytologic"),
        ("FNA of the neck node: nasopharyngeal carcinoma.", "cytologic"),
    ],
)
def test_confirmation(extract, text, confirmation):
    (f,) = only(extract(text), "diagnosis")
    assert f.attributes["confirmation"] == confirmation


def test_clinic_mention_without_confirmation_has_none(extract):
    (f,) = only(extract("62F metastatic ccRCC, here for follow-up."), "diagnosis")
    assert "confirmation" not in f.attributes


@pytest.mark.parametrize(
    ("text", "stage", "metastatic"),
    [
        ("Stage IIIC HGSOC, optimally debulked.", "IIIC", None),
        ("Stage IVB cervical SCC.", "IVB", True),
        ("Clear cell RCC, pT3a N1, Fuhrman 3.", "pT3a N1", None),
        ("NPC, T3N2M0 (stage III) at diagnosis.", "III", None),
    ],
)
def test_stage(extract, text, stage, metastatic):
    (f,) = only(extract(text), "diagnosis")
    assert f.attributes["stage"] == stage
    assert f.attributes.get("metastatic") is metastatic


def test_metastatic_stated_elsewhere_in_the_document(extract):
    text = "Osteosarcoma of the L femur, MAP chemotherapy 2024.\nCT: new lung metastases, 1.6 cm."
    (f,) = only(extract(text), "diagnosis")
    assert f.attributes["metastatic"] is True
    assert f.attributes["metastatic_evidence"] == "document"


@pytest.mark.parametrize(
    "text",
    [
        "Stage II osteosarcoma of the L femur. CT chest: no lung metastases.",
        "Biopsy-proven mesothelioma. The metastatic workup was negative.",
        "Osteosarcoma of the L femur; ? metastasis in the lung, to be biopsied.",
    ],
)
def test_metastatic_not_taken_from_a_negation_or_question(extract, text):
    (f,) = only(extract(text), "diagnosis")
    assert not f.attributes.get("metastatic")


def test_stage_of_another_condition_is_not_taken(extract):
    text = "PMH: CKD stage 3a; basal cell carcinoma of the nose excised 2012, no recurrence."
    (f,) = only(extract(text), "diagnosis")
    assert (f.value, f.assertion) == ("basal cell carcinoma", "historical")
    assert "stage" not in f.attributes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # past, resolved disease (ANNOTATION.md): historical
        (
            "PMH: hx basal cell carcinoma R shoulder, excised 2012, no recurrence.",
            {("basal cell carcinoma", "historical")},
        ),
        (
            "PMH: CKD; basal cell carcinoma excised 2012 (cured); depression.",
            {("basal cell carcinoma", "historical")},
        ),
        # a current cancer resected in the past is not resolved
        (
            "Glioblastoma, IDH-wildtype, resected 2023, now recurrent.",
            {("glioblastoma", "present")},
        ),
        (
            "Intraperitoneal mesothelioma, partial remission on CT.",
            {("mesothelioma", "present")},
        ),
        # uncertainty, negation
        (
            "Impression: 8.4 cm renal mass, suspicious for renal cell carcinoma.",
            {("renal cell carcinoma", "possible")},
        ),
        (
            "Pancreas, EUS-FNB: no tumour seen. Negative for pancreatic ductal adenocarcinoma.",
            {("pancreatic ductal adenocarcinoma", "negated")},
        ),
        ("The core biopsy is negative for malignancy.", {("malignancy", "negated")}),
        ("Left base core: suspicious for carcinoma.", {("carcinoma", "possible")}),
        ("Resection margins negative for malignancy.", set()),
        # family
        (
            "FH: mother breast ca 52, maternal aunt ovarian ca.",
            {("breast cancer", "family"), ("ovarian cancer", "family")},
        ),
        ("Family: father w/ NPC (deceased).", {("nasopharyngeal carcinoma", "family")}),
        ("FAMILY HISTORY: Negative for colon cancer or polyps.", set()),
        ("Family: her uncle died of throat cancer at 66.", {("throat cancer", "family")}),
        # named as history with a past year or time, nothing active: past disease
        (
            "She was diagnosed with ovarian cancer in 1996, treated with surgery and chemo.",
            {("ovarian cancer", "historical")},
        ),
        (
            "Remote history of Hodgkin lymphoma 25 years ago, mantle field radiation.",
            {("hodgkin lymphoma", "historical")},
        ),
        # ... not when the sentence goes on to active disease or a recurrence
        (
            "Clinical: h/o L breast TNBC 2019; chest wall recurrence; on second-line therapy.",
            {("triple-negative breast cancer", "present")},
        ),
        (
            "History of clear cell RCC diagnosed 2018, now with lung metastases.",
            {("clear cell renal cell carcinoma", "present")},
        ),
        # called previous or prior, nothing active: past disease
        (
            "Cystoscopy for new lesions, h/o previous urothelial carcinoma.",
            {("urothelial carcinoma", "historical")},
        ),
        (
            "History of prior left renal cell carcinoma. Now presents with a new lung mass.",
            {("renal cell carcinoma", "historical")},
        ),
        # ... not when the clause tells active disease, a treatment now, or "prior to"
        (
            "She has a prior breast cancer, now with metastatic recurrence to bone.",
            {("breast cancer", "present")},
        ),
        (
            "Previous breast cancer. She continues on letrozole.",
            {("breast cancer", "present")},
        ),
        ("Prior to resection of the colon cancer, CEA was 12.", {("colon cancer", "present")}),
        ("FAMILY HISTORY: No cancer in the family.", set()),
        # a negation leads the whole list
        ("FAMILY HISTORY: Negative for breast cancer, ovarian cancer, colon cancer.", set()),
        (
            "Family history: no lung cancer; father had gastric cancer.",
            {("gastric cancer", "family")},
        ),
    ],
)
def test_assertions(extract, text, expected):
    assert _dx(extract(text)) == expected


def test_family_cancer_is_kept_apart_from_the_patients(extract):
    text = "CC: recurrent ovarian cancer.\nHPI: recurrent HGSOC.\nFH: maternal aunt ovarian ca."
    assert _dx(extract(text)) == {
        ("high-grade serous ovarian carcinoma", "present"),
        ("ovarian cancer", "family"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # neg.is_excluded
        ("Primary lung carcinoma is excluded by the keratin-negative profile.", "negated"),
        # pos.differential
        ("One further consideration would be a low-grade astrocytoma.", "possible"),
        # pos.rule_out_split ("r/o" is three tokens)
        ("New pancreatic tail lesion, r/o PDAC.", "possible"),
        # pos.risk_for
        ("Asbestos exposure puts him at high risk for mesothelioma.", "possible"),
    ],
)
def test_new_context_rules(extract, text, expected):
    (f,) = only(extract(text), "diagnosis")
    assert f.assertion == expected


def test_fh_deficient_is_not_family_history(extract):
    """pseudo.fh_deficient: fumarate hydratase, not 'family history'."""
    text = "Lymph node, core biopsy: papillary renal cell carcinoma; FH-deficient RCC unlikely."
    assert ("papillary renal cell carcinoma", "family") not in _dx(extract(text))


@pytest.mark.parametrize(
    "text",
    [
        "Patient seen in the Sarcoma Service.",
        "CA-125 1,840 U/mL; ovarian CA-125 trend reviewed.",
        "Outside records from Hillcrest Cancer Center.",
        "CD70 3+; appropriate positive (renal cell carcinoma) and negative controls.",
        "ACC#: CR-26-0710-0382.",
        "Ductal carcinoma in situ, low grade.",
        "Metastatic carcinoma, primary unknown.",
        "Hemostasis with the gist of the plan discussed.",
    ],
)
def test_not_a_diagnosis(extract, text):
    assert not only(extract(text), "diagnosis")


def test_conflicting_documents_keep_their_own_findings(extract):
    ct = extract("Impression: right renal mass suspicious for RCC.", doc_id="ct", kind="radiology")
    path = extract(
        "FINAL DIAGNOSIS:\nKidney, core biopsy: papillary renal cell carcinoma.",
        doc_id="path",
        kind="pathology",
    )
    assert _dx(ct) == {("renal cell carcinoma", "possible")}
    assert _dx(path) == {("papillary renal cell carcinoma", "present")}


def test_type_words_treat_cancer_and_carcinoma_alike():
    assert type_words("breast cancer") == type_words("breast carcinoma")
    assert type_words("renal cell carcinoma") < type_words("clear cell renal cell carcinoma")
    assert not type_words("small cell lung cancer") < type_words("non-small cell lung cancer")
    assert not type_words("hodgkin lymphoma") < type_words("non-hodgkin lymphoma")


def test_rule_file_rejects_unknown_keys(tmp_path):
    src = (load_rules.__globals__["RESOURCES"] / "diagnosis.yaml").read_text()
    bad = tmp_path / "diagnosis.yaml"
    bad.write_text(src.replace("priors:\n", "priors:\n  fudge: 0.5\n", 1))
    with pytest.raises(DataFileError, match=r"diagnosis\.yaml:\d+"):
        load_rules(bad)


def test_confidence_explains_itself(extract):
    (f,) = only(extract("44F, metastatic TNBC, biopsy-proven."), "diagnosis")
    reasons = [s.reason for s in f.explanation]
    assert reasons[0] == "rule prior (diagnosis.triple_negative_breast_cancer)"
    assert "abbreviation written out" in reasons
    assert sum(s.delta for s in f.explanation) == pytest.approx(f.confidence, abs=1e-3)


# --------------------------------------------------------------------------------------
# secondary mentions: differentials, excluded and rejected alternatives, resected tumours
# --------------------------------------------------------------------------------------
def test_differentials_resolved_by_the_final_diagnosis_are_not_reported(extract):
    text = (
        "SURGICAL PATHOLOGY REPORT\n"
        "Clinical history: 61M, prior nephrectomy, new 2.2 cm pancreatic head lesion; "
        "r/o PDAC vs metastatic RCC.\n\n"
        "FINAL DIAGNOSIS:\n"
        "Pancreas, head, EUS-guided core biopsy: metastatic clear cell renal cell carcinoma.\n"
        "Negative for pancreatic ductal adenocarcinoma.\n"
    )
    assert _dx(extract(text)) == {("clear cell renal cell carcinoma", "present")}


def test_a_suspected_metastasis_of_the_known_tumour_is_not_a_second_fact(extract):
    text = (
        "CT CHEST/ABDOMEN\nHistory: metastatic clear cell RCC on cabozantinib.\n"
        "Findings: 1.1 cm enhancing lesion in the pancreatic tail, suspicious for RCC "
        "metastasis. Liver clear."
    )
    assert _dx(extract(text)) == {("clear cell renal cell carcinoma", "present")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Pleura, biopsy: atypical epithelioid proliferation (mesothelioma not supported). "
            "Recommend re-biopsy.",
            {("mesothelioma", "negated")},
        ),
        (
            "Kidney, core biopsy: oncocytic neoplasm. Chromophobe RCC is felt to be unlikely "
            "given the diffuse CK7 negativity.",
            {("chromophobe renal cell carcinoma", "possible")},
        ),
        # beside the diagnosis the excluded differential is not reported
        (
            "FINAL DIAGNOSIS: Femur, biopsy: high-grade osteosarcoma. Calretinin and WT1 "
            "negative (mesothelioma not supported).",
            {("osteosarcoma", "present")},
        ),
    ],
)
def test_differential_judged_right_after_it_is_named(extract, text, expected):
    assert _dx(extract(text)) == expected


@pytest.mark.parametrize(
    "comment",
    [
        "The CD5 and CD117 co-expression supports thymic carcinoma over a pulmonary squamous "
        "carcinoma.",
        "Morphology and immunoprofile favour thymic carcinoma rather than metastatic squamous "
        "cell carcinoma from another site.",
    ],
)
def test_the_alternative_a_finding_argues_against_is_not_reported(extract, comment):
    text = (
        "DIAGNOSIS:\nAnterior mediastinal mass, core biopsy: thymic carcinoma, squamous type.\n"
        f"Comment: {comment}\nCD70: 3+."
    )
    assert _dx(extract(text)) == {("thymic carcinoma", "present")}


def test_a_rejected_alternative_alone_is_possible(extract):
    text = "Comment: keratin profile supports thymic origin over a pulmonary squamous carcinoma."
    (f,) = only(extract(text), "diagnosis")
    assert (f.value, f.assertion) == ("lung squamous cell carcinoma", "possible")
    assert f.attributes["assertion_reason"] == "the alternative a finding argues against"


def test_a_known_diagnosis_is_present_in_an_uncertain_sentence(extract):
    text = (
        "Right axillary lymph node, core biopsy: carcinoma, compatible with recurrence of the "
        "patient's known breast cancer. ER 0%, PR 0%."
    )
    (f,) = only(extract(text), "diagnosis")
    assert (f.value, f.assertion) == ("breast cancer", "present")


def test_a_denied_history_is_kept_beside_the_diagnosis(extract):
    text = (
        "HPI: 58F with metastatic clear cell RCC on cabozantinib, r/o papillary RCC on the "
        "outside read.\nPMH: hypertension; no history of breast cancer."
    )
    assert _dx(extract(text)) == {
        ("clear cell renal cell carcinoma", "present"),
        ("breast cancer", "negated"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Relevant history:\nStatus post wide resection of a sarcoma of the left thigh "
            "(2016), on yearly surveillance.\nClinical question: lung metastases?\n"
            "Impression: no evidence of metastatic disease.",
            {("sarcoma", "historical")},
        ),
        # the resected tumour is the current one: metastatic now
        (
            "PMH: s/p right radical nephrectomy for clear cell RCC (2019).\n"
            "CT 03/2026: new lung metastases, the largest 2.1 cm.",
            {("clear cell renal cell carcinoma", "present")},
        ),
        # an old resected cancer beside a different current one
        (
            "PMH: s/p resection of colon cancer 2012.\n"
            "Current: metastatic ccRCC on cabozantinib, progressing.",
            {("colon cancer", "historical"), ("clear cell renal cell carcinoma", "present")},
        ),
        # named as resected, and as current elsewhere in the note
        (
            "Oncologic history: s/p resection of pancreatic adenocarcinoma 2023.\n"
            "A/P: recurrent pancreatic adenocarcinoma, liver only; start gemcitabine.",
            {("pancreatic adenocarcinoma", "present")},
        ),
        # resected, and treated now: current
        (
            "62M s/p pancreaticoduodenectomy for PDAC 05/2025, on adjuvant capecitabine, "
            "cycle 4.\nECOG 1.",
            {("pancreatic ductal adenocarcinoma", "present")},
        ),
        ("Dx: resected stage III melanoma on adjuvant nivolumab.", {("melanoma", "present")}),
        (
            "PMH: previously resected melanoma of the back (2015); hypertension.",
            {("melanoma", "historical")},
        ),
    ],
)
def test_a_tumour_named_as_resected(extract, text, expected):
    assert _dx(extract(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Mediastinal mass, biopsy: No lymphocyte-rich (thymoma-type) background is seen.",
        "Fatigue, likely cancer-related; continue modafinil.",
        "LVEF 58%. No evidence of cancer-therapy-related cardiac dysfunction.",
        "Scattered melanoma-like pigmented cells in a benign naevus.",
    ],
)
def test_hyphenated_descriptors_are_not_diagnoses(extract, text):
    assert not only(extract(text), "diagnosis")


# --------------------------------------------------------------------------------------
# normalisation: the primary site stated after the histology, head and neck subsites,
# a receptor subtype stated apart from the histology
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "DIAGNOSIS:\nLiver, segment 6, core biopsy: metastatic adenocarcinoma, consistent "
            "with colorectal primary (CK20+, CDX2+).",
            "colorectal adenocarcinoma",
        ),
        (
            "DIAGNOSIS:\nLymph node, level IV, FNA: metastatic squamous cell carcinoma, "
            "consistent with recurrence of the known cervical primary.",
            "cervical squamous cell carcinoma",
        ),
        (
            "DIAGNOSIS:\nAxillary node, core biopsy: metastatic carcinoma, c/w breast primary "
            "(GATA3 positive).",
            "breast carcinoma",
        ),
        # a primary argued against gives no site
        (
            "DIAGNOSIS:\nBone, biopsy: metastatic adenocarcinoma, TTF-1 negative, which argues "
            "against a lung primary.",
            "adenocarcinoma",
        ),
    ],
)
def test_primary_site_stated_after_the_histology(extract, text, value):
    assert {f.value for f in only(extract(text), "diagnosis")} == {value}


@pytest.mark.parametrize(
    ("dx", "subsite"),
    [
        ("67M, metastatic HPV+ oropharyngeal SCC, PD on pembrolizumab.", "oropharyngeal"),
        ("59M, recurrent squamous cell carcinoma of the left tonsil.", "oropharyngeal"),
        ("71M, laryngeal squamous cell carcinoma s/p laryngectomy, now lung metastases.",
         "laryngeal"),
        ("48F, squamous cell carcinoma of the floor of mouth, recurrent.", "oral"),
    ],
)  # fmt: skip
def test_head_and_neck_subsite_scc_is_hnscc(extract, dx, subsite):
    found = only(extract(CLINIC_NOTE.format(dx=dx)), "diagnosis")
    assert {(f.value, f.assertion) for f in found} == {
        ("head and neck squamous cell carcinoma", "present")
    }
    assert {f.attributes["subsite"] for f in found} == {subsite}


def test_a_subsite_cancer_without_histology_keeps_its_site(extract):
    (f,) = only(extract(CLINIC_NOTE.format(dx="66M, oropharyngeal cancer, p16+.")), "diagnosis")
    assert f.value == "oropharyngeal cancer"


def test_receptor_subtype_stated_apart_refines_the_histology(extract):
    text = (
        "FINAL DIAGNOSIS:\n"
        "A. Lymph node, right supraclavicular: METASTATIC CARCINOMA of breast origin "
        "(GATA3 positive), triple-negative phenotype.\n"
        "B. Breast, right, 10 o'clock: INVASIVE DUCTAL CARCINOMA, Nottingham grade 3.\n"
    )
    assert _dx(extract(text)) == {("triple-negative breast cancer", "present")}


@pytest.mark.parametrize(
    "text",
    [
        "Dx: left breast IDC, grade 2; ER 90%, PR 40%, HER2 1+ - not triple negative.",
        "Dx: left breast IDC, grade 2, ER 90%, PR 40%, HER2 1+.\n"
        "Family history: sister with triple negative breast cancer at 44.",
    ],
)
def test_subtype_cue_negated_or_about_a_relative_does_not_refine(extract, text):
    assert ("invasive ductal carcinoma", "present") in _dx(extract(text))
    assert ("triple-negative breast cancer", "present") not in _dx(extract(text))


# --------------------------------------------------------------------------- real-note phrasing
def test_gleason_grade_makes_an_adenocarcinoma_prostatic(extract):
    text = (
        "PATHOLOGY: Prostate biopsy:\n"
        "Right mid core: adenocarcinoma, well to moderately differentiated, Gleason score "
        "4 + 3 = 7.\n"
        "Right base: benign prostatic tissue.\n"
    )
    assert _dx(extract(text)) == {("prostate adenocarcinoma", "present")}


def test_family_history_section_outranks_an_uncertainty_cue(extract):
    text = (
        "HPI: Here for genetic counselling.\n\n"
        "FAMILY HISTORY: Father died at 48 of colon cancer and questionable pancreatic "
        "cancer. One paternal uncle died of bile duct cancer. Father had brain cancer.\n\n"
        "SOCIAL HISTORY: Nonsmoker.\n"
    )
    assert _dx(extract(text)) == {
        ("colon cancer", "family"),
        ("pancreatic cancer", "family"),
        ("bile duct cancer", "family"),
        ("brain cancer", "family"),
    }


def test_transitional_cell_carcinoma_keeps_its_name_and_absorbs_bladder_cancer(extract):
    text = (
        "CHIEF COMPLAINT: Bladder cancer.\n\n"
        "HPI: Bladder biopsy showed high-grade TCC; muscularis propria was not sampled.\n\n"
        "IMPRESSION: Bladder cancer. Completion TURBT next week.\n"
    )
    assert _dx(extract(text)) == {("transitional cell carcinoma", "present")}


def test_cholangiocarcinoma_refines_bile_duct_cancer(extract):
    text = "HPI: Bile duct cancer. ERCP brushings: cholangiocarcinoma, hilar.\n"
    assert _dx(extract(text)) == {("cholangiocarcinoma", "present")}


def test_history_only_tumour_in_a_disease_free_note_is_historical(extract):
    text = (
        "HPI: 67-year-old with a history of uterine papillary serous carcinoma who is status "
        "post 6 cycles of carboplatin and Taxol, here for follow-up.\n\n"
        "CT chest, abdomen and pelvis: no local or distant metastasis.\n\n"
        "ASSESSMENT: History of uterine papillary serous carcinoma, status post TAH-BSO. "
        "She is doing well with no evidence of disease clinically or radiologically.\n"
    )
    found = only(extract(text), "diagnosis")
    assert {(f.value, f.assertion.value) for f in found} == {
        ("uterine serous carcinoma", "historical")
    }
    assert not any(f.attributes.get("metastatic") for f in found)


def test_history_of_tumour_with_active_disease_stays_present(extract):
    text = (
        "HPI: History of uterine papillary serous carcinoma, now with new peritoneal "
        "metastases on CT.\n\n"
        "Prior scan 2024: no evidence of disease.\n"
    )
    assert ("uterine serous carcinoma", "present") in _dx(extract(text))


def test_remote_chance_is_a_possibility_not_a_history(extract):
    text = (
        "ASSESSMENT/PLAN: Mediastinal adenopathy, most likely sarcoid. A remote chance "
        "remains that this might represent lymphoma. EBUS biopsy scheduled.\n"
    )
    assert _dx(extract(text)) == {("lymphoma", "possible")}


def test_a_blocker_spelled_like_another_familys_anchor_is_left_out():
    from prescreen.extraction.fields.base import AnchorRule
    from prescreen.extraction.targets import to_target_rules

    rules = [
        AnchorRule(
            id="labs.blocker", label="BLOCK", prior=0.5, literals=["lymphoma", "lymph node"]
        ),
        AnchorRule(id="diagnosis.lymphoma", label="DX_TYPE", prior=0.9, literals=["lymphoma"]),
    ]
    got = {(r.category, r.literal) for r in to_target_rules(rules)}
    assert got == {("BLOCK", "lymph node"), ("DX_TYPE", "lymphoma")}


# --------------------------------------------------------------- oncology consult notes
@pytest.mark.parametrize(
    ("dx", "value"),
    [
        # plurals of a type
        ("Cystoscopy again shows papillary transitional cell carcinomas at the dome.",
         "transitional cell carcinoma"),
        # a glioma named by grade only; named astrocytoma variants keep their name
        ("Slowly progressive low-grade glioma of the left insula.", "low-grade glioma"),
        ("Resection of a cerebellar pilocytic astrocytoma in 2019.", "pilocytic astrocytoma"),
        ("Pleomorphic xanthoastrocytoma of the temporal lobe.", "xanthomatous astrocytoma"),
        # the older full name, when written, is kept and absorbs the short form
        ("Glioblastoma multiforme of the right parietal lobe; GBM recurred in 2025.",
         "glioblastoma multiforme"),
        ("Hysterectomy pathology returned a uterine adenosarcoma.", "mullerian adenosarcoma"),
        ("Known diffuse large cell lymphoma, on second-line salvage.",
         "diffuse large b-cell lymphoma"),
    ],
)  # fmt: skip
def test_consult_note_type_names(extract, dx, value):
    found = only(extract(CLINIC_NOTE.format(dx=dx)), "diagnosis")
    assert {f.value for f in found} == {value}


def test_a_glioma_named_beside_its_grade_is_one_tumour(extract):
    text = (
        "Microscopic: an infiltrating astrocytic glioma with necrosis and microvascular "
        "proliferation.\nFinal diagnosis: glioblastoma, IDH-wildtype.\n"
    )
    assert _dx(extract(text)) == {("glioblastoma", "present")}


def test_lay_site_names_do_not_state_the_histology(extract):
    found = extract(
        "Family history: her father died of kidney cancer; a brother had bone cancer.\n"
    )
    assert _dx(found) == {("renal cancer", "family"), ("bone cancer", "family")}
    text = "Kidney cancer: left nephrectomy showed clear cell renal cell carcinoma, pT1b.\n"
    assert _dx(extract(text)) == {("clear cell renal cell carcinoma", "present")}


def test_a_spouses_cancer_is_not_the_patients(extract):
    text = "She cared for her husband's metastatic pancreatic cancer last year.\n"
    assert ("pancreatic cancer", "present") not in _dx(extract(text))
    text = "She came with her husband to discuss her breast cancer treatment.\n"
    assert _dx(extract(text)) == {("breast cancer", "present")}


@pytest.mark.parametrize(
    "sentence",
    [
        "Outside pleural biopsies were thought to be consistent with mesothelioma.",
        "The MRI findings are most consistent with mesothelioma.",
        "At this time the working diagnosis is mesothelioma.",
    ],
)
def test_working_impressions_are_possible(extract, sentence):
    assert _dx(extract(sentence + "\n")) == {("mesothelioma", "possible")}


def test_two_spellings_of_one_suspected_type_are_one_value(extract):
    text = (
        "PREOPERATIVE DIAGNOSIS: Left pleural effusion, suspected malignant mesothelioma.\n"
        "HPI: Pleural fluid cytology elsewhere was thought to be consistent with mesothelioma.\n"
    )
    assert _dx(extract(text)) == {("malignant mesothelioma", "possible")}


def test_a_site_with_a_generic_word_gives_the_histology_its_site(extract):
    text = (
        "Pelvic MRI impression: prostatic malignancy with extracapsular extension.\n"
        "PATHOLOGY:\nCore biopsies: poorly differentiated adenocarcinoma in both lobes.\n"
    )
    assert _dx(extract(text)) == {("prostate adenocarcinoma", "present")}
    # a second named type: the histology may be that one's, so nothing is joined
    text = (
        "Impression: prostatic malignancy. History of colon cancer 2015.\nBiopsy: adenocarcinoma.\n"
    )
    assert ("prostate adenocarcinoma", "present") not in _dx(extract(text))


def test_a_tumour_stated_resolved_once_is_past_disease_in_its_other_mentions(extract):
    text = (
        "HPI: Three years ago he developed a mantle cell lymphoma, which was treated with "
        "bendamustine and rituximab.\n"
        "ASSESSMENT:\n1. Cough.\n2. History of mantle cell lymphoma, in complete remission.\n"
    )
    assert _dx(extract(text)) == {("mantle cell lymphoma", "historical")}
    # a mention that states active disease keeps the tumour current there
    text = (
        "HPI: Mantle cell lymphoma, now relapsed with new adenopathy.\n"
        "PMH: Mantle cell lymphoma treated in 2019, then in complete remission.\n"
    )
    assert ("mantle cell lymphoma", "present") in _dx(extract(text))


# ---------------------------------------------------------------- naming as the note writes it
@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "58M with a carcinoid tumor of the terminal ileum, octreotide monthly.",
            "carcinoid tumor",
        ),
        ("61F, anaplastic meningioma, second local recurrence.", "malignant meningioma"),
        ("Derm hx: a few skin cancers on both forearms, still being treated.", "skin cancer"),
    ],
)
def test_the_value_keeps_the_notes_naming(extract, text, value):
    assert {f.value for f in only(extract(text + "\n"), "diagnosis")} == {value}


def test_carcinoid_and_its_current_name_in_one_note_are_one_tumour(extract):
    text = (
        "Hx: carcinoid of the small bowel, resected.\n"
        "Path review: well-differentiated neuroendocrine tumor, grade 1, liver metastases.\n"
    )
    assert {f.value for f in only(extract(text), "diagnosis")} == {"neuroendocrine tumor"}


def test_a_benign_meningioma_is_not_a_diagnosis(extract):
    assert (
        only(extract("MRI: stable 9 mm convexity meningioma, no mass effect.\n"), "diagnosis") == []
    )


def test_carcinoma_spread_from_a_named_primary_is_that_sites_carcinoma(extract):
    text = "Admitted for cytoreductive surgery of carcinomatosis from a gastric primary.\n"
    (f,) = only(extract(text), "diagnosis")
    assert (f.value, f.assertion.value) == ("gastric carcinoma", "present")
    assert f.attributes.get("metastatic") is True
    # spread with no primary named is no type
    assert only(extract("CT: lymphangitic carcinomatosis of both lungs.\n"), "diagnosis") == []


# ---------------------------------------------------------------- pre-operative diagnosis revised
PRE_POST = (
    "PREOPERATIVE DIAGNOSIS:  {pre}\n\nPOSTOPERATIVE DIAGNOSIS:  {post}\n\nPROCEDURE:  Excision.\n"
)


@pytest.mark.parametrize(
    ("pre", "post", "expected"),
    [
        # revised by the operation: the pre-operative type was a working diagnosis
        ("Sarcoma of the left thigh.", "Organised hematoma of the left thigh.",
         {("sarcoma", "possible")}),
        ("Sarcoma of the left thigh.", "Same.", {("sarcoma", "present")}),
        ("Sarcoma of the left thigh.", "Pleomorphic sarcoma of the left thigh.",
         {("sarcoma", "present")}),
        # a more specific post-operative type keeps the pre-operative one (merged into it)
        ("Lung cancer, left lower lobe.", "Adenocarcinoma, left lower lobe.",
         {("lung adenocarcinoma", "present")}),
        ("Lung cancer, left lower lobe.", "Lung adenocarcinoma, left lower lobe.",
         {("lung adenocarcinoma", "present")}),
    ],
)  # fmt: skip
def test_a_preoperative_diagnosis_the_operation_revised_is_uncertain(extract, pre, post, expected):
    assert _dx(extract(PRE_POST.format(pre=pre, post=post))) == expected


# ---------------------------------------------------------------- who the tumour belongs to
def test_a_sentence_about_a_relative_is_about_the_relative_to_its_end(extract):
    text = (
        "Social: retired teacher, never smoked.\n"
        "Her father had prostate cancer at 60 and he later died of a cancer of the pancreas.\n"
    )
    assert _dx(extract(text)) == {("prostate cancer", "family"), ("pancreatic cancer", "family")}


@pytest.mark.parametrize(
    "turn",
    [
        "and he himself was found to have a melanoma of the back last spring",
        "and the patient was found to have a melanoma of the back last spring",
    ],
)
def test_a_sentence_about_a_relative_that_turns_to_the_patient(extract, turn):
    text = f"HPI: His sister had breast cancer at 45, {turn}.\n"
    assert ("melanoma", "family") not in _dx(extract(text))
    assert ("melanoma", "present") in _dx(extract(text))


def test_a_relative_as_subject_without_a_tumour_of_theirs_says_nothing_of_the_patients(extract):
    text = "HPI: Her daughter drove her in today; she has metastatic breast cancer on letrozole.\n"
    assert _dx(extract(text)) == {("breast cancer", "present")}


@pytest.mark.parametrize(
    "text",
    [
        "There are no other relatives with a known stomach cancer.",
        "Besides her aunt, none of the family members had a colon cancer.",
    ],
)
def test_a_negated_family_statement_states_nothing(extract, text):
    found = _dx(extract("FAMILY HISTORY: Aunt with breast cancer.\n" + text + "\n"))
    assert found == {("breast cancer", "family")}


@pytest.mark.parametrize(
    "text",
    [
        "He has no known risk factors for developing lung cancer besides age.",
        "Her sister tested positive for a predisposition to ovarian cancer.",
        "He is due for screening for colon cancer next year.",
    ],
)
def test_what_risk_factors_or_screening_are_about_is_not_a_diagnosis(extract, text):
    assert only(extract(text + "\n"), "diagnosis") == []


def test_the_patients_own_tumour_is_present_in_a_conditional_sentence(extract):
    text = (
        "A/P: rectal cancer, on chemoradiation.\n"
        "Call the clinic earlier if anything new comes up about his rectal cancer.\n"
    )
    assert _dx(extract(text)) == {("rectal cancer", "present")}


# ---------------------------------------------------------------- past, resolved disease
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PMH: two basal cell carcinomas, both were treated by simple excision.",
         {("basal cell carcinoma", "historical")}),
        ("PMH: skin cancers on the scalp, which have been removed by Mohs.",
         {("skin cancer", "historical")}),
        # the clause goes on to active disease
        ("HPI: melanoma of the back, which was excised, now with new nodal metastases.",
         {("melanoma", "present")}),
    ],
)  # fmt: skip
def test_an_excision_told_in_the_past_tense_is_resolved_disease(extract, text, expected):
    assert _dx(extract(text + "\n")) == expected


def test_a_cancer_declared_free_of_disease_is_historical(extract):
    text = (
        "HPI: 57M with Hodgkin lymphoma some 20 years ago, given chemotherapy then, and "
        "declared free of disease since.\nPresents with a painful groin swelling.\n"
    )
    assert _dx(extract(text)) == {("hodgkin lymphoma", "historical")}


def test_a_cancer_followed_by_surveillance_after_treatment_is_historical(extract):
    text = (
        "INDICATIONS: 64-year-old man presenting for surveillance endoscopy given his history "
        "of gastric cancer, s/p gastrectomy in 2019.\n"
        "IMPRESSION: Post-gastrectomy anatomy, no lesion. History of gastric cancer.\n"
    )
    assert _dx(extract(text)) == {("gastric cancer", "historical")}
    # "active surveillance" of an untreated tumour is no such statement
    text = "A/P: History of prostate cancer, Gleason 6, on active surveillance.\n"
    assert _dx(extract(text)) == {("prostate cancer", "present")}


def test_a_tumour_told_with_its_past_treatment_in_a_disease_free_note(extract):
    note = (
        "HPI: She has a known case of follicular lymphoma{treated}. Restaging since then shows "
        "no evidence of disease.\nASSESSMENT:\n1. Cough.\n2. History of follicular lymphoma.\n"
    )
    treated = ", for which she received radiotherapy in 2015"
    assert _dx(extract(note.format(treated=treated))) == {("follicular lymphoma", "historical")}
    # without the past treatment the known diagnosis stays current
    assert _dx(extract(note.format(treated=""))) == {("follicular lymphoma", "present")}


# ---------------------------------------------------------------- attributes and search steps
def test_a_possible_metastasis_a_few_words_on_is_not_metastatic(extract):
    text = (
        "A/P: colon cancer, node positive. Chest CT shows possible lung metastasis, for biopsy.\n"
    )
    (f,) = only(extract(text), "diagnosis")
    assert not f.attributes.get("metastatic")


def test_a_recurrence_stated_in_generic_words(extract):
    text = (
        "HPI: Seen after followup cystoscopy for urothelial carcinoma of the trigone.\n"
        "IMPRESSION: {imp}\n"
    )
    (f,) = only(extract(text.format(imp="Recurrent tumour at the trigone.")), "diagnosis")
    assert f.attributes.get("recurrent") is True
    (f,) = only(extract(text.format(imp="Rule out recurrent tumour at the trigone.")), "diagnosis")
    assert not f.attributes.get("recurrent")


@pytest.mark.parametrize(
    ("plan", "advanced"),
    [
        (
            "Not a surgical candidate; I would call this unresectable, locally advanced disease.",
            True,
        ),
        ("CT shows inoperable disease encasing the SMA.", True),
        ("If this becomes unresectable disease we will discuss systemic options.", None),
        ("There is no locally advanced disease on imaging.", None),
        ("She asked about the CAR-T trial for advanced solid tumours.", None),
    ],
)
def test_advanced_disease_stated_in_generic_words(extract, plan, advanced):
    text = f"Consult: 66F, biopsy-proven pancreatic ductal adenocarcinoma of the head.\n{plan}\n"
    (f,) = only(extract(text), "diagnosis")
    assert f.attributes.get("advanced") is advanced
    if advanced:
        assert f.attributes["advanced_evidence"] == "document"


def test_the_workup_that_found_the_tumour_is_not_a_second_fact(extract):
    text = (
        "DISCHARGE DIAGNOSIS: Colon carcinoma.\n"
        "HOSPITAL COURSE: Admitted after a long workup for carcinoma of the colon.\n"
    )
    assert _dx(extract(text)) == {("colon carcinoma", "present")}


# ---------------------------------------------------------------- roles, refinements, reads
_COLON = "ID: 58M with metastatic colon adenocarcinoma, on second-line therapy.\n"


@pytest.mark.parametrize(
    "staff",
    [
        "Research staff: T. Okafor, BSN, CRC",  # after a name and credentials
        "Study contact: Maria Delacroix, CCRP, CRC",
        "Consent obtained by Dr. H. Lim (CRC) and the treating oncologist.",
        "Coordinator on file - CRC: M. Delacroix",  # a role label before a name
        "Attending: P. Novak, MD  |  CRC - Dr. Yusuf",
    ],
)
def test_an_abbreviation_naming_a_persons_role_is_not_a_diagnosis(extract, staff):
    assert _dx(extract(f"{staff}\n{_COLON}")) == {("colon adenocarcinoma", "present")}


@pytest.mark.parametrize(
    "text",
    [
        "Visit with Dr. H. Lim.\nID: 66F with metastatic CRC, KRAS G12D, on FOLFIRI.\n",
        # a name with an initial alone may be the patient's
        "Tumour board list:\n1. R. Singh, CRC with liver metastases, for resection.\n",
    ],
)
def test_the_same_abbreviation_as_a_diagnosis_is_kept(extract, text):
    assert _dx(extract(text)) == {("colorectal cancer", "present")}


@pytest.mark.parametrize(
    ("dx", "value"),
    [
        ("61M, metastatic NSCLC (adenocarcinoma), EGFR L858R.", "lung adenocarcinoma"),
        ("70F, NSCLC (squamous cell carcinoma) on docetaxel.", "lung squamous cell carcinoma"),
        ("55M, lung cancer (poorly differentiated adenocarcinoma).", "lung adenocarcinoma"),
        ("66M, oropharyngeal cancer (SCC), p16 positive.",
         "head and neck squamous cell carcinoma"),
    ],
)  # fmt: skip
def test_a_histology_in_parentheses_refines_the_type_before_it(extract, dx, value):
    found = only(extract(CLINIC_NOTE.format(dx=dx)), "diagnosis")
    assert {(f.value, f.assertion) for f in found} == {(value, "present")}
    assert all("written_as" in f.attributes for f in found)  # both mentions were refined


@pytest.mark.parametrize(
    "comment",
    [
        "Calretinin and WT1 positivity argue against metastatic lung adenocarcinoma.",
        "The keratin profile argued against the diagnosis of a metastatic lung adenocarcinoma.",
        "Strong WT1 staining further argues against lung adenocarcinoma.",
    ],
)
def test_a_type_a_finding_argues_against_is_not_reported_beside_the_diagnosis(extract, comment):
    text = (
        "DIAGNOSIS:\nPleura, biopsy: malignant mesothelioma, epithelioid type.\n"
        f"Comment: {comment}\n"
    )
    assert _dx(extract(text)) == {("malignant mesothelioma", "present")}


def test_a_type_argued_against_alone_is_negated(extract):
    (f,) = only(
        extract("Comment: diffuse SOX10 negativity argues against a melanoma."), "diagnosis"
    )
    assert (f.value, f.assertion) == ("melanoma", "negated")
    assert f.attributes["assertion_reason"] == "a finding argues against it"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the final diagnosis supersedes the intraoperative read
        (
            "Intraoperative frozen section: adenocarcinoma.\n"
            "Final diagnosis: squamous cell carcinoma of the lung.\n",
            {("lung squamous cell carcinoma", "present")},
        ),
        (
            "Background: known anaplastic astrocytoma, treated 2023.\n"
            "Re-resection 02/2026. Frozen section: malignant glioma. Permanent sections to "
            "follow.\n",
            {("anaplastic astrocytoma", "present")},
        ),
        (
            "INTRAOPERATIVE CONSULTATION:\nA. Ovary, left: carcinoma, favor serous.\n\n"
            "FINAL DIAGNOSIS:\nA. Ovary, left: high-grade serous ovarian carcinoma.\n",
            {("high-grade serous ovarian carcinoma", "present")},
        ),
        # alone, the provisional read is the diagnosis the document has
        (
            "Frozen section: high-grade sarcoma; permanent sections to follow.\n",
            {("sarcoma", "present")},
        ),
    ],
)
def test_a_provisional_read_is_superseded_by_the_final_diagnosis(extract, text, expected):
    assert _dx(extract(text)) == expected


@pytest.mark.parametrize(
    ("dx", "cytology", "value"),
    [
        ("metastatic ER-positive invasive lobular carcinoma of the left breast",
         "malignant cells consistent with breast primary", "invasive lobular carcinoma"),
        ("metastatic lung adenocarcinoma, EGFR exon 19 deletion",
         "malignant cells c/w lung primary", "lung adenocarcinoma"),
        ("metastatic TNBC", "malignant cells in keeping with a breast primary",
         "triple-negative breast cancer"),
    ],
)  # fmt: skip
def test_malignant_cells_of_a_site_are_the_documents_tumour_of_that_site(
    extract, dx, cytology, value
):
    text = f"Dx: {dx}.\nPleural fluid cytology: {cytology}.\n"
    assert _dx(extract(text)) == {(value, "present")}
    # alone, the site and the generic word are the value
    alone = _dx(extract(f"Pleural fluid cytology: {cytology}.\n"))
    assert len(alone) == 1 and next(iter(alone))[0].endswith(" malignancy")


def test_a_tumour_told_resolved_that_later_recurred_is_the_current_tumour(extract):
    text = (
        "ID: 51F with relapsed metastatic endometrial adenocarcinoma.\n"
        "History:\n"
        "- 2019 endometrial adenocarcinoma, hysterectomy and vaginal brachytherapy, then NED\n"
        "- 2023 recurrence in the pelvis and lungs.\n"
    )
    assert _dx(extract(text)) == {("endometrial adenocarcinoma", "present")}
    # another tumour told resolved stays past disease
    other = (
        "ID: 70M with metastatic melanoma of the back.\n"
        "History:\n- basal cell carcinoma of the nose excised 2010, no recurrence\n"
    )
    assert _dx(extract(other)) == {
        ("melanoma", "present"),
        ("basal cell carcinoma", "historical"),
    }


@pytest.mark.parametrize(
    "text",
    [
        "patient: 66 M   ordering prov: LEE, B   dept: SARCOMA INFUSION",
        "Ward/Clinic: AYA Sarcoma OP",
        "Controls: tonsil (CD70), breast ca cell line (HER2) - as expected.",
    ],
)
def test_a_team_or_a_control_is_not_a_diagnosis(extract, text):
    assert not [f for f in extract(text) if f.field == "diagnosis"]


@pytest.mark.parametrize(
    ("text", "assertion"),
    [
        ("Pleural thickening on ultrasound. ?Mesothelioma. Please stage.", "possible"),
        ("Indication: Metastatic? Pancreatic adenocarcinoma on olaparib.", "present"),
    ],
)
def test_a_question_mark_written_onto_the_tumour_name(extract, text, assertion):
    (f,) = only(extract(text, kind="radiology"), "diagnosis")
    assert f.assertion == assertion


def test_triple_neg_written_short(extract):
    (f,) = only(
        extract("Indication: 74F w/ metastatic triple neg breast ca, liver mets."), "diagnosis"
    )
    assert f.value == "triple-negative breast cancer"


@pytest.mark.parametrize(
    "text",
    [
        "PSH: status post right mastectomy secondary to breast cancer, 2009.",
        "7.  Endometrial cancer, status post abdominal hysterectomy in 2015.",
        "PMH: migraine, and basal cell carcinoma resection on the nose.",
        "She has a rash near where a prior basal cell carcinoma was resected.",
        "PRIOR SURGERIES:\n3.  Colon cancer removal.\n",
    ],
)
def test_a_tumour_told_as_what_was_removed_is_past_disease(extract, text):
    (dx,) = {(f.value, f.assertion.value) for f in extract(text) if f.field == "diagnosis"}
    assert dx[1] == "historical"


def test_a_removed_tumour_with_active_disease_in_its_clause_stays_current(extract):
    text = "Breast cancer, status post lumpectomy, now with metastatic recurrence in the liver."
    assert {f.assertion.value for f in extract(text) if f.field == "diagnosis"} == {"present"}


def test_an_abbreviation_in_an_injury_sentence_names_a_ligament(extract):
    sprain = extract("MRI knee: partial tear of the MCL, no effusion.")
    assert not [f for f in sprain if f.field == "diagnosis"]
    found = extract("Diagnosis: MCL, stage IV, on ibrutinib.")
    assert [f.value for f in found if f.field == "diagnosis"] == ["mantle cell lymphoma"]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # a past time: "in the remote past", "N years ago", a year ending its sentence
        (
            "HPI: She reports a history of cervical cancer in the remote past, no recurrence.",
            {("cervical cancer", "historical")},
        ),
        (
            "HPI: Significant past medical history for laryngeal cancer, treated with "
            "radiation in 2004, who presents with a cough.",
            {("laryngeal cancer", "historical")},
        ),
        (
            "PAST MEDICAL HISTORY:\n1.  Hypertension.\n2.  Colon cancer.  Resected in 2009.\n"
            "3.  Gout.\n",
            {("colon cancer", "historical")},
        ),
        (
            "Indication: history of bladder cancer, surgery and instillations (2012-2013). "
            "New lung nodule?",
            {("bladder cancer", "historical")},
        ),
        # ... but a treatment still given in the next sentence: not resolved
        (
            "HPI: She was found to have breast cancer in 2011.  She has since been on letrozole.",
            {("breast cancer", "present")},
        ),
    ],
)
def test_a_tumour_told_with_a_past_time_is_past_disease(extract, text, want):
    assert _dx(extract(text)) == want


def test_non_small_cell_is_never_read_as_small_cell(extract):
    text = "HPI: Prior history of non-small cell carcinoma of the lung, treated 3 years ago."
    assert _dx(extract(text)) == {("non-small cell lung cancer", "historical")}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("PREOPERATIVE DIAGNOSIS:  Carcinoma of the right lower lobe.", "lung carcinoma"),
        (
            "DIAGNOSIS: Brain lesions - adenocarcinoma and metastases from the breast.",
            "breast adenocarcinoma",
        ),
        ("FINAL DIAGNOSIS: Carcinoma metastatic from the lung.", "lung carcinoma"),
    ],
)
def test_a_site_told_by_a_lung_lobe_or_as_the_source_of_metastases(extract, text, value):
    assert {v for v, _ in _dx(extract(text))} == {value}


def test_skin_cancer_is_the_named_skin_tumour_and_a_list_of_risks_is_no_recurrence(extract):
    text = (
        "PREOPERATIVE DIAGNOSIS: Basal cell carcinoma, left temple.\n\n"
        "The risks including bleeding, infection, scarring and recurrence of the skin cancer "
        "were discussed.  The skin cancer site was marked with a 4 mm margin.\n"
    )
    found = only(extract(text), "diagnosis")
    assert {f.value for f in found} == {"basal cell carcinoma"}
    assert not any(f.attributes.get("recurrent") for f in found)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # named only in the past medical history: past disease
        (
            "HPI: Here for a hernia repair.\n\nPAST MEDICAL HISTORY:\n1.  Hypertension.\n"
            "2.  Bladder cancer.\n3.  Gout.\n\nPLAN: Repair next week.\n",
            {("bladder cancer", "historical")},
        ),
        # ... not when the line tells it treated now, or says "has"
        (
            "HPI: Knee pain.\n\nPAST MEDICAL HISTORY:\n1.  Prostate cancer, Gleason 3+4.  He is "
            "now receiving leuprolide.\n",
            {("prostate cancer", "present")},
        ),
        (
            "HPI: Knee pain.\n\nPAST MEDICAL HISTORY:  Has prostate cancer.\n",
            {("prostate cancer", "present")},
        ),
        (
            "HPI: Knee pain.\n\nPAST MEDICAL HISTORY:\n1.  Breast cancer, on adjuvant "
            "letrozole.\n2.  Asthma.\n",
            {("breast cancer", "present")},
        ),
        # ... nor when the note names the tumour elsewhere too (here as the chief complaint)
        (
            "CHIEF COMPLAINT:  Bladder cancer.\n\nPAST MEDICAL HISTORY:  High-grade TCC on a "
            "biopsy in 2008.\n\nIMPRESSION:  Bladder cancer.\n",
            {("transitional cell carcinoma", "present")},
        ),
    ],
)
def test_a_tumour_named_only_in_the_past_history(extract, text, want):
    assert _dx(extract(text)) == want


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("DIAGNOSIS: Ureteral carcinoma, high grade.", "ureteral carcinoma"),
        ("DIAGNOSIS: Cecal adenocarcinoma.", "colon adenocarcinoma"),
        ("DIAGNOSIS: Carcinoma of the ampulla of Vater.", "ampullary carcinoma"),
        (
            "DIAGNOSIS: Squamous cell carcinoma of the lower lip.",
            "head and neck squamous cell carcinoma",
        ),
        ("DIAGNOSIS: Jejunal adenocarcinoma.", "small bowel adenocarcinoma"),
    ],
)
def test_more_primary_sites(extract, text, value):
    assert {v for v, _ in _dx(extract(text))} == {value}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Dx: Kaposi's sarcoma of the left leg.", "kaposi sarcoma"),
        ("Dx: ALK-positive anaplastic large cell lymphoma.", "anaplastic large cell lymphoma"),
        ("Dx: adenoid cystic carcinoma of the parotid.", "adenoid cystic carcinoma"),
        ("Dx: sacral chordoma.", "chordoma"),
        ("Dx: Waldenstrom's macroglobulinemia.", "waldenstrom macroglobulinemia"),
    ],
)
def test_rarer_tumour_types(extract, text, value):
    assert {v for v, _ in _dx(extract(text))} == {value}


@pytest.mark.parametrize(
    "text",
    [
        # the note tells cancer care and names no other tumour: the care is for this one
        "HPI: 65F presents for cycle 3 of FOLFOX.\n\nPAST MEDICAL HISTORY: Colon cancer, gout.\n",
        "HPI: Here to discuss progression on pembrolizumab.\n\nPAST MEDICAL HISTORY: Melanoma.\n",
        "PAST MEDICAL HISTORY:\nBreast cancer.\n\nASSESSMENT AND PLAN: Continue letrozole.\n",
        # a dated past-history item, or a dated history, still treated
        "PAST MEDICAL HISTORY:\n1.  Breast cancer diagnosed 2019, on letrozole.\n",
        "PAST MEDICAL HISTORY:\n1.  Breast cancer 2019.  Has been on letrozole since.\n",
        "HPI: history of breast cancer in 2008.  She is on tamoxifen.\n",
    ],
)
def test_a_past_history_cancer_still_cared_for_stays_current(extract, text):
    assert {a for _, a in _dx(extract(text))} == {"present"}


def test_a_drug_of_another_item_on_the_line_does_not_keep_a_cancer_current(extract):
    text = (
        "HPI: Here for a hernia repair.\n\nPAST MEDICAL HISTORY: Hypertension, CHF on "
        "furosemide, breast cancer.\n"
    )
    assert _dx(extract(text)) == {("breast cancer", "historical")}


@pytest.mark.parametrize(
    "text",
    [
        "68M former smoker with lung adenocarcinoma, here to discuss treatment.",
        "Prior biopsy confirmed clear cell renal cell carcinoma.",
        "Her previous oncologist diagnosed breast cancer in March.",
    ],
)
def test_previous_qualifies_only_the_tumour_it_stands_before(extract, text):
    assert {a for _, a in _dx(extract(text))} == {"present"}
