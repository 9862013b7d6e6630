"""ECOG / Karnofsky phrasings in realistic notes."""

from __future__ import annotations

import pytest

from .conftest import only

CLINIC_NOTE = """ONCOLOGY FOLLOW-UP

HPI: 61 yo M with metastatic ccRCC on cabozantinib, here for C4D1.
Fatigue improved. {perf}

Physical Exam:
General: NAD.
Extremities: No edema.

Assessment and Plan:
Continue cabozantinib. RTC 4 weeks.
"""


@pytest.mark.parametrize(
    ("perf", "field", "value"),
    [
        ("ECOG 1.", "ecog", 1),
        ("ECOG PS: 0-1.", "ecog", 1),
        ("ECOG performance status is 2.", "ecog", 2),
        ("His performance status of 2 limits travel.", "ecog", 2),
        ("PS 1, ambulatory.", "ecog", 1),
        ("ECOG1 today.", "ecog", 1),
        ("ECOG one.", "ecog", 1),
        ("Zubrod 2.", "ecog", 2),
        ("WHO performance status 3.", "ecog", 3),
        ("ECOG 2-3.", "ecog", 3),
        ("KPS 80%.", "karnofsky", 80),
        ("Karnofsky 70.", "karnofsky", 70),
        ("Karnofsky performance status 60-70%.", "karnofsky", 60),
        ("Performance status 90%.", "karnofsky", 90),
    ],
)
def test_phrasings(extract, perf, field, value):
    findings = extract(CLINIC_NOTE.format(perf=perf))
    got = only(findings, field)
    assert [f.value for f in got] == [value]
    assert got[0].assertion == "present"
    assert got[0].section == "hpi"


def test_range_takes_the_worse_value_and_is_marked_ambiguous(extract):
    (f,) = only(extract("ECOG 1-2 per my exam."), "ecog")
    assert f.value == 2
    assert f.attributes["range"] == [1, 2]
    assert f.attributes["ambiguous"] is True
    assert any("range" in s.reason for s in f.explanation)


def test_karnofsky_carries_an_approximate_ecog_equivalent(extract):
    (f,) = only(extract("Karnofsky 80%."), "karnofsky")
    assert f.attributes["ecog_equivalent"] == 1
    assert f.attributes["ecog_equivalent_approximate"] is True
    assert not only(extract("Karnofsky 80%."), "ecog")  # never converted silently


def test_old_value_quoted_beside_current_is_historical(extract):
    findings = only(extract("ECOG 2 at diagnosis in 2023; now ECOG 1 after radiotherapy."), "ecog")
    status = {f.value: f.assertion for f in findings}
    assert status == {2: "historical", 1: "present"}


@pytest.mark.parametrize(
    "text",
    [
        "Performance status: ECOG was 2 at presentation (pain, weight loss), now 1.",
        "ECOG 2 at diagnosis, currently 1.",
    ],
)
def test_current_value_told_after_the_earlier_one(extract, text):
    findings = only(extract(text), "ecog")
    assert {(f.value, f.assertion) for f in findings} == {(2, "historical"), (1, "present")}


def test_a_number_after_now_that_is_not_a_score_is_not_read(extract):
    findings = only(extract("ECOG 1. Now eating better, 2 kg up."), "ecog")
    assert [(f.value, f.assertion) for f in findings] == [(1, "present")]


def test_was_at_diagnosis_is_historical(extract):
    (f,) = only(extract("ECOG was 0 at diagnosis."), "ecog")
    assert f.assertion == "historical"


def test_eligibility_requirement_is_not_a_measurement(extract):
    assert not only(extract("The study requires ECOG 0-1 at enrollment."), "ecog")


def test_negation_cue_does_not_negate_a_score(extract):
    (f,) = only(extract("No fever or chills. ECOG 1."), "ecog")
    assert f.assertion == "present"


def test_no_value_no_finding(extract):
    assert not only(extract("Performance status is good. PS was not documented."), "ecog")
    assert not only(extract("PS 2 weeks ago she was admitted."), "ecog")


def test_conflicting_values_in_one_note_lower_confidence(extract):
    note = "HPI: ECOG 1.\n\nAssessment and Plan:\nECOG 2 per nursing.\n"
    findings = only(extract(note), "ecog")
    assert sorted(f.value for f in findings) == [1, 2]
    single = only(extract("HPI: ECOG 1.\n"), "ecog")[0]
    assert all(f.confidence < single.confidence for f in findings)
    assert all(any("other current value" in s.reason for s in f.explanation) for f in findings)


@pytest.mark.parametrize(
    ("text", "field", "current", "earlier"),
    [
        ("Performance status: ECOG 1 (was 3 at diagnosis, before surgery).", "ecog", 1, 3),
        ("PS: ECOG 0 today (was ECOG 2 on hospital discharge 02/14)", "ecog", 0, 2),
        ("ECOG 3 today (ECOG 1 when sunitinib was started 04/2025)", "ecog", 3, 1),
        ("ECOG 2 (was 0 in May).", "ecog", 2, 0),
        ("Performance status: KPS 70 today (was 90 in March).", "karnofsky", 70, 90),
    ],
)
def test_earlier_value_in_brackets_after_the_current_one(extract, text, field, current, earlier):
    got = {(f.value, f.assertion) for f in only(extract(text), field)}
    assert got == {(current, "present"), (earlier, "historical")}


def test_earlier_value_then_now_with_the_anchor_repeated(extract):
    text = (
        "ECOG was 3 when the relapse was found in the spring with severe back pain, "
        "now ECOG 1 after radiotherapy."
    )
    got = {(f.value, f.assertion) for f in only(extract(text), "ecog")}
    assert got == {(3, "historical"), (1, "present")}


def test_leader_dots_between_anchor_and_value(extract):
    (f,) = only(extract("Performance status:\n  ECOG ..........: 2\n"), "ecog")
    assert (f.value, f.assertion) == (2, "present")


@pytest.mark.parametrize(
    "text",
    [
        # the scale named again after a semicolon; a common misspelling of the scale
        "PS: ECOG 2 at the outside clinic 07/11; today ECOG 1 on our assessment.",
        "Feels stronger. ECGO was 2 in june, now ECGO 1.",
    ],
)
def test_current_value_after_a_semicolon_or_a_misspelt_scale(extract, text):
    findings = only(extract(text), "ecog")
    assert {(f.value, f.assertion) for f in findings} == {(2, "historical"), (1, "present")}


@pytest.mark.parametrize(
    "text",
    [
        "Criterion        | Source  | Value\nECOG 0-2         | today   | 1\n",
        "Pre-screen:\n[x] ECOG 0-2 (ECOG 1 today)\n",
    ],
)
def test_a_criterion_range_is_not_the_patients_value(extract, text):
    assert [(f.value, f.assertion.value) for f in only(extract(text), "ecog")] == [(1, "present")]


def test_a_range_the_clinician_gives_is_still_a_value(extract):
    (f,) = only(extract("ECOG 1-2 today, limited by pain.\n"), "ecog")
    assert (f.value, f.assertion.value) == (2, "present")


def test_a_criterion_word_elsewhere_on_a_long_line_does_not_touch_a_range(extract):
    text = (
        "GBM, progressed on bevacizumab. ECOG 1-2 - up and about all day, no bed rest. "
        "Meets the protocol's organ function requirements.\n"
    )
    (f,) = only(extract(text), "ecog")
    assert (f.value, f.assertion.value) == (2, "present")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ECOG 1, KPS seventy.", 70),
        ("Karnofsky ninety percent, independent.", 90),
        ("Karnofsky one hundred.", 100),
    ],
)
def test_a_karnofsky_spelled_out(extract, text, value):
    assert [f.value for f in extract(text) if f.field == "karnofsky"] == [value]


def test_a_spelled_number_with_a_time_unit_is_no_karnofsky(extract):
    assert not [f for f in extract("KPS ten days ago was 80.") if f.value == 10]


def test_a_spelled_compound_is_not_cut_short(extract):
    assert not [f for f in extract("Karnofsky seventy-five.") if f.value == 70]
