"""The REST API under /api/v1/: mounts each app's router under the shared conventions."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from truceline.accounts.api import router as accounts_router
from truceline.core.api import install_error_handlers
from truceline.dashboards.api import router as dashboards_router
from truceline.evidence.api import router as evidence_router
from truceline.exchange.api import router as exchange_router
from truceline.findings.api import router as findings_router
from truceline.followup.api import router as followup_router
from truceline.geo.api import router as geo_router
from truceline.incidents.api import router as incidents_router
from truceline.ledger.api import router as ledger_router
from truceline.notify.api import router as notify_router
from truceline.redaction.api import router as redaction_router
from truceline.reports.api import router as reports_router
from truceline.scenario.api import router as scenario_router

IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Send the same key when retrying: the first answer comes back and nothing is created "
        "twice (409 `in-flight` while the first still runs, 422 `key-reused` with another body)."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
ERROR_REF = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}


class TrucelineAPI(NinjaAPI):
    """Every authenticated POST takes an Idempotency-Key (truceline/idempotency): the document
    says so, with the two answers it adds."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            post = operations.get("post")
            if not post or not post.get("security"):
                continue
            post.setdefault("parameters", []).append(dict(IDEMPOTENCY_HEADER))
            responses = post["responses"]
            responses.setdefault(409, {"description": "Conflict", **ERROR_REF})
            responses.setdefault(422, {"description": "Unprocessable Entity", **ERROR_REF})
        return schema


api = TrucelineAPI(
    title="Truceline API",
    version="1",
    description=(
        "Ceasefire monitoring and verification. Bearer tokens (`truceline token create USER`); "
        'JSON; errors as `{"error": {"code", "message", "fields"}}` with the codes '
        "listed in docs/api.md; lists paginate with `limit`/`offset` and answer "
        '`{"items", "count"}`.'
    ),
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("", scenario_router)
api.add_router("", accounts_router)
api.add_router("", reports_router)
api.add_router("", incidents_router)
api.add_router("", findings_router)
api.add_router("", redaction_router)
api.add_router("", ledger_router)
api.add_router("", evidence_router)
api.add_router("", followup_router)
api.add_router("", geo_router)
api.add_router("", dashboards_router)
api.add_router("", notify_router)
api.add_router("", exchange_router)
