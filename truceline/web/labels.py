"""Labels of enum values for pages: each set of choices by a name templates use with
``|choice_label:"name"``. The values stay what the API and exports carry."""

from __future__ import annotations

from typing import Any

from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

# the decisions a round of talks may take (scenario.schema.DecisionKind)
DECISION_KINDS = {
    "extend-ceasefire": _("Extend the ceasefire"),
    "create-commitment": _("Add a commitment"),
    "amend-commitment": _("Amend a commitment"),
    "retire-commitment": _("Retire a commitment"),
    "set-up-mechanism": _("Set up the mechanism"),
    "next-round": _("Hold a next round"),
    "other": _("Other"),
}


# the protocol clocks (scenario.schema.Clocks; dashboards.selectors.clocks)
CLOCKS = {
    "acknowledge": _("Acknowledgement"),
    "triage": _("Triage"),
    "reply": _("Reply"),
    "finding": _("Finding"),
}


def _choices() -> dict[str, dict[str, Any]]:
    from truceline.followup.models import Answer, Compliance, RequestKind, RequestState
    from truceline.reports.models import PlacePrecision

    return {
        "request-kind": dict(RequestKind.choices),
        "request-state": dict(RequestState.choices),
        "request-answer": dict(Answer.choices),
        "compliance": dict(Compliance.choices),
        "decision-kind": DECISION_KINDS,
        "clock": CLOCKS,
        "place-precision": dict(PlacePrecision.choices),
    }


CHOICES: Any = SimpleLazyObject(_choices)
