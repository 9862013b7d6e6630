"""`prescreen evaluate`: run extraction over an annotated set and measure it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prescreen.extraction.batch import extract_documents
from prescreen.extraction.findings import Finding
from prescreen.extraction.pipeline import Extractor

from .calibration import auto_accept, brier_score, expected_calibration_error, plot_reliability
from .corpus import AnnotatedSet
from .scoring import ScoreResult, score


@dataclass
class Evaluation:
    set_name: str
    documents: int
    skipped_documents: int
    result: ScoreResult
    findings: list[Finding]
    reliability_png: str | None = None

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        labelled = r.labelled
        accept = auto_accept(labelled, 0.01)
        return {
            "set": self.set_name,
            "documents": self.documents,
            "skipped_documents": self.skipped_documents,
            "overall": r.overall.as_dict(),
            "fields": {k: v.as_dict() for k, v in r.per_field.items()},
            "assertion_accuracy": round(r.assertion_accuracy, 4),
            "assertion_n": r.assertion_total,
            "confidence": {
                "n": len(labelled),
                "ece": round(expected_calibration_error(labelled), 4),
                "brier": round(brier_score(labelled), 4),
                "auto_accept_at_1pct_error": {
                    "coverage": round(accept.coverage, 4),
                    "threshold": round(accept.threshold, 4),
                    "error": round(accept.error, 4),
                },
                "reliability_png": self.reliability_png,
            },
            "misses": r.misses,
            "false_alarms": r.false_alarms,
        }


def evaluate_set(
    data: AnnotatedSet,
    *,
    extractor: Extractor | None = None,
    workers: int = 1,
    plot: Path | None = None,
) -> Evaluation:
    findings: list[Finding] = []
    for res in extract_documents(data.documents, workers=workers, extractor=extractor):
        findings.extend(res.findings)
    result = score(findings, data.gold)
    png = None
    if plot is not None:
        png = str(plot_reliability(result.labelled, plot, f"Reliability: {data.name}"))
    return Evaluation(data.name, len(data.documents), data.skipped_documents, result, findings, png)
