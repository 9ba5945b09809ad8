"""Who may read each text and file field of every model, once they may see its object.

The classes, from the widest audience to the narrowest:

- ``public``: whoever may see the object (visible_to) reads the field.
- ``parties``: the parties and the mechanism, never the public (a public output leaves it out).
- ``own-side``: the organisation the field is about (the filer, the uploader, the owner) and
  the mechanism, never the other party: who filed, sources, names of officers, file names.
- ``mechanism``: the mechanism's own people only (``policy.sees_mechanism``).
- ``sealable``: whoever sees the object, through the seals (``redaction.selectors``): below
  the mechanism a sealed passage reads "[sealed]". Nothing reads these from the row.
- ``secret``: nobody, in any output: credentials, digests of secrets.

A field belongs to one class; where two apply the narrower wins, and a sealable field that is
also own-side (a report's sources) is named ``sealable`` (the seal is what a template forgets)
and listed in ``ALSO_OWN_SIDE``. Django's and the libraries' own tables are classed too, as
the mechanism's or secret. policy/tests/test_fields.py fails on a field not classified here.
"""

from __future__ import annotations

PUBLIC = "public"
PARTIES = "parties"
OWN_SIDE = "own-side"
MECHANISM = "mechanism"
SEALABLE = "sealable"
SECRET = "secret"  # noqa: S105 - a class name, not a password
CLASSES = (PUBLIC, PARTIES, OWN_SIDE, MECHANISM, SEALABLE, SECRET)


def _all(label: str, fields: str, cls: str) -> dict[str, str]:
    return {f"{label}.{name}": cls for name in fields.split()}


FIELDS: dict[str, str] = {
    # The scenario: public (a round recorded by the mechanism is hidden as a whole until
    # announced: its visibility rule, not its fields).
    **_all("scenario.Scenario", "slug title agreement_title agreement_venue", PUBLIC),
    **_all("scenario.Scenario", "agreement_text clocks digest translations", PUBLIC),
    **_all("scenario.Organisation", "slug name kind country_code time_zone names", PUBLIC),
    **_all("scenario.Category", "slug name names description", PUBLIC),
    **_all("scenario.Category", "acled_event_type acled_sub_event_type cues", PUBLIC),
    **_all("scenario.Round", "slug title venue summary delegations agenda", PUBLIC),
    **_all("scenario.Round", "outcome decisions names translations", PUBLIC),
    **_all("scenario.Commitment", "slug title names text indicators translations", PUBLIC),
    **_all("scenario.Sector", "slug name names description", PUBLIC),
    **_all("scenario.Place", "slug name names kind aliases", PUBLIC),
    **_all("scenario.Actor", "slug name kind affiliation role aliases", PUBLIC),
    # People: a party never learns who the other party's officers are.
    "accounts.User.password": SECRET,
    **_all("accounts.User", "username first_name last_name email", OWN_SIDE),
    **_all("accounts.User", "time_zone language", OWN_SIDE),
    "accounts.User.role": PUBLIC,  # shown as "Pakistan's liaison", never the name
    **_all("accounts.ApiToken", "id name hint role", OWN_SIDE),
    "accounts.ApiToken.digest": SECRET,
    # The machinery: the mechanism's (idempotent replays, the security record, rate limits).
    **_all(
        "idempotency.IdempotencyKey",
        "key fingerprint method path attempt content_type location",
        MECHANISM,
    ),
    **_all(
        "security.SecurityEvent",
        "kind username object_type object_id method path detail",
        MECHANISM,
    ),
    "security.RateCount.bucket": MECHANISM,
    # The two-person rule's requests (a password's hash in detail until decided) and the
    # authenticators as the proxy that opens their sealed keys.
    **_all("security.CredentialChange", "id kind state", MECHANISM),
    "security.CredentialChange.detail": SECRET,
    "security.Authenticator.name": OWN_SIDE,
    "security.Authenticator.key": SECRET,
    # Crossings: public status (DESIGN.md).
    **_all("geo.CrossingChange", "id status audiences source note", PUBLIC),
    # The ledger: hashes public, contents the mechanism's (and each person's own receipts).
    **_all("ledger.Event", "actor_label payload salt", MECHANISM),
    **_all("ledger.Event", "kind object_type object_id", PUBLIC),
    **_all("ledger.LedgerKey", "key_id name purpose", PUBLIC),
    "ledger.Checkpoint.note": PUBLIC,
    "ledger.Cosignature.line": PUBLIC,
    **_all("ledger.SplitView", "note detail", PUBLIC),
    # Incidents: what a viewer who sees the incident reads; who is assigned, the geocoder's
    # doubts and the filers' list are the mechanism's.
    **_all("incidents.Incident", "country nearest_place province district cell", PUBLIC),
    **_all("incidents.Incident", "id state inadmissible_reason determination", PUBLIC),
    **_all("incidents.Incident", "geo_flag filers", MECHANISM),
    "incidents.Response.id": PUBLIC,
    **_all("incidents.Response", "text counter_claims", SEALABLE),
    "incidents.Response.evidence": PUBLIC,  # ids, each item by its own visibility
    "incidents.Question.id": PUBLIC,
    **_all("incidents.Question", "text answer", SEALABLE),
    # Reports: the accused party reads the substance, never who filed or the sources.
    **_all("reports.Report", "country nearest_place province district cell", PUBLIC),
    **_all("reports.Report", "id time_precision location_precision casualties", PUBLIC),
    **_all("reports.Report", "confidentiality evidence", PUBLIC),
    **_all("reports.Report", "narrative sources", SEALABLE),
    "reports.Report.source_type": OWN_SIDE,
    "reports.Report.geo_flag": MECHANISM,
    "reports.ReportVersion.data": OWN_SIDE,  # every version as filed, before seals
    **_all("reports.ReportDraft", "id data state", OWN_SIDE),  # its author's alone
    # Findings: public once published (their visibility); votes' reasons with them.
    **_all(
        "findings.Finding",
        "id status determination confidence grade actor intent clauses summary",
        PUBLIC,
    ),
    **_all("findings.Finding", "evidence canonical sha256", PUBLIC),
    **_all("findings.SigningKey", "key_id public_key", PUBLIC),
    **_all("findings.Vote", "vote reasons statement signature", PUBLIC),
    **_all("findings.Reconsideration", "id subject reasons decision decision_reasons", PUBLIC),
    # Seals: the mechanism's.
    **_all("redaction.Seal", "id object_type object_id field passage reason", MECHANISM),
    # Evidence: the original's name and metadata stay with the uploader and the mechanism.
    **_all("evidence.Evidence", "id kind media_type sha256 sharing", PUBLIC),
    **_all("evidence.Evidence", "filename metadata", OWN_SIDE),
    "evidence.Blob.sha256": OWN_SIDE,  # the original's hash would identify it
    **_all("evidence.ChunkedUpload", "id filename sha256 state", OWN_SIDE),
    # Follow-up: requests are the two parties' and the mechanism's; names of subjects too.
    **_all("followup.PartyRequest", "id kind grounds state answer answer_reasons", PARTIES),
    **_all("followup.Subject", "public_id name details", PARTIES),
    "followup.Verification.notes": PARTIES,
    **_all("followup.Measure", "id kind text statement signature done_note", PUBLIC),
    **_all("followup.Assessment", "period status reasons", PUBLIC),
    # Counts: public aggregates; whose filings they count is the mechanism's.
    **_all("dashboards.WeekTally", "category accused attributed determination state", PUBLIC),
    **_all("dashboards.CellTally", "cell sector category accused state", PUBLIC),
    **_all("dashboards.CellTotal", "cell sector category accused state", PUBLIC),
    "dashboards.WeekTally.filers": MECHANISM,
    "dashboards.CellTally.filers": MECHANISM,
    "dashboards.CellTotal.filers": MECHANISM,
    # Notifications and webhooks: their owner's.
    **_all(
        "notify.Notification", "public_id kind subject body object_type object_id url", OWN_SIDE
    ),
    "notify.Preference.kind": OWN_SIDE,
    **_all("notify.Webhook", "public_id url", OWN_SIDE),
    "notify.Webhook.secret": SECRET,
    **_all("notify.Delivery", "public_id channel state", OWN_SIDE),
    "notify.Attempt.error": MECHANISM,  # its owner reads "failed" or the status code
    # Background history: others' published data.
    **_all("exchange.ImportBatch", "source file_name sha256", PUBLIC),
    **_all(
        "exchange.HistoricEvent",
        "source source_id digest event_type sub_event_type actor1 actor2 country_name admin1 "
        "location notes reported_by country",
        PUBLIC,
    ),
    # Open-source monitoring: the mechanism's working file.
    **_all("osint.Feed", "url title last_error", MECHANISM),
    **_all("osint.Article", "url url_key title source language text text_key extractor", MECHANISM),
    **_all(
        "osint.Candidate", "precision actor target killed injured spans status reason", MECHANISM
    ),
    **_all("osint.Claim", "kind quote spans", MECHANISM),
    **_all("osint.Mention", "kind data spans", MECHANISM),
    # Stored editions of the periodic report (public or parties', by the edition's period).
    **_all("publications.Edition", "period language fingerprint html html_sha256", PUBLIC),
    "publications.Edition.pdf_sha256": PUBLIC,
    # Django's and the libraries' own tables.
    **_all("admin.LogEntry", "object_id object_repr change_message", MECHANISM),
    **_all("auth.Permission", "name codename", MECHANISM),
    "auth.Group.name": MECHANISM,
    **_all("contenttypes.ContentType", "app_label model", MECHANISM),
    **_all("sessions.Session", "session_key session_data", SECRET),
    "otp_totp.TOTPDevice.name": OWN_SIDE,
    "otp_totp.TOTPDevice.key": SECRET,
    **_all("axes.AccessFailureLog", "user_agent username http_accept path_info", MECHANISM),
    **_all(
        "axes.AccessAttempt",
        "user_agent username http_accept path_info get_data post_data",
        MECHANISM,
    ),
    **_all("axes.AccessLog", "user_agent username http_accept path_info", MECHANISM),
    "axes.AccessLog.session_hash": SECRET,
    **_all(
        "django_tasks_database.DBTaskResult",
        "status args_kwargs task_path worker_ids queue_name backend_name return_value "
        "exception_class_path traceback",
        MECHANISM,
    ),
}

# Sealable and also the filing side's only (policy.sees_reporter).
ALSO_OWN_SIDE = frozenset({"reports.Report.sources"})


def classify(label: str, field: str) -> str | None:
    """The class of ``<app_label>.<Model>``'s field, or None if unclassified."""
    return FIELDS.get(f"{label}.{field}")


def sealable_fields() -> dict[str, tuple[str, ...]]:
    """Per model label, its fields classed sealable (kept equal to redaction.SEALABLE)."""
    out: dict[str, list[str]] = {}
    for key, cls in FIELDS.items():
        if cls == SEALABLE:
            app, model, field = key.split(".")
            out.setdefault(f"{app}.{model}", []).append(field)
    return {k: tuple(v) for k, v in out.items()}
