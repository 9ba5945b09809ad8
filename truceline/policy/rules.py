"""The rule modules, registered explicitly and once: importing a rule module declares nothing;
``register_all()`` (called by the policy package) asks each module listed here to declare its
models' visibility and its actions. A module that calls ``register`` and is missing here
fails policy/tests/test_contract.py."""

from __future__ import annotations

from types import ModuleType

from truceline.policy import (
    evidence,
    exchange,
    followup,
    geography,
    notify,
    osint,
    platform,
    workflow,
)

RULE_MODULES: tuple[ModuleType, ...] = (
    platform,
    workflow,
    evidence,
    followup,
    geography,
    notify,
    osint,
    exchange,
)


def register_all() -> None:
    """Declare every rule of every rule module (again: the registry is keyed, so twice is
    the same as once)."""
    for module in RULE_MODULES:
        module.register_rules()
