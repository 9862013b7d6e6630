"""Shared fixtures: one pipeline for the whole test session (building it takes ~1 s)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from prescreen.extraction import Document, Extractor, Finding


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """The rule pipeline with its heuristic confidence: extraction tests pin rule behaviour;
    the shipped calibrated model has its own tests (test_models.py)."""
    from prescreen.settings import Settings

    return Extractor(settings=Settings(model_path="none"))


@pytest.fixture(scope="session")
def extract(extractor: Extractor) -> Callable[..., list[Finding]]:
    """extract(text, date=..., kind=...) -> findings of one document."""

    def run(
        text: str,
        *,
        date: dt.date | None = dt.date(2026, 3, 15),
        kind: str = "clinic_note",
        doc_id: str = "doc",
        patient_id: str = "pt",
    ) -> list[Finding]:
        return extractor.extract(
            Document(doc_id=doc_id, patient_id=patient_id, kind=kind, date=date, text=text)
        )

    return run


def only(findings: list[Finding], field: str) -> list[Finding]:
    return [f for f in findings if f.field == field]
