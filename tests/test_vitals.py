"""SpO2 with room-air status."""

from __future__ import annotations

import pytest

from .conftest import only

NOTE = """Vitals: T 36.8, BP 124/78, HR 88, RR 16, {spo2}
Physical Exam: comfortable at rest.
"""


@pytest.mark.parametrize(
    ("spo2", "value", "room_air"),
    [
        ("SpO2 95% on RA", 95, True),
        ("sat 91% on 2L NC", 91, False),
        ("O2 sats 97 % room air", 97, True),
        ("SpO2 98% in air", 98, True),
        ("SpO2 96%", 96, None),
        ("96% RA", 96, True),
        ("pulse oximetry 89% on 4 L/min nasal cannula", 89, False),
        ("Oxygen saturation on room air was 93%.", 93, True),
        ("95% O2 saturation on room air.", 95, True),
        ("O2 sat on 2 L NC 93%.", 93, False),
        ("SpO2 97% breathing air", 97, True),
        ("oxygen saturation improved to 94% on 3 L nasal cannula", 94, False),
        ("saturation dropped to 88%", 88, None),
    ],
)
def test_spo2(extract, spo2, value, room_air):
    (f,) = only(extract(NOTE.format(spo2=spo2)), "spo2")
    assert f.value == value
    assert f.attributes["room_air"] is room_air
    assert f.section == "vitals"


def test_protocol_threshold_is_not_a_measurement(extract):
    text = "The trial requires SpO2 of 92% or more without supplemental oxygen."
    assert not only(extract(text), "spo2")


def test_earlier_value_is_historical(extract):
    text = "On admission SpO2 89% on room air; today SpO2 94% on room air."
    found = only(extract(text), "spo2")
    assert {(f.value, f.assertion) for f in found} == {(89, "historical"), (94, "present")}


def test_transferrin_saturation_is_not_spo2(extract):
    text = "Labs: His ferritin is 258, iron is 55, and percent sat is 24. Iron sat 18%."
    assert only(extract(text), "spo2") == []


@pytest.mark.parametrize(
    "text",
    [
        "Eligibility checklist | SpO2 >= 92% RA | see vitals",
        "Goal: keep oxygen saturation at least 90% with exertion.",
        "Hold the infusion if sats fall to 88% or below; criterion SpO2 ≥92%.",
    ],
)
def test_a_bound_is_not_a_reading(extract, text):
    assert all(f.value not in (90, 92) for f in only(extract(text), "spo2"))


def test_the_time_of_the_examination_is_now(extract):
    text = "Echo report. Vitals at the time of the study: BP 118/70, SpO2 97% on room air."
    (f,) = only(extract(text), "spo2")
    assert (f.value, f.assertion) == (97, "present")


def test_further_readings_listed_after_the_first(extract):
    text = "Seen in the ED: sats 90% on room air, improved to 96% on 3 L nasal cannula."
    got = {(f.value, f.attributes["room_air"]) for f in only(extract(text), "spo2")}
    assert got == {(90, True), (96, False)}


def test_a_reading_while_walking_keeps_the_room_air_of_the_first(extract):
    text = "At discharge: SpO2 96% on room air at rest and 92% ambulating."
    got = {(f.value, f.attributes["room_air"]) for f in only(extract(text), "spo2")}
    assert got == {(96, True), (92, True)}


def test_a_bracketed_second_reading_on_oxygen(extract):
    text = "Vitals: HR 98, SpO2 90% on room air at rest (95% on 2 L NC), RR 20."
    got = {(f.value, f.attributes["room_air"]) for f in only(extract(text), "spo2")}
    assert got == {(90, True), (95, False)}


def test_time_words_between_the_anchor_and_the_value(extract):
    (f,) = only(extract("Discharged home on oxygen. SpO2 at discharge 94% on 2 L NC."), "spo2")
    assert (f.value, f.attributes["room_air"]) == (94, False)


def test_a_value_on_arrival_is_earlier_than_todays(extract):
    found = only(extract("On arrival SpO2 88% on RA; today SpO2 95% on RA."), "spo2")
    assert {(f.value, f.assertion) for f in found} == {(88, "historical"), (95, "present")}


def test_values_from_the_emergency_visit_are_earlier(extract):
    text = (
        "Presented w/ 2 wk progressive DOE. ED: HR 118, SpO2 88% RA -> 94% on 2L NC.\n"
        "Weaned to RA. SpO2 at d/c 93% RA.\n"
    )
    found = {f.value: f.assertion.value for f in extract(text) if f.field == "spo2"}
    assert found == {88: "historical", 94: "historical", 93: "present"}


def test_a_flow_in_spelled_out_litres_is_supplemental_oxygen(extract):
    found = extract("The infant is saturating 100% on one-half liter and 89% on room air.\n")
    spo2 = {f.value: f.attributes["room_air"] for f in found if f.field == "spo2"}
    assert spo2 == {100: False, 89: True}


@pytest.mark.parametrize(
    "text",
    [
        "Plan: titrate oxygen to keep saturation to 88-92%.\n",
        "Home oxygen 2 liters to maintain O2 saturations at 89 to 91% at all times.\n",
    ],
)
def test_a_saturation_to_keep_to_is_not_a_reading(extract, text):
    assert only(extract(text), "spo2") == []
