"""Field families: one module per family, each a spaCy component with its own rule data.

To add a family: write ``fields/<name>.py`` with a ``@Language.factory`` component and an
``anchor_rules()`` function, put its rules in ``resources/<name>.yaml``, and list it here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import (
    cardiac,
    demographics,
    diagnosis,
    history,
    ihc,
    labs,
    lesions,
    performance,
    prognosis,
    therapy,
    treatment_status,
    vitals,
)
from .base import AnchorRule


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    component: str  # spaCy factory name
    anchor_rules: Callable[[], list[AnchorRule]]


FAMILIES: tuple[Family, ...] = (
    Family("performance", "prescreen_performance", performance.anchor_rules),
    Family("labs", "prescreen_labs", labs.anchor_rules),
    Family("ihc", "prescreen_ihc", ihc.anchor_rules),
    Family("lesions", "prescreen_lesions", lesions.anchor_rules),
    Family("therapy", "prescreen_therapy", therapy.anchor_rules),
    Family("cardiac", "prescreen_cardiac", cardiac.anchor_rules),
    Family("vitals", "prescreen_vitals", vitals.anchor_rules),
    Family("demographics", "prescreen_demographics", demographics.anchor_rules),
    Family("history", "prescreen_history", history.anchor_rules),
    Family("diagnosis", "prescreen_diagnosis", diagnosis.anchor_rules),
    Family("prognosis", "prescreen_prognosis", prognosis.anchor_rules),
    Family("treatment_status", "prescreen_treatment_status", treatment_status.anchor_rules),
)


def all_anchor_rules() -> list[AnchorRule]:
    rules: list[AnchorRule] = []
    for fam in FAMILIES:
        rules.extend(fam.anchor_rules())
    return rules
