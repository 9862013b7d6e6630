"""Field families: one module per family, each a spaCy component with its own rule data.

To add a family: write ``fields/<name>.py`` with a ``@Language.factory`` component and an
``anchor_rules()`` function, put its rules in ``resources/<name>.yaml``, and list it here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import labs, performance
from .base import AnchorRule


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    component: str  # spaCy factory name
    anchor_rules: Callable[[], list[AnchorRule]]


FAMILIES: tuple[Family, ...] = (
    Family("performance", "prescreen_performance", performance.anchor_rules),
    Family("labs", "prescreen_labs", labs.anchor_rules),
)


def all_anchor_rules() -> list[AnchorRule]:
    rules: list[AnchorRule] = []
    for fam in FAMILIES:
        rules.extend(fam.anchor_rules())
    return rules
