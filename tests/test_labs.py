"""Lab values: phrasings, tables, units, inference, ranges/ULN, flags, history."""

from __future__ import annotations

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
