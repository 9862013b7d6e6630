"""IHC scores tied to their markers, in pathology reports and notes."""

from __future__ import annotations

import pytest

from .conftest import only

PATH_REPORT = """SURGICAL PATHOLOGY REPORT

SPECIMEN: Liver, segment 7 lesion, core biopsy.

MICROSCOPIC: Sheets of clear cells with delicate vasculature.

IMMUNOHISTOCHEMISTRY:
{ihc}

DIAGNOSIS: Metastatic clear cell renal cell carcinoma.
"""


@pytest.mark.parametrize(
    ("ihc", "marker", "value", "percent"),
    [
        ("CD70 IHC 3+", "CD70", "3+", None),
        ("CD70: positive (3+, 80% of tumor cells)", "CD70", "3+", 80),
        ("CD70 (IHC): score 2+", "CD70", "2+", None),
        ("3+ membranous CD70 staining in 60% of cells", "CD70", "3+", 60),
        (
            "CD70: strong membranous staining in approximately 90% of the tumor cells, score 3+.",
            "CD70",
            "3+",
            90,
        ),
        ("CD70 3 plus, diffuse.", "CD70", "3+", None),
        ("HER2 0 (negative)", "HER2", "0", None),
        ("Marker | Result | Comment\nCD70 | 3+ | 85% strong", "CD70", "3+", 85),
        ("CD70: moderate staining in about 40 percent of tumour cells, 2+.", "CD70", "2+", 40),
        # the share stated in the sentence before the score
        (
            "Result: diffuse strong membranous staining in approximately 95% of tumor cells.\n"
            "CD70 IHC score: 3+.",
            "CD70",
            "3+",
            95,
        ),
    ],
)
def test_scores(extract, ihc, marker, value, percent):
    got = [
        f
        for f in only(extract(PATH_REPORT.format(ihc=ihc), kind="pathology"), "ihc")
        if f.attributes["marker"] == marker
    ]
    assert [f.value for f in got] == [value]
    assert got[0].attributes.get("percent") == percent
    assert got[0].section == "pathology"


def test_several_markers_in_one_sentence_each_get_their_own_score(extract):
    text = "IHC: PAX8 positive, CA9 1+ focal, CD70 3+ (strong membranous, ~70%), HER2 2+."
    got = {f.attributes["marker"]: f.value for f in only(extract(text), "ihc")}
    assert got == {"CA9": "1+", "CD70": "3+", "HER2": "2+"}


def test_unscored_result_is_never_a_guessed_score(extract):
    (f,) = only(extract("CD70 immunostain POSITIVE - strong staining in ~80% of cells."), "ihc")
    assert f.value == "positive"
    assert f.attributes["intensity"] == "strong" and f.attributes["percent"] == 80
    assert f.attributes["needs_review"] is True
    (g,) = only(extract("strong diffuse membranous CD70 staining in 90%"), "ihc")
    assert g.value is None and g.attributes["intensity"] == "strong"


def test_negative_statement(extract):
    (f,) = only(extract("CD70 negative."), "ihc")
    assert f.value == "negative"


def test_marker_named_as_a_trial_is_not_a_result(extract):
    assert not only(extract("Referred for the CD70 CAR-T study; CD70 IHC requested."), "ihc")


def test_prior_score_is_historical(extract):
    found = only(extract("HER2 now 0 (previously 1+ on the primary)."), "ihc")
    assert {(f.value, f.assertion) for f in found} == {("0", "present"), ("1+", "historical")}


def test_scores_from_two_reports_stay_apart(extractor):
    from prescreen.extraction import Document

    a = extractor.extract(Document(doc_id="p1", patient_id="p", text="CD70 IHC 2+."))
    b = extractor.extract(Document(doc_id="p2", patient_id="p", text="CD70 IHC 3+ (central)."))
    assert [f.value for f in a] == ["2+"] and [f.value for f in b] == ["3+"]


def test_a_scoring_scale_is_not_a_result(extract):
    text = PATH_REPORT.format(
        ihc="CD70: diffuse strong membranous staining (3+), ~80% of tumor cells.\n"
        "Controls stain appropriately. CD70 clone and scoring per the sponsor protocol "
        "(0 / 1+ / 2+ / 3+ intensity)."
    )
    found = only(extract(text), "ihc")
    assert [(f.value, f.attributes["percent"]) for f in found] == [("3+", 80)]


def test_another_markers_share_of_cells_is_not_taken(extract):
    text = PATH_REPORT.format(ihc="PD-L1 positive in 60% of tumor cells. CD70 IHC 3+.")
    (cd70,) = [f for f in only(extract(text), "ihc") if f.attributes["marker"] == "CD70"]
    assert cd70.value == "3+"
    assert "percent" not in cd70.attributes


@pytest.mark.parametrize(
    "text",
    [
        "Eligibility depends on the central CD70 score (needs 3+); local result pending.",
        "The trial requires CD70 3+ on a recent biopsy.",
    ],
)
def test_a_required_score_is_not_a_result(extract, text):
    found = only(extract(text), "ihc")
    assert not [f for f in found if f.assertion == "present"]


def test_requirement_and_result_in_one_sentence(extract):
    found = only(extract("Trial requires CD70 3+; our result: CD70 2+ (80%)."), "ihc")
    assert [(f.value, f.assertion) for f in found if f.assertion == "present"] == [
        ("2+", "present")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "CD70 (requested for trial eligibility): 3+, strong membranous, ~85% of tumor cells.",
        "Inclusion/exclusion checklist partially completed: CD70 3+ pathology report on file.",
    ],
)
def test_results_named_beside_eligibility_words_stay_results(extract, text):
    (f,) = only(extract(text), "ihc")
    assert (f.value, f.assertion) == ("3+", "present")


@pytest.mark.parametrize(
    ("text", "percent"),
    [
        ("CD70 by IHC: 3+ (approx. 70% of tumour cells).", 70),
        ("CD70: positive, score 3+; ~85% of tumor cells, membranous.", 85),
        ("Marker  Result  Detail\nCD70    3+      strong membranous, ca. 90% of cells\n", 90),
    ],
)
def test_share_of_cells_after_the_score(extract, text, percent):
    (f,) = [f for f in only(extract(text), "ihc") if f.attributes["marker"] == "CD70"]
    assert (f.value, f.attributes.get("percent")) == ("3+", percent)


def test_another_markers_share_is_not_taken(extract):
    found = {f.attributes["marker"]: f for f in only(extract("CD70 3+. PD-L1 TPS 60%."), "ihc")}
    assert "percent" not in found["CD70"].attributes


@pytest.mark.parametrize(
    ("text", "value", "percent"),
    [
        # the share of cells told before a second mention of the same marker
        (
            "CD70: moderate membrane staining in roughly 40 percent of tumour cells; "
            "no intense staining. CD70 IHC score 2+.",
            "2+",
            40,
        ),
        # the score on its own label in the next sentence
        (
            "CD70 IHC (block B2): strong staining in ~85% of tumor cells. SCORE: 3+ "
            "(scale 0 / 1+ / 2+ / 3+).",
            "3+",
            85,
        ),
        # a laid-out result block
        (
            "Results:\n  Antibody ...... CD70, clone X\n  Extent ........ ~70% of viable "
            "tumor cells\n  H-score ....... 210\n  Final score ... 3+\n",
            "3+",
            70,
        ),
        # a share written in words
        ("the new biopsy showed CD70 3+ in about eighty percent of cells.", "3+", 80),
    ],
)
def test_share_and_score_told_apart_for_one_marker(extract, text, value, percent):
    found = [f for f in only(extract(text), "ihc") if f.value == value]
    assert found
    assert percent in {f.attributes.get("percent") for f in found}


def test_header_mention_of_the_marker_does_not_hide_the_share(extract):
    text = (
        "Addendum: CD70 immunohistochemistry\n"
        "Controls appropriate.\n"
        "Result: diffuse strong staining in about 60% of tumor cells.\n"
        "CD70 IHC score: 3+.\n"
    )
    (f,) = [f for f in only(extract(text), "ihc") if f.value == "3+"]
    assert f.attributes.get("percent") == 60


def test_zero_before_a_full_stop(extract):
    found = only(extract("Outside biopsy: IDC grade 2, ER 0%, HER2 IHC 0."), "ihc")
    assert [f.value for f in found if f.attributes["marker"] == "HER2"] == ["0"]


def test_egfr_score_is_not_given_to_the_marker_before_it(extract):
    text = "Ki-67 index ~30%, EGFR overexpression (2+), and CD70 strongly positive (3+)."
    got = {(f.attributes["marker"], f.value) for f in only(extract(text), "ihc")}
    assert ("EGFR", "2+") in got
    assert ("KI-67", "2+") not in got
    assert ("CD70", "3+") in got


def test_kidney_egfr_is_not_a_marker(extract):
    assert not only(extract("Creatinine 1.1 mg/dL, eGFR 2+ stable at 58."), "ihc")


def test_earlier_score_in_brackets_is_historical(extract):
    text = "HER2 score 0 on this biopsy (the 2021 primary was reported as HER2 1+)."
    got = {(f.value, f.assertion) for f in only(extract(text), "ihc")}
    assert got == {("0", "present"), ("1+", "historical")}


def test_a_statement_that_no_score_was_given_is_not_a_score(extract):
    text = (
        "strong CD70 staining in about 70 percent of cells, but pathology did not give "
        "a 0 to 3+ score; the trial needs 3+."
    )
    assert not [f for f in only(extract(text), "ihc") if f.value in ("0", "1+", "2+", "3+")]


@pytest.mark.parametrize(
    ("ihc", "percent"),
    [
        # the share written before the score, of "cells" or "the viable tumour"
        ("CD70: tumour cells show strong staining in about 65% of cells, CD70 score 3+.", 65),
        (
            "Stained for CD70: strong staining in more than eighty percent of the viable tumor.\n"
            "CD70 IHC score: 3+ (strong)\n"
            "Tumour content of the block approx 40%.",
            80,
        ),
        # a labelled row above the score; the score restated in an interpretation line
        (
            "  Marker : CD70\n"
            "  Pct tumour cells stained : 70 %\n"
            "  IHC score (0-3+) : 3+\n"
            "  Interpretation: CD70 POSITIVE, score 3+.",
            70,
        ),
    ],
)
def test_share_of_cells_stated_once_for_a_restated_score(extract, ihc, percent):
    got = [
        f
        for f in only(extract(PATH_REPORT.format(ihc=ihc), kind="pathology"), "ihc")
        if f.attributes["marker"] == "CD70" and f.value == "3+"
    ]
    assert got
    assert {f.attributes.get("percent") for f in got} == {percent}


def test_tumour_content_is_not_the_share_of_stained_cells(extract):
    text = PATH_REPORT.format(ihc="CD70 IHC score: 3+ (strong)\nTumour cellularity approx 50%.")
    (cd70,) = [f for f in only(extract(text, kind="pathology"), "ihc") if f.value == "3+"]
    assert "percent" not in cd70.attributes


@pytest.mark.parametrize(
    "text",
    [
        "CD70 scored per study guide (intensity 0/1+/2+/3+ and % positive tumour cells): 3+ in "
        "~90%.",
        "CD70 - 3+, strong membranous staining in approximately 90 percent of tumour cells\n"
        "(cd70 scoring key: 0 none, 1+ weak, 2+ moderate, 3+ strong)",
        "CD70 score 3+, strong staining in 90% of tumour cells. CD70 scoring key: 0 none; 1+ "
        "weak; 2+ moderate; 3+ strong.",
    ],
)
def test_a_scoring_key_is_not_a_result(extract, text):
    assert [f.value for f in only(extract(text), "ihc")] == ["3+"]


def test_shares_per_intensity_are_no_scoring_key(extract):
    found = only(extract("HER2 IHC: 0 (5%), 1+ (15%), 2+ (30%), 3+ (50%)."), "ihc")
    assert found  # read (if imperfectly), not blanked as a key
