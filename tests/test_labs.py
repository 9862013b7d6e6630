"""Lab values: phrasings, tables, units, inference, ranges/ULN, flags, history."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import only

LAB_NOTE = """HEMATOLOGY/ONCOLOGY PROGRESS NOTE

HPI: 67F with metastatic high-grade serous ovarian carcinoma on olaparib maintenance.

Labs (03/12/2026):
{line}

Assessment and Plan:
Continue olaparib 300 mg BID.
"""


@pytest.mark.parametrize(
    ("line", "field", "value", "unit"),
    [
        ("PLT 145 K/uL", "platelets", 145, "10^9/L"),
        ("Platelets: 145 x10^9/L", "platelets", 145, "10^9/L"),
        ("Platelet count 145,000/mm3", "platelets", 145, "10^9/L"),
        ("plt145", "platelets", 145, "10^9/L"),
        ("Hgb 10.2 g/dL", "hemoglobin", 102, "g/L"),
        ("Haemoglobin 102 g/L", "hemoglobin", 102, "g/L"),
        ("Hb 6.3 mmol/L", "hemoglobin", 101.5, "g/L"),
        ("ANC 1.2", "neutrophils", 1.2, "10^9/L"),
        ("Absolute neutrophil count of 1,200/uL", "neutrophils", 1.2, "10^9/L"),
        ("WBC 4.5 x10^9/L", "wbc", 4.5, "10^9/L"),
        ("White blood cells 4,5 x 10^9/L", "wbc", 4.5, "10^9/L"),
        ("ALC 0.9 K/uL", "lymphocytes", 0.9, "10^9/L"),
        ("Cr 1.1 mg/dL (0.6-1.2)", "creatinine", 97.2, "umol/L"),
        ("Creatinine 88 umol/L", "creatinine", 88, "umol/L"),
        ("ALT 45 U/L (ULN 40)", "alt", 45, "U/L"),
        ("SGOT 52 IU/L", "ast", 52, "U/L"),
        ("T. bili 2.1 (H)", "total_bilirubin", 35.9, "umol/L"),
        ("Total bilirubin 34 umol/L", "total_bilirubin", 34, "umol/L"),
    ],
)
def test_phrasings(extract, line, field, value, unit):
    got = only(extract(LAB_NOTE.format(line=line)), field)
    assert len(got) == 1, [f.text for f in got]
    assert got[0].value == pytest.approx(value, rel=0.01)
    assert got[0].unit == unit
    assert got[0].section == "labs"
    assert got[0].assertion == "present"


TABLE = """LABORATORY RESULTS            Collected: 03/12/2026 07:40
Test              | Result | Flag | Units   | Ref range
WBC               | 3.1    | L    | K/uL    | 4.0-11.0
Hemoglobin        | 8.7    | L    | g/dL    | 12.0-15.5
Platelets         | 38     | L*   | K/uL    | 150-400
ANC               | 0.6    | L    | K/uL    | 1.5-8.0
Creatinine        | 2.9    | H    | mg/dL   | 0.5-1.1
ALT (SGPT)        | 210    | H    | U/L     | 7-45
AST (SGOT)        | 98     | H    | U/L     | 8-43
Bilirubin, Total  | 1.0    |      | mg/dL   | 0.2-1.2
Bilirubin, Direct | 0.3    |      | mg/dL   | 0.0-0.3
Neutrophils %     | 61     |      | %       | 40-75
"""


def test_lab_table(extract):
    findings = extract(TABLE, kind="lab")
    got = {f.field: f for f in findings}
    assert set(got) == {
        "wbc",
        "hemoglobin",
        "platelets",
        "neutrophils",
        "creatinine",
        "alt",
        "ast",
        "total_bilirubin",
    }  # direct bilirubin and % differential skipped
    assert got["platelets"].value == 38
    assert got["platelets"].attributes["flag"].startswith("L")
    assert got["hemoglobin"].value == 87
    assert got["creatinine"].value == pytest.approx(256.4, abs=0.1)
    assert got["creatinine"].attributes["x_uln"] == pytest.approx(2.9 / 1.1, abs=0.01)
    assert got["creatinine"].attributes["uln_source"] == "note"
    assert got["alt"].attributes["x_uln"] == pytest.approx(210 / 45, abs=0.01)
    assert got["total_bilirubin"].value == pytest.approx(17.1, abs=0.1)
    # each table row is its own sentence: flags on one row never leak to another
    assert all(f.assertion == "present" for f in findings)


def test_row_with_several_analytes(extract):
    findings = extract("CBC today: WBC 6.1, Hgb 12.4 g/dL, Plt 231, ANC 3.9, ALC 1.1.")
    assert {f.field: f.value for f in findings} == {
        "wbc": 6.1,
        "hemoglobin": 124,
        "platelets": 231,
        "neutrophils": 3.9,
        "lymphocytes": 1.1,
    }


def test_unit_inferred_from_unambiguous_magnitude(extract):
    (f,) = only(extract("Labs: Hgb 13.4"), "hemoglobin")
    assert f.value == 134 and f.unit == "g/L"
    assert f.attributes["unit_inferred"] == "g/dL"
    assert f.attributes["original_unit"] is None
    assert any("inferred" in s.reason for s in f.explanation)
    (explicit,) = only(extract("Labs: Hgb 13.4 g/dL"), "hemoglobin")
    assert f.confidence < explicit.confidence


def test_ambiguous_unit_is_kept_unknown_and_flagged_for_review(extract):
    (f,) = only(extract("Labs: Hb 7.5"), "hemoglobin")
    assert f.unit is None
    assert f.value == 7.5
    assert f.attributes["unit_candidates"] == ["g/dL", "mmol/L"]
    assert f.attributes["needs_review"] is True
    assert f.confidence < 0.7
    assert "x_uln" not in f.attributes


def test_default_uln_is_flagged_with_its_source(extract):
    (f,) = only(extract("Labs: ALT 160 U/L"), "alt")
    assert f.attributes["uln_source"] == "default"
    assert "mayo" in f.attributes["uln_reference"]
    assert f.attributes["x_uln"] == pytest.approx(160 / f.attributes["uln"], abs=0.01)


def test_default_creatinine_uln_depends_on_sex_when_stated(extractor):
    from prescreen.extraction import Document

    text = "Labs: creatinine 1.0 mg/dL"
    unknown = only(extractor.extract(Document(doc_id="a", patient_id="p", text=text)), "creatinine")
    assert "lower of female/male" in unknown[0].attributes["uln_reference"]


def test_prior_value_in_parentheses_is_historical(extract):
    findings = only(extract("Labs: Hgb 10.2 g/dL (was 8.1 on 2/20)."), "hemoglobin")
    assert {f.value: f.assertion for f in findings} == {102: "present", 81: "historical"}


def test_trend_arrow_marks_the_first_value_historical(extract):
    findings = only(extract("Labs: Plt 45 -> 120 after holding olaparib."), "platelets")
    assert {f.value: f.assertion for f in findings} == {45: "historical", 120: "present"}


def test_earlier_dated_values_in_the_same_note_are_superseded(extract):
    note = """Labs:
03/01/2026: platelets 48 K/uL
03/12/2026: platelets 162 K/uL
"""
    findings = only(extract(note), "platelets")
    assert {f.value: f.assertion for f in findings} == {48: "historical", 162: "present"}


def test_hypothetical_threshold_is_not_a_measurement(extract):
    assert not only(extract("Will hold olaparib if platelets < 75."), "platelets")
    assert not only(extract("The protocol requires hemoglobin > 90 g/L."), "hemoglobin")
    assert only(extract("Hemoglobin 95 g/L today."), "hemoglobin")


def test_not_a_lab_value(extract):
    text = "Lymph node 1.5 cm in the right axilla. Cr clearance 65 mL/min. Hb A1c 6.1%."
    findings = extract(text)
    assert not [f for f in findings if f.field in {"lymphocytes", "creatinine", "hemoglobin"}]


def test_red_cell_indices_are_not_hemoglobin(extract):
    text = (
        "CBC today: Hgb 11.2 g/dL, MCV 78, mean cell hemoglobin 24.1 pg, "
        "mean corpuscular hemoglobin concentration 31 g/dL."
    )
    assert {f.value for f in extract(text) if f.field == "hemoglobin"} == {112}


def test_implausible_value_is_kept_but_scored_down(extract):
    (f,) = only(extract("Labs: platelets 4500 K/uL"), "platelets")
    assert f.attributes.get("implausible") is True
    assert f.confidence < 0.6


def test_dot_leaders_and_prose_bridges(extract):
    found = extract("Hemoglobin ......... 11.6  L g/dL      (13.0-17.0)\n")
    (f,) = only(found, "hemoglobin")
    assert f.value == 116 and f.attributes["x_uln"] == pytest.approx(11.6 / 17.0, abs=0.01)
    text = "Haemoglobin on the day of discharge was 104 g/L."
    assert [f.value for f in only(extract(text), "hemoglobin")] == [104]
    # leaders closed by a colon
    found = extract("LABS 01/05/2026:\n  ALC ...........: 0.6 K/uL\n  Hgb ......: 11.2 g/dL\n")
    assert [f.value for f in only(found, "lymphocytes")] == [0.6]
    assert [f.value for f in only(found, "hemoglobin")] == [112]


def test_value_written_in_two_units(extract):
    (f,) = only(extract("Hgb 13.4 g/dL / 134 g/L (13.5-17.5 g/dL) L"), "hemoglobin")
    assert f.value == 134
    assert f.attributes["x_uln"] == pytest.approx(13.4 / 17.5, abs=0.01)


def test_cumulative_table_columns_are_dated_by_their_header(extract):
    table = """Labs (US units):
               12/14 (admit)     12/19 (discharge)    ref
Hgb            14.0              13.1 L               13.5-17.5 g/dL
Creatinine     0.9               0.7                  0.7-1.3 mg/dL
"""
    found = extract(table, kind="lab")
    hgb = {f.value: (f.assertion, f.date.isoformat()) for f in only(found, "hemoglobin")}
    assert hgb == {140: ("historical", "2026-12-14"), 131: ("present", "2026-12-19")} or hgb == {
        140: ("historical", "2025-12-14"),
        131: ("present", "2025-12-19"),
    }
    cr = {f.value: f.attributes.get("x_uln") for f in only(found, "creatinine")}
    assert cr[61.9] == pytest.approx(0.7 / 1.3, abs=0.01)


def test_time_cue_between_name_and_value_dates_the_value(extract):
    text = (
        "Hospital course: Haemoglobin on admission was 86 g/L and she received two units of "
        "red cells; haemoglobin on the day of discharge was 104 g/L.\nPlatelets (nadir) 45."
    )
    got = {(f.field, f.value): f.assertion for f in extract(text)}
    assert got[("hemoglobin", 86)] == "historical"
    assert got[("hemoglobin", 104)] == "present"
    assert got[("platelets", 45)] == "historical"


def _by_value(findings, field):
    return {f.value: f for f in only(findings, field)}


def test_wide_table_row_keeps_range_beyond_the_anchor_window(extract):
    text = (
        "CHEMISTRY PANEL                 Collected 20/01/2026 08:10\n"
        "Test                             Result   Flag   Units       Reference\n"
        "ALT                              52       H      U/L         7-35\n"
        "AST                              40       H      U/L         10-35\n"
    )
    alt = _by_value(extract(text, kind="lab"), "alt")[52]
    assert alt.attributes["uln_source"] == "note"
    assert alt.attributes["x_uln"] == pytest.approx(1.49)
    ast = _by_value(extract(text, kind="lab"), "ast")[40]
    assert ast.attributes["x_uln"] == pytest.approx(1.14)


def test_uln_inside_a_flag_parenthesis(extract):
    text = (
        "Labs 01/16/2026: ANC 3.1, Hgb 12.4, Plt 132, Cr 0.7, AST 30, ALT 41 (H, ULN 29).\n"
        "AST 232 (6.1x ULN, ULN 38) on repeat.\n"
    )
    found = extract(text)
    assert _by_value(found, "alt")[41].attributes["x_uln"] == pytest.approx(1.41)
    assert _by_value(found, "ast")[232].attributes["x_uln"] == pytest.approx(6.11)


def test_leading_decimal_point_is_kept(extract):
    text = "Labs 7/20: wbc 5.1 anc 3.2 plt 145 Cr .8 tbili 1.3 ALT 48\n"
    cr = only(extract(text), "creatinine")
    assert [f.value for f in cr] == [pytest.approx(70.7)]


def test_change_from_an_earlier_value_is_historical(extract):
    text = (
        "Labs 6/19:\n"
        "WBC 2.6 (L)   ANC 0.6 (L)   Hgb 10.8 g/dL   Plt 148   Cr 1.0 mg/dL\n"
        "- creatinine back to 1.0 from 2.1, plt recovered from 62, Hgb from 8.4 w/o further\n"
        "transfusion. But ANC still 0.6, slow to recover (was 0.5 on 5/20).\n"
    )
    found = extract(text)
    cr = _by_value(found, "creatinine")
    assert cr[88.4].assertion == "present"
    assert cr[185.6].assertion == "historical"
    assert _by_value(found, "platelets")[62].assertion == "historical"
    assert _by_value(found, "platelets")[148].assertion == "present"
    assert _by_value(found, "hemoglobin")[84].assertion == "historical"
    anc = _by_value(found, "neutrophils")
    assert anc[0.6].assertion == "present"
    assert anc[0.5].assertion == "historical"


def test_previous_value_after_a_ratio_is_historical(extract):
    text = (
        "Creatinine              212      umol/L         45 - 90         H\n"
        "\n"
        "Comment: Creatinine 2.4 x upper reference limit; previous 168 umol/L on 14/04/2026.\n"
    )
    cr = _by_value(extract(text, kind="lab"), "creatinine")
    assert cr[212].assertion == "present"
    assert cr[168].assertion == "historical"
    assert 2.4 not in cr


def test_dated_aside_beside_current_values_is_historical(extract):
    text = (
        "Outside labs 11/24/2025 (drawn at community lab near home):\n"
        "  WBC 5.2 | ANC 3.1 | Hgb 11.0 g/dL | Plt 210\n"
        "  Cr 0.7 | T bili 0.4 | ALT 30 | AST 28\n"
        "  (Oct 10/15 in-house: plt 88, Cr 1.42 - both improved.)\n"
    )
    found = extract(text, date=dt.date(2025, 11, 26))
    plt = _by_value(found, "platelets")
    assert plt[210].assertion == "present"
    assert plt[88].assertion == "historical"
    cr = _by_value(found, "creatinine")
    assert cr[61.9].assertion == "present"
    assert cr[125.5].assertion == "historical"


def test_lone_dated_aside_stays_present(extract):
    text = "Interval history: well.\n(10/15 in-house: plt 88 - improving.)\n"
    plt = only(extract(text), "platelets")
    assert [(f.value, f.assertion) for f in plt] == [(88, "present")]


def test_admission_values_before_todays_are_historical(extract):
    text = (
        "LABS:  When she came in, white count 8.4, hemoglobin 7.9, hematocrit 24.0, "
        "platelet count is 52,000.  Sodium is 134, creatinine of 4.6, bilirubin is 2.5.  "
        "Today, her hemoglobin is 6.3, platelet count is 39,000, and bilirubin of 1.9.\n"
    )
    found = extract(text, date=None)
    hb = _by_value(found, "hemoglobin")
    assert hb[79].assertion == "historical"
    assert hb[63].assertion == "present"
    plt = _by_value(found, "platelets")
    assert plt[52].assertion == "historical"
    assert plt[39].assertion == "present"
    bili = _by_value(found, "total_bilirubin")
    assert bili[42.8].assertion == "historical"
    assert bili[32.5].assertion == "present"


def test_dated_value_beside_most_recent_is_historical(extract):
    text = (
        "HISTORY: Polycythemia vera. On 03/14/09, her platelets were found to be "
        "812,000.\n"
        "ASSESSMENT: Her most recent CBC shows a white blood count of 7.1 with hemoglobin of "
        "12.9 g percent and platelet count of 402,000.\n"
    )
    found = extract(text, date=None)
    plt = _by_value(found, "platelets")
    assert plt[812].assertion == "historical"
    assert plt[402].assertion == "present"
    assert _by_value(found, "hemoglobin")[129].unit == "g/L"
    assert [f.value for f in only(found, "wbc")] == [7.1]


def test_prose_bridges_to_the_value(extract):
    text = (
        "Hospital course: Hgb on admission 8.6 g/dL, transfused 2 units.\n"
        "At discharge her ANC is back up to 1100 and she is off the neutropenic diet.\n"
    )
    found = extract(text)
    assert [f.value for f in only(found, "hemoglobin")] == [86]
    assert [f.value for f in only(found, "neutrophils")] == [pytest.approx(1.1)]


@pytest.mark.parametrize(
    "line",
    [
        "Nursing: Hemoglobin < 9.0 g/dL: provider notified.",
        "Trial requirements (Hb > 90 g/L) were reviewed with her.",
        "ANC < 1.0 - treatment held per protocol.",
    ],
)
def test_bounds_beside_actions_or_requirements_are_not_measurements(extract, line):
    found = extract(f"Labs 03/14: WBC 5.1, Cr 0.8.\n{line}\n")
    assert not [f for f in found if f.field in ("hemoglobin", "neutrophils")]


def test_measured_bounds_stay_measurements(extract):
    found = extract("Labs today: ALT < 5 U/L, AST 22 U/L, Plt > 400 (H).")
    got = {f.field: (f.value, f.attributes.get("comparator"), f.assertion) for f in found}
    assert got["alt"] == (5, "<", "present")
    assert got["platelets"] == (400, ">", "present")


@pytest.mark.parametrize(
    "text",
    [
        "Urinalysis: protein 2+, moderate leukocytes, 20-40 white blood cells, no bacteria. "
        "Labs: WBC 6.1, Hgb 12.0 g/dL.",
        "Lumbar puncture: CSF with 12 RBC, 31 WBC, 14 lymphocytes. CBC: WBC 6.1, Hgb 12.0 g/dL.",
        "Pleural fluid: WBC 1450, LDH 310; serum WBC 6.1, Hgb 12.0 g/dL.",
        # no specimen named: what the sentence reports is a urine or a CSF analysis
        "She also had moderate leukocytes, 30-50 white blood cells, but no bacteria were "
        "seen. Labs: WBC 6.1, Hgb 12.0 g/dL.",
        "ASSESSMENT: White blood cells 1, red blood cells 54, glucose 59, Gram stain "
        "negative. CBC: WBC 6.1, Hgb 12.0 g/dL.",
    ],
)
def test_counts_in_other_specimens_are_not_blood_counts(extract, text):
    found = extract(text)
    assert [f.value for f in only(found, "wbc")] == [6.1]
    assert only(found, "lymphocytes") == []
    assert [f.value for f in only(found, "hemoglobin")] == [120]


def test_a_urine_test_named_after_a_blood_value_leaves_it_alone(extract):
    found = extract("Labs today: creatinine 0.8 mg/dl, urine protein 3+. WBC 40 in the urine.")
    assert [f.value for f in only(found, "creatinine")] == [70.7]
    assert only(found, "wbc") == []


# -- lab printouts, cumulative tables and checklists (synthetic batch 2 patterns) ----------


def test_range_column_before_the_unit_column(extract):
    text = (
        "ANALYTE                       NORMAL   ABNORMAL       REF INTERVAL     UNITS\n"
        "  LEUKOCYTE COUNT             6.4                     3.4-10.8         Thousand/uL\n"
        "  HAEMOGLOBIN                 12.6                    12.0-15.8        g/dL\n"
        "  ABSOLUTE NEUTROPHILS        4120                    1500-7800        cells/uL\n"
        "  ABSOLUTE LYMPHOCYTES                   790 L        850-3900         cells/uL\n"
        "  SGOT                        31                      10-35            U/L\n"
    )
    found = extract(text, kind="lab")
    wbc = only(found, "wbc")[0]
    assert wbc.value == 6.4 and wbc.attributes["x_uln"] == pytest.approx(6.4 / 10.8, abs=0.01)
    assert wbc.attributes["original_unit"] == "K/uL"
    hb = only(found, "hemoglobin")[0]
    assert hb.value == 126 and hb.attributes["x_uln"] == pytest.approx(12.6 / 15.8, abs=0.01)
    anc = only(found, "neutrophils")[0]
    assert anc.value == pytest.approx(4.12) and anc.attributes["x_uln"] == pytest.approx(0.53)
    alc = only(found, "lymphocytes")[0]
    assert alc.value == pytest.approx(0.79) and alc.attributes["x_uln"] == pytest.approx(0.2)
    ast = only(found, "ast")[0]
    assert ast.value == 31 and ast.attributes["x_uln"] == pytest.approx(0.89)


def test_cumulative_columns_dated_with_month_names(extract):
    text = (
        "Cumulative haematology (SI)\n"
        "TEST                      03-Feb-26   20-Jan-26   Units       Ref\n"
        "  WBC                     5.5         6.0         x10^9/L     4.0 - 11.0\n"
        "  Platelets               161 L       148 L       x10^9/L     170 - 420\n"
        "  Neutrophils             3.1         3.8         x10^9/L     2.0 - 7.5\n"
        "\n"
        "CHEMISTRY                 03-Feb-26               Units       Ref\n"
        "  Creatinine              71                      umol/L      45 - 90\n"
        "  ALT                     28                      U/L         0 - 40\n"
    )
    found = extract(text, kind="lab", date=dt.date(2026, 2, 3))
    wbc = {f.value: f for f in only(found, "wbc")}
    assert wbc[5.5].assertion == "present" and wbc[6.0].assertion == "historical"
    assert wbc[5.5].attributes["x_uln"] == pytest.approx(0.5)
    assert wbc[6.0].attributes["x_uln"] == pytest.approx(0.55)
    plt = {f.value: f.assertion for f in only(found, "platelets")}
    assert plt == {161: "present", 148: "historical"}
    # a result column left empty: the unit and range are read past it
    cr = only(found, "creatinine")[0]
    assert cr.value == 71 and cr.attributes["x_uln"] == pytest.approx(71 / 90, abs=0.01)
    assert only(found, "alt")[0].attributes["x_uln"] == pytest.approx(0.7)


def test_cumulative_columns_oldest_first_month_day_header(extract):
    text = (
        "              Nov 28      Dec 09\nHgb           9.9         10.8        12.0-15.5 g/dL\n"
    )
    hb = {f.value: f.assertion for f in only(extract(text, kind="lab"), "hemoglobin")}
    assert hb == {99: "historical", 108: "present"}


def test_checklist_row_reads_the_value_cell(extract):
    text = (
        "Item                        | Source / date   | Result                   | OK?\n"
        "Age >= 18                   | registration    | 52                       | Y\n"
        "Platelets                   | CBC 02/11/2026  | 188 x10^9/L              | Y\n"
        "Haemoglobin                 | CBC 02/11/2026  | 11.4 g/dL                | Y\n"
        "Creatinine <= 1.5x ULN      | CMP 02/11/2026  | 1.02 mg/dL (ULN 1.20)    | Y\n"
        "AST / ALT <= 3x ULN         | CMP 02/11/2026  | 30 / 44 U/L (ULN 40)     | Y\n"
        "ANC >= 1.5 x10^9/L          | CBC 02/11/2026  | pending                  | ?\n"
    )
    found = extract(text)
    assert [f.value for f in only(found, "platelets")] == [188]
    assert [f.value for f in only(found, "hemoglobin")] == [114]
    (cr,) = only(found, "creatinine")
    assert cr.value == pytest.approx(90.2, abs=0.1)
    assert cr.attributes["x_uln"] == pytest.approx(0.85)
    (ast,) = only(found, "ast")
    (alt,) = only(found, "alt")
    assert (ast.value, alt.value) == (30, 44)
    assert ast.attributes["x_uln"] == pytest.approx(0.75)
    assert alt.attributes["x_uln"] == pytest.approx(1.1)
    # the criterion's bound is not a measurement, and the value is not in yet
    assert only(found, "neutrophils") == []


def test_checklist_row_of_another_test_is_left_alone(extract):
    text = (
        "Test               | Result | Flag | Units\n"
        "Bilirubin, conj.   | 0.4    |      | mg/dL\n"
        "Bilirubin, total   | 1.1    |      | mg/dL\n"
    )
    bili = only(extract(text, kind="lab"), "total_bilirubin")
    assert [f.value for f in bili] == [pytest.approx(18.8, abs=0.1)]


def test_nadir_and_peak_values_are_earlier_ones(extract):
    text = (
        "History: olaparib reduced to 200 mg bid because of anemia (hemoglobin nadir 7.6 "
        "g/dL, one transfusion). Creatinine peaked at 1.9 during the admission.\n"
        "Labs today: Hgb 11.1 g/dL, creatinine 0.9 mg/dL.\n"
    )
    found = extract(text)
    hb = {f.value: f.assertion for f in only(found, "hemoglobin")}
    assert hb == {76: "historical", 111: "present"}
    cr = {f.value: f.assertion for f in only(found, "creatinine")}
    assert cr == {168: "historical", 79.6: "present"}


def test_value_that_prompted_a_past_treatment_change_is_historical(extract):
    text = (
        "Course: capecitabine from 01/2025; second cycle postponed a week for plt 82K, "
        "then given on schedule.\n"
        "Labs 03/10/2026: WBC 6.2, plt 204, Hgb 12.9 g/dL.\n"
    )
    plt = {f.value: f.assertion for f in only(extract(text), "platelets")}
    assert plt == {82: "historical", 204: "present"}


def test_reason_for_a_change_in_a_dated_history_entry_is_historical_alone(extract):
    text = (
        "TREATMENT HISTORY\n"
        "- 04/2024-09/2024: carboplatin + paclitaxel; paclitaxel omitted from C5 due to "
        "neuropathy and an ANC of 0.6 -> completed carboplatin alone.\n"
        "- 11/2024: surveillance.\n"
    )
    anc = only(extract(text), "neutrophils")
    assert [(f.value, f.assertion) for f in anc] == [(0.6, "historical")]


@pytest.mark.parametrize(
    "text",
    [
        # held today: the value is the current one
        "Plan: cycle 3 held today for ANC 0.9; recheck CBC Friday.\n",
        # a change and its reason outside a dated history, with no other value
        "Cycle 3 was delayed for ANC 0.9.\n",
    ],
)
def test_reason_for_a_change_alone_stays_present(extract, text):
    anc = only(extract(text), "neutrophils")
    assert [(f.value, f.assertion) for f in anc] == [(0.9, "present")]


def test_trend_chain_with_dates(extract):
    text = (
        "Bloods 05/20/2026: Hb 7.9 g/dL, plt 310.\n"
        "Anaemia worsening: Hb 11.0 on 02/14/2026 -> 9.4 g/dL on 04/02 -> 7.9 now.\n"
    )
    found = extract(text, date=dt.date(2026, 5, 21))
    hb = {f.value: f.assertion for f in only(found, "hemoglobin")}
    assert hb == {110: "historical", 94: "historical", 79: "present"}


def test_dated_values_joined_by_a_comma_are_a_trend(extract):
    text = "Bilirubin has kept rising - 1.4 on 6/2, 2.2 on 6/16 (ref 0.2-1.2).\n"
    bili = _by_value(extract(text, date=dt.date(2026, 6, 17)), "total_bilirubin")
    assert bili[23.9].assertion == "historical"
    last = bili[37.6]
    assert last.assertion == "present"
    assert last.attributes["x_uln"] == pytest.approx(1.83)


def test_values_of_an_earlier_episode_that_night(extract):
    text = (
        "Interval: seen in urgent care 2/27 for a viral illness; bloods that evening: "
        "WBC 2.1, plt 88, creatinine 1.5 mg/dL. Now recovered.\n"
        "Labs 03/12/2026: WBC 5.9, plt 240, creatinine 0.8 mg/dL.\n"
    )
    found = extract(text)
    assert {f.value: f.assertion for f in only(found, "wbc")} == {
        2.1: "historical",
        5.9: "present",
    }
    assert {f.value: f.assertion for f in only(found, "platelets")} == {
        88: "historical",
        240: "present",
    }


@pytest.mark.parametrize(
    "aside",
    [
        "The thrombocytopenia seen in March (plt 61, Hb 8.4 g/dL) has resolved off sunitinib.",
        "The April abnormalities (platelets 61, hemoglobin 8.4 g/dL) have settled.",
    ],
)
def test_values_in_an_aside_said_to_be_over_are_earlier(extract, aside):
    text = f"Labs today: WBC 5.2, plt 210, Hgb 12.1 g/dL.\n{aside}\n"
    found = extract(text)
    assert {f.value: f.assertion for f in only(found, "platelets")} == {
        61: "historical",
        210: "present",
    }
    assert {f.value: f.assertion for f in only(found, "hemoglobin")} == {
        84: "historical",
        121: "present",
    }


def test_recovery_outside_brackets_leaves_the_new_values_current(extract):
    text = "Labs: counts have recovered; on 7/8 plt was 48, now on 7/29 plt 248.\n"
    found = extract(text, date=dt.date(2026, 7, 29))
    assert {f.value: f.assertion for f in only(found, "platelets")}[248] == "present"


def test_got_as_a_verb_is_not_aspartate_aminotransferase(extract):
    found = extract("She got 3 of 4 planned doses. GOT 41 U/L, GPT 38 U/L.\n")
    assert [f.value for f in only(found, "ast")] == [41]


def test_a_printed_range_holds_for_other_values_of_the_test(extract):
    text = (
        "ALT          57     H     0-45      U/L\n"
        "AST          33           0-40      U/L\n"
        "Comment: ALT up from last month (ALT 49 on 05/02).\n"
    )
    alt = {f.value: f for f in only(extract(text, kind="lab"), "alt")}
    assert alt[57].attributes["x_uln"] == pytest.approx(1.27)
    assert alt[49].attributes["x_uln"] == pytest.approx(1.09)
    assert alt[49].attributes["uln_source"] == "note"


def test_no_shared_range_when_the_note_prints_two(extract):
    text = "Outside lab: ALT 57 U/L (ref 0-45).\nOur lab: ALT 51 U/L (ref 7-56).\nEarlier ALT 40.\n"
    alt = {f.value: f for f in only(extract(text), "alt")}
    assert alt[40].attributes["uln_source"] == "default"


def test_two_ulns_for_two_values(extract):
    text = "LFTs 4/2: T bili 0.8 mg/dL, ALT 61 / AST 77 U/L (ULN 41 / 38).\n"
    found = extract(text)
    assert only(found, "alt")[0].attributes["x_uln"] == pytest.approx(1.49)
    assert only(found, "ast")[0].attributes["x_uln"] == pytest.approx(2.03)
    (pair_alt,) = only(extract("SGPT/SGOT 90/70 (ULN 45/35)\n"), "alt")
    assert pair_alt.attributes["x_uln"] == pytest.approx(2.0)


def test_two_tests_then_their_values(extract):
    found = extract("Chemistry notable for ALT and AST of 88 and 64. Lipase normal.\n")
    assert [f.value for f in only(found, "alt")] == [88]
    assert [f.value for f in only(found, "ast")] == [64]


def test_a_date_in_parentheses_is_not_a_range(extract):
    text = (
        "Haemoglobin        91     L    g/L     115-155\n"
        "Comment: haemoglobin down from 109 g/L (11-01-2026).\n"
    )
    hb = {f.value: f for f in only(extract(text, kind="lab"), "hemoglobin")}
    assert hb[109].assertion == "historical"
    assert hb[109].attributes["x_uln"] == pytest.approx(0.7)


def test_unitless_repeat_of_a_value_takes_its_unit(extract):
    text = "Hb          96      g/L     120-160\nSummary: hb9.6, stable.\n"
    hb = only(extract(text), "hemoglobin")
    assert {f.value for f in hb} == {96}
    assert all(f.unit == "g/L" for f in hb)


def test_count_in_thousands_written_with_k(extract):
    (plt,) = only(extract("CBC: plt 64K, WBC 3.0\n"), "platelets")
    assert plt.value == 64 and plt.attributes["original_unit"] == "K/uL"


def test_unitless_cumulative_row_ratio_uses_the_values_unit(extract):
    text = "              01/05     01/19\nCreatinine    1.1       0.8       0.6-1.2\n"
    cr = _by_value(extract(text, kind="lab", date=dt.date(2026, 1, 20)), "creatinine")
    assert cr[97.2].attributes["x_uln"] == pytest.approx(0.92)
    assert cr[70.7].attributes["x_uln"] == pytest.approx(0.67)
    assert cr[70.7].attributes["uln"] == pytest.approx(106.1, abs=0.1)


def test_restated_value_shares_the_ratio_of_its_printed_range(extract):
    text = "LFTs: T bili 2.7 (ref 0.3-1.2), ALT 20\nA/P: T bili 2.7, known Gilbert's.\n"
    bili = only(extract(text), "total_bilirubin")
    assert len(bili) == 2
    assert all(f.attributes["x_uln"] == pytest.approx(2.25) for f in bili)
    assert all(f.attributes["uln_source"] == "note" for f in bili)


@pytest.mark.parametrize(
    "text",
    [
        "ALT 48 H / AST 39 H (ULN 35 for both).",
        "ALT 48, AST 39 (ref 0-35 for both).",
        "ALT 48 and AST 39 U/L (ULN 35 each).",
    ],
)
def test_one_limit_for_both_values(extract, text):
    found = extract(text)
    (alt,) = only(found, "alt")
    (ast,) = only(found, "ast")
    assert alt.attributes["x_uln"] == pytest.approx(1.37)
    assert ast.attributes["x_uln"] == pytest.approx(1.11)
    assert alt.attributes["uln_source"] == ast.attributes["uln_source"] == "note"


def test_a_limit_without_both_stays_with_its_own_value(extract):
    found = extract("ALT 48 / AST 39 (ULN 35).")
    (alt,) = only(found, "alt")
    (ast,) = only(found, "ast")
    assert ast.attributes["x_uln"] == pytest.approx(1.11)
    assert alt.attributes.get("uln_source") != "note"


@pytest.mark.parametrize(
    "table",
    [
        "  Test        | 02-Mar-2026 | Flag | 16-Feb-2026 | Units   | Ref\n"
        "  Hb          | 103         | L    | 84 L        | g/L     | 115-165\n"
        "  Creatinine  | 66          |      | 64          | umol/L  | 45-84\n",
        "  Test          02/03/2026   Flag   16/02/2026   Units    Ref\n"
        "  Hb            103          L      84 L         g/L      115-165\n"
        "  Creatinine    66                  64           umol/L   45-84\n",
    ],
)
def test_dated_columns_with_a_flag_column_between(extract, table):
    found = extract("Labs (cumulative):\n" + table, date=dt.date(2026, 3, 3))
    assert {(f.value, f.assertion.value) for f in only(found, "hemoglobin")} == {
        (103, "present"),
        (84, "historical"),
    }
    (cr,) = [f for f in only(found, "creatinine") if f.assertion == "present"]
    assert (cr.value, cr.attributes["x_uln"]) == (66, pytest.approx(0.79))


def test_a_list_of_values_each_with_its_date_in_brackets(extract):
    found = extract("Prior Cr: 1.9 (6/1), 1.6 (5/18), 0.9 (3/2026)\n", date=dt.date(2026, 6, 12))
    cr = {f.value: f for f in only(found, "creatinine")}
    assert set(cr) == {168, 141.4, 79.6}
    assert {f.assertion.value for f in cr.values()} == {"historical"}
    assert (cr[168].date, cr[141.4].date) == (dt.date(2026, 6, 1), dt.date(2026, 5, 18))


def test_an_earlier_value_dated_by_month_and_year(extract):
    found = extract("Cr 1.9 mg/dL today (was 0.9 in 3/2026).\n", date=dt.date(2026, 6, 12))
    assert {(f.value, f.assertion.value) for f in only(found, "creatinine")} == {
        (168, "present"),
        (79.6, "historical"),
    }


def test_outside_labs_are_an_earlier_episode(extract):
    text = (
        "Labs today: WBC 6.0, Hgb 11.8 g/dL, plt 162.\n"
        "Outside labs (County Hospital 11/02/2025): WBC 4.1 K/uL, Hgb 12.6 g/dL, plt 188 K/uL.\n"
    )
    plt = {f.value: f.assertion.value for f in only(extract(text), "platelets")}
    assert plt == {162: "present", 188: "historical"}


def test_a_bound_written_for_the_screening_is_not_a_result(extract):
    text = "Organ function adequate for trial screening (plt >50, ALT/AST <3x ULN).\n"
    assert not only(extract(text), "platelets")


def test_a_value_told_with_a_past_drug_toxicity_is_earlier(extract):
    text = (
        "Sunitinib was poorly tolerated (G3 HFS, platelets down to 60) and stopped.\n"
        "Labs today: plt 212, Hgb 12.0 g/dL.\n"
    )
    plt = {f.value: f.assertion.value for f in only(extract(text), "platelets")}
    assert plt == {60: "historical", 212: "present"}


def test_an_aside_dated_by_month_and_year_is_earlier(extract):
    text = "ALT 168 U/L today. ALT rise tracks tumour burden (ALT was 62 in 11/2025).\n"
    alt = {f.value: f.assertion.value for f in only(extract(text), "alt")}
    assert alt == {168: "present", 62: "historical"}


def test_a_unit_column_between_the_test_and_its_dated_values(extract):
    text = (
        "LABS           03/01 (adm)   03/05 (d/c)   Ref range\n"
        "Hgb g/dL       10.9 L        10.4 L        12.0-15.5\n"
        "Plt K/uL       212           168           150-400\n"
    )
    found = extract(text, date=dt.date(2026, 3, 6))
    assert {(f.value, f.assertion.value) for f in only(found, "platelets")} == {
        (212, "historical"),
        (168, "present"),
    }
    (hb,) = [f for f in only(found, "hemoglobin") if f.assertion == "present"]
    assert (hb.value, hb.attributes["x_uln"]) == (104, pytest.approx(0.67))


def test_a_line_of_differential_percentages_holds_no_counts(extract):
    text = (
        "Neutrophils abs     3.4      x10^9/L     1.8-7.5\n"
        "Differential (%): neutrophils 27, lymphocytes 35, monocytes 31\n"
    )
    found = extract(text)
    assert [f.value for f in only(found, "neutrophils")] == [3.4]
    assert not only(found, "lymphocytes")


def test_the_range_after_a_value_restated_in_another_unit(extract):
    """'10.6 g/dL (106 g/L) | 13.5-17.5 g/dL': the bracketed restatement does not hide the
    printed range (before, the default ULN was used)."""
    text = (
        "Test | Result | Reference\n"
        "Hgb | 11.2 g/dL (112 g/L) | 12.0-15.5 g/dL\n"
        "Creatinine | 0.81 mg/dL (72 umol/L) | 0.60-1.10 mg/dL\n"
    )
    found = extract(text)
    (hb,) = only(found, "hemoglobin")
    assert (hb.value, hb.attributes["uln_source"], hb.attributes["x_uln"]) == (
        112,
        "note",
        pytest.approx(0.72),
    )
    (cr,) = only(found, "creatinine")
    assert cr.attributes["x_uln"] == pytest.approx(0.74)
    # ... nor does a flag after the restatement
    (hb,) = only(extract(" Hgb         | 116 g/L [11.6 g/dL] L     | 120-155 g/L\n"), "hemoglobin")
    assert (hb.attributes["uln_source"], hb.attributes["uln"]) == ("note", 155)


def test_a_previous_result_column_is_historical_against_the_rows_range(extract):
    text = (
        "Test            | Result | Flag | Units   | Ref range | Prev (28/02/2026)\n"
        "Platelets       | 164    |      | x10^9/L | 150-400   | 188\n"
        "ALT             | 88     | H    | U/L     | 0-41      | 95\n"
        "Glucose         | 5.6    |      | mmol/L  | 3.9-6.1   |\n"
    )
    found = extract(text, date=dt.date(2026, 3, 15))
    plt = {(f.value, f.assertion.value, f.date) for f in only(found, "platelets")}
    # the header's date is the previous column's, not the table's
    assert plt == {
        (164, "present", dt.date(2026, 3, 15)),
        (188, "historical", dt.date(2026, 2, 28)),
    }
    alt = {f.value: f.attributes["x_uln"] for f in only(found, "alt")}
    assert alt == {88: pytest.approx(2.15), 95: pytest.approx(2.32)}


def test_a_table_without_a_previous_column_reads_only_its_result(extract):
    text = (
        "Test | Result | Units | Ref range | Comment\n"
        "Platelets | 164 | x10^9/L | 150-400 | 188 on repeat\n"
    )
    assert [f.value for f in only(extract(text), "platelets")] == [164]


def test_an_earlier_value_in_square_brackets_is_historical_and_keeps_its_date(extract):
    text = (
        "Labs 8/28/26:\n"
        "Plt 38 K/uL (140-400) L   [118 on 7/20]\n"
        "ALT 31 U/L (7-52)   [142 on 7/20]\n"
    )
    found = extract(text, date=dt.date(2026, 8, 31))
    plt = {(f.value, f.assertion.value, f.date) for f in only(found, "platelets")}
    # the bracket's date is the earlier value's; the current one keeps the header's
    assert plt == {
        (38, "present", dt.date(2026, 8, 28)),
        (118, "historical", dt.date(2026, 7, 20)),
    }
    assert {f.value: f.assertion.value for f in only(found, "alt")} == {
        31: "present",
        142: "historical",
    }


@pytest.mark.parametrize(
    "entry",
    ["C3D8 held (plt 62)", "cycle 3 delayed (plt 62K)", "D8 omitted (platelets 62)"],
)
def test_the_reason_in_brackets_for_a_past_dose_change_is_historical(extract, entry):
    text = f"Gemcitabine 04/2026-07/2026: {entry}; 800 mg/m2 from C4.\nLabs today: plt 112.\n"
    plt = {f.value: f.assertion.value for f in only(extract(text), "platelets")}
    assert plt == {62: "historical", 112: "present"}


def test_a_value_on_admission_in_a_trend_is_earlier(extract):
    text = "Thrombocytopenia: plt 61 on admit -> 38 on 08/10, no bleeding.\n"
    plt = {f.value: f.assertion.value for f in only(extract(text), "platelets")}
    assert plt == {61: "historical", 38: "present"}


@pytest.mark.parametrize(
    "text",
    [
        "Start bevacizumab, but NOT until plts > 75 given bleeding risk.\n",
        "Resume lomustine once ANC > 1.5.\n",
    ],
)
def test_a_value_waited_for_is_a_threshold_not_a_result(extract, text):
    assert not [f for f in extract(text) if f.field in ("platelets", "neutrophils")]


@pytest.mark.parametrize(
    "text",
    [
        "CBC: WBC 9.1. Neutrophils 71, bands 4, lymphocytes 18, monocytes 6, eosinophils 1.\n",
        "WBC 12.6 with 68 segs, 5 bands, 21 lymphocytes and 6 monos.\n",
    ],
)
def test_a_differential_without_units_holds_percentages_not_counts(extract, text):
    found = extract(text)
    assert not [f for f in found if f.field in ("neutrophils", "lymphocytes")]
    assert [f.value for f in only(found, "wbc")] in ([9.1], [12.6])


def test_unitless_absolute_counts_beside_other_cell_types_stay_counts(extract):
    found = extract("Neutrophils 4.3, lymphocytes 1.1, monocytes 0.5, eosinophils 0.2.\n")
    assert [f.value for f in only(found, "lymphocytes")] == [1.1]


def test_the_sites_unit_convention_reads_an_ambiguous_unitless_value(extractor):
    """'Hemoglobin 7.7' fits g/dL and mmol/L: unset, it keeps no unit (a nurse decides); a
    US site's setting reads it in g/dL, flagged, with the heuristic confidence; a note that
    shows its own convention is read by it whatever the setting."""
    from prescreen.extraction import Document, Extractor
    from prescreen.settings import Settings

    text = "HPI: CBC today showed a hemoglobin of 7.7 and a hematocrit of 22.6.\n"
    doc = Document(doc_id="d", patient_id="p", text=text)
    (plain,) = only(extractor.extract(doc), "hemoglobin")
    assert plain.value == 7.7 and plain.unit is None

    us = Extractor(nlp=extractor.nlp, settings=Settings(model_path=None, unit_system="us"))
    (f,) = only(us.extract(doc), "hemoglobin")
    assert (f.value, f.unit) == (77, "g/L")
    assert f.attributes["unit_inference"] == "site_system"
    assert any("site's (setting)" in s.reason for s in f.explanation)
    assert "not calibrated" in f.explanation[-1].reason  # the model has no such examples

    # an SI note: the site's US setting does not apply (and SI has no unit both fit here)
    si_note = text + "Creatinine 88 umol/L, bilirubin 12 umol/L.\n"
    (g,) = only(us.extract(Document(doc_id="e", patient_id="p", text=si_note)), "hemoglobin")
    assert g.unit is None and "unit_inference" not in g.attributes
    # a US note resolves it by its own convention, the setting unset
    us_note = text + "Creatinine 1.1 mg/dL, bilirubin 0.6 mg/dL.\n"
    (h,) = only(extractor.extract(Document(doc_id="u", patient_id="p", text=us_note)), "hemoglobin")
    assert (h.value, h.attributes["unit_inference"]) == (77, "document_system")


def test_an_unknown_unit_convention_is_refused():
    import pydantic

    from prescreen.settings import Settings

    with pytest.raises(pydantic.ValidationError):
        Settings(unit_system="metric")


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        # blood labs beside other specimens' words stay (review of this round's fluid rule)
        ("CBC: WBC 3.1, Hgb 9.8, platelets 88; BMP with ketones negative.", "wbc", 3.1),
        ("CBC: WBC 3.1, Hgb 9.8, platelets 88; BMP with ketones negative.", "hemoglobin", 9.8),
        ("Febrile. WBC 18.2 with blood cultures growing gram-negative bacteria.", "wbc", 18.2),
        (
            "Creatinine 1.4 mg/dL, urine specific gravity 1.030 suggests prerenal.",
            "creatinine",
            123.8,
        ),
    ],
)
def test_blood_values_beside_urine_or_culture_words_stay(extract, text, field, value):
    assert [f.value for f in only(extract(text), field)] == [value]
