"""Batch extraction: input order, isolation of failures, and worker processes."""

from __future__ import annotations

from prescreen.extraction import Document
from prescreen.extraction.batch import extract_documents
from prescreen.settings import Settings

DOCS = [
    Document(doc_id=f"d{i}", patient_id="p", text=f"Labs:\nPLT {100 + i} K/uL\nECOG {i % 3}\n")
    for i in range(12)
]


def test_results_come_back_in_input_order_with_one_pipeline(extractor):
    out = list(extract_documents(DOCS, extractor=extractor))
    assert [r.document.doc_id for r in out] == [d.doc_id for d in DOCS]
    assert all(r.error is None for r in out)


def test_a_failing_document_does_not_lose_the_others(extractor):
    small = Settings(model_path="none", max_document_bytes=200)
    docs = [*DOCS[:3], Document(doc_id="big", patient_id="p", text="ECOG 1. " * 100), *DOCS[3:5]]
    from prescreen.extraction import Extractor

    ext = Extractor(nlp=extractor.nlp, settings=small)
    out = list(extract_documents(docs, extractor=ext))
    assert [r.error is None for r in out] == [True, True, True, False, True, True]
    assert "limit is 200" in out[3].error


def test_worker_processes_give_the_same_findings_as_one_process(extractor):
    one = [
        [(f.field, f.value) for f in r.findings]
        for r in extract_documents(DOCS, extractor=extractor)
    ]
    two = [
        [(f.field, f.value) for f in r.findings]
        for r in extract_documents(DOCS, workers=2, settings=Settings(model_path="none"))
    ]
    assert one == two
