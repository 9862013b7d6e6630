"""Life expectancy in weeks, with the written comparator; requirements are hypothetical."""

from __future__ import annotations

import pytest

from prescreen.extraction.fields.prognosis import load_rules
from prescreen.yamlfile import DataFileError

from .conftest import only

NOTE = """ONCOLOGY FOLLOW-UP
Date: 03/15/2026

HPI: 62F with metastatic ccRCC after pembrolizumab/axitinib and cabozantinib.
Labs 03/14: WBC 5.1, ANC 3.2, Hgb 11.8 g/dL, plt 201.

A/P: CD70 3+, ECOG 1. {prognosis} Refer to the CD70 CAR-T trial team.
"""


@pytest.mark.parametrize(
    ("prognosis", "weeks", "comparator"),
    [
        ("Life expectancy > 3 months.", 13, ">"),
        ("Expected survival of at least 12 weeks.", 12, ">="),
        ("Prognosis of 6 months.", 26, None),
        ("Life expectancy estimated more than six months.", 26, ">"),
        ("Life expectancy >= 6 months.", 26, ">="),
        ("Life expectancy > 12 months.", 52, ">"),
        ("Estimated life expectancy of 1 year.", 52, None),
        ("Expected survival ~4-6 months.", 17, "~"),
        ("Life expectancy in my judgement about 6 months.", 26, "~"),
        ("Life expectancy estimated at 6 months or more.", 26, ">="),
        ("Her prognosis is likely to be limited to six months.", 26, "<="),
        ("Realistically his life expectancy is short, about 8 weeks.", 8, "~"),
        ("Life expectancy with targeted therapy is well over a year.", 52, ">"),
        ("All the screening criteria look satisfied; expected survival > 6 months.", 26, ">"),
        ("Good PS, life expectancy more than three months, and adequate organ function.", 13, ">"),
    ],
)
def test_phrasings(extract, prognosis, weeks, comparator):
    (f,) = only(extract(NOTE.format(prognosis=prognosis)), "life_expectancy")
    assert (f.value, f.unit) == (weeks, "weeks")
    assert f.attributes.get("comparator") == comparator
    assert f.assertion == "present"
    assert f.section == "assessment_and_plan"


def test_range_takes_the_lower_bound_and_keeps_the_range(extract):
    (f,) = only(extract("Life expectancy estimated at least 3-6 months."), "life_expectancy")
    assert f.value == 13
    assert f.attributes["range_weeks"] == [13, 26]
    assert f.attributes["original_value"] == 3
    assert f.attributes["original_unit"] == "months"
    assert any("lower bound" in s.reason for s in f.explanation)


def test_two_durations_in_one_statement(extract):
    found = only(
        extract("ECOG 0. Life expectancy well over 12 weeks, I'd estimate > 6 months."),
        "life_expectancy",
    )
    assert [(f.value, f.attributes["comparator"]) for f in found] == [(12, ">"), (26, ">")]


def test_duration_on_the_next_line(extract):
    text = "ECOG 0. Other labs adequate. Life expectancy\n> 6 months. Meets pre-screen criteria."
    (f,) = only(extract(text), "life_expectancy")
    assert f.value == 26


def test_anchor_split_by_a_line_wrap(extract):
    text = "ECOG 1. Bloods now satisfactory. Life\nexpectancy estimated at least 6 months."
    (f,) = only(extract(text), "life_expectancy")
    assert (f.value, f.text) == (26, "Life\nexpectancy estimated at least 6 months")


@pytest.mark.parametrize(
    "text",
    [
        "Life expectancy of weeks.",
        "Prognosis is poor; hospice discussed.",
        "Prognosis limited - likely short months.",
        "Median overall survival 12 months in the phase 3 trial.",
        "Prognosis guarded; will reassess in 3 months.",
        "Survival analysis reported at 6 months.",
    ],
)
def test_no_number_no_value(extract, text):
    assert not only(extract(text), "life_expectancy")


@pytest.mark.parametrize(
    "text",
    [
        "Patients must have a life expectancy of at least 12 weeks.",
        "Inclusion criteria: expected survival >= 12 weeks.",
        "The trial requires life expectancy of 3 months or more.",
        "Life expectancy required >= 12 weeks per protocol.",
    ],
)
def test_requirement_is_hypothetical(extract, text):
    (f,) = only(extract(text), "life_expectancy")
    assert f.assertion == "hypothetical"


def test_conflicting_documents_keep_their_own_values(extract):
    earlier = extract("A/P: life expectancy > 6 months.", doc_id="jan")
    later = extract("A/P: decline. Life expectancy about 8 weeks.", doc_id="mar")
    assert [(f.doc_id, f.value) for f in only(earlier, "life_expectancy")] == [("jan", 26)]
    assert [(f.doc_id, f.value) for f in only(later, "life_expectancy")] == [("mar", 8)]


def test_confidence_explains_itself(extract):
    (f,) = only(extract("Life expectancy at least three months."), "life_expectancy")
    reasons = [s.reason for s in f.explanation]
    assert reasons[0] == "rule prior (prognosis.life_expectancy)"
    assert "number written as a word" in reasons
    assert sum(s.delta for s in f.explanation) == pytest.approx(f.confidence, abs=1e-3)


def test_rule_file_rejects_unknown_keys(tmp_path):
    src = (load_rules.__globals__["RESOURCES"] / "prognosis.yaml").read_text()
    bad = tmp_path / "prognosis.yaml"
    bad.write_text(src.replace("window: 90", "window: 90\nhorizon: 12", 1))
    with pytest.raises(DataFileError, match=r"prognosis\.yaml:\d+"):
        load_rules(bad)


@pytest.mark.parametrize(
    ("text", "weeks"),
    [
        ("Prognosis: I estimate survival ~4 months given the pace of disease.", 17),
        ("Overall I would anticipate survival of the order of a year.", 52),
    ],
)
def test_survival_estimated_or_anticipated(extract, text, weeks):
    (f,) = only(extract(text), "life_expectancy")
    assert (f.value, f.assertion.value) == (weeks, "present")


@pytest.mark.parametrize(
    "text",
    [
        "Assessment and prognosis: restaging shows growth of the liver lesions over 8 weeks.",
        "Prognosis: rapid progression, about 6 weeks after the last cycle.",
        "Prognosis discussed; weight loss of 5 kg over two months noted.",
    ],
)
def test_time_a_change_took_is_not_a_survival(extract, text):
    assert not only(extract(text), "life_expectancy")


@pytest.mark.parametrize(
    ("text", "weeks"),
    [("Organ function adequate. Anticipated LE > 3 mo.", 13), ("Expected LE ~6 months.", 26)],
)
def test_abbreviated_life_expectancy(extract, text, weeks):
    (f,) = only(extract(text), "life_expectancy")
    assert f.value == weeks


def test_le_alone_is_not_life_expectancy(extract):
    assert not only(extract("Bilateral LE edema for 3 months, worse at night."), "life_expectancy")


@pytest.mark.parametrize(
    "line",
    [
        "[x] Life expectancy >=12 wk (est. >3 months)",
        "- [x] Life expectancy ≥ 12 weeks: estimated > 6 months",
    ],
)
def test_a_checklist_line_states_the_threshold_then_the_estimate(extract, line):
    found = only(extract(f"Pre-screen checklist:\n[x] ECOG 0-1\n{line}\n"), "life_expectancy")
    assert [f.assertion.value for f in found] == ["hypothetical", "present"]


def test_one_duration_on_a_checklist_line_is_the_estimate(extract):
    (f,) = only(extract("[x] Life expectancy > 3 months\n"), "life_expectancy")
    assert (f.value, f.assertion.value) == (13, "present")


def test_a_dotted_leader_does_not_end_the_clause(extract):
    text = "ECOG 0-2 ........ Y\nLife expectancy ...... Y, estimated > 6 months\n"
    (f,) = only(extract(text), "life_expectancy")
    assert f.value == 26


def test_a_bare_le_counts_only_with_a_compared_duration(extract):
    got = [
        f.value for f in extract("- ECOG 1; LE > 6 mo; no psych hx") if f.field == "life_expectancy"
    ]
    assert got == [26]
    assert not [
        f for f in extract("No LE edema. Follow up in 6 months.") if f.field == "life_expectancy"
    ]


def test_a_limb_le_is_no_life_expectancy(extract):
    text = "Swelling of the left LE > 2 weeks, Doppler negative."
    assert not [f for f in extract(text) if f.field == "life_expectancy"]
