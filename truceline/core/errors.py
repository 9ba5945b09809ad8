"""The API's error vocabulary: one exception, one shape, one list of codes.

Every error answers ``{"error": {"code", "message", "fields"}}``. The codes are part of the
contract (docs/api.md lists them); messages are for people and may change.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# code -> (HTTP status, default message); messages stay lazy, read in the language of the
# request that meets them (not once, in English, when this module is imported)
CODES: dict[str, tuple[int, Any]] = {
    "bad-request": (400, _("The request could not be read (malformed JSON or encoding).")),
    "unauthenticated": (401, _("Missing, unknown, expired or revoked token.")),
    "forbidden": (403, _("You may see this, but you may not do that.")),
    "not-found": (404, _("No such resource.")),
    "method-not-allowed": (405, _("This resource does not answer that method.")),
    "conflict": (409, _("The request conflicts with the current state.")),
    "illegal-transition": (409, _("That step is not possible in the current state.")),
    "in-flight": (409, _("A request with this Idempotency-Key is still being processed.")),
    "payload-too-large": (413, _("The request body is too large.")),
    "invalid": (422, _("Some fields are not valid.")),
    "key-reused": (
        422,
        _("This Idempotency-Key was used with a different request (method, path or body)."),
    ),
    "rate-limited": (429, _("Too many requests: try again after Retry-After seconds.")),
    "internal": (500, _("Internal error. It has been logged.")),
}


def render_path(loc: tuple[str | int, ...]) -> str:
    """A JSON path from a location: ``("places", 3, "lat")`` -> ``places[3].lat``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


class ApiError(Exception):
    """Raised by services and endpoints; rendered in the error shape by the API."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        if code not in CODES:
            raise ValueError(f"unknown error code {code!r}")
        self.code = code
        self.status = CODES[code][0]
        self.message = message or CODES[code][1]
        self.fields = fields or {}
        self.extra = extra or {}
        super().__init__(self.message)

    def body(self) -> dict[str, object]:
        return error_body(self.code, self.message, self.fields, self.extra)


def error_body(
    code: str,
    message: str | None = None,
    fields: dict[str, list[str]] | None = None,
    extra: dict[str, object] | None = None,
) -> dict[str, object]:
    error: dict[str, object] = {
        "code": code,
        "message": str(message or CODES[code][1]),
        "fields": {k: [str(m) for m in v] for k, v in (fields or {}).items()},
    }
    error.update(extra or {})
    return {"error": error}


class NotFound(ApiError):
    def __init__(self) -> None:
        super().__init__("not-found")


class Forbidden(ApiError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__("forbidden", message)


class Invalid(ApiError):
    """Validation failure of input that parsed: ``fields`` maps JSON paths to messages."""

    def __init__(self, fields: dict[str, list[str]], message: str | None = None) -> None:
        super().__init__("invalid", message, fields=fields)


# the steps services name when they refuse one, in words ("Cannot publish: ..."); a step
# a service already names in words (gettext) is shown as it is
STEPS: dict[str, Any] = {
    "triage-admissible": _("rule it admissible"),
    "triage-inadmissible": _("rule it inadmissible"),
    "withdraw": _("withdraw it"),
    "merge": _("merge it"),
    "open": _("open verification"),
    "assign": _("assign it"),
    "draft-finding": _("draft a finding"),
    "endorse": _("endorse it"),
    "publish": _("publish"),
    "reconsider": _("reconsider it"),
    "respond": _("answer the allegation"),
    "ask": _("ask a question"),
    "answer": _("answer the question"),
    "vote": _("vote"),
    "acknowledge": _("acknowledge the finding"),
    "decide": _("decide the request"),
    "amend": _("amend the report"),
}


def state_words(state: str) -> str:
    """A state's label in the reader's language: an incident's, a draft's or a request's."""
    from truceline.findings.models import Decision
    from truceline.incidents.models import State
    from truceline.reports.models import DraftState

    if state == "answered":
        return str(_("already answered"))
    for choices in (State, DraftState, Decision):
        labels = dict(choices.choices)
        if state in labels:
            words = str(labels[state])
            # mid-sentence in English; other languages' labels are left as written
            return words.lower() if (get_language() or "en").startswith("en") else words
    return state


class IllegalTransition(ApiError):
    """A state-machine step that the current state does not allow; says the state, in words
    (the slug stays in ``extra`` for programs)."""

    def __init__(self, *, state: str, action: str) -> None:
        super().__init__(
            "illegal-transition",
            str(
                _("Cannot %(action)s: the incident is %(state)s.")
                % {"action": STEPS.get(action, action), "state": state_words(state)}
            ),
            extra={"state": state},
        )


def field_messages(error: ApiError | None) -> dict[str, str]:
    """A refusal's messages by form field, for a page (``subjects[1].name`` -> ``subjects``)."""
    if error is None:
        return {}
    return {k.split("[")[0].split(".")[0]: "; ".join(v) for k, v in error.fields.items()}
