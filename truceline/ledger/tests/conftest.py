"""The ledger's own tests append stand-in kinds ("t", "x"): they test the log, which takes any
kind, not the catalogue of the kinds the apps append (ledger/kinds.py, checked everywhere else)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _any_kind(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUCELINE_STRICT_EVENT_KINDS = False
