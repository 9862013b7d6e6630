"""Writing findings as JSON, JSON Lines, CSV or a readable table."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from prescreen.extraction.findings import Finding

FORMATS = ("json", "jsonl", "csv", "table")
CSV_COLUMNS = [
    "id",
    "doc_id",
    "patient_id",
    "field",
    "value",
    "unit",
    "attributes",
    "text",
    "start",
    "end",
    "section",
    "assertion",
    "date",
    "date_source",
    "confidence",
    "rule",
    "explanation",
    "pipeline_version",
]


def finding_json(f: Finding) -> dict[str, Any]:
    return f.model_dump(mode="json")


class FindingWriter:
    """Streams findings in the chosen format (JSON collects until close)."""

    def __init__(self, fmt: str, out: IO[str], pipeline_version: str) -> None:
        self.fmt = fmt
        self.out = out
        self.version = pipeline_version
        self._collected: list[dict[str, Any]] = []
        self._errors: list[dict[str, str]] = []
        self._csv: csv.DictWriter[str] | None = None
        if fmt == "csv":
            self._csv = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
            self._csv.writeheader()

    def write(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            d = finding_json(f)
            if self.fmt == "jsonl":
                self.out.write(json.dumps(d, ensure_ascii=False) + "\n")
            elif self._csv is not None:
                row = dict(d)
                row["attributes"] = json.dumps(d["attributes"], ensure_ascii=False)
                row["explanation"] = json.dumps(d["explanation"], ensure_ascii=False)
                self._csv.writerow(row)
            else:
                self._collected.append(d)
        if self.fmt in ("jsonl", "csv"):
            self.out.flush()

    def error(self, source: str, message: str) -> None:
        self._errors.append({"input": source, "error": message})

    def close(self) -> None:
        if self.fmt == "json":
            json.dump(
                {
                    "pipeline_version": self.version,
                    "findings": self._collected,
                    "errors": self._errors,
                },
                self.out,
                ensure_ascii=False,
                indent=2,
            )
            self.out.write("\n")
        elif self.fmt == "table":
            Console(file=self.out, width=160).print(findings_table(self._collected))


def _short(value: Any, n: int = 40) -> str:
    s = "" if value is None else str(value)
    return s if len(s) <= n else s[: n - 1] + "…"


def findings_table(rows: list[dict[str, Any]]) -> Table:
    t = Table(title=f"{len(rows)} findings", show_lines=False)
    for col in (
        "doc",
        "field",
        "value",
        "unit",
        "assertion",
        "section",
        "date",
        "conf",
        "evidence",
    ):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(
            _short(r["doc_id"], 20),
            r["field"],
            _short(r["value"], 24),
            r["unit"] or "",
            r["assertion"],
            r["section"] or "",
            r["date"] or "",
            f"{r['confidence']:.2f}",
            _short(r["text"].replace("\n", " "), 50),
        )
    return t
