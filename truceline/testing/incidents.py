"""Incidents built by the services, not the API: one filed by Pakistan against Afghanistan and
driven to any state of the workflow, and the report and finding it is filed and found with."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from truceline.accounts.models import User
from truceline.accounts.testing import fresh_code
from truceline.findings.services import (
    FindingInput,
    finding_acknowledge,
    finding_draft,
    finding_publish,
    finding_vote,
    parties_concerned,
)
from truceline.incidents.models import Incident
from truceline.incidents.services import incident_merge, incident_open, incident_triage
from truceline.reports.services import ReportInput, report_submit, report_withdraw

REPORT = ReportInput(
    category="shelling",
    accused_party="afghanistan",
    occurred_at=dt.datetime(2025, 11, 2, 4, 30, tzinfo=dt.UTC),
    time_precision="exact",
    lat=34.1,
    lon=71.1,
    location_precision="near",
    place="torkham",
    narrative="Mortar rounds landed near the post.",
    casualties={},
    origin=None,
    confidentiality="parties",
    urgent=False,
    sources=["post commander"],
    evidence=[],
)
FINDING = FindingInput(
    determination="confirmed-violation",
    confidence="high",
    grade="direct",
    actor="afghan-taliban-forces",
    territory="afghanistan",
    intent="deliberate",
    clauses=["no-cross-border-fire"],
    summary="Shelling from Afghan positions.",
    evidence=[],
)
ORDER = ["received", "triaged", "under-verification", "finding-drafted", "endorsed", "published"]


def make_incident(
    people: dict[str, User],
    state: str,
    confidentiality: str = "parties",
    evidence: tuple[str, ...] = (),
    filer: str = "pk-liaison",
    category: str = "shelling",
) -> Incident:
    """An incident filed by Pakistan (or ``filer``) against Afghanistan, driven by the services
    to ``state``."""
    mon = people["qa-monitor"]
    report, _ = report_submit(
        actor=people[filer],
        data=replace(
            REPORT, confidentiality=confidentiality, evidence=list(evidence), category=category
        ),
    )
    incident = report.incident
    if state == "withdrawn":
        report_withdraw(actor=people["pk-liaison"], report=report)
    elif state == "inadmissible":
        incident_triage(incident=incident, actor=mon, admissible=False, reason="duplicate claim")
    elif state == "merged":
        other, _ = report_submit(actor=people["pk-liaison"], data=REPORT)
        incident_merge(incident=incident, actor=mon, into=other.incident)
    else:
        steps = ORDER[: ORDER.index(state) + 1]
        if "triaged" in steps:
            incident_triage(incident=incident, actor=mon, admissible=True, reason="")
        if "under-verification" in steps:
            incident_open(incident=incident, actor=mon)
        if "finding-drafted" in steps:
            finding_draft(incident=incident, actor=mon, data=FINDING)
        if "endorsed" in steps:
            finding = incident.findings.get()
            for signatory in ("qa-signatory", "tr-signatory"):
                finding_vote(
                    finding=finding,
                    actor=people[signatory],
                    vote="endorse",
                    reasons="",
                    code=fresh_code(people[signatory]),
                )
        if "published" in steps:
            finding = incident.findings.get()
            concerned = parties_concerned(finding)
            for liaison in ("pk-liaison", "af-liaison"):
                if people[liaison].organisation_id in concerned:
                    finding_acknowledge(finding=finding, actor=people[liaison])
            finding_publish(finding=finding, actor=mon)
    incident.refresh_from_db()
    assert incident.state == state
    return incident
