"""Compartments of the background history: others' published data, public like its sources."""

from __future__ import annotations

from truceline.exchange.models import HistoricEvent, ImportBatch
from truceline.policy.core import register


def register_rules() -> None:
    """The background history's rules: called once, by the policy package (rules.py)."""
    register(HistoricEvent, visible=lambda user: HistoricEvent.objects.all())
    register(ImportBatch, visible=lambda user: ImportBatch.objects.all())
