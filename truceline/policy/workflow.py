"""Compartments of the workflow: reports, incidents, responses, findings (DESIGN.md table).

- A party sees its own reports and their incidents; the accused party sees an incident once it
  is opened for verification, and the substance of its reports (not 'mechanism'-only ones) —
  never who filed them or their sources (the API's shaping drops those fields).
- Findings reach the parties concerned once endorsed, the public once published — and stay
  visible after a reconsideration supersedes them (marked superseded, never withdrawn).
- Responses: the answering party always; everyone else (the other party, the public) those
  given before the incident's (latest) publication.
- Questions: the party asked; reconsideration requests: the requesting party.
- Report drafts: their author alone (not the mechanism either: nothing is filed yet).
- Seals and what they hide: the mechanism's own people.
- A party's liaison never sees less than the public: published incidents, their findings and
  the responses the public reads are visible to every party (DESIGN.md's "other parties:
  nothing" read literally would let a signed-in officer see less than an anonymous visitor).
- Mediators see everything; nobody else sees anything else.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from truceline.accounts.models import Role, User
from truceline.findings.models import Finding, FindingStatus, Reconsideration
from truceline.incidents.models import OPENED_STATES, Incident, Question, Response
from truceline.policy.core import (
    Step,
    Viewer,
    is_mediator,
    liaison_org,
    organisation_of,
    register,
    register_actions,
    role_of,
)
from truceline.redaction.models import Seal
from truceline.reports.models import Confidentiality, Report, ReportDraft


def _filed_by(org: str) -> Q:
    """Incidents holding a report of this organisation: the ``filers`` column the services keep
    (set when a report opens the incident, widened by a merge), so that a party's view of a
    million incidents is one indexed scan, not a subquery per row."""
    return Q(filers__contains=f",{org},")


def incidents_visible(user: Viewer) -> models.QuerySet[Incident]:
    if is_mediator(user):
        return Incident.objects.all()
    org = liaison_org(user)
    if org is not None:
        return Incident.objects.filter(
            _filed_by(org)
            | Q(accused_party_id=org, state__in=OPENED_STATES)
            | Q(published_at__isnull=False)  # never less than the public
        )
    return Incident.objects.filter(published_at__isnull=False)


def reports_visible(user: Viewer) -> models.QuerySet[Report]:
    if is_mediator(user):
        return Report.objects.all()
    org = liaison_org(user)
    if org is not None:
        return Report.objects.filter(
            Q(filing_org_id=org)
            | Q(
                incident__accused_party_id=org,
                incident__state__in=OPENED_STATES,
                withdrawn=False,
            )
            & ~Q(confidentiality=Confidentiality.MECHANISM)
        )
    return Report.objects.none()


def responses_visible(user: Viewer) -> models.QuerySet[Response]:
    if is_mediator(user):
        return Response.objects.all()
    org = liaison_org(user)
    published = Q(incident__published_at__gte=F("submitted_at"))
    if org is not None:
        return Response.objects.filter(Q(party_id=org) | published)
    return Response.objects.filter(published)


def findings_visible(user: Viewer) -> models.QuerySet[Finding]:
    if is_mediator(user):
        return Finding.objects.all()
    org = liaison_org(user)
    if org is not None:
        filed = Exists(
            Report.objects.filter(incident_id=OuterRef("incident_id"), filing_org_id=org)
        )
        concerned = (
            Q(incident__accused_party_id=org)
            | filed
            | Q(attributed_party_id=org)
            | Q(territory_id=org)
        )
        return Finding.objects.filter(
            Q(concerned, endorsed_at__isnull=False) | Q(published_at__isnull=False)
        )
    return Finding.objects.filter(published_at__isnull=False)


def questions_visible(user: Viewer) -> models.QuerySet[Question]:
    if is_mediator(user):
        return Question.objects.all()
    org = liaison_org(user)
    if org is not None:
        return Question.objects.filter(party_id=org)
    return Question.objects.none()


def reconsiderations_visible(user: Viewer) -> models.QuerySet[Reconsideration]:
    if is_mediator(user):
        return Reconsideration.objects.all()
    org = liaison_org(user)
    if org is not None:
        return Reconsideration.objects.filter(party_id=org)
    return Reconsideration.objects.none()


def mediators_only(model: type[models.Model]):  # type: ignore[no-untyped-def]
    def visible(user: Viewer) -> models.QuerySet:  # type: ignore[type-arg]
        rows = model._default_manager.all()
        return rows if is_mediator(user) else rows.none()

    return visible


def is_monitor(user: Viewer, obj: object = None) -> bool:
    return role_of(user) == "monitor"


def may_respond(user: Viewer, incident: Incident) -> bool:
    return liaison_org(user) == incident.accused_party_id and incident.state in OPENED_STATES


def may_answer(user: Viewer, question: Question) -> bool:
    return liaison_org(user) == question.party_id


def may_reconsider(user: Viewer, incident: Incident) -> bool:
    """A liaison of a party concerned: a filer, the accused, or a party a finding names.
    (Which decision may be contested, and by whom exactly, the service checks.)"""
    org = liaison_org(user)
    if org is None:
        return False
    if org == incident.accused_party_id and incident.state in OPENED_STATES:
        return True
    named = Q(attributed_party_id=org) | Q(territory_id=org)
    return (
        incident.reports.filter(filing_org_id=org).exists()
        or incident.findings.filter(named, endorsed_at__isnull=False).exists()
    )


def may_change_report(user: Viewer, report: Report) -> bool:
    """The filing party's liaison; a monitor, the report it filed for its organisation."""
    if role_of(user) == "liaison":
        return report.filing_org_id == organisation_of(user)
    return (
        role_of(user) == "monitor"
        and report.filed_by_id == user.pk
        and report.filing_org_id == organisation_of(user)
    )


def may_file(user: Viewer) -> bool:
    """A party's liaison (for its party) or a monitor (an observation of its own)."""
    return role_of(user) in {"liaison", "monitor"} and organisation_of(user) is not None


def may_draft(user: Viewer) -> bool:
    """Those who file write drafts first (kept as written: nothing is checked yet)."""
    return role_of(user) in {"liaison", "monitor"}


# A guarantor's signatory decides a measure, signed with its organisation's key, on a
# published finding (409 on any other).
may_decide_measure = Step(
    who=lambda user, finding: role_of(user) == "signatory" and organisation_of(user) is not None,
    when=lambda finding: finding.status == FindingStatus.PUBLISHED,
)


def assignable_monitors() -> models.QuerySet[User]:
    """Whom an incident may be assigned to: the active monitors."""
    return User.objects.filter(role=Role.MONITOR, is_active=True)


def may_be_assigned(user: Viewer) -> bool:
    """Whether this person may be assigned an incident (an active monitor)."""
    return role_of(user) == "monitor"


def may_vote(user: Viewer, finding: Finding) -> bool:
    if role_of(user) != "signatory":
        return False
    return bool(getattr(getattr(user, "organisation", None), "guarantor", False))


def may_acknowledge(user: Viewer, finding: Finding) -> bool:
    from truceline.findings.services import parties_concerned

    org = liaison_org(user)
    return org is not None and org in parties_concerned(finding)


def sees_reporter(user: Viewer, report: Report) -> bool:
    """Whether this viewer may know who filed a report and its sources: the filing
    organisation and the mechanism only, never the accused party."""
    return is_mediator(user) or organisation_of(user) == report.filing_org_id


def register_rules() -> None:
    """The workflow's rules: called once, by the policy package (rules.py)."""
    register(
        Incident,
        visible=incidents_visible,
        actions={
            "triage": is_monitor,
            "assign": is_monitor,
            "merge": is_monitor,
            "open": is_monitor,
            "draft-finding": is_monitor,
            "respond": may_respond,
            "ask": is_monitor,
            "reconsider": may_reconsider,
        },
    )
    register(
        Question, visible=questions_visible, actions={"answer": may_answer, "seal": is_monitor}
    )
    register(Seal, visible=mediators_only(Seal), actions={})
    register(
        ReportDraft,
        visible=lambda user: (
            ReportDraft.objects.filter(owner_id=user.pk)
            if user.is_authenticated and role_of(user) in {"liaison", "monitor"}
            else ReportDraft.objects.none()
        ),
        actions={},
    )
    register(Reconsideration, visible=reconsiderations_visible, actions={"decide": is_monitor})
    register(
        Report,
        visible=reports_visible,
        actions={"amend": may_change_report, "withdraw": may_change_report, "seal": is_monitor},
    )
    register(Response, visible=responses_visible, actions={"seal": is_monitor})
    register(
        Finding,
        visible=findings_visible,
        actions={
            "vote": may_vote,
            "acknowledge": may_acknowledge,
            "publish": is_monitor,
            "decide-measure": may_decide_measure,
        },
    )
    register_actions({"report.file": may_file, "report.draft": may_draft})
