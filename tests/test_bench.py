"""The benchmark measures what it says: both sides of each ratio on the same notes, paired
rounds, length scaling (figures themselves are printed by `prescreen bench`, not asserted)."""

from __future__ import annotations

from prescreen.evaluation.bench import run_bench
from prescreen.extraction import Document

NOTE = (
    "ONCOLOGY FOLLOW-UP\nHPI: 62 yo F with metastatic ccRCC after sunitinib, progression.\n"
    "Labs: WBC 5.1, ANC 3.2, Hgb 11.8 g/dL, plt 201, Cr 0.9 mg/dL (0.6-1.2).\n"
    "A/P: ECOG 1. CD70 3+. Life expectancy > 6 months.\n"
)


def test_bench_report_has_paired_rounds_and_linear_scaling_rows():
    docs = [Document(doc_id=f"d{i}", patient_id="p", text=NOTE) for i in range(6)]
    report = run_bench(docs, corpus_name="t", workers=1, with_medspacy=False, scaling_notes=2)
    names = [r.name for r in report.rates]
    assert names == [
        "tokenizer only (spacy.blank)",
        "tokenizer only (prescreen's)",
        "prescreen (1 process)",
    ]
    assert all(r.notes == 6 and r.words == 6 * len(NOTE.split()) for r in report.rates)
    assert len(report.paired_ratios) == 5 and all(x > 0 for x in report.paired_ratios)
    assert len(report.paired_cpu_ratios) == 5 and all(x > 0 for x in report.paired_cpu_ratios)
    ratios = report.ratios()
    assert set(ratios) == {
        "prescreen / tokenizer-only",
        "prescreen / tokenizer-only, median of paired rounds",
        "prescreen / tokenizer-only, CPU time, median of paired rounds",
        "prescreen / its own tokenizer",
    }
    assert [row["length_x"] for row in report.scaling] == [1, 4, 16]
    assert report.peak_rss_mb_main > 0
