"""Screening service: documents → findings → patient facts → decisions → stable JSON.

The CLI (and later the HTTP API and batch jobs) call ``screen``; none of them holds logic.
JSON form (stable, documented in the README):

    {"trial": ..., "versions": {"pipeline", "trial", "model"},
     "patients": [{"patient_id", "status", "as_of",
                   "criteria": [{"id", "status", "confidence", "value", "reason",
                                 "evidence": [finding references]}],
                   "review_items": [...], "pending_manual": [...]}]}
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from prescreen.extraction.findings import Document, Finding
from prescreen.rules import LoadedTrial
from prescreen.rules.engine import CriterionResult, PatientDecision, decide
from prescreen.rules.facts import Confirmation, build_facts
from prescreen.rules.routing import RoutingPolicy


def finding_ref(f: Finding) -> dict[str, Any]:
    return {
        "finding_id": f.id,
        "doc_id": f.doc_id,
        "field": f.field,
        "value": f.value,
        "unit": f.unit,
        "date": f.date.isoformat() if f.date else None,
        "text": f.text,
        "start": f.start,
        "end": f.end,
        "assertion": f.assertion.value,
        "confidence": f.confidence,
    }


def _criterion_json(r: CriterionResult) -> dict[str, Any]:
    o = r.outcome
    return {
        "id": r.id,
        "status": o.status,
        "confidence": o.confidence,
        "value": o.value,
        "reason": o.reason,
        "flags": [k for k in ("derived", "conflict", "stale") if getattr(o, k)],
        "evidence": [finding_ref(f) for f in o.evidence],
    }


def decision_json(d: PatientDecision) -> dict[str, Any]:
    return {
        "patient_id": d.patient_id,
        "status": d.status,
        "as_of": d.as_of,
        "criteria": [_criterion_json(r) for r in d.criteria],
        "review_items": [i.as_dict() for i in d.review_items],
        "pending_manual": [{"id": r.id, "text": r.criterion.text} for r in d.pending_manual],
    }


def parse_as_of(value: str | None) -> dt.date | str | None:
    """None (each patient's latest document), 'today', or an ISO date."""
    if value is None:
        return None
    if value.lower() == "today":
        return dt.date.today()
    return dt.date.fromisoformat(value)


def read_confirmations(path: Path) -> tuple[list[Confirmation], list[str]]:
    """Confirmations JSONL → (confirmations, problems naming file:line)."""
    out: list[Confirmation] = []
    problems: list[str] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(Confirmation.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{n}: malformed JSON ({exc.msg})")
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err["loc"])
            problems.append(f"{path}:{n}: {where}: {err['msg']}")
    return out, problems


def screen(
    documents: Iterable[Document],
    findings: Iterable[Finding],
    trial: LoadedTrial,
    *,
    as_of: dt.date | None = None,
    confirmations: Iterable[Confirmation] = (),
    pipeline_version: str,
    model_version: str = "heuristic",
    policy: RoutingPolicy | None = None,
) -> dict[str, Any]:
    """Decide every patient among ``documents`` (grouped by patient_id)."""
    docs_by_patient: dict[str, list[Document]] = defaultdict(list)
    for d in documents:
        docs_by_patient[d.patient_id].append(d)
    by_patient: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_patient[f.patient_id].append(f)
    confirmations = list(confirmations)
    patients = []
    for pid in sorted(docs_by_patient):
        docs = docs_by_patient[pid]
        dates = [d.date for d in docs if d.date is not None]
        patient_as_of = as_of or (max(dates) if dates else None)
        facts = build_facts(
            pid,
            by_patient.get(pid, []),
            as_of=patient_as_of,
            confirmations=confirmations,
            document_kinds={d.doc_id: d.kind for d in docs},
        )
        patients.append(decision_json(decide(facts, trial.trial, policy)))
    return {
        "trial": trial.trial.id,
        "versions": {"pipeline": pipeline_version, "trial": trial.version, "model": model_version},
        "patients": patients,
    }
