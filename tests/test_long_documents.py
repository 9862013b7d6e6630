"""Long notes are processed in chunks with correct offsets; a 5 MB note goes through."""

from __future__ import annotations

import time

from prescreen.extraction import Document, Extractor
from prescreen.settings import Settings

BLOCK = "Clinic visit.\nPerformance Status: ECOG 1\nLabs:\nPLT 145 K/uL\nHgb 10.2 g/dL\n\n"


def test_chunked_extraction_matches_offsets(extractor):
    settings = Settings(chunk_chars=1000)
    small_chunks = Extractor(nlp=extractor.nlp, settings=settings)
    text = BLOCK * 60  # ~4.5k chars → several chunks
    doc = Document(doc_id="long", patient_id="p", text=text)
    chunked = small_chunks.extract(doc)
    whole = extractor.extract(doc)
    assert len(chunked) == len(whole) == 180
    assert [(f.start, f.end, f.field) for f in chunked] == [
        (f.start, f.end, f.field) for f in whole
    ]
    for f in chunked:
        assert text[f.start : f.end] == f.text


def test_five_megabyte_note(extractor):
    text = (BLOCK + "Narrative filler sentence about the visit and plans. " * 30 + "\n\n") * 3100
    assert len(text.encode()) > 5_000_000
    t0 = time.perf_counter()
    findings = extractor.extract(Document(doc_id="huge", patient_id="p", text=text))
    assert len(findings) == 3 * 3100
    assert findings[-1].end <= len(text)
    assert time.perf_counter() - t0 < 300  # finishes (no quadratic blow-up)
