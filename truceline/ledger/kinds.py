"""The catalogue of event kinds: what each entry of the ledger records, in words.

Every kind an app appends is here, with the sentence the timeline, the history of a clause,
receipts and notifications show for it; `label()` reads it in the reader's language. A kind
appended that is not in the catalogue fails the test suite (`TRUCELINE_STRICT_EVENT_KINDS`,
set by conftest.py; elsewhere it is logged and shown as it is). Kinds made from a family
(`scenario.<object>.<verb>`, `evidence.<step>`) are listed one by one, so that the catalogue
is the whole vocabulary.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

KINDS: dict[str, Any] = {
    # reports and incidents
    "report.submitted": _("Report filed"),
    "report.amended": _("Report corrected (a new version)"),
    "report.withdrawn": _("Report withdrawn"),
    "report.sealed": _("A passage of a report sealed"),
    "incident.triaged": _("Triaged"),
    "incident.assigned": _("Assigned to a monitor"),
    "incident.merged": _("Merged into another incident"),
    "incident.opened": _("Opened for verification; shared with the accused party"),
    "incident.withdrawn": _("Withdrawn"),
    "incident.response-submitted": _("The accused party answered"),
    "incident.question-asked": _("A question was put to a party"),
    "incident.question-answered": _("A party answered a question"),
    "incident.reconsideration-requested": _("Reconsideration requested"),
    "incident.reconsideration-refused": _("Reconsideration refused"),
    "incident.reconsidered": _("Reopened for reconsideration"),
    "response.sealed": _("A passage of a response sealed"),
    "question.sealed": _("A passage of a question sealed"),
    # findings
    "finding.drafted": _("Finding drafted"),
    "finding.voted": _("A guarantor voted on the finding — signature recorded"),
    "finding.vote": _("A guarantor voted on the finding — signature recorded"),
    "finding.endorsed": _("Finding endorsed by the guarantors' quorum"),
    "finding.acknowledged": _("A party acknowledged the finding"),
    "finding.published": _("Finding published"),
    "finding.superseded": _("Finding replaced by a revision"),
    "finding.sealed": _("A passage of a finding sealed"),
    # evidence
    "evidence.received": _("Evidence received"),
    "evidence.shared": _("Evidence shared"),
    "evidence.derived": _("A copy of evidence made"),
    "evidence.viewed": _("Evidence viewed"),
    "evidence.downloaded": _("Evidence downloaded"),
    "evidence.cited": _("Evidence cited"),
    "evidence.uncited": _("Evidence no longer cited"),
    "evidence.sharing-changed": _("Evidence sharing level changed"),
    # follow-up
    "request.made": _("Request made"),
    "request.answered": _("Request answered"),
    "request.verified": _("Request's outcome verified"),
    "request.closed": _("Request closed"),
    "request.withdrawn": _("Request withdrawn"),
    "request.subjects-read": _("The names in a request were read"),
    "round.recorded": _("Round of talks recorded"),
    "round.announced": _("Round of talks announced by a guarantor — signature recorded"),
    "commitment.created": _("Commitment added by a round of talks"),
    "commitment.amended": _("Commitment amended by a round of talks"),
    "commitment.retired": _("Commitment retired by a round of talks"),
    "compliance.proposed": _("Compliance status proposed"),
    "compliance.confirmed": _("Compliance status confirmed — signature recorded"),
    "compliance.assessed": _("Compliance assessed"),
    "measure.decided": _("Measure decided by the guarantors — signature recorded"),
    "measure.announced": _("Measure announced"),
    "measure.done": _("Measure carried out"),
    "crossing.status": _("Crossing status recorded"),
    "edition.published": _("Public edition of the periodic report stored (a new version)"),
    # open sources and history
    "osint.ingested": _("Article ingested"),
    "candidate.accepted": _("Open-source candidate accepted as a report"),
    "candidate.dismissed": _("Open-source candidate dismissed"),
    "candidate.merged": _("Open-source candidate added to an incident"),
    "candidate.linked": _("Open-source candidate linked to an incident"),
    "import.acled": _("ACLED history imported"),
    "import.ucdp": _("UCDP history imported"),
    # people, keys and settings
    "user.created": _("User created"),
    "user.changed": _("User changed"),
    "user.password-set": _("Password set"),
    "user.second-factor-removed": _("Second factor removed"),
    "user.second-factor-replaced": _("Second factor replaced"),
    "user.second-factor-set": _("Second factor set up"),
    "user.password-disabled": _("Password sign-in turned off"),
    "user.emergency-revoked": _("Sessions and tokens revoked in an emergency"),
    "user.signed-out-everywhere": _("Sessions ended and API tokens revoked: a credential changed"),
    "user.change-requested": _("A change to a person's credentials awaits a second admin"),
    "user.change-approved": _("A second admin approved a change to a person's credentials"),
    "user.change-refused": _("A change to a person's credentials was refused"),
    "token.created": _("API token created"),
    "token.revoked": _("API token revoked"),
    "key.created": _("Signing key created"),
    "ledger.key.registered": _("Ledger key registered"),
    "ledger.key.retired": _("Ledger key retired"),
    "webhook.created": _("Webhook registered"),
    "webhook.revoked": _("Webhook revoked"),
    "notify.preferences": _("Notification preferences changed"),
    # the scenario
    "scenario.loaded": _("Scenario loaded"),
    "demo.synthetic": _("Synthetic demonstration incidents added"),
    "bench.append": _("Benchmark entry"),
}
for _object, _name in (
    ("scenario", _("the scenario")),
    ("organisation", _("an organisation")),
    ("category", _("a category")),
    ("round", _("a round of talks")),
    ("commitment", _("a commitment")),
    ("sector", _("a sector")),
    ("place", _("a place")),
    ("actor", _("an actor")),
):
    for _verb, _said in (
        ("created", _("Scenario: %(what)s added")),
        ("updated", _("Scenario: %(what)s changed")),
        ("retired", _("Scenario: %(what)s retired")),
    ):
        KINDS[f"scenario.{_object}.{_verb}"] = (_said, _name)


def known(kind: str) -> bool:
    return kind in KINDS


def label(kind: str) -> str:
    """The sentence for a kind, in the active language; the kind itself if it is unknown."""
    entry = KINDS.get(kind)
    if entry is None:
        return kind
    if isinstance(entry, tuple):
        said, what = entry
        return str(said) % {"what": what}
    return str(entry)


def check(kind: str) -> None:
    """Called by the ledger's appender: an unknown kind fails the tests, and is logged."""
    if kind in KINDS:
        return
    if getattr(settings, "TRUCELINE_STRICT_EVENT_KINDS", False):
        raise LookupError(f"event kind {kind!r} is not in ledger/kinds.py")
    log.warning("event kind %r is not in the catalogue (ledger/kinds.py)", kind)
