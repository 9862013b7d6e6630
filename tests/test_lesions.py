"""Measured lesions (RECIST 1.1) and CT slice thickness in CT/MRI/PET and pathology reports."""

from __future__ import annotations

import datetime as dt

import pytest

from prescreen.extraction.candidates import Candidate
from prescreen.extraction.context import resolve_assertion
from prescreen.extraction.fields.lesions import anchor_rules, load_rules
from prescreen.yamlfile import DataFileError

from .conftest import only


def lesions(findings):
    """(value, assertion, lymph_node, short_axis_mm) of each distinct lesion finding."""
    return {
        (f.value, f.assertion.value, f.attributes["lymph_node"], f.attributes.get("short_axis_mm"))
        for f in only(findings, "lesion")
    }


CT_TEMPLATE = """CT CHEST ABDOMEN PELVIS WITH CONTRAST
Exam date: 03/10/2026
Indication: metastatic clear cell RCC, restaging.
Comparison: CT 12/02/2025.
Technique: Helical acquisition, portal venous phase.

FINDINGS:
{line}

IMPRESSION:
Restaging as above.
"""


def ext(value, assertion="present"):
    """An expected extranodal lesion."""
    return (value, assertion, False, None)


def node(value, short, assertion="present"):
    """An expected lymph node with its short axis."""
    return (value, assertion, True, short)


H = "historical"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # extranodal: value = long axis in mm (cm converted)
        ("Right lower lobe nodule 3.2 x 2.1 cm.", {ext(32)}),
        ("Segment 7 liver metastasis measuring 32 mm.", {ext(32)}),
        ("Peritoneal implant 1.5 × 1.1 × 0.9 cm.", {ext(15)}),
        ("Pancreatic tail mass measuring up to 2.4 cm.", {ext(24)}),
        ("A 7-millimeter nodule in the lingula.", {ext(7)}),
        ("Left adrenal mass 3cm x 1cm.", {ext(30)}),
        ("Lytic lesion of the sternum, 2,9 cm.", {ext(29)}),
        ("Pleural nodules 2.4 and 1.7 cm.", {ext(24), ext(17)}),
        # nodes: the smaller dimension is the short axis; a stated short axis is kept
        ("Subcarinal lymph node 1.8 x 1.2 cm.", {node(18, 12)}),
        ("Left para-aortic node 2.3 x 1.7 cm (short axis 17 mm).", {node(23, 17)}),
        ("Right hilar LN 22 x 16 mm, short-axis 16 mm.", {node(22, 16)}),
        ("Portocaval node 1.1 cm short axis.", {node(11, 11)}),
        # comparisons: the current size present, the prior one historical
        ("RLL nodule previously 2.0 cm, now 2.6 cm.", {ext(26), ext(20, H)}),
        ("RLL nodule increased from 2.0 to 2.6 cm.", {ext(26), ext(20, H)}),
        ("RLL nodule 2.6 cm (prior 2.0 cm).", {ext(26), ext(20, H)}),
        ("RLL nodule 2.6 cm (was 2.0 cm).", {ext(26), ext(20, H)}),
        ("Chest wall mass 32 mm (24 mm at baseline).", {ext(32), ext(24, H)}),
        ("RLL nodule 3.1 x 2.6 cm (3.0 cm on 1/14).", {ext(31), ext(30, H)}),
        ("Pleural-based mass measures 28 mm (21 mm).", {ext(28), ext(21, H)}),
        ("Subcarinal node 25 x 18 mm, previously 19 x 12 mm.", {node(25, 18), node(19, 12, H)}),
        ("Nephrectomy bed nodule 31 x 24 mm, previously 25 x 19.", {ext(31), ext(25, H)}),
        ("At diagnosis the right renal mass measured 8.4 cm.", {ext(84, H)}),
        (
            "Lung metastases 18 mm and 12 mm (previously 15 mm and 10 mm).",
            {ext(18), ext(12), ext(15, H), ext(10, H)},
        ),
        # translated-report habits: abbreviation dots, dated priors, "at the time", "then"
        ("Lesion in segment 2 of approx. 9 mm, previously ca. 6 mm.", {ext(9), ext(6, H)}),
        ("Nodule of 9 mm (03-04-2025: 6 mm).", {ext(9), ext(6, H)}),
        ("Nodule of 9 mm, 6 mm on 01-02-2025.", {ext(9), ext(6, H)}),
        ("Nodule of 9 mm (6 mm in March 2025).", {ext(9), ext(6, H)}),
        ("Nodule of 9 mm, at the examination of 14-06-2025 7 mm.", {ext(9), ext(7, H)}),
        ("Metastasis in segment 2, currently 23 mm, then 17 mm.", {ext(23), ext(17, H)}),
        ("Mass of 2,7 cm, at the previous examination approx. 3,3 cm.", {ext(27), ext(33, H)}),
        ("Nodule 12 mm, unchanged compared to 2021.", {ext(12)}),  # a year is no prior size
        # an earlier size before "now", an unchanged one, one that is gone
        ("The nodule of 6 mm has partially resolved, now 4 mm.", {ext(4), ext(6, H)}),
        ("The previously described 6 mm nodule in the lingula is unchanged.", {ext(6)}),
        ("The previously described 6 mm nodule in the lingula has disappeared.", {ext(6, H)}),
        ("Lesion of 12 mm in segment 2, the lesion in segment 5 has disappeared.", {ext(12)}),
        # the amount of a change is not a size
        ("The tumour has grown by approx. 5 mm and now measures 4,1 cm.", {ext(41)}),
        ("The mass increased 6 mm in size to 41 mm.", {ext(41)}),
        ("The lingula nodule has grown by 3 mm to 11 mm.", {ext(11)}),
        # translated nouns, adjective lists, long axis after short axis
        ("Space-occupying process in the pancreatic head of 3,1 x 2,4 cm.", {ext(31)}),
        ("A 12 mm irregular, spiculated nodule in the right upper lobe.", {ext(12)}),
        ("Enlarged lymph gland in the left axilla of 17 x 12 mm.", {node(17, 12)}),
        ("Hilar lymph node with a short axis of 11 mm and a long axis of 20 mm.", {node(20, 11)}),
        ("Hilar lymph node with a long axis of 20 mm and a short axis of 11 mm.", {node(20, 11)}),
        ("Hilar lymph node 11 mm short axis (20 mm long axis).", {node(20, 11)}),
        ("Para-aortic lymph node, 15 mm short axis (was 11 mm).", {node(15, 15), node(11, 11, H)}),
        # an earlier size in a past-tense clause; the same size restated
        (
            "Insular mass, now measuring 52 x 40 mm; on 01/20/2026 it measured 44 x 31 mm.",
            {ext(52), ext(44, H)},
        ),
        ("RLL nodule, previously 2.1 cm, now 2.7 cm (27 x 20 mm).", {ext(27), ext(21, H)}),
        # nouns: omental caking, an enhancing component, enhancement along a cavity margin
        (
            "Omental caking, left upper quadrant, 5.9 x 2.2 cm (previously 4.1 x 1.5 cm).",
            {ext(59), ext(41, H)},
        ),
        ("Tumour crosses the corpus callosum, enhancing component 2.4 cm.", {ext(24)}),
        (
            "Nodular enhancement along the deep and lateral cavity margin now measures "
            "2.8 x 2.0 cm, previously 1.7 x 1.2 cm.",
            {ext(28), ext(17, H)},
        ),
        # a cyst named without a hedge does not say what the mass is
        ("A 2.4 cm renal mass that does not meet the criteria for a simple cyst.", {ext(24)}),
        # a list of sizes after the sentence naming the lesions; a RECIST summary line
        (
            "Bilateral lung metastases, increased. RUL 18 mm (previously 12 mm), "
            "LLL 13 mm (previously 9 mm), new lingula 5 mm.",
            {ext(18), ext(12, H), ext(13), ext(9, H), ext(5)},
        ),
        (
            "Growing lung metastases and hilar adenopathy. Targets: RUL 31 mm, LLL 15 mm, "
            "R hilar LN 17 mm SA.",
            {ext(31), ext(15), node(17, 17)},
        ),
        # a sum row (values far from its label) and a sum's dated prior are no lesions,
        # though a lesion was named on the line before
        (
            "T2  RLL nodule" + " " * 30 + "23 mm  (prior 19 mm)\n"
            "Sum" + " " * 60 + "88 mm  (prior 70 mm), +25.7%",
            {ext(23), ext(19, H)},
        ),
        ("Right hilar node 2.1 x 1.6 cm.\nSLD 131 mm (02/11/2026: 104 mm), +26%", {node(21, 16)}),
        # a laid-out row: leader dots between the label and its short axis
        ("  T3 R external iliac LN (SA) ....... 19 mm", {node(19, 19)}),
        # coordinated sizes share the noun that follows the last one
        ("There is a 9 mm and a 6 mm nodule in the left upper lobe.", {ext(9), ext(6)}),
        ("Sub-centimetre 8 mm, 6 mm and 4 mm nodules, lingula.", {ext(8), ext(6), ext(4)}),
        # a comma and a conjunction start another item: the first size stays the lesions'
        (
            "Two hepatic metastases, largest 3.1 cm, and a 2.2 cm peritoneal implant.",
            {ext(31), ext(22)},
        ),
    ],
)
def test_phrasings(extract, line, expected):
    findings = extract(CT_TEMPLATE.format(line=line), kind="radiology")
    assert lesions(findings) == expected
    for f in only(findings, "lesion"):
        assert f.unit == "mm"
        assert f.attributes["modality"] == "CT"
        assert f.text == CT_TEMPLATE.format(line=line)[f.start : f.end]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Right temporal mass 47 x 38 mm (MRI 3/12: 44 x 35 mm).", {ext(47), ext(44, H)}),
        ("Frontal opercular nodule 14 mm (MRI: 12 mm).", {ext(14), ext(12, H)}),
        (
            "Callosal mass of 38 x 29 mm; on the MRI of 11/02/2025 the enhancing component "
            "measured approx. 30 x 22 mm.",
            {ext(38), ext(30, H)},
        ),
    ],
)
def test_an_earlier_study_named_in_brackets_is_a_prior_size(extract, line, expected):
    findings = only(extract(CT_TEMPLATE.format(line=line), kind="radiology"), "lesion")
    assert lesions(findings) == expected
    # today's size is this CT's; the bracketed one was measured on the earlier MRI
    assert {(f.assertion, f.attributes["modality"]) for f in findings} == {
        ("present", "CT"),
        ("historical", "MRI"),
    }


@pytest.mark.parametrize(
    "line",
    [
        # non-tumour structures are not lesions
        "Right kidney: 1.2 cm simple cyst, Bosniak I.",
        "Gallbladder: 1.6 cm calcified gallstone.",
        "Infrarenal abdominal aortic aneurysm, 3.4 cm maximal diameter.",
        "Mild splenomegaly (14 cm).",
        "4 mm leftward midline shift, previously 2 mm.",
        "Spleen measures 12 cm.",
        "Incidental 7 mm pineal cyst, unchanged.",
        "Common bile duct 6 mm.",
        # bounds and thresholds are not measurements
        "Several new lesions < 1 cm.",
        "Several additional sub-5 mm nodules.",
        "No lymph nodes larger than 1 cm in short axis.",
        "Mediastinal nodes with short axis below 15 mm.",
        # a sum of diameters is not one lesion, nor is its earlier value
        "Sum of diameters: 80 mm.",
        "Sum of target lesions: 60 mm (baseline 82 mm).",
        # changes and extents are not sizes; oedema, Schmorl nodes, organs are not lesions
        "The known lung nodule has grown by 3 mm.",
        "The known mass extends 2.5 cm inferiorly into the ethmoid sinus.",
        "Perilesional oedema up to 2 cm.",
        "Schmorl's node in the upper endplate of L3 of 8 mm.",
        "The appendix has a diameter of 6 mm.",
        # a sum of diameters in a laid-out row, with a dated prior, or as a clause subject
        "Progression, sum of target lesion diameters up by 31% (48 -> 63 mm), new nodule.",
        "Progressive disease by RECIST 1.1 (sum of target diameters 58 mm).",
        # benign structures named as such after their size; an organ; a bleed
        "Segment 6 hypodensity 7 mm, likely cyst, unchanged.",
        "Right kidney upper pole 1.6 cm hypodense lesion, 5 HU, thin wall - simple cyst.",
        "Liver: 1.2 cm segment 3 hypodensity of fluid attenuation, c/w simple cyst.",
        "Left kidney: 1.9 cm simple cortical cyst interpolar region, water attenuation.",
        "Diffuse tumour infiltration of the right lobe.\nSPLEEN: 14.8 cm (splenomegaly).",
        "A small focus of evolving haemorrhage (5 mm) along the biopsy tract.",
    ],
)
def test_not_lesions(extract, line):
    assert only(extract(CT_TEMPLATE.format(line=line), kind="radiology"), "lesion") == []


RESTAGING_CT = """MERIDIAN HEALTH - RADIOLOGY REPORT
Exam ............ CT CHEST ABDOMEN PELVIS WITH IV CONTRAST
Exam date ....... 07/20/2026
Comparison ...... CT CAP 04/08/2026.
Technique ....... Helical acquisition, 2.5 mm axial reconstructions, coronal MPR.

FINDINGS
Chest
- Right posterior costophrenic pleural nodule: 8 mm (previously 7 mm).
- Lymph nodes: right lower paratracheal node 14 x 9 mm. Subcarinal node 16 x 11 mm
  (previously 15 x 10 mm). No hilar or axillary adenopathy.
- Lungs: emphysema. No pulmonary nodule.
Abdomen / Pelvis
- Liver: Numerous hypervascular metastases, increased in size. Largest right lobe
  (seg 8) 5.2 x 4.6 cm (was 3.7 cm), seg 5 lesion 3.4 cm (was 2.1 cm).
- Gallbladder: 1.6 cm calcified gallstone.
- Kidneys: simple cyst left lower pole 2.1 cm (water attenuation), Bosniak I.
- Infrarenal abdominal aortic aneurysm, 3.4 cm maximal diameter, unchanged.

IMPRESSION
1. Progressive hepatic metastases (dominant 5.2 cm).
2. Subcarinal node short axis 11 mm, not measurable per RECIST 1.1.
"""


def test_restaging_ct_report(extract):
    findings = extract(RESTAGING_CT, kind="radiology")
    assert lesions(findings) == {
        (8, "present", False, None),
        (7, "historical", False, None),
        (14, "present", True, 9),
        (16, "present", True, 11),
        (15, "historical", True, 10),
        (52, "present", False, None),
        (37, "historical", False, None),
        (34, "present", False, None),
        (21, "historical", False, None),
    }  # cyst, gallstone and aneurysm rejected; the impression's short axis is the same node
    (slice_,) = only(findings, "ct_slice_thickness")
    assert (slice_.value, slice_.unit, slice_.assertion) == (2.5, "mm", "present")
    by_value: dict = {}
    for f in only(findings, "lesion"):  # the first mention of each value (findings section)
        by_value.setdefault((f.value, f.assertion), f)
    liver = by_value[(52, "present")]
    assert liver.attributes["measurable"] is True
    assert "seg 8" in liver.attributes["site"]
    assert any("earlier sentence" in s.reason for s in liver.explanation)  # noun far away
    assert by_value[(8, "present")].attributes["measurable"] is False  # < 10 mm
    node = by_value[(16, "present")]
    assert node.attributes["measurable"] is False  # short axis 11 < 15
    assert by_value[(37, "historical")].attributes["assertion_reason"].startswith("prior")


def test_measurable_flag_follows_recist(extract):
    text = CT_TEMPLATE.format(
        line="RUL nodule 10 mm. LUL nodule 9 mm. Subcarinal node 2.4 x 1.5 cm. "
        "Right hilar node 2.2 x 1.4 cm. Left axillary node 2 cm."
    )
    got = {f.value: f.attributes["measurable"] for f in only(extract(text), "lesion")}
    assert got == {10: True, 9: False, 24: True, 22: False, 20: None}  # None: short axis unknown


RECIST_PIPE_TABLE = """CT THORAX AND UPPER ABDOMEN WITH CONTRAST - RECIST 1.1 ASSESSMENT
Date: 25 November 2025
Technique: Contrast-enhanced CT, 2.5 mm slice thickness.

Findings:
The subcarinal lymph node now measures 25 x 18 mm (short axis 18 mm), previously 19 x 12 mm.

RECIST 1.1 target lesion table
| Target | Site                             | Baseline 10/06/2025 | Current 25/11/2025 |
| 1      | RUL primary                      | 38 mm               | 46 mm              |
| 2      | Right pleural-based mass         | 21 mm               | 28 mm              |
| 3      | Subcarinal node (short axis)     | 12 mm               | 18 mm              |
|        | Sum                              | 71 mm               | 92 mm              |
Non-target: small right pleural effusion. New lesions: none.
"""

RECIST_SPACED_TABLE = """CT CHEST ABDOMEN PELVIS WITH CONTRAST
technique: axial images reconstructed at 3 mm slice thickness.

findings: anterior mediastinal mass 52 x 38 mm, previously 47 x 35 mm.
subcarinal lymph node 19 x 16 mm (short axis 16 mm), previously 15 x 12 mm.

RECIST measurements (radiologist table)
lesion                          prior (01/08)   current (05/05)
T1 anterior mediastinal mass    47              52
T2 L costal pleural nodule      18              23
T3 subcarinal node (short axis) 12              16
sum                             77              91   (+18%)
"""


def test_recist_table_with_units(extract):
    findings = extract(RECIST_PIPE_TABLE, kind="radiology")
    assert lesions(findings) == {
        (25, "present", True, 18),
        (19, "historical", True, 12),
        (46, "present", False, None),
        (38, "historical", False, None),
        (28, "present", False, None),
        (21, "historical", False, None),
    }  # sum row skipped; the short-axis row repeats the node measured in the findings
    row = next(f for f in only(findings, "lesion") if f.value == 46)
    assert row.rule == "lesions.table/row"
    assert row.attributes["site"] == "RUL primary"


def test_recist_table_without_units(extract):
    findings = extract(RECIST_SPACED_TABLE, kind="radiology")
    assert lesions(findings) == {
        (52, "present", False, None),
        (47, "historical", False, None),
        (19, "present", True, 16),
        (15, "historical", True, 12),
        (23, "present", False, None),
        (18, "historical", False, None),
    }
    nodule = next(f for f in only(findings, "lesion") if f.value == 23)
    assert any("unit taken from the table" in s.reason for s in nodule.explanation)


RECIST_DATE_COLUMNS = """CT CHEST AND ABDOMEN WITH CONTRAST
Examination date: 14.05.2026
Technique: portal venous phase, 2 mm axial slices.

Target lesions (RECIST 1.1):
| # | Site                          | 14/05/2026         | 20/01/2026         |
| 1 | Left upper lobe mass          | 33 mm              | 26 mm              |
| 2 | Right hilar node              | 22 x 17 mm (SA 17) | 18 x 12 mm (SA 12) |
| 3 | Precarinal node, short axis   | 16 mm (25 x 16 mm) | 10 mm (19 x 10 mm) |
| 4 | Liver segment 6 (LD)          | 30 mm              | 21 mm              |
Sum of diameters: 95 mm (previously 69 mm; +38%).
"""


def test_recist_table_dates_in_either_order_and_bracketed_axes(extract):
    """Date columns: the exam's date (or else the latest) is today's, whatever the order;
    '(SA 17)' is the short axis of the size before it; a short-axis row may give the full
    size in brackets; in a target-lesion table an organ label names a lesion's site."""
    assert lesions(extract(RECIST_DATE_COLUMNS, kind="radiology")) == {
        ext(33),
        ext(26, H),
        node(22, 17),
        node(18, 12, H),
        node(25, 16),
        node(19, 10, H),
        ext(30),
        ext(21, H),
    }


def test_recist_table_date_columns_follow_the_exam_date(extract):
    """'04/07/2026 | 02/10/2026' can be read either way round (day or month first): the
    column giving the report's own date is today's."""
    text = (
        "CT CHEST WITH CONTRAST\nDate: 04/07/2026\n\nTARGET LESIONS\n"
        "| # | Site         | 04/07/2026 | 02/10/2026 |\n"
        "| 1 | RLL mass     | 36 mm      | 30 mm      |\n"
    )
    assert lesions(extract(text, kind="radiology")) == {ext(36), ext(30, H)}


RECIST_SHORT_AXIS_ROW = """CT CHEST ABDOMEN PELVIS WITH CONTRAST
Date: 2026-02-20
Technique: 1.25 mm reconstructions.

RECIST 1.1 - TARGET LESIONS
 #  Site                                    2025-11-02    2026-02-20
 1  Anterior mediastinal mass (long axis)     41 mm         50 mm
 2  L axillary LN 14 mm (SA)   19 mm (SA)
 3  Subcarinal lymph node (short axis)        11 mm         16 mm
    Sum of diameters                          66 mm         85 mm  (+29%)
 Node 3 long axis: 24 mm (prior 19 mm).
"""


def test_recist_rows_glued_values_and_a_long_axis_given_below(extract):
    """A value glued to its row label is still a column value; 'Node 3 long axis' under the
    table completes row 3, whose cells give the short axis only."""
    assert lesions(extract(RECIST_SHORT_AXIS_ROW, kind="radiology")) == {
        ext(50),
        ext(41, H),
        node(19, 19),
        node(14, 14, H),
        node(24, 16),
        node(19, 11, H),
    }


BULLETED_CT = """CT CHEST WITH CONTRAST
Date: 03/02/2026

FINDINGS:
LUNGS:
Multiple bilateral pulmonary nodules, larger than before.
  - RLL posterobasal (Se 4 Im 200): 2.7 x 2.1 cm, previously 2.2 x 1.8 cm. Post-biopsy
    change, no pneumothorax.
  - LUL apicoposterior (Se 4 Im 58): 1.5 cm, previously 1.1 cm.
  - RML (Se 4 Im 131): 0.6 cm, new.
"""


def test_bulleted_items_measure_what_the_lead_line_names(extract):
    assert lesions(extract(BULLETED_CT, kind="radiology")) == {
        ext(27),
        ext(22, H),
        ext(15),
        ext(11, H),
        ext(6),
    }


def test_a_dated_past_tense_size_in_a_clinic_note_is_todays_quote(extract):
    """In a note, 'on CT <date> the mass measured' quotes the latest study (present); the
    past-tense rule is for imaging reports, where a dated study is an earlier one."""
    note = "ONCOLOGY CLINIC NOTE\nImaging: on CT 03/02/2026 the pelvic mass measured 4.4 cm.\n"
    assert lesions(extract(note)) == {ext(44)}


MRI_REPORT = """MRI PELVIS WITHOUT AND WITH GADOLINIUM
Date: 03/18/2026
Technique: Multiplanar multisequence MRI at 1.5T.

Findings: Femoral neck lesion previously 2.0 cm, now 2.6 cm. New 8 mm focus L5 vertebral body.
"""


def test_mri_report_keeps_its_modality_and_is_measured_by_size(extract):
    findings = only(extract(MRI_REPORT, kind="radiology"), "lesion")
    assert {(f.value, f.assertion) for f in findings} == {
        (26, "present"),
        (20, "historical"),
        (8, "present"),
    }
    current = next(f for f in findings if f.value == 26)
    assert current.attributes["modality"] == "MRI"
    assert current.attributes["measurable"] is True  # per size; the criterion decides on CT


def test_pet_ct_title_is_pet(extract):
    text = "PET/CT SKULL BASE TO MID-THIGH\nFindings: FDG-avid left axillary node 2.1 x 1.6 cm."
    (f,) = only(extract(text), "lesion")
    assert f.attributes["modality"] == "PET" and f.attributes["short_axis_mm"] == 16


PATHOLOGY_REPORT = """SURGICAL PATHOLOGY REPORT
Procedure: Left breast mass excision; sentinel lymph node biopsy.

GROSS DESCRIPTION:
A. "Left breast mass". The specimen is received fresh and consists of a 9.5 x 6.3 x 4.0 cm
portion of tan-yellow fibroadipose tissue. Sectioning shows a 3.4 x 2.8 x 2.5 cm solid
ill-defined tan-white infiltrating mass which extends close to the anterior margin.
B. "Sentinel lymph node". Received in formalin is a 2.0 x 1.4 x 1.0 cm lymph node.
Slide key: B1: tumor; B2: fibrous tissue, 1.0 cm medial to tumor.

DIAGNOSIS:
A. Infiltrating ductal carcinoma, 3.4 cm in greatest dimension; carcinoma reaches
within 0.5 mm of the anterior margin.
B. One lymph node, negative for carcinoma (0/1).
"""


def test_pathology_gross_tumour_is_a_lesion_and_specimens_are_not(extract):
    findings = only(extract(PATHOLOGY_REPORT, kind="pathology"), "lesion")
    assert {(f.value, f.attributes["lymph_node"]) for f in findings} == {(34, False)}
    for f in findings:
        assert f.attributes["measurable"] is False  # a specimen, not imaging
        assert f.attributes["modality"] is None  # not an imaging measurement
        assert any("pathology" in s.reason for s in f.explanation)


def test_size_quoted_in_a_clinic_note_is_kept_with_lower_confidence(extract):
    note = (
        "HEMATOLOGY/ONCOLOGY PROGRESS NOTE\n\n"
        "Interval: CT 1/14 showed growth of the lung nodules, largest RLL nodule now 3.1 cm.\n"
    )
    (f,) = only(extract(note), "lesion")
    assert (f.value, f.assertion, f.attributes["modality"]) == (31, "present", "CT")
    assert any("outside an imaging report" in s.reason for s in f.explanation)


def test_uncertain_nature_keeps_the_measured_lesion_present(extract):
    text = CT_TEMPLATE.format(
        line="Indeterminate 6 mm left lung nodule. 0.9 cm liver lesion, likely benign."
    )
    got = {f.value: f for f in only(extract(text), "lesion")}
    assert got[6].assertion == "present"
    assert got[9].attributes["nature_uncertain"] is True
    assert got[9].confidence < got[6].confidence


def test_a_structure_named_a_cyst_after_its_size_is_not_a_lesion(extract):
    """'likely benign' leaves a lesion of uncertain nature; naming it a cyst (or a bone
    island, a haemangioma) says what the measured structure is: not a tumour."""
    text = CT_TEMPLATE.format(
        line="Hepatic dome 8 mm hypodense focus, probably a simple cyst, stable. "
        "Left adrenal mass 3.1 cm (previously 2.5 cm). "
        "Right iliac sclerotic focus 6 mm, unchanged - typical bone island."
    )
    assert lesions(extract(text, kind="radiology")) == {ext(31), ext(25, H)}


@pytest.mark.parametrize(
    ("line", "values"),
    [
        ("Technique: 5 mm axial images, portal venous phase.", {5}),
        ("Technique: Slice thickness 2.5 mm; coronal reformats.", {2.5}),
        ("Technique: Contiguous 1.25-mm sections through the chest.", {1.25}),
        ("Technique: Axial images reconstructed at 3 mm.", {3}),
        ("Technique: Axial 5 mm soft tissue images with 1.25 mm lung reconstructions.", {5, 1.25}),
        ("Technique: Reconstructions: chest 1.25 mm; abdomen/pelvis 2.5 mm.", {1.25, 2.5}),
        ("Technique: images acquired at 0.5mm slice thickness.", {0.5}),
        ("Technique: Slice thickness 1.5 mm (chest) and 3 mm (abdomen).", {1.5, 3}),
        ("Technique: Thin-section (<= 5 mm) reconstructions were not generated.", set()),
    ],
)
def test_slice_thickness_phrasings(extract, line, values):
    text = f"CT CHEST WITH CONTRAST\n{line}\n\nFindings: No pulmonary nodule.\n"
    got = only(extract(text, kind="radiology"), "ct_slice_thickness")
    assert {f.value for f in got} == values
    assert all(f.unit == "mm" and f.assertion == "present" for f in got)
    assert only(extract(text, kind="radiology"), "lesion") == []


def test_slice_thickness_in_a_clinic_note_and_a_planned_one(extract):
    note = (
        "ONCOLOGY CLINIC NOTE\n"
        "CT 8/27: progression, but reconstructed at 7 mm slices only.\n"
        "Plan: repeat CT CAP here with 2.5 mm reconstructions, then re-screen.\n"
        "The protocol requires slice thickness of 5 mm or less.\n"
    )
    got = {f.value: f.assertion for f in only(extract(note), "ct_slice_thickness")}
    assert got == {7: "present", 2.5: "hypothetical"}  # "5 mm or less" is a threshold


def test_echo_and_operative_measurements_are_neither(extract):
    echo = (
        "TRANSTHORACIC ECHOCARDIOGRAM\nLV normal size (LVIDd 4.5 cm) and wall thickness (0.8 cm).\n"
    )
    op = (
        "OPERATIVE NOTE\nA 4 cm incision was made about the mass. A 28 mm cobalt-chrome "
        "head and a 12 mm polyethylene insert were placed.\n"
    )
    for text in (echo, op):
        findings = extract(text)
        assert only(findings, "lesion") == [] and only(findings, "ct_slice_thickness") == []


def test_a_target_is_a_lesion_only_in_an_imaging_report(extract):
    op = (
        "OPERATIVE NOTE\nBypass grafting. The smallest target was the left PDA, about 2 mm "
        "in calibre; the remaining targets were 3 mm or more.\n"
    )
    assert only(extract(op), "lesion") == []


def test_conflicting_measurements_across_two_reports(extract):
    ct = extract(
        "CT CHEST WITH CONTRAST\nFindings: RLL nodule 18 mm.\n",
        date=dt.date(2026, 3, 1),
        kind="radiology",
        doc_id="ct",
    )
    mri = extract(
        "MRI CHEST\nFindings: RLL nodule 21 mm.\n",
        date=dt.date(2026, 3, 20),
        kind="radiology",
        doc_id="mri",
    )
    (a,) = only(ct, "lesion")
    (b,) = only(mri, "lesion")
    # each report keeps its own value, modality and date: resolution happens per patient
    assert (a.value, a.attributes["modality"], a.date) == (18, "CT", dt.date(2026, 3, 1))
    assert (b.value, b.attributes["modality"], b.date) == (21, "MRI", dt.date(2026, 3, 20))
    assert a.assertion == b.assertion == "present"
    assert a.id != b.id


def test_confidence_is_explained(extract):
    for f in only(extract(RESTAGING_CT, kind="radiology"), "lesion"):
        assert f.explanation[0].reason.startswith("rule prior (lesions.")
        assert abs(sum(s.delta for s in f.explanation) - f.confidence) < 1e-6


def test_planned_slice_thickness_context_rule(extractor):
    """hyp.slice_plan: 'plan/repeat/recommend CT … N mm' is hypothetical for SLICE only."""
    nlp = extractor.nlp
    ctx = nlp.get_pipe("prescreen_context")

    def assertion(text: str, target: str, ctype: str) -> str:
        with nlp.select_pipes(disable=["prescreen_context"]):
            doc = nlp(text)
        start = text.index(target)
        cand = Candidate("t", 1, None, start, start + len(target), "test", ctype, 0.9)
        doc._.prescreen_candidates = [cand]
        ctx(doc)
        return resolve_assertion([ctx.category_of(m) for m in cand.modifiers]).value

    assert assertion("Plan repeat CT CAP w/ 2.5 mm recon.", "2.5 mm", "SLICE") == "hypothetical"
    assert (
        assertion("Recommend repeat CT with 1.25 mm sections.", "1.25 mm", "SLICE")
        == "hypothetical"
    )
    assert assertion("Axial images reconstructed at 3 mm.", "3 mm", "SLICE") == "present"
    assert assertion("Repeat CT showed the RLL nodule 2 cm.", "2 cm", "LESION") == "present"
    # it does not take the planning words of other targets away
    text = "Plan CT chest in 6 weeks, then start cabozantinib."
    assert assertion(text, "cabozantinib", "THERAPY") == "hypothetical"


def test_rule_file_is_valid_with_stable_ids():
    rules = load_rules()
    ids = [a.id for a in anchor_rules()]
    assert ids == ["lesions.size", "lesions.table"]
    assert rules.measurable.extranodal_long_axis_mm == 10
    assert rules.measurable.node_short_axis_mm == 15


def test_unknown_key_in_rule_file_names_file_and_line(tmp_path):
    text = (load_rules.__globals__["RESOURCES"] / "lesions.yaml").read_text()
    bad = tmp_path / "lesions.yaml"
    bad.write_text(text + "unitz: {mm: 1}\n")  # a misspelt top-level key
    with pytest.raises(DataFileError) as exc:
        load_rules(bad)
    assert exc.value.path == str(bad) and exc.value.line == text.count("\n") + 1
    assert "unitz" in str(exc.value)


# ----------------------------------------------------------------------------- translated
# Radiology reports machine-translated from Dutch (invented texts in that style): no title,
# an anonymisation banner, "Clinical question:" / "Findings:" / "Impression:" sections,
# decimal commas, "approx." / "ca.", comparisons with the previous examination.
BANNER = """==============================
NOTICE: IDENTIFIERS IN THIS DOCUMENT WERE SWAPPED FOR INVENTED ONES.
==============================

"""

TRANSLATED_LIVER = (
    BANNER
    + """Relevant Medical History:
Sigmoid carcinoma, resected in 2022. Hepatic metastases, on systemic treatment.
Clinical question: Evaluation of response?

Findings:
Comparison with the previous examination of 14-02-2025.
The liver again shows several metastases. The largest lesion in segment 7 currently
measures 41 mm (previously 47 mm). The lesion in segment 4b has a diameter of 16 mm
(previously 12 mm). In segment 2 a lesion of approx. 9 mm, previously ca. 6 mm.
A new hypodense lesion is visible in segment 6 of 13 x 8 mm.
The lesion in segment 8 increased in size from 10 to 15 mm.
Known cyst in segment 3 of 2,6 cm, unchanged. Gallstone of 17 mm.
Lymph node in the hepatoduodenal ligament with a short axis of 13 mm, previously 8 mm.
Para-aortic lymph node on the left, 15 mm short axis (was 11 mm).

Impression:
Mixed response of the hepatic metastases, the largest currently 41 mm.
"""
)

TRANSLATED_LUNG = (
    BANNER
    + """Clinical question: Follow-up of pulmonary nodules in known melanoma.

Findings:
Compared to the CT of 03-05-2025. The solid nodule in the right upper lobe (series 3,
image 88) has increased in size, currently 12 mm, at the time 8 mm. In the middle lobe a
subsolid nodule of 6 x 4 mm, unchanged. The previously described nodule of 5 mm in the
left lower lobe is no longer visible.
Mediastinum: enlarged lymph node in station 4R with a short axis diameter of 17 mm
(previously 11 mm). Subcarinal lymph node of 21 x 14 mm, previously 16 x 10 mm.
Ascending aorta with a diameter of 39 mm. Small pleural effusion on the right, 11 mm.
Calcified granuloma of 4 mm in the lingula. No pulmonary nodules larger than 4 mm
elsewhere.

Impression:
Growth of the nodule in the right upper lobe to 12 mm, suspicious for a metastasis.
"""
)

TRANSLATED_PANCREAS = """Relevant Medical History:
Pancreatic head carcinoma, neoadjuvant chemotherapy.
Clinical question: Restaging before surgery.

Findings:
Comparison with the study dated 12-11-2025.
Pancreatic head: hypodense mass measuring approx. 2,7 x 2,1 cm, at the previous
examination approx. 3,3 x 2,5 cm. The common bile duct is dilated to 11 mm with a stent.
Liver: the known lesion in segment 6 has decreased in size, now 8 mm versus 13 mm
previously. No new lesions.
Lymph nodes: peripancreatic lymph node of 9 mm short axis, previously 14 mm short axis.
Spleen with a craniocaudal length of 13 cm.

Impression:
Partial response of the pancreatic head tumour (27 mm, was 33 mm).
"""

TRANSLATED_LYMPHOMA = """Clinical question: Lymphoma, response evaluation after four cycles.

Findings:
Compared to the examination of 12-10-2025.
Neck: lymph node at level II on the left with a short axis of 9 mm and a long axis of
17 mm, previously short axis 21 mm.
Mediastinum: conglomerate of lymph nodes in the anterior mediastinum, now approx.
36 x 23 mm, previously approx. 74 x 49 mm.
Axilla right: lymph node 13 mm short axis (24 mm long axis).
The mesenteric lymph node package has decreased by 14 mm, now 42 x 31 mm.
Retroperitoneal: interaortocaval lymph node no longer visible, previously 19 mm.

Impression:
Partial response. Largest residual mass in the mediastinum 36 mm.
"""

TRANSLATED_KIDNEY = """Relevant Medical History:
Clear cell renal cell carcinoma on the right, nephrectomy 2021.
Clinical question: Progression?
Examination: CT thorax and abdomen with intravenous contrast.

Findings:
Lungs: multiple bilateral nodules. Right lower lobe nodule currently 15 mm (was 10 mm),
image 4/210. The nodule in the lingula has grown by 3 mm to 12 mm. New nodule in the
middle lobe of 5 mm.
Hila and mediastinum: no pathologically enlarged lymph nodes.
Nephrectomy bed on the right: soft tissue nodule of 2,3 x 1,7 cm, at the time
1,6 x 1,2 cm, suspicious for a local recurrence.
Left kidney: cortical cyst of 12 mm. A calcification of 4 mm in the pancreatic tail.
Skeleton: lytic lesion in the left iliac bone of 36 mm, new compared to previous.

Impression:
Progressive disease. Sum of target lesions 63 mm versus 28 mm.
"""

TRANSLATED_BRAIN = """MRI brain with and without gadolinium.

Findings:
Compared to the previous MRI of 5 January 2026.
Known metastasis in the right frontal lobe, currently 15 x 12 mm, was 10 x 8 mm. New
enhancing lesion in the left cerebellar hemisphere of 6 mm. Surrounding oedema up to 2 cm.
Developmental venous anomaly on the right parietally of 3 cm. Pineal cyst of 9 mm.

Conclusion:
Progression of the right frontal metastasis to 15 mm and a new metastasis in the
cerebellum.
"""

TRANSLATED_BENIGN = (
    BANNER
    + """Clinical question: Lung nodule?

Findings:
No pulmonary nodules larger than 5 mm. A calcified granuloma in the right upper lobe of
6 mm. No pathologically enlarged lymph nodes (short axis < 10 mm).
Liver: haemangioma in segment 7 of 14 mm, unchanged since 2021. Two simple cysts, the
largest of 11 mm. Bone island in the right iliac bone of 7 mm.
Abdominal aorta with a diameter of 28 mm. No ascites.

Impression:
No signs of malignancy.
"""
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            TRANSLATED_LIVER,
            {
                ext(41),
                ext(47, H),
                ext(16),
                ext(12, H),
                ext(9),
                ext(6, H),
                ext(13),
                ext(15),
                ext(10, H),
                node(13, 13),
                node(8, 8, H),
                node(15, 15),
                node(11, 11, H),
            },
        ),
        (
            TRANSLATED_LUNG,
            {
                ext(12),
                ext(8, H),
                ext(6),
                ext(5, H),  # no longer visible: a past size
                node(17, 17),
                node(11, 11, H),
                node(21, 14),
                node(16, 10, H),
            },
        ),
        (
            TRANSLATED_PANCREAS,
            {ext(27), ext(33, H), ext(8), ext(13, H), node(9, 9), node(14, 14, H)},
        ),
        (
            TRANSLATED_LYMPHOMA,
            {
                node(17, 9),  # short axis then long axis: one node
                node(21, 21, H),
                node(36, 23),
                node(74, 49, H),
                node(24, 13),
                node(42, 31),  # "decreased by 14 mm" is a change, not a size
                node(19, None, H),
                ext(36),
            },
        ),
        (
            TRANSLATED_KIDNEY,
            {ext(15), ext(10, H), ext(12), ext(5), ext(23), ext(16, H), ext(36)},
        ),
        (TRANSLATED_BRAIN, {ext(15), ext(10, H), ext(6)}),
        (TRANSLATED_BENIGN, set()),
    ],
    ids=["liver", "lung", "pancreas", "lymphoma", "kidney", "brain", "benign"],
)
def test_translated_reports(extract, text, expected):
    findings = only(extract(text, kind="radiology"), "lesion")
    assert lesions(findings) == expected
    for f in findings:
        assert f.text == text[f.start : f.end]


def test_translated_report_layout_makes_an_imaging_report(extract):
    """No modality in the title (a banner, then sections): the findings/impression layout
    makes it an imaging report; the modality is read from the examination line."""
    for text, modality in (
        (TRANSLATED_LIVER, None),
        (TRANSLATED_KIDNEY, "CT"),
        (TRANSLATED_BRAIN, "MRI"),
    ):
        for f in only(extract(text, kind="radiology"), "lesion"):
            assert not any("outside an imaging report" in s.reason for s in f.explanation)
            assert f.attributes["modality"] == modality


def test_findings_layout_of_an_operative_note_is_not_an_imaging_report(extract):
    note = (
        "OPERATIVE REPORT\nProcedure: revision of the left hip.\n\n"
        "Findings:\nA 12 mm implant was placed after removal of the old one.\n\n"
        "Impression:\nUncomplicated revision.\n"
    )
    assert only(extract(note), "lesion") == []  # an implant is a device outside imaging


def test_translated_report_sites_and_reasons(extract):
    got = {(f.value, f.assertion): f for f in only(extract(TRANSLATED_LIVER), "lesion")}
    assert got[(16, "present")].attributes["site"] == "segment 4b"
    assert got[(9, "present")].attributes["site"] == "segment 2"
    nodes = {
        f.value: f for f in only(extract(TRANSLATED_LIVER), "lesion") if f.attributes["lymph_node"]
    }
    assert nodes[13].attributes["site"] == "hepatoduodenal ligament"
    lung = {(f.value, f.assertion): f for f in only(extract(TRANSLATED_LUNG), "lesion")}
    gone = lung[(5, "historical")]
    assert gone.attributes["assertion_reason"] == "the structure measured is no longer seen"
    lymphoma = {(f.value, f.assertion): f for f in only(extract(TRANSLATED_LYMPHOMA), "lesion")}
    neck = lymphoma[(17, "present")]
    assert neck.attributes["dimensions_mm"] == [17, 9]
    assert neck.attributes.get("long_axis_stated") is None  # the long axis was written


def test_modality_is_the_examined_one_not_the_comparisons(extract):
    text = (
        "ct chest abdomen pelvis with contrast\n"
        "comparison: PET/CT 08/14/2025\n"
        "technique: contiguous 2.5 mm axial images\n\n"
        "findings: right upper lobe nodule 2.4 cm (prev 1.9 cm).\n"
    )
    found = [f for f in extract(text, kind="radiology") if f.field == "lesion"]
    assert found and {f.attributes["modality"] for f in found} == {"CT"}


def test_a_size_after_reaches_is_a_threshold(extract):
    text = "CT chest: small nodules, RUL 8 mm and LLL 7 mm. No nodule reaches 10 mm."
    values = {f.value for f in extract(text, kind="radiology") if f.field == "lesion"}
    assert values == {8, 7}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Studies:\n - CT chest 03/02 (2.5 mm): RLL 21 mm, LUL 9 mm - stable.\n", 2.5),
        ("She has measurable disease on a 1.25 mm CT done last month.", 1.25),
        ("Screen fail on imaging for now (5-mm CT); repeat with thin sections.", 5),
    ],
)
def test_slice_thickness_named_with_the_study_in_a_note(extract, text, value):
    got = [f.value for f in only(extract(text, kind="clinic_note"), "ct_slice_thickness")]
    assert got == [value]


def test_a_bracketed_size_after_ct_is_still_a_lesion(extract):
    text = "New RUL nodule on CT (8 mm), follow-up advised."
    assert not only(extract(text, kind="clinic_note"), "ct_slice_thickness")
    text2 = "Needs a 3 mm CT-guided biopsy needle."
    assert not only(extract(text2, kind="clinic_note"), "ct_slice_thickness")


def test_bedside_sizes_and_short_axis_only_quotes_in_a_note_are_not_lesions(extract):
    note = (
        "ONCOLOGY CLINIC NOTE\n"
        "EXAM: Thin, comfortable. Hard fixed L neck mass ~3 cm. Lungs clear.\n"
        "Skin: palpable firm ~1.2 cm nodule at the old drain site.\n"
        "IMAGING: CT CAP 02/20 (2.5 mm) - R adrenal mass 3.6 cm, 7 node SA 18 mm.\n"
    )
    got = {(f.value, f.attributes["lymph_node"]) for f in only(extract(note), "lesion")}
    assert got == {(36, False)}  # the node's long axis (its value) is not written


def test_an_ultrasound_of_a_palpable_lump_is_measured(extract):
    report = (
        "ULTRASOUND LEFT BREAST\n"
        "Indication: palpable lump.\n"
        "FINDINGS:\nAt the palpable site, an irregular hypoechoic mass 1.4 x 1.1 cm.\n"
    )
    assert lesions(extract(report, kind="radiology")) == {ext(14)}


@pytest.mark.parametrize(
    "line",
    [
        "Several additional 2-4 mm nodules in both lungs.",
        "Scattered further nodules 3-6 mm, unchanged.",
        "Simple cyst R kidney upper pole region 1.8 cm (water attenuation).",
    ],
)
def test_size_ranges_of_many_and_a_cyst_located_in_a_region(extract, line):
    assert only(extract(CT_TEMPLATE.format(line=line), kind="radiology"), "lesion") == []


def test_a_unitless_table_cell_with_both_axes_and_a_bracketed_short_axis(extract):
    report = (
        "CT CHEST WITH CONTRAST\nExam date: 03/10/2026\n\nFINDINGS:\nAs below.\n\n"
        "RECIST 1.1 TARGET LESIONS\n"
        " Target                     12/01/2025        03/10/2026\n"
        " T1 RUL mass                 30 mm             37 mm\n"
        " T2 paratracheal LN (SA)     19x12 (SA 12)     23x16 (SA 16)\n"
    )
    assert lesions(extract(report, kind="radiology")) == {
        ext(37),
        ext(30, H),
        node(23, 16),
        node(19, 12, H),
    }


def test_table_cells_one_space_apart_after_a_bracketed_short_axis(extract):
    """Three dated columns where two cells are one space apart ('15x11 (SA 11) 13x9 (SA
    9)'): each is its own cell, the exam's column is today's."""
    report = (
        "CT ABDOMEN PELVIS WITH CONTRAST\nExam date: 05/02/2026\n\n"
        "RECIST 1.1 TARGET LESION TABLE\n"
        " Lesion                   Baseline 11/20/25   02/18/26      05/02/26\n"
        " T1 Liver seg 8 mass       24 mm               19 mm         15 mm\n"
        " T2 Portacaval LN (SA)     21x17 mm (SA 17)    17x12 (SA 12) 14x8 (SA 8)\n"
    )
    found = only(extract(report, kind="radiology"), "lesion")
    assert {(f.value, f.assertion.value, f.attributes.get("short_axis_mm")) for f in found} == {
        (24, "historical", None),
        (19, "historical", None),
        (15, "present", None),
        (21, "historical", 17),
        (17, "historical", 12),
        (14, "present", 8),
    }
    assert {f.attributes["site"] for f in found if f.attributes["lymph_node"]} == {"Portacaval LN"}


@pytest.mark.parametrize(
    ("line", "values"),
    [
        # the thickness of a coronal/sagittal series, or of one that was not made
        ("Technique: Axial recons 2.5 mm, coronal/sagittal MPR 3 mm.", {2.5}),
        ("Technique: Slice thickness 1.25 mm (axial), 3 mm coronal reformats.", {1.25}),
        ("Technique: 5 mm axial sections; 2 mm lung reconstructions not available.", {5}),
        # reformats named after the axial thickness, and lung reformats, are kept
        ("Technique: Reconstructed at 2.5 mm with coronal and sagittal reformats.", {2.5}),
        ("Technique: Axial 5 mm images; 1.25 mm lung reformats reviewed.", {5, 1.25}),
    ],
)
def test_slice_thickness_of_another_series(extract, line, values):
    text = f"CT CHEST WITH CONTRAST\n{line}\n\nFindings: No pulmonary nodule.\n"
    got = only(extract(text, kind="radiology"), "ct_slice_thickness")
    assert {f.value for f in got} == values


def test_enhancing_soft_tissue_is_a_measured_tumour(extract):
    report = (
        "MRI NECK WITH AND WITHOUT CONTRAST\nFINDINGS:\n"
        "Nasopharynx: enhancing soft tissue at the L fossa of Rosenmuller 2.3 x 1.4 cm "
        "(previously 1.7 x 1.1 cm), c/w local recurrence.\n"
    )
    found = only(extract(report, kind="radiology"), "lesion")
    assert {(f.value, f.assertion.value) for f in found} == {(23, "present"), (17, "historical")}


def test_an_undated_measurement_column_beside_a_dated_one_is_this_exams(extract):
    """'Long axis (mm) | Outside CT 14/03 (mm)': the column named only by what it measures
    is today's; the dated one is the comparison (before, the last column was taken as
    today's)."""
    text = (
        "CT ABDOMEN 02/05/2026\n\nTarget lesions:\n"
        "| # | Site            | Long axis (mm) | Outside CT 14/03 (mm) |\n"
        "| 1 | Hepatic dome    | 52             | 47                    |\n"
        "| 2 | Left adrenal    | 18             | 15                    |\n"
    )
    assert lesions(extract(text, kind="radiology")) == {ext(52), ext(47, H), ext(18), ext(15, H)}


def test_a_node_row_labelled_long_by_short_axis_and_the_sum_rows(extract):
    text = (
        "CT CHEST\n\nRECIST 1.1 TARGET LESIONS\n"
        "#  | Site                 | 10/02/2025 | 05/12/2025\n"
        "T1 | LUL nodule           | 15 mm      | 21 mm\n"
        "T2 | R hilar LN (LA x SA) | 21 x 16 mm | 27 x 19 mm\n"
        "Sum of diameters (T2 by SA) | 31 mm | 40 mm\n"
        "Change from nadir (31 mm): +9 mm (+29%)\n"
    )
    found = lesions(extract(text, date=dt.date(2025, 12, 5), kind="radiology"))
    assert found == {
        (15, "historical", False, None),
        (21, "present", False, None),
        (21, "historical", True, 16),  # both axes given: the short axis is the second
        (27, "present", True, 19),
    }


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Further pleural nodularity along the left hemidiaphragm, up to 8 mm.",
            {(8, "present", False, None)},
        ),
        (
            "MRI liver: segment VII 34 mm (22 mm in March), segment IVa 19 mm.",
            {
                (34, "present", False, None),
                (22, "historical", False, None),
                (19, "present", False, None),
            },
        ),
    ],
)
def test_nodularity_and_liver_segments_name_lesions(extract, line, expected):
    assert lesions(extract(line, kind="radiology")) == expected


@pytest.mark.parametrize(
    "line",
    [
        "There is a large inferior bony Bankart lesion that measures 15 x 18 mm.",
        "Osteochondral lesion of the talar dome measuring 9 mm.",
    ],
)
def test_injuries_named_lesion_are_not_tumours(extract, line):
    assert not only(extract(line, kind="radiology"), "lesion")


def test_the_site_holds_no_fragment_of_another_size(extract):
    text = CT_TEMPLATE.format(
        line="Right temporal enhancing lesion 3.4 cm, now 38 mm. Two hepatic lesions, "
        "largest 3.0 cm, and a 2.5 cm peritoneal implant."
    )
    sites = {f.value: f.attributes.get("site") or "" for f in only(extract(text), "lesion")}
    assert "Right temporal" in sites[38]
    assert not any(frag in site for site in sites.values() for frag in ("3 4", "3 0", " cm"))


@pytest.mark.parametrize(
    ("line", "want", "site"),
    [
        # a numbered label names the lesion; the organ after it is where it lies
        (
            "Target lesion 1: liver, 23 mm (previously 18 mm).",
            {ext(23), ext(18, "historical")},
            "liver",
        ),
        (
            "Lesion 2 (lung, right upper lobe): 12 mm -> 9 mm.",
            {ext(9), ext(12, "historical")},
            "lung",
        ),
        # an arrow between two sizes is a change, not a bound
        ("Pulmonary metastases: RLL 20 -> 26 mm.", {ext(26), ext(20, "historical")}, None),
    ],
)
def test_labelled_lesion_lines_and_arrows(extract, line, want, site):
    found = extract(CT_TEMPLATE.format(line=line), kind="radiology")
    assert lesions(found) == want
    if site:
        (current,) = [f for f in only(found, "lesion") if f.assertion.value == "present"]
        assert site in current.attributes["site"].lower()


@pytest.mark.parametrize(
    ("line", "want"),
    [
        # a size right after the noun is no label; organs after it stay organs
        ("Mass 3 cm in the pancreatic head. Liver 18 cm, spleen 15 cm.", {ext(30)}),
        ("Lesion 1: liver, 23 mm; spleen 16 cm.", {ext(23)}),
    ],
)
def test_labels_do_not_make_organs_lesions(extract, line, want):
    assert lesions(extract(CT_TEMPLATE.format(line=line), kind="radiology")) == want


def test_a_distance_told_as_a_change_is_no_current_lesion(extract):
    line = "Liver metastasis 20 -> 26 mm, located 3 -> 4 cm from the hepatic dome."
    found = lesions(extract(CT_TEMPLATE.format(line=line), kind="radiology"))
    assert ext(26) in found and ext(20, "historical") in found
    assert ext(40) not in found  # (its earlier half is still read as a prior size: a known gap)


def test_a_table_with_a_trailing_note_column_and_dated_columns(extract):
    text = (
        "CT CHEST\n\n"
        "  Lesion | Site (series/image)   | 02-Feb-2026 | 11-Apr-2026 | Comment\n"
        "  -------|-----------------------|-------------|-------------|----------------\n"
        "  L1     | LLL lateral (4/61)    | 17 mm       | 22 mm       | biopsied 03/2026\n"
        "  N1     | subcarinal node (4/40)| 21 x 12 mm  | 25 x 16 mm  | long x short axis\n"
    )
    got = {
        (f.value, f.assertion.value, f.attributes.get("site"))
        for f in extract(text)
        if f.field == "lesion"
    }
    assert got == {
        (17, "historical", "LLL lateral (4/61)"),
        (22, "present", "LLL lateral (4/61)"),
        (21, "historical", "subcarinal node (4/40)"),
        (25, "present", "subcarinal node (4/40)"),
    }


def test_a_short_axis_cell_with_its_full_size_in_brackets_without_a_unit(extract):
    text = (
        "RECIST TARGET LESIONS\n"
        "Lesion | Site | Current | Baseline\n"
        "T2  | R iliac LN (SA)   | 16 mm (23 x 16)  | 10 mm (14 x 10)\n"
    )
    got = _lesion_triples(extract(text))
    assert got == {(23, 16, "present"), (14, 10, "historical")}


@pytest.mark.parametrize(
    "text",
    [
        "CT CAP\nTechnique  : Portal venous phase. Axial slice thickness\n             3 mm;"
        " coronal reformats.\n",
        "CT chest. Technique: Axial images 3 mm thickness from lung apices to the adrenals.",
        "CT chest. Technique: Axial images at 3 mm from lung apices to pubic symphysis.",
    ],
)
def test_slice_thickness_wrapped_after_its_words_or_before_a_coverage_range(extract, text):
    assert [f.value for f in extract(text) if f.field == "ct_slice_thickness"] == [3]


def test_a_wall_thickness_is_no_slice_thickness(extract):
    assert not [
        f
        for f in extract("CT abdomen. Bowel wall 5 mm thickness in the sigmoid.")
        if f.field == "ct_slice_thickness"
    ]


def test_dimensions_with_their_directions_are_one_lesion(extract):
    got = [
        (f.value, f.attributes["dimensions_mm"])
        for f in extract("CT abdomen. A liver mass measuring 3 cm (AP) x 2 cm (TR) is seen.")
        if f.field == "lesion"
    ]
    assert got == [(30, [30, 20])]


def test_a_distance_that_changed_gives_no_prior_size(extract):
    assert not [
        f
        for f in extract("CT chest. The mass is located 3 -> 4 cm from the dome.")
        if f.field == "lesion"
    ]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # a benign structure with its liver segment between it and its size
        ("CT abdomen. Known simple cyst in segment II with a diameter of 16 mm, unchanged.", set()),
        ("CT abdomen. Haemangioma in segment 3 of 9 mm, unchanged.", set()),
        ("CT abdomen. Small hepatic cyst segment 7, 6 mm, stable.", set()),
        ("CT abdomen. Metastasis in segment II of 19 mm.", {(19, "present")}),
        (
            "CT abdomen. Liver segment 4a: 22 mm (previously 19 mm).",
            {(22, "present"), (19, "historical")},
        ),
        # a benign name after the size, translated phrasing
        (
            "MRI liver. In segment 6 a T2-hyperintense lesion, measuring 31 mm: typical"
            " haemangioma.",
            set(),
        ),
        # baseline -> previous -> current
        (
            "CT. Liver metastasis segment VI: 29 -> 22 -> 24 mm.",
            {(29, "historical"), (22, "historical"), (24, "present")},
        ),
    ],
)
def test_translated_european_report_phrasings(extract, text, want):
    got = {(f.value, f.assertion.value) for f in extract(text) if f.field == "lesion"}
    assert got == want


def test_a_prior_node_size_keeps_its_own_short_axis(extract):
    text = (
        "CT abdomen. A left para-aortic lymph node measures 13 x 9 mm (short axis 9 mm),"
        " previously 18 x 12 mm (short axis 12 mm)."
    )
    got = _lesion_triples(extract(text))
    assert got == {(13, 9, "present"), (18, 12, "historical")}


@pytest.mark.parametrize(
    "text",
    [
        "CT abdomen. Simple cyst in liver segment VIII of 14 mm, unchanged.",
        "PET-CT. Melanoma of the back (Breslow 3,2 mm), stage III.",
        "CT. Mucosal thickening of the left maxillary sinus of 6 mm.",
    ],
)
def test_measured_things_that_are_not_tumour_lesions(extract, text):
    assert not [f for f in extract(text) if f.field == "lesion"]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # (from an independent review of this round's rules)
        (
            "CT chest. Right hilar lymph node 24 x 16 mm (previously 18 x 12 mm), short axis"
            " 16 mm.",
            {(24, 16, "present"), (18, 12, "historical")},
        ),
        (
            "CT liver. Segment VII lesion of 23 mm, not a typical haemangioma, suspicious for"
            " metastasis.",
            {(23, None, "present")},
        ),
        (
            "CT abdomen. Hypodense lesion 23 mm, less typical of a cyst; metastasis likely.",
            {(23, None, "present")},
        ),
        (
            "CT abdomen. Right kidney: 22 mm lesion, water density, likely a cyst as is the 9 mm"
            " one in the left kidney.",
            set(),
        ),
        (
            # the change since a study keeps its current value
            "CT. Segment VII metastasis increased 22 -> 34 mm from the baseline study.",
            {(22, None, "historical"), (34, None, "present")},
        ),
        (
            "CT abdomen. Target lesion 1, liver segment 6: 22 mm -> 34 mm from baseline.",
            {(22, None, "historical"), (34, None, "present")},
        ),
    ],
)
def test_review_cases_of_this_rounds_lesion_rules(extract, text, want):
    got = _lesion_triples(extract(text))
    assert want <= got and not {g for g in got if g[2] == "present"} - want, got


def test_a_vertebral_level_is_part_of_the_site():
    from prescreen.extraction.fields.lesions import _ROW_LABEL

    assert _ROW_LABEL.sub("", "L2 vertebral metastasis") == "L2 vertebral metastasis"
    assert _ROW_LABEL.sub("", "L1 | RLL superior seg") == "RLL superior seg"


def _lesion_triples(findings) -> set[tuple]:
    """(long axis, short axis, assertion) of every lesion finding."""
    return {
        (f.value, f.attributes.get("short_axis_mm"), f.assertion.value)
        for f in findings
        if f.field == "lesion"
    }


def test_a_measurement_table_known_by_its_header_row(extract):
    # no RECIST title: the header row (a site column, a unit in a column's header) says it;
    # the rule line under the header is skipped when reading the columns' roles, and a note
    # cell restating the short axis is not a third measurement
    text = (
        "CT CHEST W CONTRAST\nTechnique: Axial 2.5 mm slices.\n\nMEASUREMENTS\n"
        "| # | Site                   | Current (mm) | Prior 10/02/2025 (mm) | Note          |\n"
        "|---|------------------------|--------------|-----------------------|---------------|\n"
        "| 1 | L level IIb lymph node | 24 x 17      | 16 x 12               | short axis 17 |\n"
        "| 2 | RLL nodule             | 15           | 9                     |               |\n"
    )
    assert _lesion_triples(extract(text)) == {
        (24, 17, "present"),
        (16, 12, "historical"),
        (15, None, "present"),
        (9, None, "historical"),
    }


def test_a_header_table_needs_a_current_prior_or_dated_column(extract):
    plan = (
        "SBRT plan.\n| # | Target | Dose (Gy) | Fractions | PTV margin (mm) |\n"
        "|---|---|---|---|---|\n| 1 | Liver lesion | 50 | 5 | 5 |\n"
    )
    assert _lesion_triples(extract(plan)) == set()
    bare = (
        "CT CHEST\n\n| Site | Current (mm) | Prior (mm) |\n|---|---|---|\n| RLL nodule | 15 | 9 |\n"
    )
    assert _lesion_triples(extract(bare)) == {(15, None, "present"), (9, None, "historical")}
    clip = "CT. Liver lesion located 22 -> 34 mm from the prior surgical clip."
    assert not {t for t in _lesion_triples(extract(clip)) if t[2] == "present"}
