"""The one compartment policy: who sees what, and who may do what (DESIGN.md, "Who sees what").

Every queryset a user reaches comes from ``visible_to(user, Model)``; every object a user
names comes from an ``access_<thing>(user, id)`` helper that returns it or raises the same 404
whether it is missing or hidden, so that existence does not leak. ``can(user, action, obj)``
answers for an object the user can see; a refusal there is a 403. The matrix test
(policy/tests/test_matrix.py) checks the whole table.
"""

from truceline.policy.core import (
    Step,
    Viewer,
    access,
    can,
    is_mediator,
    is_party_user,
    register,
    register_actions,
    registered_actions,
    role_of,
    visible_to,
)
from truceline.policy.evidence import access_evidence
from truceline.policy.factors import (
    SIGNED_ACTS,
    may_remove_authenticator,
    second_factor_pending,
    second_factor_required,
)
from truceline.policy.followup import access_measure, access_request
from truceline.policy.geography import cell_tally_visible, sees_exact_location
from truceline.policy.notify import access_webhook
from truceline.policy.osint import access_candidate, reads_working_file
from truceline.policy.pages import navigation, reads_parties_edition, reads_sealed, sees_mechanism
from truceline.policy.platform import (
    access_event,
    access_round,
    access_token,
    access_user,
    audience,
    desk_of,
    may_administer,
)
from truceline.policy.rules import register_all
from truceline.policy.workflow import assignable_monitors, may_be_assigned, sees_reporter

register_all()  # explicitly, once: importing a rule module declares nothing (rules.py)

__all__ = [
    "SIGNED_ACTS",
    "Step",
    "Viewer",
    "access",
    "access_candidate",
    "access_event",
    "access_evidence",
    "access_measure",
    "access_request",
    "access_round",
    "access_token",
    "access_user",
    "access_webhook",
    "assignable_monitors",
    "audience",
    "can",
    "cell_tally_visible",
    "desk_of",
    "is_mediator",
    "is_party_user",
    "may_administer",
    "may_be_assigned",
    "may_remove_authenticator",
    "navigation",
    "reads_parties_edition",
    "reads_sealed",
    "reads_working_file",
    "register",
    "register_actions",
    "registered_actions",
    "role_of",
    "second_factor_pending",
    "second_factor_required",
    "sees_exact_location",
    "sees_mechanism",
    "sees_reporter",
    "visible_to",
]


def access_incident(user: Viewer, incident_id: str):  # type: ignore[no-untyped-def]
    from truceline.incidents.models import Incident

    return access(user, Incident, pk=incident_id)


def access_report(user: Viewer, report_id: str):  # type: ignore[no-untyped-def]
    from truceline.reports.models import Report

    return access(user, Report, pk=report_id)


def access_finding(user: Viewer, finding_id: str):  # type: ignore[no-untyped-def]
    from truceline.findings.models import Finding

    return access(user, Finding, pk=finding_id)


def access_question(user: Viewer, question_id: str):  # type: ignore[no-untyped-def]
    from truceline.incidents.models import Question

    return access(user, Question, pk=question_id)


def access_reconsideration(user: Viewer, request_id: str):  # type: ignore[no-untyped-def]
    from truceline.findings.models import Reconsideration

    return access(user, Reconsideration, pk=request_id)


def access_draft(user: Viewer, draft_id: str):  # type: ignore[no-untyped-def]
    from truceline.reports.models import ReportDraft

    return access(user, ReportDraft, pk=draft_id)
