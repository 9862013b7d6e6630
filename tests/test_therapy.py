"""Therapy: lexicon mapping, outcomes tied to the right drug, line, dates, assertions, the
ConText rules added for therapy, and the rule files' schemas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from prescreen.extraction.candidates import Candidate
from prescreen.extraction.context import load_context_rules, resolve_assertion
from prescreen.extraction.fields import therapy
from prescreen.yamlfile import DataFileError

from .conftest import only


def therapies(findings):
    return only(findings, "therapy")


def by_value(findings):
    """value -> findings of that value (several mentions of one agent are possible)."""
    out: dict[str, list] = {}
    for f in therapies(findings):
        out.setdefault(f.value, []).append(f)
    return out


def one(findings, value):
    got = by_value(findings).get(value, [])
    assert len(got) == 1, [(f.value, f.text, f.assertion) for f in therapies(findings)]
    return got[0]


# --------------------------------------------------------------------------- rule files
def test_lexicon_and_rules_load_and_agree():
    lex = therapy.load_lexicon()
    rules = therapy.load_rules()
    names = {a.name for a in lex.agents}
    assert {"sunitinib", "olaparib", "paclitaxel", "fluorouracil"} <= names
    for r in lex.regimens:
        assert set(r.agents) <= names
    ids = [c.id for c in rules.cues]
    assert len(ids) == len(set(ids))
    assert rules.relatives_sections == ["family_history"]


def test_anchor_rules_flag_short_synonyms_as_ambiguous():
    rules = therapy.anchor_rules()
    short = {lit for r in rules if r.data.get("ambiguous") for lit in r.literals}
    plain = {lit for r in rules if not r.data.get("ambiguous") for lit in r.literals}
    assert {"bcg", "axi", "pld", "bev"} <= short
    assert not ({"bcg", "axi", "pld", "bev"} & plain)
    assert {"sutent", "lynparza", "nab-paclitaxel", "folfirinox"} <= plain
    assert any(r.label == "BLOCK" and "bcg vaccination" in r.literals for r in rules)


@pytest.mark.parametrize(
    ("defect", "problem"),
    [
        (lambda t: t + "\nunexpected_key: 1\n", "unexpected_key"),
        (lambda t: t.replace("pattern: '\\bdespite\\b'", "pattern: '(despite'"), "invalid regex"),
        (lambda t: t.replace("outcome: ongoing", "outcome: stable", 1), "outcome"),
    ],
)
def test_rule_file_errors_name_file_line_and_problem(tmp_path: Path, defect, problem):
    original = (therapy.RESOURCES / "therapy.yaml").read_text(encoding="utf-8")
    broken = defect(original)
    assert broken != original
    path = tmp_path / "therapy.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        therapy.load_rules(path)
    assert err.value.path == str(path)
    assert err.value.line is not None and err.value.line > 1
    assert problem in str(err.value)


def test_lexicon_rejects_a_regimen_with_an_unknown_agent(tmp_path: Path):
    path = tmp_path / "drugs.yaml"
    path.write_text(
        "version: '1'\nclasses: [chemotherapy]\n"
        "agents:\n  - {name: cisplatin, classes: [chemotherapy], synonyms: [cddp]}\n"
        "regimens:\n  - {name: x, synonyms: [x-regimen], agents: [cisplatin, madeupdrug]}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="madeupdrug"):
        therapy.load_lexicon(path)


# --------------------------------------------------------------------------- mapping
@pytest.mark.parametrize(
    ("sentence", "value", "classes"),
    [
        ("She progressed on Sutent in 2024.", "sunitinib", ["anti_angiogenic", "tki"]),
        ("Maintenance Lynparza 300 mg BID since 01/2025.", "olaparib", ["parpi"]),
        ("Received nab-paclitaxel x4 cycles.", "paclitaxel", ["chemotherapy"]),
        ("Received Abraxane weekly.", "paclitaxel", ["chemotherapy"]),
        ("Pegylated liposomal doxorubicin 04/2025 to present.", "doxorubicin", ["chemotherapy"]),
        ("Keytruda 200 mg q3w, currently C4D1.", "pembrolizumab", ["immunotherapy"]),
        ("Avastin was added in 2024.", "bevacizumab", ["anti_angiogenic"]),
        ("Currently on Cabometyx 40 mg daily.", "cabozantinib", ["anti_angiogenic", "tki"]),
        ("Talzenna 1 mg daily since 07/2025.", "talazoparib", ["parpi"]),
    ],
)
def test_brands_and_formulations_map_to_the_generic_agent(extract, sentence, value, classes):
    f = one(extract(sentence), value)
    assert f.attributes["classes"] == classes
    assert f.assertion == "present"


def test_regimen_splits_into_its_agents_on_one_span_with_distinct_ids(extract):
    text = "Pancreatic adenocarcinoma. Received FOLFIRINOX x6 cycles, completed 10/2024."
    got = therapies(extract(text))
    assert {f.value for f in got} == {"fluorouracil", "leucovorin", "irinotecan", "oxaliplatin"}
    assert {(f.start, f.end, f.text) for f in got} == {(got[0].start, got[0].end, "FOLFIRINOX")}
    assert len({f.id for f in got}) == 4
    assert all(f.attributes["regimen"] == "folfirinox" for f in got)
    assert all(f.attributes["outcome"] == "completed" for f in got)


def test_supportive_drugs_are_not_therapy(extract):
    text = (
        "Meds: ondansetron 8 mg prn, dexamethasone 4 mg, filgrastim, zoledronic acid, "
        "pantoprazole, loperamide prn."
    )
    assert therapies(extract(text)) == []


# --------------------------------------------------------------------------- outcomes
@pytest.mark.parametrize(
    ("sentence", "value", "outcome"),
    [
        ("She progressed on sunitinib.", "sunitinib", "progression"),
        ("PD after 4 cycles of docetaxel.", "docetaxel", "progression"),
        ("Progression on pazopanib in 03/2025.", "pazopanib", "progression"),
        ("Disease progression while on cabozantinib.", "cabozantinib", "progression"),
        ("Refractory to gemcitabine.", "gemcitabine", "progression"),
        ("Failed first-line pemetrexed.", "pemetrexed", "progression"),
        ("Sorafenib 02/2025-06/2025 -> progression.", "sorafenib", "progression"),
        ("Progressive pulmonary disease on regorafenib.", "regorafenib", "progression"),
        ("Enlarging lung nodules on savolitinib.", "savolitinib", "progression"),
        ("Sunitinib discontinued due to grade 3 hand-foot syndrome.", "sunitinib", "intolerance"),
        ("Lenvatinib was stopped for toxicity.", "lenvatinib", "intolerance"),
        ("She could not tolerate axitinib.", "axitinib", "intolerance"),
        ("Intolerant of cabozantinib (G3 mucositis).", "cabozantinib", "intolerance"),
        ("Dose-limiting toxicity on ixabepilone.", "ixabepilone", "intolerance"),
        ("Olaparib held for grade 3 anemia.", "olaparib", "intolerance"),
        ("Currently on tivozanib 1.34 mg daily.", "tivozanib", "ongoing"),
        ("Continues niraparib without issues.", "niraparib", "ongoing"),
        ("Regorafenib C4D1 today.", "regorafenib", "ongoing"),
        ("Started cabozantinib 40 mg 9/2025.", "cabozantinib", "ongoing"),
        ("On bevacizumab since September 2025.", "bevacizumab", "ongoing"),
        ("Completed 6 cycles of carboplatin.", "carboplatin", "completed"),
        ("S/p 4 cycles of cisplatin.", "cisplatin", "completed"),
        ("Adjuvant temozolomide x6 completed 10/2024.", "temozolomide", "completed"),
        ("Completed five of a planned six cycles of cisplatin.", "cisplatin", "ongoing"),
        ("Treated with docetaxel in 2023.", "docetaxel", "unknown"),
        ("Meds: anastrozole 1 mg daily.", "anastrozole", "ongoing"),  # being taken
    ],
)
def test_outcome_phrasings(extract, sentence, value, outcome):
    f = one(extract(sentence), value)
    assert f.attributes["outcome"] == outcome
    assert f.assertion == "present"


def test_outcome_reaches_every_drug_of_a_list(extract):
    text = "Metastatic ccRCC: progressed on sunitinib and then pazopanib."
    got = by_value(extract(text))
    assert got["sunitinib"][0].attributes["outcome"] == "progression"
    assert got["pazopanib"][0].attributes["outcome"] == "progression"


def test_several_outcomes_in_one_sentence_go_to_their_own_drugs(extract):
    text = (
        "32M with papillary RCC, progressed on sunitinib and savolitinib, intolerant of "
        "cabozantinib, now on everolimus."
    )
    got = {k: v[0].attributes["outcome"] for k, v in by_value(extract(text)).items()}
    assert got == {
        "sunitinib": "progression",
        "savolitinib": "progression",
        "cabozantinib": "intolerance",
        "everolimus": "ongoing",
    }


def test_parenthesised_outcomes_and_a_toxicity_stop(extract):
    text = (
        "Prior treatment carboplatin paclitaxel (progression), sunitinib (progression), "
        "lenvatinib stopped in April for grade 3 hypertension and proteinuria."
    )
    got = {k: v[0].attributes["outcome"] for k, v in by_value(extract(text)).items()}
    assert got == {
        "carboplatin": "progression",
        "paclitaxel": "progression",
        "sunitinib": "progression",
        "lenvatinib": "intolerance",
    }


def test_a_drug_in_an_aside_does_not_take_the_outcome_of_the_line(extract):
    text = (
        "- 07/2024-06/2025 carboplatin + paclitaxel (bevacizumab omitted: fistula risk) "
        "-> PD 07/2025."
    )
    got = by_value(extract(text))
    assert got["carboplatin"][0].attributes["outcome"] == "progression"
    assert got["paclitaxel"][0].attributes["outcome"] == "progression"
    assert got["bevacizumab"][0].assertion == "negated"


def test_a_toxicity_after_a_repeated_drug_is_about_that_drug_only(extract):
    text = (
        "Neoadjuvant AC x4 (doxorubicin/cyclophosphamide) then weekly paclitaxel x8 - "
        "paclitaxel stopped early for G3 neuropathy."
    )
    got = by_value(extract(text))
    assert got["doxorubicin"][0].attributes["outcome"] != "intolerance"
    assert {f.attributes["outcome"] for f in got["paclitaxel"]} >= {"intolerance"}


def test_arrow_continuation_line_carries_the_outcome(extract):
    text = (
        "ONCOLOGY HISTORY\n"
        "  Line 1 ........ nivolumab + ipilimumab 04/2024 - 01/2025 -> progression (CT 01/2025)\n"
        "  Line 2 ........ cisplatin + pemetrexed + bevacizumab 02/2025 - 04/2026\n"
        "                  -> progression (CT 04/08/2026)\n"
    )
    got = by_value(extract(text))
    for value, line in [("nivolumab", 1), ("ipilimumab", 1), ("cisplatin", 2),
                        ("pemetrexed", 2), ("bevacizumab", 2)]:  # fmt: skip
        f = got[value][0]
        assert f.attributes["outcome"] == "progression", value
        assert f.attributes["line"] == line, value
    assert got["nivolumab"][0].attributes["start_date"] == "2024-04"
    assert got["nivolumab"][0].attributes["end_date"] == "2025-01"
    assert got["cisplatin"][0].attributes["start_date"] == "2025-02"


@pytest.mark.parametrize(
    ("sentence", "value", "line"),
    [
        ("Now on second-line tisotumab vedotin.", "tisotumab vedotin", 2),
        ("HCC on 2L regorafenib, tolerating well.", "regorafenib", 2),
        ("Options: surveillance vs third line vinorelbine.", "vinorelbine", 3),
        ("Gemcitabine as 1st-line therapy, completed.", "gemcitabine", 1),
    ],
)
def test_line_of_therapy(extract, sentence, value, line):
    assert one(extract(sentence), value).attributes["line"] == line


@pytest.mark.parametrize(
    ("sentence", "value", "dates"),
    [
        ("Cabozantinib 12/2024 - 4/2025, stopped for intolerance.", "cabozantinib",
         {"start_date": "2024-12", "end_date": "2025-04"}),
        ("Sorafenib, December 2025 to February 2026, stopped.", "sorafenib",
         {"start_date": "2025-12", "end_date": "2026-02"}),
        ("On tivozanib since 07/15/2025.", "tivozanib", {"start_date": "2025-07-15"}),
        ("07/2025-now tivozanib 1.34 mg daily.", "tivozanib", {"start_date": "2025-07"}),
    ],
)  # fmt: skip
def test_dates_written_beside_the_drug(extract, sentence, value, dates):
    attrs = one(extract(sentence), value).attributes
    assert {k: attrs[k] for k in ("start_date", "end_date") if k in attrs} == dates


# --------------------------------------------------------------------------- assertions
@pytest.mark.parametrize(
    ("sentence", "value", "assertion"),
    [
        ("If she progresses on olaparib we will consider cabozantinib.", "olaparib",
         "hypothetical"),
        ("If she progresses on olaparib we will consider cabozantinib.", "cabozantinib",
         "hypothetical"),
        ("Plan to start cabozantinib next week.", "cabozantinib", "hypothetical"),
        ("Discussed lenvatinib plus everolimus as an option.", "lenvatinib", "hypothetical"),
        ("If not eligible, options include docetaxel or best supportive care.", "docetaxel",
         "hypothetical"),
        ("Cabozantinib would be alternative if not enrolled.", "cabozantinib", "hypothetical"),
        ("No prior chemotherapy or olaparib.", "olaparib", "negated"),
        ("She never received pembrolizumab.", "pembrolizumab", "negated"),
        ("PD-L1 CPS <1, so pembrolizumab was not given.", "pembrolizumab", "negated"),
        ("Completed adjuvant therapy; declined capecitabine.", "capecitabine", "negated"),
        ("Plan: continue olaparib 300 mg BID.", "olaparib", "present"),
        ("Start sacituzumab govitecan today, C1D1.", "sacituzumab govitecan", "present"),
        ("We will continue regorafenib 120 mg.", "regorafenib", "present"),
        ("No evidence of progression on cabozantinib.", "cabozantinib", "present"),
    ],
)  # fmt: skip
def test_assertions(extract, sentence, value, assertion):
    f = one(extract(sentence), value)
    assert f.assertion == assertion
    if assertion != "present":
        assert f.attributes["outcome"] == "unknown"  # an outcome that has not happened


def test_prior_therapy_is_present_not_historical(extract):
    text = (
        "Previously treated with sunitinib (2022-2023), prior pazopanib, remote history of FOLFOX."
    )
    for f in therapies(extract(text)):
        assert f.assertion == "present", (f.value, f.assertion)


def test_family_history_section_is_about_relatives(extract):
    text = (
        "HPI: on olaparib since 2024.\n"
        "Family history: mother progressed on tamoxifen, completed it in 2010.\n"
    )
    got = by_value(extract(text))
    assert got["tamoxifen"][0].assertion == "family"
    assert got["olaparib"][0].assertion == "present"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a relative, the sentence's subject, given the drug: the relative's treatment
        (
            "HPI: Her mother was on tamoxifen. The patient progressed on sunitinib.",
            {"tamoxifen": "family", "sunitinib": "present"},
        ),
        (
            "The patient's father was treated with imatinib for CML; the patient progressed "
            "on pazopanib.",
            {"imatinib": "family", "pazopanib": "present"},
        ),
        # ... not when the relative is not the one given it, or another subject comes between
        ("Her daughter helps her take capecitabine daily.", {"capecitabine": "present"}),
        (
            "Mother had breast cancer and she was treated with tamoxifen.",
            {"tamoxifen": "present"},
        ),
    ],
)
def test_drug_given_to_a_relative(extract, text, expected):
    got = {f.value: f.assertion for f in therapies(extract(text))}
    assert got == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "starting <month>" dates a course: no plan (ConText nor the outcome reader)
        (
            "Then cisplatin pemetrexed and bevacizumab starting october 2024, the cisplatin was "
            "stopped after cycle four because of hearing loss, he continued pemetrexed and "
            "bevacizumab maintenance until progression on the october 2025 ct.",
            {
                ("cisplatin", "present", "intolerance"),
                ("pemetrexed", "present", "progression"),
                ("bevacizumab", "present", "progression"),
            },
        ),
        ("Plan: starting cabozantinib next week.", {("cabozantinib", "hypothetical", "unknown")}),
        # named as an option after it
        (
            "Belzutifan is a later-line option.",
            {("belzutifan", "hypothetical", "unknown")},
        ),
        # a restaging after a counted course evaluates it; 'progressive <site> disease'
        (
            "- January to March 2026: second-line ifosfamide and etoposide, four cycles (last "
            "on 16/03/2026). Restaging CT on 02/04/2026 shows progressive pulmonary disease.",
            {("ifosfamide", "present", "progression"), ("etoposide", "present", "progression")},
        ),
        # ... a course stated completed stays completed (a relapse after it)
        (
            "Adjuvant cisplatin completed 03/2025. Restaging CT 06/2025 showed new lung nodules.",
            {("cisplatin", "present", "completed")},
        ),
    ],
)
def test_course_dates_options_and_restaging(extract, text, expected):
    got = {(f.value, f.assertion, f.attributes["outcome"]) for f in therapies(extract(text))}
    assert expected <= got, got
    assert {(v, a) for v, a, _ in got} == {(v, a) for v, a, _ in expected}


def test_a_drug_on_the_current_medication_list_is_ongoing(extract):
    text = (
        "HPI: breast cancer, stable.\n\n"
        "MEDICATIONS: Hyzaar 50 mg daily, Femara 2.5 mg p.o. daily, aspirin 81 mg.\n\n"
        "DISCHARGE MEDICATIONS:\n1. Lisinopril.\n2. She will not restart methotrexate for now.\n"
    )
    got = {f.value: f for f in therapies(extract(text))}
    assert got["letrozole"].attributes["outcome"] == "ongoing"
    assert got["methotrexate"].attributes["outcome"] == "unknown"  # not being taken


# --------------------------------------------------------------------------- ambiguity
def test_short_synonyms_need_therapy_context(extract):
    assert therapies(extract("Social: BCG vaccination as a child in Brazil.")) == []
    assert therapies(extract("ROS: PLD noted.")) == []
    got = by_value(extract("NMIBC s/p TURBT, intravesical BCG x6 completed 2023."))
    assert got["bacillus calmette-guerin"][0].attributes["outcome"] == "completed"
    got = by_value(extract("Recurrent HGSOC on PLD + bev since 09/2025."))
    assert got["doxorubicin"][0].attributes["outcome"] == "ongoing"
    assert got["bevacizumab"][0].attributes["outcome"] == "ongoing"
    assert any("other meanings" in s.reason for s in got["bevacizumab"][0].explanation)


def test_non_oncologic_use_is_kept_but_flagged(extract):
    f = one(extract("Rheumatoid arthritis on methotrexate 15 mg weekly."), "methotrexate")
    assert f.attributes["possible_non_oncologic_use"] is True
    assert any(s.delta < 0 and "non-cancer" in s.reason for s in f.explanation)
    g = one(extract("Osteosarcoma: high-dose methotrexate in 2024."), "methotrexate")
    assert "possible_non_oncologic_use" not in g.attributes
    assert f.confidence < g.confidence


@pytest.mark.parametrize(
    ("sentence", "value", "outcome"),
    [
        ("Clear cell RCC s/p radical nephrectomy 2020.", "surgery", "completed"),
        ("Breast cancer: mastectomy and axillary dissection 11/2024.", "surgery", "unknown"),
        ("SBRT to the T10 metastasis, completed 02/2025.", "radiotherapy", "completed"),
        ("Adjuvant radiotherapy 66 Gy with concurrent cisplatin.", "radiotherapy", "unknown"),
    ],
)
def test_surgery_and_radiotherapy_are_their_own_values(extract, sentence, value, outcome):
    got = by_value(extract(sentence))
    assert got[value][0].attributes["outcome"] == outcome
    assert got[value][0].attributes["classes"] == []


def test_procedure_words_outside_cancer_are_not_therapy(extract):
    text = "PSH: arthroscopic knee surgery 2015. Referred to radiation oncology."
    assert therapies(extract(text)) == []


# --------------------------------------------------------------------------- whole notes
CLINIC_NOTE = """THORACIC ONCOLOGY PROGRESS NOTE
Date: 07/27/2026

HPI: 78M with unresectable epithelioid pleural mesothelioma, here to review CD70 CAR-T
screening. Progressed on nivo/ipi and on cisplatin/pemetrexed/bevacizumab.

ONCOLOGY HISTORY:
- 04/2024-01/2025 nivolumab + ipilimumab -> PD (CT 01/2025)
- 02/2025-04/2026 cisplatin + pemetrexed + bevacizumab x6, then pemetrexed maintenance
  -> progression (CT 04/08/2026)
- Palliative RT to chest wall 30 Gy, completed 05/2026.

PMH: HTN, COPD. No psychiatric history.
Meds: amlodipine 5 mg daily; tiotropium; acetaminophen prn.
Allergies: penicillin (rash).

ASSESSMENT AND PLAN:
78M MPM, CD70 3+, ECOG 1. Screen fail (no measurable lesion).
- Options: surveillance CT in 8 weeks vs. third-line vinorelbine.
- If he progresses on surveillance we would consider gemcitabine.
"""


def test_clinic_note(extract):
    findings = extract(CLINIC_NOTE)
    got = {}
    for f in therapies(findings):
        got.setdefault((f.value, f.assertion), set()).add(f.attributes["outcome"])
    for agent in ("nivolumab", "ipilimumab", "cisplatin", "pemetrexed", "bevacizumab"):
        assert "progression" in got[(agent, "present")], agent
    assert got[("radiotherapy", "present")] == {"completed"}
    assert ("vinorelbine", "hypothetical") in got
    assert ("gemcitabine", "hypothetical") in got
    assert not any(a == "historical" for _, a in got)
    for f in therapies(findings):
        assert f.text == CLINIC_NOTE[f.start : f.end]
        assert round(sum(s.delta for s in f.explanation), 4) == f.confidence
        assert f.rule.startswith("therapy.")


RADIOLOGY = """CT CHEST, ABDOMEN, PELVIS WITH CONTRAST
Date: 04/14/2026
Indication: 25 yo M, metastatic osteosarcoma to lungs, on cabozantinib; restaging.
Comparison: 12/15/2025.
IMPRESSION:
1. Progressive pulmonary metastatic disease on cabozantinib: enlarging LLL mass (2.2 cm).
"""


def test_radiology_indication_and_impression(extract):
    outcomes = {f.attributes["outcome"] for f in therapies(extract(RADIOLOGY, kind="radiology"))}
    assert outcomes == {"ongoing", "progression"}


def test_conflicting_mentions_across_two_documents(extract):
    """Each document's findings follow its own text; the same text gives the same ids."""
    first = "HPI: metastatic ccRCC on cabozantinib 60 mg daily since 02/2025, tolerating well."
    later = (
        "HPI: metastatic ccRCC. Cabozantinib 02/2025-01/2026 stopped for grade 3 "
        "hand-foot syndrome; now on tivozanib."
    )
    a = one(extract(first, doc_id="d1", date=dt.date(2025, 6, 1)), "cabozantinib")
    b = one(extract(later, doc_id="d2", date=dt.date(2026, 2, 1)), "cabozantinib")
    assert (a.doc_id, a.attributes["outcome"]) == ("d1", "ongoing")
    assert (b.doc_id, b.attributes["outcome"]) == ("d2", "intolerance")
    assert a.id != b.id
    again = one(extract(first, doc_id="d1", date=dt.date(2025, 6, 1)), "cabozantinib")
    assert again.id == a.id


# --------------------------------------------------------------------------- ConText rules
@pytest.fixture(scope="module")
def therapy_assertion(extractor):
    """Assertion ConText alone gives a THERAPY target (no extractor cue involved)."""
    nlp = extractor.nlp
    ctx = nlp.get_pipe("prescreen_context")

    def run(text: str, target: str) -> str:
        with nlp.select_pipes(disable=["prescreen_context"]):
            doc = nlp(text)
        start = text.index(target)
        cand = Candidate(field="therapy", value=target, unit=None, start=start,
                         end=start + len(target), rule="test", context_type="THERAPY",
                         prior=0.9)  # fmt: skip
        doc._.prescreen_candidates = [cand]
        ctx(doc)
        return resolve_assertion([ctx.category_of(m) for m in cand.modifiers]).value

    return run


@pytest.mark.parametrize(
    ("text", "target", "expected", "rule"),
    [
        ("PD-L1 CPS <1 so pembrolizumab was not given.", "pembrolizumab", "negated",
         "neg.therapy_not_given"),
        ("Carboplatin + paclitaxel (bevacizumab omitted: fistula risk).", "bevacizumab",
         "negated", "neg.therapy_omitted"),
        ("Carboplatin + paclitaxel (bevacizumab omitted: fistula risk).", "paclitaxel",
         "present", "neg.therapy_omitted"),
        ("Completed surgery; declined capecitabine.", "capecitabine", "negated",
         "neg.therapy_declined"),
        ("If not eligible: ramucirumab would be next.", "ramucirumab", "hypothetical",
         "hyp.if_not"),
        ("If she is not enrolled, docetaxel.", "docetaxel", "hypothetical", "hyp.if_not"),
        ("Regorafenib reserved as fallback.", "Regorafenib", "hypothetical", "hyp.option"),
        ("Cabozantinib would be alternative.", "Cabozantinib", "hypothetical", "hyp.option"),
        ("We talked about re-irradiation or regorafenib.", "regorafenib", "hypothetical",
         "hyp.talked_about"),
        ("We'll move to lenvatinib.", "lenvatinib", "hypothetical", "hyp.will_contracted"),
        ("Switch to everolimus.", "everolimus", "hypothetical", "hyp.switch_to"),
        ("Cabozantinib versus a trial of savolitinib.", "savolitinib", "hypothetical",
         "hyp.versus"),
        ("Hepatotoxicity: cabozantinib vs other cause.", "cabozantinib", "present",
         "hyp.versus"),
        ("Family favors gemcitabine.", "gemcitabine", "hypothetical", "hyp.prefers"),
        ("AF excludes him for now; cabozantinib next.", "cabozantinib", "hypothetical",
         "hyp.next_after"),
    ],
)  # fmt: skip
def test_therapy_context_rules(therapy_assertion, text, target, expected, rule):
    assert rule in {r.id for r in load_context_rules().rules}
    assert therapy_assertion(text, target) == expected


def test_if_not_rule_replaces_plain_negation_for_other_targets(extract):
    # the condition's "not" does not negate what follows it
    f = one(extract("If not eligible, lorlatinib would be the next option."), "lorlatinib")
    assert f.assertion == "hypothetical"
    assert "neg.not" not in f.attributes.get("context_modifiers", [])


PATHOLOGY = """SURGICAL PATHOLOGY REPORT
Collected: 03/06/2026   Reported: 03/10/2026
Clinical hx: hx of L clear cell RCC s/p nephrectomy 2020, new liver lesions on CT while on
tivozanib, r/o metastasis vs second primary.
Specimen: Liver, right lobe lesion, US-guided core biopsy x3.
DIAGNOSIS:
Liver, core biopsy: METASTATIC CLEAR CELL RENAL CELL CARCINOMA. CD70 IHC 3+.
"""


def test_pathology_clinical_history(extract):
    findings = extract(PATHOLOGY, kind="pathology")
    got = by_value(findings)
    assert set(got) == {"tivozanib", "surgery"}
    assert got["tivozanib"][0].assertion == "present"
    assert got["surgery"][0].attributes["outcome"] == "completed"


def test_offsets_in_a_long_note_processed_in_chunks(extract, extractor):
    filler = "Review of systems negative. Vitals stable, afebrile.\n" * (
        extractor.settings.chunk_chars // 50 + 10
    )
    text = filler + "A/P: progressed on cabozantinib; now on tivozanib since 07/2025.\n" + filler
    got = by_value(extract(text))
    assert got["cabozantinib"][0].attributes["outcome"] == "progression"
    assert got["tivozanib"][0].attributes["start_date"] == "2025-07"
    for fs in got.values():
        for f in fs:
            assert text[f.start : f.end] == f.text
            assert f.start > extractor.settings.chunk_chars


def test_lymphoma_regimen_and_regimen_only_agents(extract):
    got = by_value(extract("Treated with R-CHOP x6 in 2021, progressed 2023."))
    assert set(got) >= {"rituximab", "cyclophosphamide", "doxorubicin", "vincristine", "prednisone"}
    assert "prednisone" not in by_value(extract("Meds: prednisone 5 mg daily for COPD."))


# --------------------------------------------------------------------------- outcome grammar
def outcomes(findings, value):
    return {f.attributes["outcome"] for f in by_value(findings).get(value, [])}


def test_outcome_after_a_parenthesised_regimen_list(extract):
    text = """Oncologic history:
- 01/2021-07/2021 MAP (HD methotrexate, doxorubicin, cisplatin), completed; resection
  of the R proximal humerus 04/2021.
- 2023 lung metastases, observed.
"""
    found = extract(text)
    for drug in ("methotrexate", "doxorubicin", "cisplatin"):
        assert outcomes(found, drug) == {"completed"}, drug
        assert {f.assertion for f in by_value(found)[drug]} == {"present"}


def test_map_regimen_only_in_capitals_and_in_a_therapy_sentence(extract):
    found = extract(
        "Osteosarcoma of the L femur treated with MAP chemotherapy and limb salvage in 2022.\n"
        "Vitals: BP 120/70, we will map the lesion on the next scan.\n"
    )
    assert set(by_value(found)) >= {"methotrexate", "doxorubicin", "cisplatin"}
    assert all(f.text == "MAP" for f in by_value(found)["cisplatin"])
    assert "map" not in {f.text.lower() for f in therapies(found) if f.text != "MAP"}


def test_toxicity_written_before_discontinued_is_intolerance(extract):
    text = """Treatment history:
- 02/2026 gemcitabine + docetaxel C2 only - febrile neutropenia and grade 3 mucositis, discontinued
- 03/2026 restaging CT pending.
"""
    found = extract(text)
    assert outcomes(found, "gemcitabine") == {"intolerance"}
    assert outcomes(found, "docetaxel") == {"intolerance"}


def test_stop_cue_opening_the_next_clause_reaches_the_drug(extract):
    text = """History:
 - 02/2025-09/2025: lenvatinib 24 -> 14 mg; stopped 09/2025 for G3 hypertension and proteinuria.
 - 10/2025: sorafenib, ongoing.
"""
    found = extract(text)
    assert outcomes(found, "lenvatinib") == {"intolerance"}
    assert outcomes(found, "sorafenib") == {"ongoing"}


def test_anaphoric_treatment_completed_reaches_every_drug_of_the_clause(extract):
    text = (
        "- Neoadjuvant carboplatin and paclitaxel (four cycles) with interval debulking surgery "
        "in May 2024; treatment completed with no residual disease.\n"
    )
    found = extract(text)
    assert outcomes(found, "carboplatin") == {"completed"}
    assert outcomes(found, "paclitaxel") == {"completed"}


def test_progression_after_completion_counts_as_progression(extract):
    text = (
        "Previous treatment: adjuvant RT 60 Gy + weekly cisplatin (6 doses), completed 05/2025; "
        "progression 11/2025 in the lungs.\n"
    )
    found = extract(text)
    assert outcomes(found, "cisplatin") == {"progression"}


def test_progression_in_the_next_sentence_of_the_paragraph(extract):
    text = (
        "She progressed on carboplatin/pemetrexed. Switched to docetaxel + ramucirumab starting "
        "1/5/26. Unfortunately CT from 3/2 shows growth of the right hilar mass and new liver "
        "lesions.\n\nPlan: discuss trial options.\n"
    )
    found = extract(text)
    assert outcomes(found, "docetaxel") == {"progression"}
    assert outcomes(found, "ramucirumab") == {"progression"}


def test_next_sentence_progression_needs_the_same_paragraph_and_real_growth(extract):
    text = (
        "Chemotherapy with carboplatin and etoposide was started. First cycle was complicated "
        "by neutropenia despite growth factor support.\n"
        "Started pembrolizumab 1/2026.\nCT 3/2026: growth of the liver lesions.\n"
    )
    found = extract(text)
    assert "progression" not in outcomes(found, "carboplatin")
    assert "progression" not in outcomes(found, "pembrolizumab")


def test_new_lesions_on_a_drug_is_progression(extract):
    text = (
        "Clinical details: high-grade serous ovarian carcinoma, niraparib maintenance. "
        "Rising CA-125 and new peritoneal nodules on niraparib. Confirm recurrence.\n"
    )
    found = extract(text, kind="pathology")
    assert "progression" in outcomes(found, "niraparib")


def test_followed_by_relapse_is_progression(extract):
    found = extract(
        "Diagnoses: 1. Colon cancer 2019, status post FOLFOX x12 in 2019 followed by relapse.\n"
    )
    assert outcomes(found, "oxaliplatin") == {"progression"}


def test_short_pemetrexed_joins_its_list(extract):
    text = (
        "ONC HX: cisplatin + pemetrexed x 4 then pem maint (PD 01/2026) -> second line docetaxel.\n"
    )
    found = extract(text)
    assert outcomes(found, "pemetrexed") == {"progression"}
    assert outcomes(found, "cisplatin") == {"progression"}


def test_radiation_dose_does_not_split_a_chemoradiation_list(extract):
    text = (
        "- 2024 induction docetaxel and cisplatin x2 followed by chemoradiation 70 Gy with "
        "weekly cisplatin, completed 09/2024.\n"
    )
    found = extract(text)
    assert outcomes(found, "docetaxel") == {"completed"}


def test_dose_dense_ac_is_a_regimen(extract):
    found = extract("Adjuvant dose dense AC followed by weekly paclitaxel, completed 2023.\n")
    assert outcomes(found, "doxorubicin") == {"completed"}
    assert outcomes(found, "cyclophosphamide") == {"completed"}


# --------------------------------------------------------------------------- status
def test_planning_phrases_make_a_drug_hypothetical(extract):
    text = """Plan:
- await NGS; the referring doctor had mentioned osimertinib pending EGFR status.
- apheresis to be scheduled. nivolumab/ipilimumab remains the back up plan if
  manufacturing fails.
- Lorlatinib to be considered if a resistance mutation sensitive to it is found.
"""
    found = extract(text)
    for drug in ("osimertinib", "nivolumab", "ipilimumab", "lorlatinib"):
        assert {f.assertion for f in by_value(found)[drug]} == {"hypothetical"}, drug


def test_options_lead_makes_the_listed_drugs_hypothetical(extract):
    found = extract(
        "Options discussed: (1) gemcitabine + docetaxel now, (2) ifosfamide high dose, "
        "(3) a trial later.\n"
    )
    for drug in ("gemcitabine", "docetaxel", "ifosfamide"):
        assert {f.assertion for f in by_value(found)[drug]} == {"hypothetical"}, drug


def test_drug_named_after_that_in_a_plan_is_hypothetical(extract):
    found = extract(
        "If he does not enroll we would consider belzutifan next, and lenvatinib/everolimus "
        "after that.\n"
    )
    for drug in ("belzutifan", "lenvatinib", "everolimus"):
        assert {f.assertion for f in by_value(found)[drug]} == {"hypothetical"}, drug


def test_drug_named_in_a_mutation_annotation_is_not_a_therapy(extract):
    text = (
        "NGS on the liver biopsy: ALK G1202R compound mutation (lorlatinib-resistant).\n"
        "She remains on brigatinib.\n"
    )
    found = extract(text)
    assert "lorlatinib" not in by_value(found)
    assert one(found, "brigatinib").assertion == "present"


def test_monitoring_for_a_planned_drug_is_no_intolerance(extract):
    text = """Plan:
1. start alectinib 600 mg bid this week, prescription sent.
2. CBC and CMP every 2 weeks for the first 3 months (alectinib hepatotoxicity, CPK).
"""
    found = extract(text)
    got = by_value(found)["alectinib"]
    assert {f.attributes["outcome"] for f in got} == {"unknown"}
    assert {f.assertion for f in got} == {"hypothetical"}


def test_monitoring_for_a_given_drug_keeps_it_present(extract):
    text = """A/P: metastatic NSCLC, continue alectinib 600 mg bid.
- CBC and CMP every 4 weeks (alectinib hepatotoxicity).
"""
    found = extract(text)
    got = by_value(found)["alectinib"]
    assert {f.assertion for f in got} == {"present"}
    assert "intolerance" not in {f.attributes["outcome"] for f in got}


def test_conditional_progression_on_the_current_drug_is_present(extract):
    text = (
        "Disease: continue cabozantinib for now (clinical benefit). If he progresses on "
        "cabozantinib we will consider lenvatinib/everolimus.\n"
    )
    found = extract(text)
    assert {f.assertion for f in by_value(found)["cabozantinib"]} == {"present"}
    assert {f.assertion for f in by_value(found)["lenvatinib"]} == {"hypothetical"}


def test_conditional_progression_on_a_planned_drug_stays_hypothetical(extract):
    found = extract(
        "Plan: once the fusion is confirmed plan first line alectinib. If she progresses on "
        "alectinib we will consider lorlatinib.\n"
    )
    assert {f.assertion for f in by_value(found)["alectinib"]} == {"hypothetical"}


def test_adverse_effect_from_a_drug_says_it_was_given(extract):
    found = extract(
        "Interval: admitted 5/2-5/6 w/ neutropenic fever (no organism), AKI from ifosfamide "
        "with creatinine peak 2.4. Home now.\n"
    )
    assert one(found, "ifosfamide").assertion == "present"


def test_not_indicated_drug_is_negated(extract):
    found = extract(
        "NGS: EML4-ALK fusion, EGFR wild type, so osimertinib is not relevant for her. "
        "Start alectinib.\n"
    )
    assert one(found, "osimertinib").assertion == "negated"


def test_anthracycline_exposure_is_therapy_context_for_short_synonyms(extract):
    found = extract(
        "Indication: cardiac assessment, cumulative anthracycline (PLD) exposure; trial "
        "screening.\n",
        kind="echo",
    )
    assert one(found, "doxorubicin").assertion == "present"


# --------------------------------------------------------------------------- real-note phrasing
def _outcomes(findings):
    return {(f.value, f.assertion.value, f.attributes.get("outcome")) for f in therapies(findings)}


def test_beam_is_the_regimen_only_in_capitals(extract):
    text = (
        "HPI: Recurrent Hodgkin lymphoma. She received carboplatin and paclitaxel last month "
        "and would benefit from electron beam radiotherapy to the chest wall.\n"
        "PMH: Autologous transplant after BEAM conditioning in 2019.\n"
    )
    values = {f.value for f in therapies(extract(text))}
    assert {"carboplatin", "paclitaxel", "carmustine", "melphalan"} <= values
    # "electron beam radiotherapy" names no chemotherapy: only the capitalised BEAM does
    beam = [f for f in therapies(extract(text)) if f.value == "carmustine"]
    assert [f.text for f in beam] == ["BEAM"]


def test_progression_before_a_new_drug_is_not_progression_on_it(extract):
    text = (
        "History: Subtotal resection of a glioma in 1993 followed by radiation. MRI in 1995 "
        "revealed tumor progression and he was subsequently placed on carboplatin/VP-16. "
        "He was last seen in clinic in 1996.\n"
    )
    got = _outcomes(extract(text))
    assert ("carboplatin", "present", "unknown") in got
    assert ("etoposide", "present", "unknown") in got


def test_cycle_number_in_words_is_ongoing(extract):
    text = (
        "HOSPITAL COURSE: Ewing sarcoma. She presented for cycle seven of VP-16 and "
        "ifosfamide with mesna, which she tolerated well. Discharged home on day 5.\n"
    )
    got = _outcomes(extract(text))
    assert ("etoposide", "present", "ongoing") in got
    assert ("ifosfamide", "present", "ongoing") in got


def test_poorly_tolerated_drug_and_the_one_switched_to(extract):
    text = (
        "Peritoneal carcinoma on IP treatment. Her first cycle of intraperitoneal "
        "cisplatin was very difficultly tolerated. For that reason she was switched to "
        "Taxol at the following admission and has managed well since.\n"
    )
    got = _outcomes(extract(text))
    assert ("cisplatin", "present", "intolerance") in got
    assert ("paclitaxel", "present", "ongoing") in got


def test_present_perfect_given_is_ongoing(extract):
    text = (
        "Stage IV breast cancer with chest wall recurrence. Dr. Smith has given her some "
        "carboplatin and Taxol more recently. Radiation oncology consult today.\n"
    )
    got = _outcomes(extract(text))
    assert ("carboplatin", "present", "ongoing") in got
    assert ("paclitaxel", "present", "ongoing") in got


def test_prednisone_counts_only_in_a_list_of_anticancer_drugs(extract):
    text = (
        "DLBCL, stage III. Treatment with rituximab together with cyclophosphamide, "
        "daunorubicin, vincristine and prednisone was started in May.\n"
        "COPD flare last winter treated with prednisone 40 mg daily for five days.\n"
    )
    pred = [f for f in therapies(extract(text)) if f.value == "prednisone"]
    assert len(pred) == 1 and pred[0].attributes["outcome"] == "ongoing"
    assert pred[0].start < text.index("COPD")


def test_bare_interferon_is_interferon_alfa_but_not_the_other_interferons(extract):
    text = (
        "Polycythemia vera. In the past he has been on hydroxyurea and interferon but did not "
        "tolerate both of them.\n"
        "TB screening: interferon-gamma release assay negative. Sister has multiple "
        "sclerosis on interferon beta-1a.\n"
    )
    got = _outcomes(extract(text))
    assert ("interferon alfa", "present", "intolerance") in got
    assert ("hydroxyurea", "present", "intolerance") in got
    assert [f.value for f in therapies(extract(text))].count("interferon alfa") == 1


@pytest.mark.parametrize(
    ("dose", "kept"),
    [("Megace 400 mg per day", False), ("megestrol acetate 800 mg daily", False),
     ("megestrol 160 mg daily", True), ("Megace 40 mg/mL suspension", True)],
)  # fmt: skip
def test_megestrol_at_an_appetite_dose_is_supportive_care(extract, dose, kept):
    text = (
        "Metastatic pancreatic cancer with weight loss.\n"
        f"MEDICATIONS: Dilaudid 2 mg q.3h. p.r.n., Protonix 40 mg per day, and {dose}.\n"
    )
    assert bool([f for f in therapies(extract(text)) if f.value == "megestrol"]) is kept


# ------------------------------------------------------------ plans in consult letters
def test_what_a_planned_cycle_will_include_is_hypothetical(extract):
    text = (
        "Induction is two cycles. Cycle one would consist of docetaxel and cisplatin with "
        "fluorouracil, and cetuximab is added. In our unit the typical schedule gives cisplatin "
        "over two hours. Cetuximab will be given weekly during radiation.\n"
    )
    found = therapies(extract(text))
    assert {f.value for f in found} >= {"docetaxel", "cisplatin", "fluorouracil", "cetuximab"}
    assert {f.assertion.value for f in found} == {"hypothetical"}


def test_published_trials_of_a_drug_are_no_course_of_the_patients(extract):
    text = (
        "We reviewed phase II trials that have used temozolomide for low-grade tumours. "
        "We discussed starting temozolomide once she recovers.\n"
    )
    found = therapies(extract(text))
    assert {(f.value, f.assertion.value) for f in found} == {("temozolomide", "hypothetical")}


def test_a_complete_remission_told_next_completes_the_course(extract):
    text = (
        "Two years ago he developed a follicular lymphoma which was treated with R-CHOP. "
        "He then went into a complete remission and has been followed since.\n"
    )
    found = extract(text)
    for agent in ("rituximab", "cyclophosphamide", "doxorubicin", "vincristine", "prednisone"):
        assert outcomes(found, agent) == {"completed"}, agent
    text = (
        "Two years ago he developed a follicular lymphoma which was treated with R-CHOP.\n"
        "Complete remission of his gout flare after colchicine.\n"
    )
    assert outcomes(extract(text), "rituximab") != {"completed"}


# ------------------------------------------------------------ implied course outcomes
@pytest.mark.parametrize(
    ("text", "value", "outcome"),
    [
        # a curative-intent phase given in the past is a finished course
        ("Breast IDC 2023: neoadjuvant doxorubicin/cyclophosphamide x4 (03/2023-06/2023).",
         "cyclophosphamide", "completed"),
        ("She was treated with definitive cisplatin chemoradiation in 2022.", "cisplatin",
         "completed"),
        ("He received adjuvant capecitabine for six months.", "capecitabine", "completed"),
        # every stated cue outranks the implied one
        ("Currently on adjuvant capecitabine, cycle 3 day 1 today.", "capecitabine", "ongoing"),
        ("Received adjuvant oxaliplatin, stopped after 4 cycles for grade 3 neuropathy.",
         "oxaliplatin", "intolerance"),
        # a phase word alone does not say a course was given
        ("Plan: adjuvant capecitabine after the operation.", "capecitabine", "unknown"),
        ("If margins are involved we would offer adjuvant capecitabine.", "capecitabine",
         "unknown"),
    ],
)  # fmt: skip
def test_course_phase_implies_a_completed_course(extract, text, value, outcome):
    assert one(extract(text), value).attributes["outcome"] == outcome


def test_relapse_after_a_completed_course_keeps_it_completed(extract):
    text = (
        "Adjuvant chemoradiotherapy with weekly cisplatin, completed in March 2025. "
        "New lung nodules on the August CT."
    )
    assert one(extract(text), "cisplatin").attributes["outcome"] == "completed"
    # without a stated end, progression told in the next sentence still reaches the drug
    text = "She was started on pazopanib in May. Restaging CT shows new liver lesions."
    assert one(extract(text), "pazopanib").attributes["outcome"] == "progression"


# ------------------------------------------------------------ options weighed, not given
def assertions(found, value):
    return {f.assertion for f in by_value(found).get(value, [])}


@pytest.mark.parametrize(
    ("text", "drugs"),
    [
        # what would come next
        ("Axitinib plus pembrolizumab is the next option at progression.",
         ("axitinib", "pembrolizumab")),
        ("No good options remain - irinotecan or topotecan would be the usual next step if "
         "she declines the study.", ("irinotecan", "topotecan")),
        ("Paclitaxel, with or without ramucirumab, remains the standard alternative.",
         ("paclitaxel", "ramucirumab")),
        ("Gemcitabine single agent would be the option.", ("gemcitabine",)),
        ("Rechallenge with carboplatin would be reasonable given the long platinum-free "
         "interval.", ("carboplatin",)),
        # planned, proposed, accepted, listed as alternatives
        ("Regorafenib 160 mg daily planned as third line (prior authorization pending, NOT "
         "started).", ("regorafenib",)),
        ("Per tumour board we would proceed with enfortumab vedotin.", ("enfortumab vedotin",)),
        ("She has had no immunotherapy - my recommendation is durvalumab + "
         "gemcitabine/cisplatin rechallenge.", ("durvalumab", "gemcitabine", "cisplatin")),
        ("Discussed with the patient at length; he accepts pazopanib.", ("pazopanib",)),
        ("Restage in 6 weeks; alternatives discussed incl. trifluridine or best supportive "
         "care.", ("trifluridine",)),
        ("Otherwise second-line docetaxel vs\n   best supportive care.", ("docetaxel",)),
    ],
)  # fmt: skip
def test_options_weighed_for_later_are_hypothetical(extract, text, drugs):
    found = extract(text)
    for drug in drugs:
        assert assertions(found, drug) == {"hypothetical"}, drug
        assert outcomes(found, drug) == {"unknown"}, drug


def test_a_course_judged_in_the_past_tense_is_not_an_option(extract):
    found = extract("Sunitinib was the first-line choice, 2019-2021, stopped for progression.")
    assert assertions(found, "sunitinib") == {"present"}
    assert outcomes(found, "sunitinib") == {"progression"}


def test_progression_as_the_time_of_a_past_switch_is_kept(extract):
    found = extract("At progression on sunitinib she was switched to cabozantinib.")
    assert assertions(found, "sunitinib") == {"present"}
    assert outcomes(found, "sunitinib") == {"progression"}
    assert outcomes(found, "cabozantinib") == {"ongoing"}


def test_versus_between_causes_in_brackets_is_no_choice_of_drug(extract):
    found = extract(
        "Sunitinib 2023-2024 -> PD. New LV dysfunction, ?TKI-related (sunitinib) vs "
        "hypertensive heart disease."
    )
    assert assertions(found, "sunitinib") == {"present"}


def test_a_stop_sentence_after_a_plan_is_not_about_the_planned_drug(extract):
    found = extract("Plan: start sunitinib next week. Stopped smoking in 2010.")
    assert assertions(found, "sunitinib") == {"hypothetical"}


# ------------------------------------------------------------ stop reasons, course lines
@pytest.mark.parametrize(
    "text",
    [
        "Cisplatin stopped after cycle 2 (tinnitus, rising creatinine); carboplatin from C3.",
        "Cisplatin was discontinued after three cycles because of high-frequency hearing loss.",
        "Cisplatin halted at C4 owing to a creatinine bump and ringing ears (tinnitus).",
    ],
)
def test_ototoxicity_and_kidney_injury_are_intolerance(extract, text):
    assert "intolerance" in outcomes(extract(text), "cisplatin")


def test_switching_one_drug_for_toxicity_does_not_blame_the_others(extract):
    text = (
        "First line cisplatin/pemetrexed/bevacizumab 02/2025 -> cisplatin switched to "
        "carboplatin at C3 (hearing loss, Cr rise) -> bevacizumab maintenance; PD 11/2025."
    )
    found = extract(text)
    assert "intolerance" in outcomes(found, "cisplatin")
    assert "intolerance" not in outcomes(found, "pemetrexed")
    assert "intolerance" not in outcomes(found, "bevacizumab")
    assert "progression" in outcomes(found, "bevacizumab")
    assert outcomes(found, "carboplatin") == {"ongoing"}


def test_a_dose_reduction_alone_is_no_intolerance(extract):
    found = extract("Lenvatinib 24 mg daily, reduced to 14 mg for grade 2 hypertension, continued.")
    assert outcomes(found, "lenvatinib") == {"ongoing"}


def test_a_cycle_named_as_the_time_of_a_stop_is_not_the_current_cycle(extract):
    assert outcomes(extract("Oxaliplatin stopped after cycle 6."), "oxaliplatin") == {"unknown"}
    assert outcomes(extract("Regorafenib, C4D1 today."), "regorafenib") == {"ongoing"}


def test_progression_after_a_dose_reduced_drug_reaches_its_whole_course(extract):
    text = (
        "> 01/2025-06/2025  docetaxel 75 mg/m2 + ramucirumab 8 mg/kg q3w; docetaxel reduced "
        "to 60 mg/m2 from C2 (neutropenic fever after C1); best response PR; PD on CT "
        "06/12/2025 -> stopped\n"
    )
    found = extract(text)
    assert outcomes(found, "docetaxel") == {"progression"}
    assert outcomes(found, "ramucirumab") == {"progression"}


def test_progression_told_after_a_dose_reduction_sentence_reaches_the_course(extract):
    text = (
        "• Jan 2024 – Mar 2025: maintenance pemetrexed and pembrolizumab. Pemetrexed reduced "
        "to 400 mg/m² from cycle 9 because of fatigue. Both stopped on 02/04/2025 when CT "
        "showed progression in the liver.\n"
    )
    found = extract(text)
    assert outcomes(found, "pemetrexed") == {"progression"}
    assert outcomes(found, "pembrolizumab") == {"progression"}


@pytest.mark.parametrize(
    ("text", "drugs", "outcome"),
    [
        # a scan that ends the course, with its date, opens the next clause
        ("Recurrence 03/2025 -> lomustine 110 mg/m2 q6w x3 (cycle 2 dose-reduced for grade 3 "
         "thrombocytopenia); MRI 08/2025 progression.", ("lomustine",), "progression"),
        # a count of cycles as the subject
        ("- 01/2024 – 05/2024: carboplatin AUC 5 and paclitaxel 175 mg/m² three-weekly; six "
         "cycles completed, best response partial response.", ("carboplatin", "paclitaxel"),
         "completed"),
        # a phase of the course as the subject
        ("-> carboplatin AUC5 C4-6; induction completed", ("carboplatin",), "completed"),
        # an aside in brackets is not distance
        ("- 02/2025 – 06/2025: lenvatinib 24 mg daily, reduced to 20 mg in March (grade 3 "
         "hypertension) and to 14 mg in April (proteinuria 3 g/24 h). Discontinued on "
         "20/06/2025 because of grade 3 fatigue.", ("lenvatinib",), "intolerance"),
    ],
)  # fmt: skip
def test_outcome_that_opens_a_later_clause_of_the_course(extract, text, drugs, outcome):
    found = extract(text)
    for drug in drugs:
        assert outcomes(found, drug) == {outcome}, drug


def test_an_anaphoric_sentence_completes_the_drugs_before_it(extract):
    text = (
        "She was treated with chemoradiotherapy: pelvic radiotherapy 50 Gy with weekly "
        "cisplatin 40 mg/m² for six cycles, followed by brachytherapy. This was completed in "
        "May 2022, with a complete response.\n"
    )
    assert outcomes(extract(text), "cisplatin") == {"completed"}


def test_and_after_joins_the_lines_a_progression_reaches(extract):
    found = extract(
        "Metastatic cervical SCC, progressed after carboplatin / paclitaxel / bevacizumab and "
        "after tisotumab vedotin."
    )
    for drug in ("carboplatin", "paclitaxel", "bevacizumab", "tisotumab vedotin"):
        assert outcomes(found, drug) == {"progression"}, drug


def test_auc_and_superscript_doses_do_not_split_a_list(extract):
    found = extract("PD on carboplatin AUC5 + pemetrexed 500 mg/m² and pembrolizumab.")
    for drug in ("carboplatin", "pemetrexed", "pembrolizumab"):
        assert outcomes(found, drug) == {"progression"}, drug


def test_progression_sentence_after_a_completed_course(extract):
    # the sentence opening with progression continues the one before, but the course there
    # was already completed (as for progression told in the next sentence)
    text = (
        "She received carboplatin and paclitaxel and completed six cycles 1/2025 - 4/2025 "
        "with a partial response. progression on CT 7/2025."
    )
    found = extract(text)
    assert outcomes(found, "carboplatin") == {"completed"}
    assert outcomes(found, "paclitaxel") == {"completed"}
    # after an arrow the progression belongs to the course line
    found = extract("carboplatin + paclitaxel x6, completed 04/2025\n  -> progression 07/2025\n")
    assert outcomes(found, "carboplatin") == {"progression"}


def test_an_outcome_asked_about_is_not_stated(extract):
    text = (
        "She received cabozantinib and then savolitinib, but whether either was stopped for "
        "progression or for toxicity is not documented."
    )
    got = by_value(extract(text))
    assert {got[a][0].attributes["outcome"] for a in ("cabozantinib", "savolitinib")} == {"unknown"}
    # a modal in a statement of fact still states it
    (f,) = by_value(extract("She received sunitinib, which she could not tolerate."))["sunitinib"]
    assert f.attributes["outcome"] == "intolerance"


def test_gp_acronym_is_gemcitabine_cisplatin_only_beside_another_anticancer_agent(extract):
    found = by_value(extract("Nasopharyngeal carcinoma: GP plus camrelizumab x4, then PR."))
    assert {"gemcitabine", "cisplatin", "camrelizumab"} <= set(found)
    # the general practitioner, even in a sentence about treatment
    text = "Low mood treated by his GP with mirtazapine 15 mg; GP started him on omeprazole."
    assert therapies(extract(text)) == []
    # lower case is never the regimen
    assert "gemcitabine" not in by_value(extract("Relapse after gp plus camrelizumab."))


def test_misspelt_temozolomide_is_recognised(extract):
    f = one(
        extract("Glioma treated with temozolamide and radiation, completed 2024."), "temozolomide"
    )
    assert f.attributes["outcome"] == "completed"


def test_considered_failed_is_not_a_plan(extract):
    f = one(extract("The pazopanib course is now considered failed."), "pazopanib")
    assert f.assertion.value == "present"
    # "considered" alone still plans
    f = one(extract("Eribulin is being considered."), "eribulin")
    assert f.assertion.value == "hypothetical"


def test_a_stop_for_thrombosis_is_intolerance(extract):
    f = one(extract("Aflibercept was discontinued after a DVT in March."), "aflibercept")
    assert f.attributes["outcome"] == "intolerance"
    f = one(extract("Bevacizumab stopped 05/2025 given VTE, not to be resumed."), "bevacizumab")
    assert f.attributes["outcome"] == "intolerance"


def test_done_after_a_course_completes_it(extract):
    found = by_value(
        extract("Relapse in 2024; we gave carboplatin + gemcitabine x 4 cycles, done March 2025.")
    )
    assert {found[a][0].attributes["outcome"] for a in ("carboplatin", "gemcitabine")} == {
        "completed"
    }
    f = one(extract("Docetaxel x6 (done 02/2024), then surveillance."), "docetaxel")
    assert f.attributes["outcome"] == "completed"
    # a test that was done is no course
    f = one(extract("CT done today while on osimertinib."), "osimertinib")
    assert f.attributes["outcome"] == "ongoing"


def test_until_progression_even_misspelt_is_progression(extract):
    text = "Metastases treated with pazopanib until progresion in 2023 and then axitinib since."
    f = by_value(extract(text))["pazopanib"][0]
    assert f.attributes["outcome"] == "progression"


def test_a_later_or_possible_option_is_planned(extract):
    text = "Next line would be nivolumab, with trastuzumab deruxtecan as a later option."
    assert one(extract(text), "trastuzumab deruxtecan").assertion.value == "hypothetical"
    text = "Options: surveillance or a trial. Cabozantinib also possible."
    assert one(extract(text), "cabozantinib").assertion.value == "hypothetical"


def test_options_lead_with_a_dash_plans_the_list(extract):
    text = "We went over options - gemcitabine, eribulin, or a trial since her disease is slow."
    found = by_value(extract(text))
    assert {found[a][0].assertion.value for a in ("gemcitabine", "eribulin")} == {"hypothetical"}
    # a date after "since" still says the drug is taken
    f = one(extract("He has been on everolimus since 03/2025."), "everolimus")
    assert f.attributes["outcome"] == "ongoing"


def test_recommendation_reaches_past_a_line_and_class(extract):
    text = "My recommendation is second-line combination chemotherapy with FOLFIRI."
    found = by_value(extract(text))
    assert {f.assertion.value for fs in found.values() for f in fs} == {"hypothetical"}


def test_addition_of_joins_a_planned_list(extract):
    text = (
        "Carboplatin and paclitaxel, with the addition of bevacizumab, had been planned "
        "but were deferred."
    )
    found = by_value(extract(text))
    assert {found[a][0].assertion.value for a in ("carboplatin", "paclitaxel")} == {"hypothetical"}


def test_would_be_poorly_tolerated_is_an_appraisal(extract):
    text = "At ECOG 3, temozolomide would be poorly tolerated."
    f = one(extract(text), "temozolomide")
    assert f.assertion.value == "hypothetical"
    f = one(extract("Temozolomide was poorly tolerated."), "temozolomide")
    assert f.attributes["outcome"] == "intolerance"


def test_off_a_drug_for_toxicity_is_intolerance(extract):
    f = one(
        extract("Indication: recurrent RCC, off axitinib since 04/2026 (toxicity)."), "axitinib"
    )
    assert f.attributes["outcome"] == "intolerance"


def test_omitted_for_later_cycles_or_a_dose_is_intolerance(extract):
    text = "Cisplatin was omitted for cycles 5 and 6 because of grade 2 ototoxicity."
    f = one(extract(text), "cisplatin")
    assert (f.assertion.value, f.attributes["outcome"]) == ("present", "intolerance")
    text = (
        "She had four of five planned carboplatin doses, the last one omitted due to neutropenia."
    )
    f = one(extract(text), "carboplatin")
    assert f.attributes["outcome"] == "intolerance"


def test_stopped_as_planned_is_completed(extract):
    text = (
        "Carboplatin + pemetrexed x4; carboplatin stopped after the 4 induction cycles as planned."
    )
    f = by_value(extract(text))["carboplatin"][-1]
    assert f.attributes["outcome"] == "completed"


def test_changed_to_another_drug_gives_the_reason_to_the_one_left(extract):
    text = "After two cycles the oxaliplatin was changed to irinotecan because of neuropathy."
    found = by_value(extract(text))
    assert found["oxaliplatin"][0].attributes["outcome"] == "intolerance"
    assert found["irinotecan"][0].attributes["outcome"] != "intolerance"


def test_the_month_may_is_not_a_modal(extract):
    text = "Given pazopanib until PD in May 2024 and then axitinib until PD in January."
    found = by_value(extract(text))
    assert {found[a][0].attributes["outcome"] for a in ("pazopanib", "axitinib")} == {"progression"}
    # the modal still makes a cue conditional
    f = one(extract("If she progresses on it she may receive axitinib."), "axitinib")
    assert f.assertion.value == "hypothetical"


# ------------------------------------------------ outcomes told away from the drug (v2)
def _outcome_sets(findings) -> dict[str, set[str]]:
    return {k: {f.attributes["outcome"] for f in v} for k, v in by_value(findings).items()}


def test_progression_after_a_response_only_sentence_reaches_the_course(extract):
    text = (
        "Oncology history:\n"
        "- 2022-2023: atezolizumab 1200 mg q3w (18 cycles). Best response: stable disease. "
        "Progression on CT 08/2023 (new adrenal mass).\n"
        "- 09/2023: second-line cabazitaxel.\n"
    )
    got = _outcome_sets(extract(text))
    assert got["atezolizumab"] == {"progression"}
    assert got["cabazitaxel"] == {"unknown"}


def test_a_dose_starting_a_wrapped_line_continues_the_drug_line(extract):
    text = (
        'Referral letter: "Recurrence 2023 -> cisplatin 75 mg/m2 + docetaxel\n'
        '   75 mg/m2 q3w, 4 cycles completed 11/2023, stable disease."'
    )
    got = _outcome_sets(extract(text))
    assert got["cisplatin"] == got["docetaxel"] == {"completed"}


def test_a_hanging_indent_line_continues_the_timeline_item(extract):
    text = (
        "Treatment history:\n"
        "  * 03/2022-10/2022  ifosfamide 3 g/m2 + etoposide 100 mg/m2, ifosfamide stopped d/t\n"
        "    grade 3 encephalopathy, not restarted.\n"
        "  * 01/2024-07/2024  pazopanib 800 mg daily -> 600 mg from C2\n"
        "    (diarrhoea G3). PD liver 07/2024.\n"
        "  * 2024        wedge resection RLL\n"
        "  * 08/2024-02/2025  cabozantinib 60 mg daily\n"
    )
    got = _outcome_sets(extract(text))
    assert "intolerance" in got["ifosfamide"]
    assert got["pazopanib"] == {"progression"}
    assert got["cabozantinib"] == {"unknown"}


def test_lines_of_one_indent_are_separate_rows(extract):
    text = (
        "PRIOR LINES\n"
        "  1L ........ pembrolizumab 03/2023 - 02/2024 (CT 02/2024)\n"
        "  2L ........ docetaxel 03/2024 - 05/2024, stopped for grade 3 neuropathy\n"
    )
    got = by_value(extract(text))
    assert got["pembrolizumab"][0].attributes["outcome"] == "unknown"
    assert got["docetaxel"][0].attributes["outcome"] == "intolerance"


def test_a_timeline_row_starting_with_a_date_is_a_new_item(extract):
    text = (
        "TREATMENT HISTORY\n"
        "    2020        docetaxel x6 adjuvant - completed\n"
        "    2021        L mastectomy + ALND\n"
        "    2022-2024   letrozole 2.5 mg daily\n"
    )
    got = _outcome_sets(extract(text))
    assert got["docetaxel"] == {"completed"}
    assert got["letrozole"] != {"completed"}


def test_a_count_of_cycles_completed_reaches_back_over_schedule_and_response(extract):
    text = (
        "Carboplatin AUC 5 and etoposide 100 mg/m2 q3w from May 2024: four cycles given through "
        "July, partial response, all four cycles completed. Durvalumab maintenance from "
        "August 2024."
    )
    got = _outcome_sets(extract(text))
    assert got["carboplatin"] == got["etoposide"] == {"completed"}
    assert got["durvalumab"] != {"completed"}


def test_a_count_of_cycles_after_a_dated_course_is_a_weak_completion(extract):
    text = (
        "Treatment so far:\n"
        "- Modified FOLFOX 02/03/2025 - 30/06/2025, 8 cycles. Best response partial response.\n"
        "- Docetaxel 09/2025-12/2025, 4 cycles, PD on restaging.\n"
    )
    got = _outcome_sets(extract(text))
    assert got["fluorouracil"] == got["oxaliplatin"] == {"completed"}
    assert got["docetaxel"] == {"progression"}


def test_a_dose_change_between_the_drug_and_its_outcome_is_an_aside(extract):
    text = (
        "Second line lenvatinib 24 mg daily started june 2025, dose reduced to 14 mg in august "
        "for hand foot skin reaction, and stopped november 2025 because of grade three "
        "proteinuria."
    )
    assert _outcome_sets(extract(text))["lenvatinib"] == {"intolerance"}


@pytest.mark.parametrize(
    "text",
    [
        "Cabozantinib 60 mg daily from 01/2025; reduced to 40 mg for grade 2 diarrhoea; "
        "stopped 06/2025 for progression.",
        "2. March 2022 - May 2023: pazopanib 800 mg daily; reduced to 600 mg from month 2 for "
        "grade 2 diarrhoea. Stopped for progressive disease (liver) in May 2023.",
    ],
)
def test_a_dose_change_clause_does_not_stop_a_later_outcome(extract, text):
    value = "cabozantinib" if "abozantinib" in text else "pazopanib"
    assert _outcome_sets(extract(text))[value] == {"progression"}


def test_switched_with_the_patient_named_reads_both_drugs(extract):
    text = (
        "Carboplatin/etoposide from 3/2025. After two cycles of carboplatin she had "
        "thrombocytopenia with bleeding, so we switched her to cisplatin."
    )
    got = _outcome_sets(extract(text))
    assert "intolerance" in got["carboplatin"]
    assert got["cisplatin"] == {"ongoing"}


def test_progression_off_therapy_does_not_undo_a_completed_course(extract):
    text = (
        "He completed 6 cycles of adjuvant capecitabine in May 2025, restaging CT in August "
        "2025 showed progression off therapy."
    )
    assert _outcome_sets(extract(text))["capecitabine"] == {"completed"}


def test_a_remark_in_parentheses_belongs_to_the_drugs_before_it(extract):
    text = (
        "- 2023: nivolumab 1 mg/kg + ipilimumab 3 mg/kg x4 (induction completed) -> "
        "nivolumab 240 mg q2w maintenance until PD 01/2025."
    )
    got = _outcome_sets(extract(text))
    assert got["ipilimumab"] == {"completed"}
    assert got["nivolumab"] == {"completed", "progression"}


def test_proceed_with_cycle_n_is_the_current_course(extract):
    text = "Plan: proceed with cycle 5 of paclitaxel 80 mg/m2 and ramucirumab 8 mg/kg."
    got = _outcome_sets(extract(text))
    assert got["paclitaxel"] == got["ramucirumab"] == {"ongoing"}
    # not a cycle named as the time of a dose change
    assert _outcome_sets(extract("Dose reduced with cycle 4 of docetaxel."))["docetaxel"] == {
        "unknown"
    }


def test_a_cumulative_dose_is_exposure_given(extract):
    text = (
        "Cardio-oncology review: epirubicin 600 mg/m2 cumulative (2023-2024), echo today "
        "for anthracycline surveillance."
    )
    assert one(extract(text), "epirubicin").assertion == "present"


def test_toxicities_other_than_one_named_are_not_a_negation_of_the_drug(extract):
    text = (
        "Adjuvant chemotherapy finished 2/2024 with no major toxicities other than neuropathy "
        "from the oxaliplatin."
    )
    assert one(extract(text), "oxaliplatin").assertion == "present"


@pytest.mark.parametrize(
    ("sentence", "values"),
    [
        (
            "Plan: we will proceed with planned dose-dense cisplatin + doxorubicin, first "
            "cycle to start 04/02/2026 (consent signed today).",
            ["cisplatin", "doxorubicin"],
        ),
        (
            "Should she not be eligible, the alternative would be an early-phase study of "
            "a bispecific antibody or single-agent docetaxel.",
            ["docetaxel"],
        ),
        (
            "We would consider FOLFIRI as second-line treatment, possibly with the addition of "
            "panitumumab if the RAS testing is wild type.",
            ["panitumumab", "irinotecan"],
        ),
        ("PLAN\n  - If screen-fails: liposomal irinotecan/5-FU/LV.", ["irinotecan", "leucovorin"]),
    ],
)
def test_planned_courses_told_around_the_drug_are_hypothetical(extract, sentence, values):
    got = by_value(extract(sentence))
    for v in values:
        assert {f.assertion for f in got[v]} == {"hypothetical"}, v


def test_a_course_started_as_planned_is_not_a_plan(extract):
    text = "Cisplatin 100 mg/m2 completed as planned in 03/2025."
    assert one(extract(text), "cisplatin").assertion == "present"


def test_bare_ac_counts_only_in_capitals_beside_another_anticancer_agent(extract):
    got = by_value(
        extract(
            "5/2023-10/2023 neoadjuvant pembrolizumab + carboplatin/paclitaxel, "
            "then pembro + AC x4."
        )
    )
    assert {"doxorubicin", "cyclophosphamide"} <= set(got)
    for text in ("Metformin 500 mg AC breakfast.", "Right AC joint arthritis, injected."):
        assert therapies(extract(text)) == []
    got = by_value(extract("Capecitabine 1500 mg bid ac, plus lapatinib."))
    assert "doxorubicin" not in got


def test_new_disease_during_a_drug_further_along_the_sentence_is_progression(extract):
    text = (
        "Astrocytoma resected 3/2024, then RT with temozolomide; new enhancing disease at the "
        "posterior margin on MRI 11/2024 during adjuvant TMZ."
    )
    assert "progression" in _outcome_sets(extract(text))["temozolomide"]
    got = _outcome_sets(extract("New liver lesions on CT 05/2025 while on cabozantinib."))
    assert got["cabozantinib"] == {"progression"}


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("In the meantime, we can look into the cost of Lonsurf to him.", "trifluridine"),
        ("Prior authorization for cabozantinib submitted.", "cabozantinib"),
    ],
)
def test_coverage_checked_for_a_drug_is_a_plan(extract, sentence, value):
    assert one(extract(sentence), value).assertion == "hypothetical"


def test_a_weekly_schedule_written_qNwk_keeps_the_list_together(extract):
    text = (
        "1. 04/2023-05/2023: induction docetaxel + cisplatin x3 -> concurrent cisplatin "
        "100 mg/m2 q3wk x2 + IMRT 70 Gy/35 fx, completed 08/2023."
    )
    got = _outcome_sets(extract(text))
    assert got["docetaxel"] == got["cisplatin"] == {"completed"}


@pytest.mark.parametrize(
    "sentence",
    [
        "Plan: hold olaparib if platelets < 75.",
        "Reduce cabozantinib to 40 mg if diarrhoea recurs.",
    ],
)
def test_a_drug_managed_on_a_condition_is_not_a_plan(extract, sentence):
    (f,) = therapies(extract(sentence))
    assert f.assertion == "present"


@pytest.mark.parametrize(
    ("text", "drug"),
    [
        ("3. Cabozantinib 40 mg daily to be started after cardiology review.", "cabozantinib"),
        ("Options: gemcitabine vs BSC - she'd lean toward trying gemcitabine.", "gemcitabine"),
        ("Plan: pembrolizumab now, and at later progression docetaxel.", "docetaxel"),
    ],
)
def test_courses_still_to_come_are_planned(extract, text, drug):
    found = [f for f in extract(text) if f.field == "therapy" and f.value == drug]
    assert found and {f.assertion.value for f in found} == {"hypothetical"}


@pytest.mark.parametrize(
    "text",
    [
        "If he is not eligible we will consider everolimus.",
        "We would start carboplatin and paclitaxel after the scan.",
        "After the trial visit she could then try cabozantinib.",
    ],
)
def test_a_course_someone_would_start_is_planned(extract, text):
    found = [f for f in extract(text) if f.field == "therapy"]
    assert found and {f.assertion.value for f in found} == {"hypothetical"}


# --------------------------------------------------------------------------- courses
def _outcome_of(findings):
    return {f.value: f.attributes.get("outcome") for f in therapies(findings)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # British narrative: the outcome told two sentences on, through "the chemotherapy"
        (
            "She was started on FOLFOX in March 2023. She tolerated it reasonably well apart"
            " from cold-induced neuropathy. The chemotherapy was completed in June.",
            {"oxaliplatin": "completed", "fluorouracil": "completed"},
        ),
        # US terse narrative: "the regimen was stopped" with the toxicity before it
        (
            "He received gemcitabine and nab-paclitaxel from January 2024. After four cycles"
            " he developed grade 3 peripheral neuropathy and the regimen was stopped.",
            {"gemcitabine": "intolerance", "paclitaxel": "intolerance"},
        ),
        # a sentence about stable disease between the drug and "this line"
        (
            "She was treated with weekly paclitaxel from March 2025. A CT after 12 weeks"
            " showed stable disease and she continued. A second CT showed that the disease"
            " had progressed and this line was stopped.",
            {"paclitaxel": "progression"},
        ),
        # timeline with hanging lines and an arrow two lines below the drug
        (
            "TREATMENT HISTORY\n"
            "  - 03/2024-09/2024: carboplatin/paclitaxel x6. Well tolerated.\n"
            "    Restaging 10/2024: partial response.\n"
            "    -> PD 11/2024\n"
            "  - 12/2024-03/2025: docetaxel\n"
            "    Best response SD.\n"
            "    Stopped after C4 for G3 neuropathy.\n",
            {"carboplatin": "progression", "docetaxel": "intolerance"},
        ),
        # EHR table: the outcome cell wraps onto a row whose first cell is empty
        (
            "Prior systemic therapy\n"
            "| Line | Regimen       | Dates           | Outcome             |\n"
            "| 1    | pembrolizumab | 07/2023-02/2024 | PR, then            |\n"
            "|      |               |                 | progression 02/2024 |\n",
            {"pembrolizumab": "progression"},
        ),
        # a plain line of a dated timeline that refers back to the regimen
        (
            "Oncology history\nJan 2023 - started FOLFIRINOX.\n"
            "Had 8 cycles; the regimen was completed in May 2023.\n",
            {"irinotecan": "completed"},
        ),
    ],
)
def test_outcome_told_later_reaches_its_course(extract, text, expected):
    got = _outcome_of(extract(text))
    for value, outcome in expected.items():
        assert got.get(value) == outcome, got


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # a later line of therapy says nothing of the previous one's outcome
        (
            "Treatment summary: 1L pembrolizumab + axitinib 2022-2023; 2L cabozantinib"
            " 2023-2024; 3L lenvatinib/everolimus since 05/2024.",
            "cabozantinib",
        ),
        # a completed cycle is not a completed course
        (
            "Now on carboplatin and etoposide for limited-stage SCLC. As of last week she has"
            " completed her 4th cycle. Mild nausea only.",
            "carboplatin",
        ),
        # a complication told with "despite" is not progression on the course
        (
            "R-CHOP began in May. Cycle one of the chemo brought a febrile neutropenia"
            " despite pegfilgrastim cover.",
            "rituximab",
        ),
        # the statement is about a new course that names no drug
        (
            "She received capecitabine from 2023. She was then switched to a clinical trial"
            " agent, which was stopped for progression.",
            "capecitabine",
        ),
        # a blank line ends the course
        (
            "He received sunitinib from 2022.\n\nThe plan was discussed and it progressed"
            " further per his wife.",
            "sunitinib",
        ),
    ],
)
def test_later_statements_that_are_not_about_the_course(extract, text, value):
    got = _outcome_of(extract(text))
    assert got.get(value) in ("unknown", "ongoing"), got


def test_the_chemotherapy_reaches_the_chemotherapy_of_its_course_only(extract):
    text = (
        "From August 2024 she received cisplatin 50 mg/m2, paclitaxel 175 mg/m2, bevacizumab"
        " 15 mg/kg and pembrolizumab 200 mg three-weekly. Cisplatin was stopped after cycle 3"
        " because of tinnitus, and carboplatin AUC 5 was substituted for cycles 4 to 6; the"
        " chemotherapy was completed in January 2025 with a partial response."
    )
    got = by_value(extract(text))
    assert {f.attributes["outcome"] for f in got["paclitaxel"]} == {"completed"}
    assert {f.attributes["outcome"] for f in got["bevacizumab"]} == {"unknown"}
    assert "intolerance" in {f.attributes["outcome"] for f in got["cisplatin"]}


def test_dictated_all_of_that_reaches_the_whole_course(extract):
    text = (
        "she got induction gemcitabine plus cisplatin for three cycles april through june 2022"
        " then concurrent cisplatin with IMRT 70 gray, completed all of that in august 2022"
        " with a complete response."
    )
    got = _outcome_of(extract(text))
    assert got["gemcitabine"] == "completed"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # what usually happens, not what did
        (
            "She is on cisplatin and nab-paclitaxel. Numbness from the taxane usually settles"
            " once all treatment is completed, I told her.",
            "cisplatin",
        ),
        # progression told before a course that names its protocol after the drugs
        (
            "Imaging showed growth, so she was then given carboplatin and etoposide (trial"
            " chemotherapy, arm B).",
            "carboplatin",
        ),
    ],
)
def test_referents_that_are_not_a_course_statement(extract, text, value):
    got = _outcome_of(extract(text))
    assert got.get(value) in ("unknown", "ongoing"), got


# ------------------------------------------------------------- plan lists, refusals, timelines
@pytest.mark.parametrize(
    ("text", "value", "assertion"),
    [
        # a condition heading the plan line ("no slot" is part of the condition, no negation)
        (
            "Plan:\n- If trial not available / no bed: gemcitabine + docetaxel per sarcoma team.",
            "gemcitabine",
            "hypothetical",
        ),
        # the other branch of a condition
        (
            "Plan: HER2 FISH pending - if amplified, trastuzumab; otherwise capecitabine.",
            "capecitabine",
            "hypothetical",
        ),
        # a later course kept in reserve
        ("Plan: start cabozantinib next month; everolimus would follow.", "everolimus", None),
        (
            "Next steps:\n3. Sorafenib - modest benefit in this histology, would reserve.",
            "sorafenib",
            "hypothetical",
        ),
        ("A/P:\n2. Bevacizumab - off-label here, discuss at tumour board.", "bevacizumab", None),
        # a drug named as an example of a class
        ("Plan: refer for a FGFR inhibitor trial (e.g. erdafitinib).", "erdafitinib", None),
        # a heading for the course kept for later progression
        ("Plan:\n  b. At progression: trifluridine/tipiracil or regorafenib.", "regorafenib", None),
        # offered and turned down
        (
            "11/2025  Progression, letrozole stopped. Everolimus offered, declined.",
            "everolimus",
            "negated",
        ),
        (
            "Olaparib was discussed at length on 2/2 - pt declined given the marrow risk.",
            "olaparib",
            "negated",
        ),
        ("Plan:\n- Nivolumab: she again declines.", "nivolumab", "negated"),
        # not going to be given
        (
            "Plan:\n- pazopanib -- insurance denied twice, will not be started.",
            "pazopanib",
            "negated",
        ),
    ],
)
def test_plan_conditions_reserves_and_refusals(extract, text, value, assertion):
    got = one(extract(text), value)
    assert got.assertion.value == (assertion or "hypothetical"), got.assertion


def test_a_decision_put_off_is_not_a_refusal(extract):
    text = "Offered capecitabine as a gentle option - pt declines for now, will think about it."
    assert one(extract(text), "capecitabine").assertion.value != "negated"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "HISTORY:\n- 03/2024 - 06/2024 docetaxel x6 cycles\n"
            "- 07/15/2024 CT: new liver lesions -> PD\n- 08/2024 cabazitaxel 25 mg/m2 q3w\n",
            "docetaxel",
        ),
        (
            "HISTORY:\n05/2023     Pazopanib 800 mg daily, continued ~9 mo.\n"
            "02/2024     PD (lung).\n03/2024     Nivolumab 480 mg q4w.\n",
            "pazopanib",
        ),
    ],
)
def test_progression_in_the_next_timeline_entry(extract, text, value):
    assert _outcome_of(extract(text))[value] == "progression"


def test_next_timeline_entry_reaches_a_course_without_a_given_cue(extract):
    text = (
        "HISTORY:\n06/2022   Pazopanib 800 mg daily. From C2 reduced to 600 mg (diarrhoea).\n"
        "04/2023   Restaging: new lung nodules. Pazopanib stopped.\n"
    )
    assert "progression" in outcomes(extract(text), "pazopanib")


def test_next_timeline_entry_after_a_completed_course_is_a_relapse(extract):
    text = (
        "HISTORY:\n- 01/2023 - 05/2023 adjuvant capecitabine x8 cycles, completed\n"
        "- 02/2024 CT: new liver lesions -> PD\n"
    )
    assert _outcome_of(extract(text))["capecitabine"] == "completed"


def test_next_timeline_entry_without_progression_says_nothing(extract):
    text = (
        "HISTORY:\n- 03/2024 - 06/2024 docetaxel x6 cycles\n"
        "- 07/2024 CT: stable disease\n- 01/2025 CT: new liver lesions -> PD\n"
    )
    assert _outcome_of(extract(text))["docetaxel"] != "progression"


def test_progression_after_a_disease_control_sentence(extract):
    text = (
        "She then received sunitinib from 03/2024, later at 37.5 mg continuous. Disease"
        " controlled for about 8 months. Restaging 12/2024 then showed new liver lesions."
    )
    assert _outcome_of(extract(text))["sunitinib"] == "progression"


def test_a_refusal_in_a_condition_is_not_a_refusal(extract):
    text = "Plan: clinical trial; cabazitaxel would be the next option if he declines the study."
    assert one(extract(text), "cabazitaxel").assertion.value == "hypothetical"


@pytest.mark.parametrize(
    "text",
    [
        "Line | Regimen              | Start   | Stop    | Best | Reason stopped\n"
        "2    | Pazopanib 800 mg     | 03/2023 | 08/2023 | SD   | toxicity\n",
        "Pazopanib 800 mg daily 03/2023 - 08/2023, stopped - toxicity (G3 ALT rise).",
    ],
)
def test_toxicity_as_the_reason_a_course_ended(extract, text):
    assert _outcome_of(extract(text))["pazopanib"] == "intolerance"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a hold for toxicity with the drug given again is no intolerance
        (
            "- 06/2024: olaparib 300 mg bid, held 2 wk in 09/2024 for grade 3 anaemia,"
            " resumed at 250 mg bid.",
            "ongoing",
        ),
        (
            "04/2023     Sunitinib 50 mg 4/2 -> held (G3 neutropenia) -> 37.5 mg continuous.",
            "ongoing",
        ),
        # ... but it is when the drug was not given again
        (
            "- 01/2025-04/2025: nivolumab; held after C4 for G3 hepatitis, not rechallenged.",
            "intolerance",
        ),
    ],
)
def test_hold_for_toxicity_then_resumed(extract, text, expected):
    assert next(iter(_outcome_of(extract(text)).values())) == expected


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("12/2025     Radiographic PD, pazopanib stopped.", "pazopanib", "progression"),
        (
            "On everolimus since 03/2025; now further progression, everolimus discontinued"
            " 02/02/2026.",
            "everolimus",
            "progression",
        ),
        # not a progression that is denied, nor one that names another drug first
        ("No progression, pazopanib stopped.", "pazopanib", "unknown"),
        (
            "PD on sunitinib in 2024; later axitinib stopped 02/2026.",
            "axitinib",
            "unknown",
        ),
        ("Sunitinib -> PD 2024, axitinib stopped 02/2026.", "axitinib", "unknown"),
        (
            "- 06/2025: PD liver + new nodes; sunitinib stopped.",
            "sunitinib",
            "progression",
        ),
    ],
)
def test_progression_told_before_a_stop(extract, text, value, expected):
    got = outcomes(extract(text), value)
    if expected == "unknown":
        assert got and "progression" not in got, got
    else:
        assert expected in got, got


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            'Renal phone note: "would not support cisplatin, high-dose methotrexate or'
            ' ifosfamide at this GFR."',
            "ifosfamide",
        ),
        ("Cardiology would support trastuzumab once LVEF recovers.", "trastuzumab"),
        (
            "Plan:\n  a. FOLFOX is the usual first line, but neuropathy is a concern.",
            "oxaliplatin",
        ),
        ("Plan:\n  b. Recommended: single-agent doxorubicin 75 mg/m2 q21d x6.", "doxorubicin"),
    ],
)
def test_views_and_standards_for_the_future_are_hypothetical(extract, text, value):
    got = {f.assertion.value for f in by_value(extract(text))[value]}
    assert got == {"hypothetical"}, got


# --------------------------------------------------------------------------- lists with asides
@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        (
            "Has progressed through erlotinib (1L), gemcitabine/cisplatin (2L) and"
            " pemetrexed + bevacizumab (3L).",
            "pemetrexed",
            "progression",
        ),
        (
            "Has progressed through erlotinib (1L), gemcitabine/cisplatin (2L) and"
            " pemetrexed + bevacizumab (3L).",
            "gemcitabine",
            "progression",
        ),
        (
            "Paclitaxel (dose-reduced) + bevacizumab from 02/2025, stopped 07/2025 for PD.",
            "paclitaxel",
            "progression",
        ),
        (
            "Tumour progressive after carboplatin/etoposide and subsequently on irinotecan.",
            "irinotecan",
            "progression",
        ),
    ],
)
def test_short_asides_do_not_end_a_drug_list(extract, text, value, expected):
    got = outcomes(extract(text), value)
    assert expected in got, got


def test_an_aside_that_states_an_outcome_ends_the_list(extract):
    text = "Ifosfamide (stopped for grade 3 neuropathy), then doxorubicin until PD in 2024."
    got = outcomes(extract(text), "ifosfamide")
    assert got == {"intolerance"}, got


# --------------------------------------------------------------------------- table reason column
_TABLE = (
    "Prior therapy\n"
    "Line | Regimen | Dates | Best response | Reason stopped\n"
    "1 | Capecitabine 1000 mg/m2 bd | 2023-2024 | SD | G3 hand-foot syndrome\n"
    "2 | Cisplatin + etoposide x2 | 2024 | PR | cisplatin off after C2: tinnitus\n"
    "3 | Irinotecan | 2025 | PR | Progressive disease (liver)\n"
    "4 | Olaparib | 2025 | SD | no toxicity, see letter\n"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("capecitabine", {"intolerance"}),
        ("cisplatin", {"intolerance"}),
        ("etoposide", {"unknown"}),  # the cell names cisplatin only
        ("irinotecan", {"progression"}),
        ("olaparib", {"unknown"}),  # a negated toxicity is no reason
    ],
)
def test_a_tables_reason_column_gives_its_row_an_outcome(extract, value, expected):
    got = {f.attributes["outcome"] for f in by_value(extract(_TABLE))[value]}
    assert got == expected, got


def test_a_table_without_a_reason_column_gives_no_outcome(extract):
    text = "Line | Regimen | Dates | Comment\n1 | Capecitabine | 2023-2024 | G3 rash\n"
    got = outcomes(extract(text), "capecitabine")
    assert got and "intolerance" not in got, got


# --------------------------------------------------------------------------- conditional items
_PLAN = (
    "Plan:\n"
    "1. Labs today.\n"
    "2. If eligible: apheresis next week. Lymphodepletion (fludarabine 30 mg/m2 +\n"
    "   cyclophosphamide 500 mg/m2 daily x3) after product release.\n"
    "3. Continue letrozole 2.5 mg daily.\n"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("fludarabine", "hypothetical"),
        ("cyclophosphamide", "hypothetical"),
        ("letrozole", "present"),
    ],
)
def test_a_condition_heading_a_list_item_plans_what_follows(extract, value, expected):
    got = {f.assertion.value for f in by_value(extract(_PLAN))[value]}
    assert got == {expected}, got


def test_a_condition_inside_a_sentence_does_not_plan_the_item(extract):
    text = "1. Tolerated pemetrexed well; if creatinine rises: hold NSAIDs.\n"
    got = {f.assertion.value for f in by_value(extract(text))["pemetrexed"]}
    assert got == {"present"}, got


# --------------------------------------------------------------------------- time since a drug
@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        (
            "No systemic treatment since the last gemcitabine dose on 3/02.",
            "gemcitabine",
            "present",
        ),
        ("He has had no cabozantinib since 11/20; diarrhoea settled.", "cabozantinib", "present"),
        ("Peripheral oedema since starting imatinib, on furosemide.", "imatinib", "present"),
        ("No prior olaparib or other PARP inhibitor.", "olaparib", "negated"),
    ],
)
def test_a_time_counted_from_a_drug_says_it_was_given(extract, text, value, expected):
    got = {f.assertion.value for f in by_value(extract(text))[value]}
    assert got == {expected}, got


# --------------------------------------------------------------------------- referring back
def test_a_drug_free_sentence_that_refers_back_ends_the_course(extract):
    text = (
        "She began adjuvant anastrozole in May 2022. This was paused in August for grade 3"
        " arthralgia, which recurred on restarting, and the tablet was stopped for good in"
        " October, well short of the intended five years."
    )
    got = outcomes(extract(text), "anastrozole")
    assert got == {"intolerance"}, got


def test_a_general_statement_before_the_outcome_is_no_fact(extract):
    text = "Started letrozole in 2024. Hot flushes usually settle once the treatment is stopped."
    got = outcomes(extract(text), "letrozole")
    assert got and "intolerance" not in got, got


# --------------------------------------------------------------------------- dated timeline entries
@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        (
            "History:\n"
            "02/2023-04/2023 - pelvic RT 50 Gy with weekly cisplatin 40 mg/m2. Cycle 4 dropped"
            " for tinnitus; cycle 5 not given either. RT done as planned.\n"
            "09/2023 - CT: stable.\n",
            "cisplatin",
            "intolerance",
        ),
        (
            "- 03/2024 relapse. Temozolomide 150 mg/m2 5/28 restarted 04/02/2024. after cycle"
            " 4 the 08/2024 MRI showed the margin lesion larger so it was stopped.\n"
            "- 09/2024 regorafenib 160 mg\n",
            "temozolomide",
            "progression",
        ),
    ],
)
def test_a_dated_entry_tells_the_outcome_of_its_drugs(extract, text, value, expected):
    got = outcomes(extract(text), value)
    assert expected in got, got


def test_an_undated_paragraph_needs_its_drug_stated_as_given(extract):
    text = "Discussed cisplatin with RT. Cycle 2 would be dropped for tinnitus."
    got = outcomes(extract(text), "cisplatin")
    assert got and "intolerance" not in got, got


def test_the_dates_of_a_course_inside_its_list_keep_it_one_course(extract):
    text = (
        "Then carboplatin + pembrolizumab (March 2024 to July 2024), followed by"
        " pembrolizumab maintenance. The CT in May 2025 showed growth of the liver disease."
    )
    found = by_value(extract(text))
    for value in ("carboplatin", "pembrolizumab"):
        got = {f.attributes["outcome"] for f in found[value]}
        assert "progression" in got, (value, got)


# --------------------------------------------------------------------------- offered, then declined
@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        (
            "I offered oral capecitabine from Monday while the trial paperwork goes through -"
            " he declined, preferring to wait for the study.",
            "capecitabine",
            "negated",
        ),
        (
            "We offered single-agent eribulin as a bridge; she declines for now.",
            "eribulin",
            "hypothetical",
        ),
        (
            "Offered topotecan at progression. If she declines, hospice.",
            "topotecan",
            "hypothetical",
        ),
        ("He was offered third-line irinotecan but declined it.", "irinotecan", "negated"),
        (
            "Eribulin was offered at the last visit but she declined.",
            "eribulin",
            "negated",
        ),
        (
            "2025 | maintenance olaparib    | offered     | declined by the patient",
            "olaparib",
            "negated",
        ),
        (
            "Offered gemcitabine; her platelets, which declined to 60, delay it.",
            "gemcitabine",
            "hypothetical",
        ),
        (
            "Carmustine wafers were considered at the operation but not placed.",
            "carmustine",
            "negated",
        ),
    ],
)
def test_an_offer_declined_later_in_its_sentence_is_negated(extract, text, value, expected):
    got = {f.assertion.value for f in by_value(extract(text))[value]}
    assert got == {expected}, got


def test_it_refers_to_the_drugs_of_its_own_sentence(extract):
    text = (
        "Comment: the platinum backbone was given for 6 cycles (carboplatin dose reduced from"
        " C3 for G3 mucositis). Maintenance niraparib continued until 03/2025, when CT showed"
        " new nodules, i.e. progression on it."
    )
    found = by_value(extract(text))
    assert "progression" in {f.attributes["outcome"] for f in found["niraparib"]}
    assert "progression" not in {f.attributes["outcome"] for f in found["carboplatin"]}


@pytest.mark.parametrize(
    "text",
    [
        "Would revisit gefitinib +/- chemotherapy if counts recover.",
        "We will discuss cabazitaxel at the next visit.",
    ],
)
def test_a_modal_with_a_planning_verb_makes_the_drug_hypothetical(extract, text):
    got = {f.assertion.value for f in therapies(extract(text))}
    assert got == {"hypothetical"}, got


def test_a_decimal_point_does_not_end_a_progression_cue(extract):
    text = "IMPRESSION: Progressive disease by RECIST 1.1 on eribulin (new liver lesion)."
    got = outcomes(extract(text), "eribulin")
    assert got == {"progression"}, got


def test_a_negated_condition_with_an_article_stays_hypothetical(extract):
    text = "- if the study is not possible we would start gemcitabine and docetaxel."
    got = {f.assertion.value for f in therapies(extract(text))}
    assert got == {"hypothetical"}, got


def test_a_reason_column_header_may_name_more_than_the_reason(extract):
    text = (
        "Line | Regimen | Dates | Outcome / reason stopped\n"
        "1 | Vinorelbine 25 mg/m2 | 2024 | G3 neuropathy after C3\n"
    )
    got = outcomes(extract(text), "vinorelbine")
    assert got == {"intolerance"}, got


# --------------------------------------------------------------------------- timeline courses
_TIMELINE = (
    "Oncologic history:\n"
    "06/2024   CT: new liver lesions. Pazopanib discontinued.\n"
    "07/2024   Atezolizumab + bevacizumab q3w.\n"
    "10/2024   After cycle 4: G3 hepatitis, admitted, IV steroids. Both agents permanently"
    " stopped.\n"
    "12/2024   Lenvatinib 8 mg daily.\n"
    "03/2025   CT: no progression. Lenvatinib stopped.\n"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("pazopanib", "progression"),
        ("atezolizumab", "intolerance"),
        ("bevacizumab", "intolerance"),
        ("lenvatinib", "unknown"),
    ],
)
def test_a_timeline_entry_tells_how_a_course_ended(extract, value, expected):
    got = {f.attributes["outcome"] for f in by_value(extract(_TIMELINE))[value]}
    assert got == {expected}, got


def test_a_response_told_between_drug_and_outcome_is_no_distance(extract):
    text = (
        "She was given gemcitabine and docetaxel for four cycles between march and june 2024"
        " achieving a partial response but then progression in october 2024."
    )
    found = by_value(extract(text))
    for value in ("gemcitabine", "docetaxel"):
        got = {f.attributes["outcome"] for f in found[value]}
        assert got == {"progression"}, (value, got)


def test_not_tolerating_a_drug_is_intolerance(extract):
    text = (
        "Eribulin - stopping today. G3 neutropenic sepsis after 2 cycles; she is not tolerating it."
    )
    got = outcomes(extract(text), "eribulin")
    assert got == {"intolerance"}, got


def test_a_plain_line_after_a_conditional_item_is_not_planned(extract):
    text = "Plan:\n2. If eligible: apheresis next week.\nTamoxifen 20 mg daily per home list.\n"
    got = {f.assertion.value for f in by_value(extract(text))["tamoxifen"]}
    assert "hypothetical" not in got, got


@pytest.mark.parametrize(
    "text",
    [
        "CV: soft systolic murmur, loudest at the apex, with radiation to the axilla.",
        "Burning epigastric pain, worse after meals, with radiation to the back.",
        "In the ICU on pressors to keep the MAP above 65.",
    ],
)
def test_radiating_pain_and_mean_arterial_pressure_are_not_therapy(extract, text):
    assert not [f for f in extract(text) if f.field == "therapy"]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Osteosarcoma treated with MAP x 6 cycles.", {"methotrexate", "doxorubicin", "cisplatin"}),
        ("She received radiation to the left arm, 30 Gy in 10 fractions.", {"radiotherapy"}),
        ("Laryngeal cancer, treated with radiation to the neck in 2019.", {"radiotherapy"}),
    ],
)
def test_the_same_words_as_therapy_stay_therapy(extract, text, values):
    assert {f.value for f in extract(text) if f.field == "therapy"} == values


@pytest.mark.parametrize(
    ("text", "value", "outcome"),
    [
        # a dose reduction for toxicity is not the end of the course
        (
            "Cabozantinib 60 mg from 01/2025, dropped to 40 mg for G2 diarrhoea after C2.",
            "cabozantinib",
            "unknown",
        ),
        (
            "Docetaxel from May, dose dropped by 20% at C3 for grade 2 neuropathy; 6 cycles given.",
            "docetaxel",
            "unknown",
        ),
        (
            "Pazopanib 800 mg, held then reduced to 600 mg after G3 transaminitis.",
            "pazopanib",
            "ongoing",
        ),
        # every cycle given is a completed course
        (
            "1L | 2023 | carboplatin + etoposide x4 | PR; all 4 cycles given",
            "etoposide",
            "completed",
        ),
    ],
)
def test_dose_changes_cancelled_and_all_cycles_given(extract, text, value, outcome):
    got = {f.attributes["outcome"] for f in by_value(extract(text))[value]}
    assert got == {outcome}, got


def test_a_stop_inside_a_parenthesis_is_about_the_drugs_inside_it(extract):
    text = (
        "Metastatic GIST, progression after imatinib and sunitinib (ripretinib stopped for"
        " toxicity)."
    )
    found = by_value(extract(text))
    assert {f.attributes["outcome"] for f in found["imatinib"]} == {"progression"}
    assert {f.attributes["outcome"] for f in found["sunitinib"]} == {"progression"}
    assert {f.attributes["outcome"] for f in found["ripretinib"]} == {"intolerance"}
    # a parenthesis that names the same drugs again (a regimen, brand names) is about them all
    text = "Cumulative doxorubicin 300 mg/m2 (MAP, completed 2024)."
    assert {f.attributes["outcome"] for f in by_value(extract(text))["doxorubicin"]} == {
        "completed"
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # planned and not begun: every drug of the course is hypothetical
        (
            "Plan is carboplatin AUC 5 day 1 with etoposide 100 mg/m2 days 1-3 q21d, not yet"
            " started.",
            {"carboplatin": "hypothetical", "etoposide": "hypothetical"},
        ),
        (
            "Regorafenib 120 mg daily - possible if LFTs settle; NOT started.",
            {"regorafenib": "hypothetical"},
        ),
        # told as not given, or considered and then not given: a decision (negated)
        ("Bevacizumab not given (recent GI bleed).", {"bevacizumab": "negated"}),
        (
            "Bevacizumab was discussed but not given because of the bleeding.",
            {"bevacizumab": "negated"},
        ),
        # put off, not refused: still the plan
        (
            "The alternative would be cabozantinib, which would not be started while the wound"
            " heals.",
            {"cabozantinib": "hypothetical"},
        ),
    ],
)
def test_a_course_planned_and_not_yet_begun_is_hypothetical(extract, text, expected):
    found = by_value(extract(text))
    got = {value: {f.assertion.value for f in found[value]} for value in expected}
    assert got == {value: {a} for value, a in expected.items()}, got


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        # the scan's "on" is not the drug's
        (
            "Progressive disease with new nodal lesions on CT 03/2026 while on paclitaxel.",
            "paclitaxel",
            ("present", "progression"),
        ),
        # a site written with a slash, and the drugs on the next line
        (
            "Progressive liver/bone mets after\n  cabozantinib.",
            "cabozantinib",
            ("present", "progression"),
        ),
        # a response told after a colon is an aside before the outcome
        (
            "1. Gemcitabine and docetaxel for first relapse, May to October 2025: stable"
            " disease, then progression in January 2026.",
            "docetaxel",
            ("present", "progression"),
        ),
        # a drug still to be prescribed
        ("2. Second-line nivolumab to be prescribed.", "nivolumab", ("hypothetical", "unknown")),
    ],
)
def test_more_outcome_and_plan_phrasings(extract, text, value, expected):
    got = {(f.assertion.value, f.attributes["outcome"]) for f in by_value(extract(text))[value]}
    assert got == {expected}, got


@pytest.mark.parametrize(
    ("text", "value", "assertion", "outcome"),
    [
        # (from an independent review of this round's rules)
        ("Bevacizumab not given as she had a recent GI bleed.", "bevacizumab", "negated", None),
        (
            "Bevacizumab given with cycles 1-4 but not given with cycle 5 because of proteinuria.",
            "bevacizumab",
            "present",
            None,
        ),
        (
            "Offered sunitinib 02/2023; on it since 03/2023 with stable disease; appetite poor and"
            " declined food.",
            "sunitinib",
            "hypothetical",
            None,
        ),
        (
            "Sunitinib held in 03/2024 for grade 3 hepatitis and never restarted; prednisolone"
            " then reduced to 10 mg.",
            "sunitinib",
            "present",
            "intolerance",
        ),
        (
            "Carboplatin and paclitaxel (with pembrolizumab added from C2; 6 cycles completed"
            " 12/2023).",
            "carboplatin",
            "present",
            "completed",
        ),
        (
            "Oxaliplatin dropped to limit neuropathy after C6, 5-FU/LV continued.",
            "oxaliplatin",
            "present",
            "intolerance",
        ),
    ],
)
def test_review_cases_keep_their_reading(extract, text, value, assertion, outcome):
    got = {(f.assertion.value, f.attributes["outcome"]) for f in by_value(extract(text))[value]}
    assert any(a == assertion and (outcome is None or o == outcome) for a, o in got), got


def test_an_offered_row_with_many_empty_cells_is_read_quickly(extract):
    import time

    row = "| 2L | pembrolizumab | offered" + " |      " * 12 + "|"
    t0 = time.perf_counter()
    extract("| Line | Drug | Status |\n" + row)
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a relative in another clause than the patient's drug
        ("Her sister was on the call and his nivolumab was held for colitis.", "present"),
        ("Her daughter took her to her first nivolumab infusion today.", "present"),
    ],
)
def test_a_relative_in_another_clause_leaves_the_drug_the_patients(extract, text, expected):
    assert [f.assertion for f in therapies(extract(text))] == [expected]


@pytest.mark.parametrize(
    ("text", "value", "assertion", "outcome"),
    [
        (
            "Plan: Starting 4 cycles of FOLFOX next week until progression.",
            "oxaliplatin",
            "hypothetical",
            "unknown",
        ),
        (
            "We will aim to start in January with pembrolizumab.",
            "pembrolizumab",
            "hypothetical",
            "unknown",
        ),
        (
            "After enzalutamide, Lu-177 PSMA is a later-line option.",
            "enzalutamide",
            "present",
            "unknown",
        ),
        (
            "Started pembrolizumab 01/2026. Restaging PET prior to cycle 1 had shown progressive "
            "nodal disease.",
            "pembrolizumab",
            "present",
            "ongoing",
        ),
        (
            "She has been on pembrolizumab since 01/2026. Course complicated by progressive "
            "chronic kidney disease.",
            "pembrolizumab",
            "present",
            "ongoing",
        ),
        (
            "MEDICATIONS:\n1. Letrozole 2.5 mg daily (discontinued 2024).\n",
            "letrozole",
            "present",
            "unknown",
        ),
        (
            "MEDICATIONS: Lisinopril, metformin. Past: tamoxifen 2015-2020.",
            "tamoxifen",
            "present",
            "unknown",
        ),
    ],
)
def test_review_cases_of_this_rounds_therapy_rules(extract, text, value, assertion, outcome):
    got = [
        (f.assertion, f.attributes["outcome"]) for f in therapies(extract(text)) if f.value == value
    ]
    assert got == [(assertion, outcome)]
