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
