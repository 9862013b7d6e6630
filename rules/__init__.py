"""Eligibility rules: trial criteria as data, patient facts, three-valued decisions.

Knows findings (the Finding contract), not spaCy, HTTP or databases.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from prescreen.yamlfile import DataFileError, load_model

from .schema import Trial

TRIALS_DIR = Path(__file__).parent / "trials"


@dataclass(frozen=True)
class LoadedTrial:
    trial: Trial
    path: Path
    digest: str

    @property
    def version(self) -> str:
        return f"{self.trial.id}@{self.trial.version}+{self.digest}"


def available_trials() -> list[str]:
    return sorted(p.stem for p in TRIALS_DIR.glob("*.yaml"))


def load_trial(name_or_path: str | Path) -> LoadedTrial:
    """Load a trial by id (a file in rules/trials/) or by path; schema errors name file+line."""
    p = Path(name_or_path)
    if not p.suffix:
        p = TRIALS_DIR / f"{name_or_path}.yaml"
        if not p.exists():
            raise DataFileError(
                p, None, f"no trial {name_or_path!r}; available: {', '.join(available_trials())}"
            )
    trial = load_model(p, Trial)
    digest = hashlib.sha256(p.read_bytes()).hexdigest()[:8]
    return LoadedTrial(trial, p, digest)


__all__ = ["DataFileError", "LoadedTrial", "Trial", "available_trials", "load_trial"]
