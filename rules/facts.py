"""A patient's facts: findings from all documents, plus nurse confirmations, resolved.

- Measurements (labs, ECOG, SpO2, LVEF, lesions): the latest dated *current* value wins,
  within a freshness window before the screening date; several current values on that
  latest date that disagree are a **conflict**.
- A lab value quoted again without its range keeps the range printed with it earlier
  (same field and value, within a month): it is the same measurement. Quoted without its
  unit and without a date of its own, it also takes the printed unit and date.
- History facts (therapy, psychiatric history, Gilbert's, liver involvement, diagnosis)
  accumulate over the chart.
- Negated, hypothetical, possible and family mentions never count as present.
- Confirmations (a nurse confirmed, corrected or rejected a finding, or entered a value)
  override extraction; confirmed values carry confidence 1 and are never "derived".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from prescreen.extraction.findings import Assertion, Finding

CURRENT = Assertion.PRESENT


class Confirmation(BaseModel):
    """A research nurse's decision about one finding, one value or one criterion."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    patient_id: str
    action: Literal["confirm", "correct", "reject", "add", "decide"]
    finding_id: str | None = None
    criterion_id: str | None = None
    field: str | None = None
    value: Any = None
    unit: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    date: dt.date | None = None
    status: Literal["met", "not_met", "unknown"] | None = None
    reviewer: str = "unknown"
    at: dt.datetime | None = None
    note: str | None = None


def derived_reasons(f: Finding, *, uses_uln: bool = False) -> list[str]:
    """Why a finding's value (or, with ``uses_uln``, its ×ULN ratio) rests on an
    assumption rather than on what was written."""
    if f.attributes.get("confirmed"):
        return []
    out = []
    if uses_uln and f.attributes.get("uln_source") == "default":
        out.append("default ULN (the note printed no range)")
    # A unit read off a magnitude only one unit fits (ALC 0.3 can only be x10^9/L) is
    # treated as written; one chosen between several that fit (Hb 7.8 as g/dL because the
    # document uses US units) is an assumption.
    if f.attributes.get("unit_inferred") and f.attributes.get("unit_inference") != "magnitude":
        out.append(f"unit inferred ({f.attributes['unit_inferred']}) among several that fit")
    if f.unit is None and f.attributes.get("unit_candidates"):
        out.append("unit unknown")
    return out


@dataclass
class PatientFacts:
    patient_id: str
    as_of: dt.date | None
    findings: list[Finding]
    document_kinds: dict[str, str] = field(default_factory=dict)
    criterion_overrides: dict[str, Confirmation] = field(default_factory=dict)

    def of(self, field_name: str) -> list[Finding]:
        return [f for f in self.findings if f.field == field_name]

    def current(self, field_name: str, where: dict[str, Any] | None = None) -> list[Finding]:
        return [
            f for f in self.of(field_name) if f.assertion is CURRENT and matches(f, where or {})
        ]

    def has_present(self, field_name: str) -> list[Finding]:
        """Present mentions of a history fact (value true / any value)."""
        return [f for f in self.current(field_name) if f.value not in (False, None)]

    def fresh(self, findings: Iterable[Finding], days: int | None) -> tuple[list[Finding], bool]:
        """Findings within ``days`` before as_of (and not after it); True if some were stale."""
        items = list(findings)
        if days is None or self.as_of is None:
            return items, False
        lo = self.as_of - dt.timedelta(days=days)
        keep = [f for f in items if f.date is None or lo <= f.date <= self.as_of]
        return keep, len(keep) < len(items)

    def latest(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings on the latest date (undated ones only when nothing is dated)."""
        items = list(findings)
        dated = [f for f in items if f.date is not None]
        if not dated:
            return items
        last = max(f.date for f in dated)  # type: ignore[type-var]
        return [f for f in dated if f.date == last]


def matches(f: Finding, where: dict[str, Any]) -> bool:
    for key, want in where.items():
        got = f.value if key == "value" else f.attributes.get(key)
        if isinstance(want, list):
            if isinstance(got, list):
                if not set(map(str, got)) & set(map(str, want)):
                    return False
            elif got not in want and str(got).lower() not in {str(w).lower() for w in want}:
                return False
        elif isinstance(want, str) and isinstance(got, str):
            if got.lower() != want.lower():
                return False
        elif got != want:
            return False
    return True


def apply_confirmations(
    findings: list[Finding], confirmations: Iterable[Confirmation]
) -> tuple[list[Finding], dict[str, Confirmation]]:
    """Findings with nurses' confirmations applied, and criterion-level decisions."""
    by_id = {f.id: f for f in findings}
    overrides: dict[str, Confirmation] = {}
    added: list[Finding] = []
    for c in confirmations:
        if c.action == "decide":
            if c.criterion_id:
                overrides[c.criterion_id] = c
            continue
        if c.action == "add":
            if not c.field:
                continue
            added.append(_confirmed_finding(c, None))
            continue
        f = by_id.get(c.finding_id or "")
        if f is None:
            continue
        if c.action == "reject":
            del by_id[f.id]
        elif c.action == "confirm":
            attrs = {**f.attributes, "confirmed": True, "confirmed_by": c.reviewer}
            by_id[f.id] = f.model_copy(update={"confidence": 1.0, "attributes": attrs})
        elif c.action == "correct":
            by_id[f.id] = _confirmed_finding(c, f)
    return [*by_id.values(), *added], overrides


def _confirmed_finding(c: Confirmation, base: Finding | None) -> Finding:
    attrs = {**(base.attributes if base else {}), **c.attributes}
    attrs.update({"confirmed": True, "confirmed_by": c.reviewer})
    for k in ("unit_inferred", "unit_candidates", "needs_review"):
        attrs.pop(k, None)
    if base is not None:
        return base.model_copy(
            update={
                "value": c.value if c.value is not None else base.value,
                "unit": c.unit or base.unit,
                "attributes": attrs,
                "confidence": 1.0,
                "date": c.date or base.date,
                "assertion": Assertion.PRESENT,
            }
        )
    return Finding(
        id=f"confirmed:{c.patient_id}:{c.field}:{c.date}:{c.value}",
        doc_id="(confirmation)",
        patient_id=c.patient_id,
        field=c.field or "",
        value=c.value,
        unit=c.unit,
        attributes=attrs,
        text="",
        start=0,
        end=0,
        assertion=Assertion.PRESENT,
        date=c.date,
        date_source="text" if c.date else "none",
        confidence=1.0,
        rule="confirmation",
        pipeline_version="confirmation",
    )


def _same_value(a: float, b: float) -> bool:
    """Two readings of one measurement: ``b`` within 2% of ``a`` (the scorer's tolerance)."""
    return abs(a - b) <= 0.02 * max(abs(a), 1e-9)


RESTATED_WITHIN_DAYS = 31  # a value quoted again within this many days of a printed one


def inherit_printed_uln(findings: list[Finding]) -> list[Finding]:
    """A lab value quoted again without its range ("Labs 08/05: T bili 3.1 mg/dL (ref
    0.2-1.2)" in one note, "bilirubin 3.1 mg/dL" in the next) is the same measurement: it
    keeps the range printed with it, instead of a default ULN. Only for the same field and
    value (within 2%), printed on or before the quote, within RESTATED_WITHIN_DAYS."""
    printed = [
        f
        for f in findings
        if f.assertion is CURRENT and f.attributes.get("uln_source") == "note"
        and isinstance(f.value, int | float) and f.attributes.get("x_uln") is not None
    ]  # fmt: skip
    if not printed:
        return findings
    out = []
    for f in findings:
        src = None
        if (
            f.attributes.get("uln_source") == "default"
            and not f.attributes.get("confirmed")
            and isinstance(f.value, int | float)
        ):
            src = next(
                (
                    p
                    for p in printed
                    if p.field == f.field
                    and _same_value(p.value, f.value)
                    and (f.date is None or p.date is None or p.date <= f.date)
                    and (
                        f.date is None
                        or p.date is None
                        or (f.date - p.date).days <= RESTATED_WITHIN_DAYS
                    )
                ),
                None,
            )
        if src is None:
            out.append(f)
            continue
        attrs = {
            k: v
            for k, v in f.attributes.items()
            if k not in ("uln_reference", "x_uln_conservative")
        }
        # the ULN is kept in the unit it was printed in: scale the printed ratio instead
        ratio = float(src.attributes["x_uln"]) * (f.value / src.value if src.value else 1.0)
        attrs.update(
            uln=src.attributes.get("uln"),
            uln_source="note",
            x_uln=round(ratio, 2),
            uln_from_finding=src.id,
        )
        out.append(f.model_copy(update={"attributes": attrs}))
    return out


RESTATED_UNIT_WITHIN_DAYS = 90  # a unitless quote of a value printed with its unit before


def date_unitless_quotes(findings: list[Finding]) -> list[Finding]:
    """A lab value quoted without its unit and without a date of its own ("hgb was 8.7" in
    a later note) that repeats a value printed earlier with its unit is that earlier
    measurement: it takes the printed unit and the printed date (it is not a new, later
    value whose unit had to be guessed)."""
    printed = [
        f
        for f in findings
        if f.assertion is CURRENT and f.date is not None and f.unit
        and "original_value" in f.attributes and not f.attributes.get("unit_inferred")
        and not f.attributes.get("unit_candidates")
    ]  # fmt: skip
    if not printed:
        return findings
    out = []
    for f in findings:
        quoted = (
            f.date is not None
            and f.date_source == "document"
            and not f.attributes.get("confirmed")
            and "original_value" in f.attributes
            and (f.attributes.get("unit_inferred") or f.attributes.get("unit_candidates"))
        )
        src = None
        if quoted:
            raw = f.attributes["original_value"]
            src = next(
                (
                    p
                    for p in sorted(printed, key=lambda p: p.date, reverse=True)  # type: ignore[arg-type, return-value]
                    if p.field == f.field
                    and p.date < f.date  # type: ignore[operator]
                    and (f.date - p.date).days <= RESTATED_UNIT_WITHIN_DAYS  # type: ignore[operator]
                    and isinstance(raw, int | float)
                    and isinstance(p.attributes["original_value"], int | float)
                    and _same_value(raw, p.attributes["original_value"])
                ),
                None,
            )
        if src is None:
            out.append(f)
            continue
        attrs = {
            k: v
            for k, v in f.attributes.items()
            if k not in ("unit_inferred", "unit_inference", "unit_candidates")
        }
        for k in ("original_unit", "uln", "uln_source", "x_uln", "x_uln_conservative"):
            if k in src.attributes:
                attrs[k] = src.attributes[k]
            else:
                attrs.pop(k, None)
        attrs["restates_finding"] = src.id
        out.append(
            f.model_copy(
                update={"value": src.value, "unit": src.unit, "date": src.date, "attributes": attrs}
            )
        )
    return out


def build_facts(
    patient_id: str,
    findings: Iterable[Finding],
    *,
    as_of: dt.date | None,
    confirmations: Iterable[Confirmation] = (),
    document_kinds: dict[str, str] | None = None,
) -> PatientFacts:
    mine = [f for f in findings if f.patient_id == patient_id]
    conf = [c for c in confirmations if c.patient_id == patient_id]
    resolved, overrides = apply_confirmations(inherit_printed_uln(date_unitless_quotes(mine)), conf)
    return PatientFacts(patient_id, as_of, resolved, document_kinds or {}, overrides)
