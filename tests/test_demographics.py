"""Age and sex."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import only


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("HPI: 62 yo F with metastatic ccRCC.", 62, "female"),
        ("This is a 58-year-old woman with HGSOC.", 58, "female"),
        ("Pt: 71M w/ PDAC, here for C3.", 71, "male"),
        ("Patient: Doe, Jane   62 F   Specimen received 11/18/2025", 62, "female"),
        ("Sex/Age: M / 78", 78, "male"),
        ("Name: X   Age/Sex: 69/M   Date: 03/26/2026", 69, "male"),
        ("Date: 07/11/2025    Patient: SYN-1    Female, 44 years", 44, "female"),
        ("11-month-old girl with neuroblastoma.", 0.92, "female"),
        ("HX: This 67 y/oRHM first began experiencing horizontal diplopia.", 67, "male"),
        ("Course: 35 y/o man admitted 5 days after the CT.", 35, "male"),
    ],
)
def test_age_and_sex(extract, text, age, sex):
    found = extract(text)
    assert [f.value for f in only(found, "age")] == [age]
    assert {f.value for f in only(found, "sex")} == {sex}


def test_age_from_date_of_birth_needs_the_document_date(extract):
    assert [
        f.value for f in only(extract("DOB: 03/14/1964", date=dt.date(2026, 3, 15)), "age")
    ] == [62]
    assert not only(extract("DOB: 03/14/1964", date=None), "age")


def test_sex_from_pronouns_only_when_one_sided(extract):
    (f,) = only(extract("She reports fatigue. Her appetite is fair; she walks daily."), "sex")
    assert f.value == "female" and f.attributes["basis"] == "pronouns"
    assert not only(extract("She says he drove her; his car broke."), "sex")
    # one pronoun is enough; a clinician's ("Dr. Osei and his team") does not count
    (f,) = only(extract("Referred by Dr. Osei and his team. She reports fatigue."), "sex")
    assert f.value == "female"
    assert not only(extract("Case handed over to Dr. Osei and his team at 14:00."), "sex")


def test_someone_elses_age_is_not_the_patients(extract):
    assert not only(extract("SH: married, one child (age 6); never smoker."), "age")


def test_female_subjects_clause_is_not_the_patients_sex(extract):
    text = "Protocol: female subjects must agree to use contraception."
    assert not only(extract(text), "sex")


def test_ages_at_events_and_of_relatives_are_not_the_patients(extract):
    text = "PMH: Gilbert syndrome (dx age 17). Lives with partner and 8-year-old son. 62 yo F."
    assert [f.value for f in only(extract(text), "age")] == [62]


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("This is a middle-aged male with an epiglottic mass and odynophagia.", "male"),
        ("INDICATION: 3-day-old female with a neck mass.", "female"),
    ],
)
def test_sex_from_a_description_without_an_age(extract, text, sex):
    assert [f.value for f in only(extract(text), "sex")] == [sex]
    assert only(extract(text), "age") == []


def test_ages_at_past_events_in_prose_are_not_the_patients(extract):
    text = (
        "HPI: 48 yo M. He had a polyp removed at the age of 14 years old. Recurrent "
        "pneumonia started at approximately age 20. His middle-aged son is well."
    )
    found = extract(text)
    assert [f.value for f in only(found, "age")] == [48]
    assert {f.value for f in only(found, "sex")} == {"male"}


@pytest.mark.parametrize(
    "text",
    [
        "Family history: her mother died of a stroke aged 81.",
        "PSH: tonsillectomy age 9; no other operations.",
    ],
)
def test_ages_in_a_relatives_or_an_events_clause(extract, text):
    assert not only(extract(text), "age")


def test_a_clinicians_title_is_not_the_patients_sex(extract):
    text = "Patient: 64-year-old woman. Consultant: Mr J. Okafor (Neurosurgery). Seen by Ms Lee."
    assert {f.value for f in only(extract(text), "sex")} == {"female"}


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("History: 16-year-old girl with metastatic osteosarcoma.", 16, "female"),
        ("Patient is a forty-two year old man with glioblastoma.", 42, "male"),
        ("He is 68. He lives alone.", 68, "male"),
        ("Patient: SYN-9 (F, 73)   Ref: CT-1", 73, "female"),
        # "old" left out: an age only right before the sex
        ("A 47 year woman referred with a renal mass.", 47, "female"),
    ],
)
def test_more_ways_of_writing_the_patients_age(extract, text, age, sex):
    found = extract(text)
    assert {f.value for f in only(found, "age")} == {age}
    assert {f.value for f in only(found, "sex")} == {sex}


def test_a_child_after_a_possessive_is_someone_else(extract):
    assert not only(extract("She lives with her husband and her 8-year-old girl."), "age")


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("A 58-year-old nonsmoker white female with exertional dyspnea.", 58, "female"),
        ("This is a 51-year-old, obese, married male with chest pain.", 51, "male"),
        ("A 10 year old child is brought to the emergency room with cough.", 10, None),
    ],
)
def test_describing_words_between_the_age_and_the_sex(extract, text, age, sex):
    found = extract(text)
    assert {f.value for f in found if f.field == "age"} == {age}
    assert {f.value for f in found if f.field == "sex"} == ({sex} if sex else set())


@pytest.mark.parametrize(
    "text",
    [
        "She is married and has 2 children who are 5 and 9 years old.",
        "Her two sisters, ages 61 and 66 years old, are both well.",
        "Her 70-year-old father has hypertension.",
        "She was diagnosed with Paget's disease of bone when she was 52 years old.",
    ],
)
def test_relatives_ages_and_ages_at_past_events_in_longer_clauses(extract, text):
    assert not [f for f in extract(text) if f.field == "age"]


def test_a_duration_in_years_is_not_an_age_without_the_sex_after_it(extract):
    assert not only(extract("She is a 5 year survivor of melanoma. 3 year history of pain."), "age")


def test_ages_at_past_events_in_a_history_line_are_not_the_patients(extract):
    text = "PMH: 1) Asthma diagnosed at age 9 years; 2) Appendectomy."
    assert not only(extract(text), "age")
    found = extract("She was 61 years old at the time and presented with seizures. Now 70 yo F.")
    assert {f.value for f in only(found, "age")} == {70}
