"""The trial-file vocabulary: pydantic models of a trial YAML (unknown keys rejected).

A criterion holds a declarative ``check`` built from a few node types:

- ``value``: the latest fresh current value of a field compared with a threshold
  (``op`` + ``value``), optionally filtered (``where``), with a fallback field mapped
  by bands (Karnofsky for ECOG) and values to set aside (``unusable_when``: SpO2 measured
  on oxygen).
- ``x_uln``: the latest fresh value as a multiple of its ULN, with relaxed limits when
  a history fact is present (ALT/AST ≤ 5×ULN with liver involvement).
- ``category``: a categorical result (an IHC score for a marker) sorted into met /
  not met / unknown values.
- ``history``: a history-type fact accumulated over the chart; findings matching ``bad``
  fail the criterion, a negated mention or only other findings pass it.
- ``therapy_failure``: some prior therapy of the given classes or values ended in the
  given outcomes.
- ``measurable_lesion``: RECIST 1.1 measurability (size limits, modality, slice thickness).
- ``diagnosis``: a confirmed advanced/metastatic solid tumour.
- ``all`` / ``any`` / ``not``: three-valued (Kleene) combinations.

``polarity: exclusion`` marks a criterion whose check describes the excluding condition
(met → the patient is excluded), so other trials' exclusion lists need no code.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Op = Literal["<", "<=", ">", ">=", "==", "!="]
Status = Literal["met", "not_met", "unknown"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Strict):
    """A fallback value range and the status it gives: KPS 70-100 → met."""

    min: float
    max: float
    status: Status
    reason: str


class Fallback(_Strict):
    field: str
    bands: list[Band] = Field(min_length=1)
    fresh_days: int | None = None


class ValueCheck(_Strict):
    kind: Literal["value"]
    field: str
    op: Op
    value: float
    unit: str | None = None
    where: dict[str, Any] = Field(default_factory=dict)
    unusable_when: dict[str, Any] = Field(default_factory=dict)
    unusable_reason: str = "value not usable for this criterion"
    fresh_days: int | None = None
    fallback: Fallback | None = None


class Relax(_Strict):
    """A relaxed limit that applies when any of the listed history facts is present."""

    when_any: list[str] = Field(min_length=1)
    value: float


class XUlnCheck(_Strict):
    kind: Literal["x_uln"]
    field: str
    op: Op
    value: float
    relax: list[Relax] = Field(default_factory=list)
    fresh_days: int | None = None


class CategoryCheck(_Strict):
    kind: Literal["category"]
    field: str
    key: str = "value"  # judge this attribute instead of the value (e.g. "significant")
    where: dict[str, Any] = Field(default_factory=dict)
    met: list[str] = Field(min_length=1)
    not_met: list[str] = Field(default_factory=list)
    fresh_days: int | None = None


class HistoryCheck(_Strict):
    kind: Literal["history"]
    field: str
    bad: dict[str, Any] = Field(default_factory=dict)
    missing: Status = "unknown"


class TherapyFailureCheck(_Strict):
    kind: Literal["therapy_failure"]
    field: str = "therapy"
    outcomes: list[str] = Field(min_length=1)
    classes: list[str] = Field(default_factory=list)
    values: list[str] = Field(default_factory=list)
    other_failures: Status = "unknown"


class MeasurableLesionCheck(_Strict):
    kind: Literal["measurable_lesion"]
    field: str = "lesion"
    extranodal_min_mm: float
    node_short_axis_min_mm: float
    modalities: list[str] = Field(min_length=1)
    other_modalities: Status = "unknown"
    slice_field: str = "ct_slice_thickness"
    slice_max_mm: float
    slice_missing: Status = "met"
    fresh_days: int | None = None


class DiagnosisCheck(_Strict):
    kind: Literal["diagnosis"]
    field: str = "diagnosis"
    confirmations: list[str] = Field(min_length=1)
    confirming_document_kinds: list[str] = Field(default_factory=list)
    require_advanced: bool = True


class AllCheck(_Strict):
    kind: Literal["all"]
    checks: list[Check] = Field(min_length=1)


class AnyCheck(_Strict):
    kind: Literal["any"]
    checks: list[Check] = Field(min_length=1)


class NotCheck(_Strict):
    kind: Literal["not"]
    check: Check


Check = Annotated[
    ValueCheck
    | XUlnCheck
    | CategoryCheck
    | HistoryCheck
    | TherapyFailureCheck
    | MeasurableLesionCheck
    | DiagnosisCheck
    | AllCheck
    | AnyCheck
    | NotCheck,
    Field(discriminator="kind"),
]


class Criterion(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str
    polarity: Literal["inclusion", "exclusion"] = "inclusion"
    check: Check | None = None
    manual: bool = False
    weight: float = Field(default=1.0, gt=0)
    interpretation: str | None = None

    @model_validator(mode="after")
    def _check_or_manual(self) -> Criterion:
        if self.manual == (self.check is not None):
            raise ValueError("a criterion has either a 'check' or 'manual: true'")
        return self


class Trial(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    version: str
    source: str
    freshness_days: dict[str, int] = Field(default_factory=dict)
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Trial:
        ids = [c.id for c in self.criteria]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate criterion ids: {sorted(dup)}")
        return self


AllCheck.model_rebuild()
AnyCheck.model_rebuild()
NotCheck.model_rebuild()
