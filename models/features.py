"""The one place that turns a finding (in its document) into model features.

Features: field, rule family and form, section, assertion and the ConText modifier kinds
seen, the heuristic score and its prior, unit written / inferred (and how) / unknown,
plausibility, ranges and bounds, ULN source, date source, how many competing values of
the field the line and the document hold, document kind, table vs prose, OCR-like noise,
evidence length and distance between anchor and value.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from prescreen.extraction.findings import Finding

FEATURE_SCHEMA_VERSION = 1

_TABLE = re.compile(r"\||\t| {3,}\S")
_NOISE = re.compile(r"[^A-Za-z0-9\s.,:;()/%+\-<>=×x'\"*#&\[\]µ°]")


def _line(text: str, start: int, end: int) -> str:
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    return text[a : b if b != -1 else len(text)]


def _layout(line: str) -> tuple[float, float]:
    """OCR-like noise (share of odd characters) and table layout of a line."""
    noise = len(_NOISE.findall(line)) / max(1, len(line))
    return round(noise, 4), float(bool(_TABLE.search(line)))


def heuristic_confidence(f: Finding) -> float:
    """The heuristic confidence (the explanation's steps before any model step)."""
    total = 0.0
    for step in f.explanation:
        if step.reason.startswith("calibrated model"):
            break
        total += step.delta
    return total


def featurize(findings: Sequence[Finding], text: str, doc_kind: str) -> list[dict[str, Any]]:
    """Feature dicts for the findings of one document (same order)."""
    per_field = Counter(f.field for f in findings)
    values: dict[str, set[str]] = {}
    for f in findings:
        values.setdefault(f.field, set()).add(str(f.value))
    lines = [_line(text, f.start, f.end) if text else f.text for f in findings]
    line_starts = [text.rfind("\n", 0, f.start) + 1 if text else 0 for f in findings]
    per_line = Counter(zip((f.field for f in findings), line_starts, strict=True))
    layout: dict[str, tuple[float, float]] = {}  # (noise, in_table) of each distinct line
    out = []
    for f, line, ls in zip(findings, lines, line_starts, strict=True):
        a = f.attributes
        same_line = per_line[(f.field, ls)] - 1
        family, _, form = f.rule.partition("/")
        mods = a.get("context_modifiers") or []
        reasons = " ".join(s.reason for s in f.explanation)
        noise, in_table = layout.get(line) or layout.setdefault(line, _layout(line))
        feats: dict[str, Any] = {
            "field=" + f.field: 1,
            "rule=" + family: 1,
            "form=" + (form or "-"): 1,
            "section=" + (f.section or "none"): 1,
            "assertion=" + f.assertion.value: 1,
            "doc_kind=" + (doc_kind or "note"): 1,
            "date_source=" + f.date_source: 1,
            "uln_source=" + str(a.get("uln_source", "none")): 1,
            "unit_inference=" + str(a.get("unit_inference", "none")): 1,
            "heuristic": heuristic_confidence(f),
            "prior": f.explanation[0].delta if f.explanation else 0.0,
            "n_adjustments": max(0, len(f.explanation) - 1),
            "has_unit": float(f.unit is not None),
            "unit_written": float(bool(a.get("original_unit"))),
            "unit_ambiguous": float(f.unit is None and bool(a.get("unit_candidates"))),
            "implausible": float(bool(a.get("implausible"))),
            "comparator": float("comparator" in a),
            "range": float("range" in a),
            "needs_review": float(bool(a.get("needs_review"))),
            "flagged": float("flag" in a),
            "far_from_anchor": float("far from the anchor" in reasons),
            "n_modifiers": len(mods),
            "mod_neg": float(any(m.startswith("neg.") for m in mods)),
            "mod_hyp": float(any(m.startswith("hyp.") for m in mods)),
            "mod_hist": float(any(m.startswith("hist.") for m in mods)),
            "mod_pos": float(any(m.startswith("pos.") for m in mods)),
            "mod_fam": float(any(m.startswith("fam.") for m in mods)),
            "assertion_by_parser": float("assertion_reason" in a),
            "n_field_in_doc": per_field[f.field],
            "n_values_in_doc": len(values[f.field]),
            "n_field_in_line": same_line,
            "in_table": in_table,
            "noise": noise,
            "evidence_chars": min(f.end - f.start, 400),
        }
        out.append(feats)
    return out
