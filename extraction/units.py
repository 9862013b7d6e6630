"""Lab units: recognise a written unit, convert to the canonical unit, infer a missing one,
and give default reference ranges. All numbers live in ``resources/labs.yaml`` and
``resources/reference_ranges.yaml``; this module only applies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from prescreen.yamlfile import load_model

RESOURCES = Path(__file__).parent / "resources"


class UnitSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    pattern: str
    factor: float = Field(gt=0)


class InferBand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min: float
    max: float
    unit: str


class AnchorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_0-9]+$")
    literals: list[str] = Field(min_length=1)


class AnalyteSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    canonical: str
    prior: float = Field(gt=0, lt=1)
    anchors: list[AnchorSpec] = Field(min_length=1)
    units: list[UnitSpec] = Field(min_length=1)
    infer: list[InferBand] = Field(default_factory=list)
    plausible: tuple[float, float]
    percent_is_differential: bool = False
    system_units: dict[Literal["us", "si"], str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _bands_use_known_units(self) -> AnalyteSpec:
        known = {u.id for u in self.units}
        for unit in self.system_units.values():
            if unit not in known:
                raise ValueError(f"system unit {unit!r} is not one of {sorted(known)}")
        for band in self.infer:
            if band.unit not in known:
                raise ValueError(f"inference band unit {band.unit!r} is not one of {sorted(known)}")
        for u in self.units:
            re.compile(u.pattern)
        return self


class PairSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    literals: list[str]
    analytes: tuple[str, str]


class TimeCues(BaseModel):
    """Phrases that place a lab value in time relative to the note's other values."""

    model_config = ConfigDict(extra="forbid")

    earlier: list[str] = Field(default_factory=list)  # this clause only
    episode: list[str] = Field(default_factory=list)  # to the end of the paragraph
    over: list[str] = Field(default_factory=list)  # a bracketed aside's clause only
    current: list[str] = Field(default_factory=list)


class LabFile(BaseModel):
    model_config = ConfigDict(extra="allow")

    analytes: dict[str, AnalyteSpec]
    pairs: list[PairSpec] = Field(default_factory=list)
    blockers: list[str] = Field(default_factory=list)
    time_cues: TimeCues = Field(default_factory=TimeCues)

    @model_validator(mode="after")
    def _check(self) -> LabFile:
        extra = [k for k in (self.model_extra or {}) if not k.startswith("x-")]
        if extra:
            raise ValueError(f"unknown keys {extra}")
        for p in self.pairs:
            for a in p.analytes:
                if a not in self.analytes:
                    raise ValueError(f"pair {p.id}: unknown analyte {a!r}")
        return self


def load_labs(path: Path | None = None) -> LabFile:
    return load_model(path or RESOURCES / "labs.yaml", LabFile)


@dataclass(frozen=True, slots=True)
class UnitMatch:
    unit: str
    factor: float
    end: int  # character offset just after the unit


_US = re.compile(r"mg\s?/\s?dl|g\s?/\s?dl|k\s?/\s?[uµμ]l|/\s?mm3|thou\s?/", re.IGNORECASE)
_SI = re.compile(r"[uµμ]mol\s?/\s?l|\bg\s?/\s?l\b|10\s?\^?\s?9\s?/\s?l|x\s?10e9", re.IGNORECASE)


def unit_system(text: str) -> str | None:
    """'us' or 'si' when a document's written lab units are clearly one system."""
    us, si = len(_US.findall(text)), len(_SI.findall(text))
    if us >= 2 and us >= 3 * si:
        return "us"
    if si >= 2 and si >= 3 * us:
        return "si"
    return None


class UnitTable:
    """Compiled unit patterns for every analyte."""

    def __init__(self, labs: LabFile) -> None:
        self.labs = labs
        self._compiled: dict[str, list[tuple[UnitSpec, re.Pattern[str]]]] = {
            name: [(u, re.compile(r"[ \t|]{0,20}(?:" + u.pattern + ")")) for u in spec.units]
            for name, spec in labs.analytes.items()
        }
        self._factors = {
            name: {u.id: u.factor for u in spec.units} for name, spec in labs.analytes.items()
        }

    def match(self, analyte: str, text: str, pos: int) -> UnitMatch | None:
        """The longest known unit written at ``pos`` (leading spaces allowed)."""
        best: UnitMatch | None = None
        for spec, rx in self._compiled[analyte]:
            m = rx.match(text, pos)
            if m and (best is None or m.end() > best.end):
                best = UnitMatch(spec.id, spec.factor, m.end())
        return best

    def factor(self, analyte: str, unit: str) -> float:
        return self._factors[analyte][unit]

    def infer(self, analyte: str, value: float) -> tuple[str | None, list[str]]:
        """Unit for a value written without one: (unit or None, every plausible unit)."""
        bands = self.labs.analytes[analyte].infer
        fits = sorted({b.unit for b in bands if b.min <= value <= b.max})
        return (fits[0] if len(fits) == 1 else None), fits

    def by_system(self, analyte: str, system: str | None, fits: list[str]) -> str | None:
        """The unit a document's unit system implies, when it is one of those that fit."""
        if system is None:
            return None
        unit = self.labs.analytes[analyte].system_units.get(system)  # type: ignore[call-overload]
        return unit if unit in fits else None

    def plausible(self, analyte: str, canonical_value: float) -> bool:
        lo, hi = self.labs.analytes[analyte].plausible
        return lo <= canonical_value <= hi


class RangeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    low: float | None = None
    high: float | None = None
    female: tuple[float, float] | None = None
    male: tuple[float, float] | None = None
    source: str

    @model_validator(mode="after")
    def _some_range(self) -> RangeSpec:
        if self.high is None and (self.female is None or self.male is None):
            raise ValueError("give 'high' (and optional 'low'), or both 'female' and 'male'")
        return self


class RangeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    ranges: dict[str, RangeSpec]


Sex = Literal["female", "male"] | None


@dataclass(frozen=True, slots=True)
class DefaultUln:
    uln: float
    source: str
    sex_basis: str  # "female" | "male" | "any" | "lower of female/male"


class ReferenceRanges:
    """Default ULNs by analyte and sex (canonical units)."""

    def __init__(self, spec: RangeFile) -> None:
        self.spec = spec

    @classmethod
    def load(cls, path: Path | str | None = None) -> ReferenceRanges:
        return cls(load_model(path or RESOURCES / "reference_ranges.yaml", RangeFile))

    def uln(self, analyte: str, sex: Sex) -> DefaultUln | None:
        r = self.spec.ranges.get(analyte)
        if r is None:
            return None
        if r.high is not None:
            return DefaultUln(r.high, r.source, "any")
        assert r.female is not None and r.male is not None
        if sex == "female":
            return DefaultUln(r.female[1], r.source, "female")
        if sex == "male":
            return DefaultUln(r.male[1], r.source, "male")
        return DefaultUln(min(r.female[1], r.male[1]), r.source, "lower of female/male")

    def lowest_uln(self, analyte: str) -> float | None:
        """The lowest default ULN of any sex: a value within it is within range for anyone."""
        r = self.spec.ranges.get(analyte)
        if r is None:
            return None
        if r.high is not None:
            return r.high
        assert r.female is not None and r.male is not None
        return min(r.female[1], r.male[1])
