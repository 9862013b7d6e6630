"""`prescreen evaluate`: run extraction over an annotated set and measure it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prescreen.extraction.batch import extract_documents
from prescreen.extraction.findings import Finding
from prescreen.extraction.pipeline import Extractor, pipeline_version
from prescreen.models.confidence import configured_version
from prescreen.models.features import heuristic_confidence
from prescreen.rules import LoadedTrial

from .calibration import auto_accept, brier_score, expected_calibration_error, plot_reliability
from .corpus import AnnotatedSet
from .patients import evaluate_patients
from .scoring import ScoreResult, score


@dataclass
class Evaluation:
    set_name: str
    documents: int
    skipped_documents: int
    result: ScoreResult
    findings: list[Finding]
    reliability_png: str | None = None
    patient_level: dict[str, Any] | None = None
    heuristic_labelled: list[tuple[float, bool]] = field(default_factory=list)
    model_version: str = "heuristic"

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        labelled = r.labelled
        accept = auto_accept(labelled, 0.01)
        h_accept = auto_accept(self.heuristic_labelled, 0.01)
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
                "model_version": self.model_version,
                "heuristic": {
                    "ece": round(expected_calibration_error(self.heuristic_labelled), 4),
                    "brier": round(brier_score(self.heuristic_labelled), 4),
                    "auto_accept_at_1pct_error": {
                        "coverage": round(h_accept.coverage, 4),
                        "threshold": round(h_accept.threshold, 4),
                        "error": round(h_accept.error, 4),
                    },
                },
            },
            "patients": self.patient_level or {},
            "misses": r.misses,
            "false_alarms": r.false_alarms,
        }


def evaluate_set(
    data: AnnotatedSet,
    *,
    extractor: Extractor | None = None,
    workers: int = 1,
    plot: Path | None = None,
    trial: LoadedTrial | None = None,
) -> Evaluation:
    findings: list[Finding] = []
    for res in extract_documents(data.documents, workers=workers, extractor=extractor):
        findings.extend(res.findings)
    result = score(findings, data.gold)
    # the same findings scored with their heuristic confidence, for a side-by-side
    heuristic = [
        f.model_copy(update={"confidence": round(heuristic_confidence(f), 4)}) for f in findings
    ]
    h_labelled = score(heuristic, data.gold).labelled
    png = None
    if plot is not None:
        png = str(plot_reliability(result.labelled, plot, f"Reliability: {data.name}"))
    patient_level = None
    if trial is not None and data.patients:
        patient_level = evaluate_patients(
            data, findings, trial, pipeline_version(), configured_version()
        )
    version = extractor.model_version if extractor is not None else configured_version()
    return Evaluation(
        data.name,
        len(data.documents),
        data.skipped_documents,
        result,
        findings,
        png,
        patient_level,
        h_labelled,
        version,
    )
