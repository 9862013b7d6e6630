"""The Finding JSON contract, stable ids and self-explaining confidence."""

from __future__ import annotations

import datetime as dt

import pytest

from prescreen.extraction import Document

CONTRACT = {
    "id", "doc_id", "patient_id", "field", "value", "unit", "attributes", "text", "start",
    "end", "section", "assertion", "date", "date_source", "confidence", "rule",
    "explanation", "pipeline_version",
}  # fmt: skip

NOTE = """Performance Status: ECOG 1.
Labs (03/12/2026):
PLT 145 K/uL
Hgb 10.2 g/dL
"""


def test_json_form_has_exactly_the_contract_keys(extract):
    findings = extract(NOTE)
    assert findings
    for f in findings:
        d = f.model_dump(mode="json")
        assert set(d) == CONTRACT
        assert all(set(step) == {"reason", "delta"} for step in d["explanation"])


def test_findings_pass_their_own_schema(extract):
    # findings are built without re-validation on the hot path: prove they would pass it
    from prescreen.extraction import Finding

    text = NOTE + "CD70 IHC 3+. LVEF 55%. SpO2 95% on RA. 62 yo F. Sunitinib -> PD.\n"
    for f in extract(text):
        assert Finding.model_validate(f.model_dump()) == f


def test_offsets_point_at_the_evidence(extract):
    for f in extract(NOTE):
        assert NOTE[f.start : f.end] == f.text


def test_ids_are_stable_across_runs_and_change_with_the_text(extractor):
    doc = Document(doc_id="a", patient_id="p", text=NOTE)
    first = [f.id for f in extractor.extract(doc)]
    again = [f.id for f in extractor.extract(doc)]
    assert first == again
    assert len(set(first)) == len(first)
    other = Document(doc_id="a", patient_id="p", text=NOTE + "\nSeen with daughter.")
    assert set(first).isdisjoint(f.id for f in extractor.extract(other))


def test_explanation_steps_sum_to_the_confidence(extract):
    for f in extract(NOTE + "\nANC 1.2\nHb 7.5\n"):
        assert 0.0 <= f.confidence <= 1.0
        assert f.explanation[0].reason.startswith("rule prior")
        assert sum(s.delta for s in f.explanation) == pytest.approx(f.confidence, abs=1e-3)


def test_date_comes_from_the_text_when_given_else_the_document(extract):
    findings = extract(NOTE, date=dt.date(2026, 3, 15))
    by_field = {f.field: f for f in findings}
    assert by_field["platelets"].date == dt.date(2026, 3, 12)
    assert by_field["platelets"].date_source == "text"
    assert by_field["ecog"].date == dt.date(2026, 3, 15)
    assert by_field["ecog"].date_source == "document"
    undated = extract("ECOG 2.", date=None)
    assert undated[0].date is None and undated[0].date_source == "none"


def test_pipeline_version_names_the_rules(extract):
    v = extract(NOTE)[0].pipeline_version
    assert "+rules." in v
