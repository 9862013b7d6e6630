"""Annotated sets on disk: documents, gold findings, patient outcomes, splits.

A set is a folder with ``documents.jsonl`` (doc_id, patient_id, kind, date, text),
``gold.jsonl`` (doc_id, field, value, unit?, attributes?, assertion, optional?),
optionally ``patients.jsonl`` (patient_id, status, criteria) and ``splits.json``
(patient_id or doc_id → train | dev | test, or another name such as `heldout`).

Documents whose licence keeps them out of the project carry ``"text": null`` and a
``text_ref`` (a JSONL file relative to the set folder); their text is read from there
when it is present, else the document is skipped (and counted).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prescreen.extraction.findings import Document


@dataclass(frozen=True, slots=True)
class GoldFact:
    doc_id: str
    field: str
    value: Any
    assertion: str
    unit: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    optional: bool = False
    index: int = 0  # line number in gold.jsonl (1-based), to name misses without values


@dataclass
class AnnotatedSet:
    name: str
    documents: list[Document]
    gold: list[GoldFact]
    patients: dict[str, dict[str, Any]]
    splits: dict[str, str]
    skipped_documents: int = 0

    def split(self, which: str | None) -> AnnotatedSet:
        """The part of the set in split ``which`` (by patient_id, else by doc_id)."""
        if which is None:
            return self
        if not self.splits:
            raise ValueError(f"{self.name}: no splits.json, cannot select split {which!r}")
        names = sorted(set(self.splits.values()))
        if which not in names:
            have = ", ".join(names)
            raise ValueError(f"{self.name}: no split {which!r} (splits.json has {have})")

        def in_split(d: Document) -> bool:
            key = d.patient_id if d.patient_id in self.splits else d.doc_id
            return self.splits.get(key) == which

        docs = [d for d in self.documents if in_split(d)]
        ids = {d.doc_id for d in docs}
        pids = {d.patient_id for d in docs}
        return AnnotatedSet(
            name=f"{self.name}[{which}]",
            documents=docs,
            gold=[g for g in self.gold if g.doc_id in ids],
            patients={k: v for k, v in self.patients.items() if k in pids},
            splits=self.splits,
            skipped_documents=self.skipped_documents,
        )


def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def _external_texts(ref: Path, cache: dict[Path, dict[str, str]]) -> dict[str, str]:
    if ref not in cache:
        cache[ref] = {r["doc_id"]: r["text"] for r in _jsonl(ref)} if ref.exists() else {}
    return cache[ref]


def load_set(folder: Path | str) -> AnnotatedSet:
    folder = Path(folder)
    if not (folder / "documents.jsonl").exists():
        raise FileNotFoundError(f"{folder}: no documents.jsonl (not an annotated set)")
    docs: list[Document] = []
    skipped = 0
    cache: dict[Path, dict[str, str]] = {}
    for r in _jsonl(folder / "documents.jsonl"):
        text = r.get("text")
        if text is None and r.get("text_ref"):
            text = _external_texts((folder / r["text_ref"]).resolve(), cache).get(r["doc_id"])
        if not text:
            skipped += 1
            continue
        docs.append(
            Document(
                doc_id=r["doc_id"],
                patient_id=r.get("patient_id") or r["doc_id"],
                kind=r.get("kind") or "note",
                date=r.get("date"),
                text=text,
            )
        )
    present = {d.doc_id for d in docs}
    gold = [
        GoldFact(
            doc_id=g["doc_id"],
            field=g["field"],
            value=g["value"],
            assertion=g.get("assertion", "present"),
            unit=g.get("unit"),
            attributes=g.get("attributes") or {},
            optional=bool(g.get("optional", False)),
            index=i,
        )
        for i, g in enumerate(_jsonl(folder / "gold.jsonl"), start=1)
        if g["doc_id"] in present
    ]
    patients = {p["patient_id"]: p for p in _jsonl(folder / "patients.jsonl")}
    splits_path = folder / "splits.json"
    splits = json.loads(splits_path.read_text()) if splits_path.exists() else {}
    return AnnotatedSet(folder.name, docs, gold, patients, splits, skipped)
