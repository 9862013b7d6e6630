"""Extraction: clinical text → Findings (knows nothing of HTTP, databases or trials)."""

from .findings import Assertion, Document, Finding
from .pipeline import DocumentTooLarge, Extractor, build_pipeline, pipeline_version

__all__ = [
    "Assertion",
    "Document",
    "DocumentTooLarge",
    "Extractor",
    "Finding",
    "build_pipeline",
    "pipeline_version",
]
