"""LVEF and ECG reads in echo reports and notes."""

from __future__ import annotations

import pytest

from .conftest import only

ECHO = """TRANSTHORACIC ECHOCARDIOGRAM
Indication: baseline before cellular therapy.

FINDINGS:
Left ventricle: normal size. {lvef}
Valves: mild MR.

ECG (same visit): {ecg}

IMPRESSION: see above.
"""


@pytest.mark.parametrize(
    ("lvef", "value"),
    [
        ("LVEF 55-60%.", 55),
        ("EF estimated at 45%.", 45),
        ("Ejection fraction of 60 percent.", 60),
        ("Biplane LVEF 53%.", 53),
    ],
)
def test_lvef(extract, lvef, value):
    (f,) = only(
        extract(ECHO.format(lvef=lvef, ecg="Normal sinus rhythm, normal ECG."), kind="echo"), "lvef"
    )
    assert f.value == value and f.unit == "%"


def test_prior_lvef_is_historical(extract):
    found = only(
        extract("Global function low-normal, LVEF 53% (biplane), unchanged from 54% in 2024."),
        "lvef",
    )
    assert {(f.value, f.assertion) for f in found} == {(53, "present"), (54, "historical")}


def test_comparison_section_is_historical(extract):
    text = "COMPARISON: echo 08/2024, EF 60%.\n\nFINDINGS:\nLVEF 55%.\n"
    found = only(extract(text), "lvef")
    assert {(f.value, f.assertion) for f in found} == {(60, "historical"), (55, "present")}


@pytest.mark.parametrize(
    ("ecg", "value", "significant"),
    [
        ("Normal sinus rhythm 70/min, PR 160 ms, QTc 420 ms. Normal ECG.", "normal", False),
        ("Sinus tachycardia 104/min, otherwise unremarkable.", "abnormal", False),
        ("Sinus rhythm 64. First-degree AV block, PR 224 ms. No ST elevation.", "abnormal", False),
        ("Atrial fibrillation with rapid ventricular response, rate 134.", "abnormal", True),
        ("Sinus rhythm, QTc 512 ms.", "abnormal", True),
        (
            "NSR, nonspecific T-wave flattening V5-V6, no significant abnormality.",
            "abnormal",
            False,
        ),
        ("12-lead tracing: sinus rhythm, left bundle-branch block.", "abnormal", True),
    ],
)
def test_ecg(extract, ecg, value, significant):
    found = only(extract(ECHO.format(lvef="LVEF 60%.", ecg=ecg), kind="echo"), "ecg")
    assert {f.value for f in found} == {value}  # one read, maybe several mentions
    assert all(f.attributes["significant"] is significant for f in found)


def test_negated_abnormality_is_not_a_finding(extract):
    (f,) = only(extract("ECG: sinus rhythm, no ST-T abnormality, no arrhythmia."), "ecg")
    assert f.value == "normal"


def test_ecg_span_does_not_swallow_other_facts(extract):
    text = "ECG: normal sinus rhythm.\nNo Gilbert's syndrome, no liver involvement.\n"
    (f,) = only(extract(text), "ecg")
    assert "Gilbert" not in f.text


def test_values_after_meets_criteria_are_the_patients(extract):
    text = "She meets the remaining criteria: ECOG 1, LVEF 55% on the last echo."
    (f,) = only(extract(text), "lvef")
    assert (f.value, f.assertion) == (55, "present")
    assert not only(extract("Inclusion criteria: LVEF of at least 50%."), "lvef")


def test_abbreviated_degree_of_av_block(extract):
    (f,) = only(extract("TTE: LVEF 60%. ECG same day: 1st deg AV block, QTc 430."), "ecg")
    assert (f.value, f.attributes["significant"]) == ("abnormal", False)
    (f,) = only(extract("ECG: 2nd deg AV block, Mobitz I."), "ecg")
    assert (f.value, f.attributes["significant"]) == ("abnormal", True)


@pytest.mark.parametrize(
    ("text", "significant", "finding"),
    [
        ("ECG today: sinus rhythm 84, QTc of five oh six milliseconds.", True, "QTc 506 ms"),
        ("ECG: sinus rhythm, QTc prolonged.", True, "prolonged QTc"),
        ("ECG: sinus rhythm, no QTc prolongation.", False, None),
    ],
)
def test_qtc_dictated_or_only_called_prolonged(extract, text, significant, finding):
    (f,) = only(extract(text), "ecg")
    assert f.attributes["significant"] is significant
    assert (finding in f.attributes.get("finding", "")) if finding else f.value == "normal"


def test_ectopics_are_abnormal_but_not_significant(extract):
    (f,) = only(extract("ECG 09/09: sinus rhythm with isolated ventricular ectopics."), "ecg")
    assert (f.value, f.attributes["significant"]) == ("abnormal", False)


def test_a_prior_paragraph_of_an_echo_report_is_historical(extract):
    text = "ECHO\nPrior: echo 01/2026 (outside), EF 59%.\n\nSystolic function: LVEF 57%.\n"
    found = {f.value: f.assertion for f in only(extract(text), "lvef")}
    assert found == {59: "historical", 57: "present"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Echo 2/2/26: lvef fifty-five percent, no wall motion abnormality.", {(55, "present")}),
        ("Plan: repeat labs; echo done last week (EF 48), cardiology aware.", {(48, "present")}),
        (
            "ECHO\n  LVEF (3D) ...... 50 %\n"
            "  Previous LVEF .... 62 % (01/2024, before doxorubicin)\n",
            {(50, "present"), (62, "historical")},
        ),
        (
            "Summary: LVEF 51%, stable compared with 2025 (pre-treatment baseline 57%).",
            {(51, "present"), (57, "historical")},
        ),
    ],
)
def test_lvef_spelled_bare_dot_leaders_and_earlier_values(extract, text, expected):
    found = {(f.value, f.assertion.value) for f in only(extract(text), "lvef")}
    assert found == expected


@pytest.mark.parametrize(
    ("text", "significant"),
    [
        (
            "ECG interpretation: abnormal ECG - 1st degree AVB, nonspecific T wave changes; "
            "no significant arrhythmia or acute ischemic change.",
            False,
        ),
        ("ECG: no acute ST changes, but new atrial fibrillation with RVR.", True),
    ],
)
def test_a_negation_reaches_a_short_list(extract, text, significant):
    (f,) = [x for x in extract(text) if x.field == "ecg"]
    assert (f.value, f.attributes["significant"]) == ("abnormal", significant)


@pytest.mark.parametrize(
    "text",
    [
        "Stress ECG: inverted T waves in V4-V6 at peak exercise.",
        "ECG (outside office): sinus rhythm, ST and T wave changes.",
    ],
)
def test_t_wave_and_st_t_changes_make_an_abnormal_not_significant_ecg(extract, text):
    (ecg,) = [f for f in extract(text) if f.field == "ecg"]
    assert (ecg.value, ecg.attributes["significant"]) == ("abnormal", False)


def test_a_phrase_in_two_spellings_is_listed_once(extract):
    text = ECHO.format(lvef="LVEF 60%.", ecg="Sinus rhythm, first-degree AV block, PR 230 ms.")
    (f,) = only(extract(text, kind="echo"), "ecg")
    assert f.attributes["finding"].count("degree") == 1
