"""Read documents from .txt files, folders, JSONL and CSV, reporting bad input clearly.

Every problem becomes an :class:`InputError` naming the input (file, and line or row),
yielded in place of the document it concerns; other documents are unaffected.

- ``.txt``: doc_id = file stem; patient_id = the name of the folder holding the file
  (a folder of notes per patient); date = an ISO date at the start of the stem
  ("2026-03-14-ct-chest.txt"), else none; kind guessed from the stem (path, ct, echo...).
- folders: every .txt/.jsonl/.csv below, in sorted order.
- ``.jsonl``: one object per line with doc_id, patient_id, kind, date, text (others ignored).
- ``.csv``: the same columns with a header row; ``text`` is required.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from prescreen.extraction.findings import Document

SUFFIXES = {".txt", ".jsonl", ".csv"}
_ISO_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_KIND_WORDS = [
    ("pathology", ("path", "pathology", "biopsy", "ihc", "surgical")),
    ("radiology", ("ct", "mri", "pet", "radiology", "imaging", "scan", "xray", "x-ray")),
    ("echo", ("echo", "tte", "echocardiogram")),
    ("ecg", ("ecg", "ekg")),
    ("lab", ("lab", "labs", "cbc", "cmp")),
    ("discharge", ("discharge",)),
    ("clinic_note", ("clinic", "consult", "progress", "note", "hp", "h&p", "visit")),
]


@dataclass(frozen=True, slots=True)
class InputError:
    """A problem with one input (a file, or a line/row of one)."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


def guess_kind(stem: str) -> str:
    words = set(re.split(r"[^a-z&]+", stem.lower()))
    for kind, keys in _KIND_WORDS:
        if words & set(keys):
            return kind
    return "note"


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM); refuse binary data."""
    if b"\x00" in raw[:8192]:
        raise ValueError("binary file (contains NUL bytes), not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "convert it to UTF-8 first"
        ) from None


def _parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValueError(f"date {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _document(record: dict[str, Any], source: str) -> Document | InputError:
    text = record.get("text")
    if not isinstance(text, str):
        return InputError(source, "missing 'text' (a string)")
    if not text.strip():
        return InputError(source, "empty text")
    doc_id = record.get("doc_id")
    if doc_id in (None, ""):
        return InputError(source, "missing 'doc_id'")
    patient_id = record.get("patient_id") or doc_id
    try:
        return Document(
            doc_id=str(doc_id),
            patient_id=str(patient_id),
            kind=str(record.get("kind") or "note"),
            date=_parse_date(record.get("date")),
            text=text,
        )
    except (ValueError, ValidationError) as exc:
        msg = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        return InputError(source, msg)


def _read(path: Path) -> bytes:
    return path.read_bytes()


def read_txt(path: Path) -> Iterator[Document | InputError]:
    try:
        text = _decode(_read(path))
    except (OSError, ValueError) as exc:
        yield InputError(str(path), str(exc) if isinstance(exc, ValueError) else exc.strerror)
        return
    if not text.strip():
        yield InputError(str(path), "empty document")
        return
    m = _ISO_PREFIX.match(path.stem)
    date = None
    if m:
        try:
            date = dt.date.fromisoformat(m.group(1))
        except ValueError:
            date = None
    parent = path.resolve().parent.name or path.stem
    yield Document(
        doc_id=path.stem, patient_id=parent, kind=guess_kind(path.stem), date=date, text=text
    )


def read_jsonl(path: Path) -> Iterator[Document | InputError]:
    try:
        content = _decode(_read(path))
    except (OSError, ValueError) as exc:
        yield InputError(str(path), str(exc) if isinstance(exc, ValueError) else exc.strerror)
        return
    n = 0
    for lineno, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        n += 1
        source = f"{path}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(source, f"malformed JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield InputError(source, "each line must be a JSON object")
            continue
        yield _document(record, source)
    if n == 0:
        yield InputError(str(path), "no documents (the file is empty)")


def read_csv(path: Path) -> Iterator[Document | InputError]:
    try:
        content = _decode(_read(path))
    except (OSError, ValueError) as exc:
        yield InputError(str(path), str(exc) if isinstance(exc, ValueError) else exc.strerror)
        return
    reader = csv.DictReader(io.StringIO(content, newline=""))
    fields = [f.strip() for f in (reader.fieldnames or [])]
    if "text" not in fields:
        cols = ", ".join(fields) if fields else "none"
        yield InputError(str(path), f"no 'text' column (columns found: {cols})")
        return
    reader.fieldnames = fields
    n = 0
    try:
        for row in reader:
            n += 1
            yield _document(dict(row), f"{path}:row {reader.line_num}")
    except csv.Error as exc:
        yield InputError(f"{path}:row {reader.line_num}", f"malformed CSV ({exc})")
    if n == 0:
        yield InputError(str(path), "no rows")


READERS = {".txt": read_txt, ".jsonl": read_jsonl, ".csv": read_csv}


def read_inputs(paths: Iterable[str | Path]) -> Iterator[Document | InputError]:
    """Documents (or errors) from every path, in order; folders are walked recursively."""
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            yield InputError(str(path), "no such file or directory")
        elif path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
            if not files:
                yield InputError(str(path), "folder holds no .txt, .jsonl or .csv files")
            for f in files:
                yield from READERS[f.suffix.lower()](f)
        elif path.suffix.lower() in READERS:
            yield from READERS[path.suffix.lower()](path)
        else:
            yield InputError(
                str(path),
                f"unsupported file type {path.suffix or '(none)'!r}: use .txt, .jsonl or .csv",
            )
