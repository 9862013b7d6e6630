"""The scorer itself: a known prediction set gives known numbers."""

from __future__ import annotations

import pytest

from prescreen.evaluation.calibration import (
    auto_accept,
    brier_score,
    expected_calibration_error,
    risk_coverage,
)
from prescreen.evaluation.corpus import GoldFact
from prescreen.evaluation.scoring import score, values_agree
from prescreen.extraction.findings import Assertion, Finding


def P(doc, field, value, assertion="present", conf=0.9, i=[0], **attrs):  # noqa: B006
    i[0] += 1
    return Finding(
        id=f"f{i[0]}",
        doc_id=doc,
        patient_id="p",
        field=field,
        value=value,
        attributes=attrs,
        text="x",
        start=i[0],  # every prediction its own mention
        end=i[0] + 1,
        assertion=Assertion(assertion),
        confidence=conf,
        rule="r",
        pipeline_version="t",
    )


def G(doc, field, value, assertion="present", optional=False, **attrs):
    return GoldFact(
        doc_id=doc,
        field=field,
        value=value,
        assertion=assertion,
        attributes=attrs,
        optional=optional,
    )


def test_known_counts():
    gold = [
        G("d1", "platelets", 145),
        G("d1", "ecog", 1),
        G("d1", "lesion", 32, lymph_node=False),
        G("d2", "platelets", 38, assertion="historical"),
        G("d2", "therapy", "sunitinib", outcome="progression"),
        G("d2", "ihc", "3+", optional=True, marker="CD70"),
    ]
    preds = [
        P("d1", "platelets", 146),  # within 2%: hit
        P("d1", "platelets", 146),  # duplicate of the same fact: counted once
        P("d1", "ecog", 2),  # wrong value: false alarm + miss
        P("d1", "lesion", 32, lymph_node=True),  # attribute disagrees: false alarm + miss
        P("d2", "platelets", 38, assertion="present"),  # wrong assertion: fp + fn
        P("d2", "therapy", "sunitinib", outcome="progression", classes=["tki"]),  # hit
        P("d2", "ihc", "3+", marker="CD70"),  # matches an optional line: neutral
        P("d2", "ihc", "positive", marker="CD70"),  # unscored value: left out
    ]
    r = score(preds, gold)
    assert (r.overall.tp, r.overall.fp, r.overall.fn, r.overall.n_gold) == (2, 3, 3, 5)
    assert r.overall.precision == pytest.approx(2 / 5)
    assert r.overall.recall == pytest.approx(2 / 5)
    assert r.per_field["platelets"].as_dict()["f1"] == pytest.approx(0.5)
    assert r.per_field["ihc"].fp == 0 and r.per_field["ihc"].n_gold == 0
    # the platelets fact was found with the wrong assertion: assertion accuracy counts it
    assert r.assertion_total == 3 and r.assertion_correct == 2
    assert {m["field"] for m in r.misses} == {"ecog", "lesion", "platelets"}
    assert all(set(m) == {"doc_id", "field", "gold_line", "assertion"} for m in r.misses)
    assert all("value" not in fa for fa in r.false_alarms)  # ids and offsets only


def test_two_courses_of_one_agent():
    """ANNOTATION.md: the same agent in two courses with different outcomes is two gold
    lines; one predicted agent whose mentions state both outcomes matches both, and a
    second outcome the text does not give is still a miss."""
    gold = [
        G("d1", "therapy", "carboplatin", outcome="completed"),
        G("d1", "therapy", "carboplatin", outcome="progression"),
        G("d2", "therapy", "olaparib", outcome="intolerance"),
        G("d2", "therapy", "olaparib", outcome="progression"),
    ]
    preds = [
        P("d1", "therapy", "carboplatin", outcome="completed"),
        P("d1", "therapy", "carboplatin", outcome="progression"),
        P("d2", "therapy", "olaparib", outcome="progression"),
        P("d2", "therapy", "olaparib"),
    ]
    r = score(preds, gold)
    assert (r.overall.tp, r.overall.fp, r.overall.fn) == (3, 0, 1)
    assert [m["doc_id"] for m in r.misses] == ["d2"]


def test_two_facts_with_one_value_need_two_mentions():
    gold = [
        G("d1", "lesion", 11, lymph_node=True),
        G("d1", "lesion", 11, lymph_node=False),
    ]
    node = P("d1", "lesion", 11, lymph_node=True)
    again = node.model_copy(update={"id": "again"})  # the node named twice, same span
    r = score([node, again], gold)
    assert (r.overall.tp, r.overall.fp, r.overall.fn) == (1, 0, 1)
    r = score([node, P("d1", "lesion", 11, lymph_node=False)], gold)
    assert (r.overall.tp, r.overall.fp, r.overall.fn) == (2, 0, 0)


def test_one_course_is_not_matched_twice():
    gold = [
        G("d1", "therapy", "sunitinib", outcome="progression"),
        G("d1", "therapy", "sunitinib", outcome="progression"),
    ]
    r = score([P("d1", "therapy", "sunitinib", outcome="progression")], gold)
    assert (r.overall.tp, r.overall.fp, r.overall.fn) == (1, 0, 1)


@pytest.mark.parametrize(
    ("field", "pred", "gold", "ok"),
    [("wbc", 4.5, 4.59, True), ("wbc", 4.5, 4.6, False), ("diagnosis",
     "metastatic clear cell renal cell carcinoma", "clear cell renal cell carcinoma", True),
     ("diagnosis", "renal cell carcinoma", "clear cell renal cell carcinoma", True),
     ("diagnosis", "carcinoma", "clear cell renal cell carcinoma", False),
     ("sex", "female", "Female", True), ("liver_involvement", True, True, True),
     ("diagnosis", "cervical squamous cell carcinoma",
      "squamous cell carcinoma of the cervix", True),
     ("diagnosis", "high-grade serous ovarian carcinoma", "serous carcinoma of the ovary", True),
     ("diagnosis", "lung adenocarcinoma", "adenocarcinoma of the colon", False),
     ("diagnosis", "carcinoma of the", "carcinoma of the cervix", False)],
)  # fmt: skip
def test_value_agreement(field, pred, gold, ok):
    assert values_agree(field, pred, gold) is ok


def test_calibration_figures():
    labelled = [(0.9, True)] * 9 + [(0.9, False)] + [(0.3, False)] * 7 + [(0.3, True)] * 3
    assert expected_calibration_error(labelled) == pytest.approx(0.0)
    assert brier_score(labelled) == pytest.approx((9 * 0.01 + 0.81 + 7 * 0.09 + 3 * 0.49) / 20)
    points = risk_coverage(labelled)
    assert points[0].coverage == pytest.approx(0.5) and points[0].error == pytest.approx(0.1)
    best = auto_accept(labelled, max_error=0.01)
    assert best.coverage == 0.0  # no threshold keeps the error at 1%
    assert auto_accept(labelled, max_error=0.1).coverage == pytest.approx(0.5)
