"""Generate the patient profiles that the synthetic corpus is written from.

A profile fixes, per synthetic patient, the facts the chart must state and the
eligibility outcome they imply (the "design" of the corpus); writers then produce
documents and gold from it. Deterministic (seeded) so the design is reproducible:

    python scripts/make_profiles.py > corpus/synthetic/profiles.jsonl
    python scripts/make_profiles.py --batch 2 >> corpus/synthetic/profiles.jsonl
    python scripts/make_profiles.py --batch 3 >> corpus/synthetic/profiles.jsonl
    python scripts/make_profiles.py --batch 4 >> corpus/synthetic/profiles.jsonl
    python scripts/make_profiles.py --batch 5 >> corpus/synthetic/profiles.jsonl
    python scripts/make_profiles.py --batch 6 >> corpus/synthetic/profiles.jsonl
    python scripts/make_profiles.py --batch 7 >> corpus/synthetic/profiles.jsonl
    python scripts/make_profiles.py --batch 8 >> corpus/synthetic/profiles.jsonl
    python scripts/make_profiles.py --batch 9 >> corpus/synthetic/profiles.jsonl
    python scripts/make_profiles.py --batch 10 >> corpus/synthetic/profiles.jsonl

Batches 2-5 (30 patients each, syn-121..syn-240), 6, 7 and 8 (12 patients each,
syn-241..syn-252, syn-253..syn-264 and syn-265..syn-276, written with rich treatment histories), each with its own seed, were designed after the
extractor existed, to give development data the rules had never been fitted to (each after
the rules had been adapted to the one before); all of it is dev.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta

SEED = 70
N_PATIENTS = 120
# batch -> (seed, first patient number, statuses as (eligible, ineligible, needs_review))
BATCHES = {
    1: (SEED, 1, (40, 50, 30)),
    2: (71, 121, (10, 12, 8)),
    3: (72, 151, (10, 12, 8)),
    4: (73, 181, (10, 12, 8)),
    5: (74, 211, (10, 12, 8)),
    6: (75, 241, (4, 5, 3)),
    7: (76, 253, (4, 5, 3)),
    8: (77, 265, (4, 5, 3)),
    9: (78, 277, (4, 5, 3)),
    10: (79, 289, (4, 5, 3)),
}
WRITERS = ["A", "B", "C", "D", "E", "F"]

TUMOURS = [
    (
        "clear cell renal cell carcinoma",
        [
            "sunitinib",
            "pazopanib",
            "cabozantinib",
            "axitinib",
            "nivolumab+ipilimumab",
            "pembrolizumab+axitinib",
            "lenvatinib+everolimus",
            "tivozanib",
        ],
    ),
    ("papillary renal cell carcinoma", ["cabozantinib", "sunitinib", "savolitinib"]),
    (
        "high-grade serous ovarian carcinoma",
        [
            "carboplatin+paclitaxel",
            "olaparib",
            "niraparib",
            "bevacizumab",
            "pegylated liposomal doxorubicin",
            "rucaparib",
        ],
    ),
    (
        "pancreatic ductal adenocarcinoma",
        ["FOLFIRINOX", "gemcitabine+nab-paclitaxel", "olaparib", "liposomal irinotecan+5-FU"],
    ),
    (
        "malignant pleural mesothelioma",
        ["cisplatin+pemetrexed", "bevacizumab", "nivolumab+ipilimumab"],
    ),
    (
        "nasopharyngeal carcinoma",
        ["gemcitabine+cisplatin", "toripalimab", "capecitabine", "anlotinib"],
    ),
    (
        "triple-negative breast cancer",
        [
            "paclitaxel",
            "carboplatin",
            "sacituzumab govitecan",
            "pembrolizumab",
            "olaparib",
            "talazoparib",
        ],
    ),
    (
        "hepatocellular carcinoma",
        [
            "sorafenib",
            "lenvatinib",
            "atezolizumab+bevacizumab",
            "regorafenib",
            "cabozantinib",
            "ramucirumab",
        ],
    ),
    (
        "lung adenocarcinoma",
        [
            "osimertinib",
            "carboplatin+pemetrexed",
            "pembrolizumab",
            "docetaxel+ramucirumab",
            "alectinib",
        ],
    ),
    (
        "head and neck squamous cell carcinoma",
        ["cisplatin", "cetuximab", "pembrolizumab", "docetaxel"],
    ),
    (
        "cervical squamous cell carcinoma",
        ["cisplatin+paclitaxel+bevacizumab", "pembrolizumab", "tisotumab vedotin"],
    ),
    ("thymic carcinoma", ["carboplatin+paclitaxel", "lenvatinib", "sunitinib"]),
    ("osteosarcoma", ["cisplatin+doxorubicin+methotrexate", "regorafenib", "cabozantinib"]),
    ("glioblastoma", ["temozolomide", "bevacizumab", "lomustine"]),
]

# Reasons a patient fails one criterion (criterion id, what the chart shows).
INELIGIBLE = [
    ("cd70_ihc_3plus", "CD70 IHC score 2+ (or 1+ / 0 / 'negative') in the pathology report"),
    ("platelets", "platelets at or below 50 x10^9/L on the current labs (e.g. 38 or exactly 50)"),
    ("neutrophils", "ANC at or below 0.8 x10^9/L on current labs (e.g. 0.6)"),
    ("wbc", "WBC at or below 2.0 x10^9/L on current labs (e.g. 1.7)"),
    ("lymphocytes", "absolute lymphocytes at or below 0.5 x10^9/L (e.g. 0.3)"),
    ("hemoglobin", "hemoglobin at or below 90 g/L (e.g. 8.1 g/dL or 84 g/L) with unit written"),
    ("creatinine", "creatinine above 2x ULN with the lab's reference range printed"),
    (
        "alt_ast",
        "ALT or AST above 3x ULN with the reference range printed and NO liver involvement",
    ),
    ("alt_ast", "ALT or AST above 5x ULN with liver metastases present, ULN printed"),
    (
        "bilirubin",
        "total bilirubin above 2x ULN (range printed), no Gilbert's, no liver involvement",
    ),
    ("lvef", "LVEF below 50% on the current echo (e.g. 40-45% -> 40)"),
    (
        "ecg",
        "ECG with a significant abnormality (atrial fibrillation with RVR, QTc 510 ms, "
        "new LBBB, 2nd/3rd-degree AV block, acute ST changes)",
    ),
    ("ecog", "current ECOG 3 (or 3-4)"),
    ("ecog", "only Karnofsky stated, KPS 40 or lower"),
    ("spo2_room_air", "SpO2 below 92% on room air (stated RA)"),
    (
        "no_severe_psychiatric_history",
        "history of schizophrenia / bipolar I disorder / "
        "suicide attempt with psychiatric admission",
    ),
    (
        "life_expectancy",
        "life expectancy stated under 12 weeks (e.g. 'weeks to a couple of months', "
        "'estimated survival < 2 months')",
    ),
    (
        "measurable_lesion",
        "CT shows only small lesions: extranodal < 10 mm and nodes with short "
        "axis < 15 mm, nothing measurable",
    ),
    (
        "measurable_lesion",
        "lesions are large enough but the CT slice thickness is stated as > 5 mm "
        "(e.g. 7 mm or 10 mm sections) and no thin-slice series",
    ),
    (
        "prior_therapy_failed",
        "treatment-naive: explicitly no prior systemic therapy, surgery or "
        "radiotherapy for the cancer",
    ),
    ("age", "age 17 (adolescent, e.g. osteosarcoma)"),
]

# Reasons a patient cannot be decided without a nurse (criterion id, what the chart shows).
NEEDS_REVIEW = [
    ("life_expectancy", "no life expectancy stated anywhere"),
    ("ecog", "only Karnofsky 50 or 60 stated, no ECOG"),
    ("cd70_ihc_3plus", "CD70 'positive' or 'strong staining in 80%' with no 0-3+ score written"),
    (
        "hemoglobin",
        "hemoglobin written without unit as a value like 7.5 or 7.8 (g/dL or mmol/L "
        "both plausible)",
    ),
    (
        "ecog",
        "two different current ECOG values on the same date by different authors "
        "(e.g. clinic note ECOG 1, nursing/trial note ECOG 3)",
    ),
    (
        "platelets",
        "the only labs are more than 14 days older than the latest document "
        "(stale), all other labs absent; values normal",
    ),
    ("alt_ast", "ALT above 3x the usual ULN (e.g. 160 U/L) but no reference range printed"),
    (
        "measurable_lesion",
        "the only measurements are on MRI (e.g. brain/liver MRI), no CT "
        "(criterion answer 'met|unknown')",
    ),
    ("spo2_room_air", "SpO2 only measured on supplemental oxygen (e.g. 95% on 2L NC)"),
    (
        "prior_therapy_failed",
        "only prior therapy is immunotherapy (checkpoint inhibitor) with "
        "progression, or therapy with outcome not stated",
    ),
    ("lvef", "no echocardiogram / LVEF anywhere"),
]

TRAPS = [
    "negated liver metastases ('no evidence of hepatic metastases')",
    "family history of a psychiatric illness (e.g. mother with schizophrenia, brother with bipolar)",
    "hypothetical therapy ('if she progresses on X we will consider Y')",
    "an older ECOG quoted beside the current one ('ECOG 2 at diagnosis, now 1')",
    "older abnormal labs superseded by newer normal ones in a later document",
    "copied-forward oncology history repeated verbatim in two notes",
    "lab table in SI units (g/L, umol/L, x10^9/L)",
    "lab table in US units (g/dL, mg/dL, K/uL) with flags (H/L, *)",
    "Karnofsky given alongside ECOG",
    "ALT between 3x and 5x ULN WITH liver metastases (still meets alt_ast)",
    "bilirubin between 2x and 3x ULN with documented Gilbert's syndrome (still meets)",
    "benign structures measured on CT (simple renal cyst 2.1 cm, gallstone, aneurysm) beside lesions",
    "prior measurement quoted for comparison ('previously 2.0 cm, now 2.6 cm')",
    "past resolved disease ('history of basal cell carcinoma excised 2012')",
    "typos and dictation artefacts ('ECGO 1', 'plt 145', 'hgb10.2')",
    "a RECIST target-lesion table",
    "non-significant ECG abnormality (sinus tachycardia, first-degree AV block, nonspecific ST-T)",
    "depression or anxiety that is not severe (treated with sertraline, no admissions)",
    "multiple IHC markers in one sentence (PAX8, CA9, CD70, PD-L1)",
    "SpO2 with no room-air statement (criterion still met if >= 92)",
    "planned (not yet given) therapy",
]

STYLES = {
    "A": "US academic oncology: terse, abbreviations (HPI, A/P, s/p, c/w), US units "
    "(K/uL, g/dL, mg/dL), structured headers in CAPS.",
    "B": "European/SI style: full sentences, SI units (x10^9/L, g/L, umol/L), "
    "day-month dates in text, British spelling (tumour, haemoglobin, oesophagus).",
    "C": "Dictated/transcribed: run-on sentences, typos and dictation artefacts, lower-case "
    "headers with colons, numbers sometimes spelled out, occasional missing units.",
    "D": "Templated EHR export: tables with columns (Test | Result | Flag | Units | Ref range), "
    "pipe- or space-aligned; copied-forward blocks; key: value lists.",
    "E": "Community oncologist: narrative paragraphs, few headers, mixes US units, "
    "abbreviations like 'pt', 'w/', 'b/l', informal phrasing.",
    "F": "Mixed-source chart: outside-hospital records quoted in a note, SI and US units "
    "both appear, addenda, multiple authors (fellow + attending attestation).",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, choices=sorted(BATCHES), default=1)
    seed, first, (n_elig, n_inelig, n_review) = BATCHES[ap.parse_args().batch]
    rng = random.Random(seed)
    statuses = ["eligible"] * n_elig + ["ineligible"] * n_inelig + ["needs_review"] * n_review
    rng.shuffle(statuses)
    start = date(2025, 11, 1)
    for i, status in enumerate(statuses, start=first):
        tumour, therapies = rng.choice(TUMOURS)
        sex = rng.choice(["female", "male"])
        if "ovarian" in tumour or "cervical" in tumour:
            sex = "female"
        age = rng.randint(24, 81)
        screen = start + timedelta(days=rng.randint(0, 330))
        failing: list[dict[str, str]] = []
        review: list[dict[str, str]] = []
        if status == "ineligible":
            k = rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
            for cid, how in rng.sample(INELIGIBLE, k):
                failing.append({"criterion": cid, "chart_shows": how})
            if any(f["criterion"] == "age" for f in failing):
                tumour, therapies = TUMOURS[12]  # osteosarcoma for an adolescent
                age = 17
        if status == "needs_review":
            k = rng.choices([1, 2], weights=[70, 30])[0]
            for cid, how in rng.sample(NEEDS_REVIEW, k):
                review.append({"criterion": cid, "chart_shows": how})
        traps = rng.sample(TRAPS, 3)
        n_docs = rng.choice([4, 4, 5, 5, 6])
        prior = rng.sample(therapies, min(len(therapies), rng.choice([1, 2, 3])))
        print(
            json.dumps(
                {
                    "patient_id": f"syn-{i:03d}",
                    "writer": WRITERS[(i - 1) % len(WRITERS)],
                    "tumour": tumour,
                    "sex": sex,
                    "age": age,
                    "latest_document_date": screen.isoformat(),
                    "n_documents": n_docs,
                    "prior_therapies_to_mention": prior,
                    "intended_status": status,
                    "failing": failing,
                    "undecidable": review,
                    "traps": traps,
                }
            )
        )


if __name__ == "__main__":
    main()
