import json

import pytest
from django.test import Client

from truceline.api import api as ninja_api
from truceline.core import ids


def error_of(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message", "fields"} <= set(body["error"])
    return body["error"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/", "/api/v2/scenario", "/api/x"])
def test_unknown_paths_are_404_in_the_error_shape(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not-found"


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Bearer nope", "Bearer tl_wrong", "Basic abc", "Bearer "])
def test_bad_tokens_are_401_even_on_public_endpoints(client: Client, scenario, header: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/scenario", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_missing_token_on_a_private_endpoint_is_401(client: Client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and error_of(response)["code"] == "unauthenticated"


@pytest.mark.django_db
def test_wrong_method_is_405(client: Client, scenario) -> None:  # type: ignore[no-untyped-def]
    response = client.delete("/api/v1/scenario")
    assert response.status_code == 405 and error_of(response)["code"] == "method-not-allowed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"), [("limit=0", "limit"), ("limit=x", "limit"), ("offset=-1", "offset")]
)
def test_bad_query_is_422_with_fields(api, query: str, field: str) -> None:  # type: ignore[no-untyped-def]
    status, body = api.get(f"/tokens?{query}", as_="qa-monitor")
    assert status == 422
    assert body["error"]["code"] == "invalid" and field in body["error"]["fields"]


@pytest.mark.django_db
def test_pagination_shape(api) -> None:  # type: ignore[no-untyped-def]
    status, body = api.get("/tokens?limit=1&offset=0", as_="admin")
    assert status == 200 and set(body) == {"items", "count"} and len(body["items"]) == 1


@pytest.mark.django_db
def test_no_scenario_yet_is_404(client: Client) -> None:
    response = client.get("/api/v1/scenario")
    assert response.status_code == 404 and error_of(response)["code"] == "not-found"


def test_every_operation_declares_its_errors() -> None:
    schema = ninja_api.get_openapi_schema(path_prefix="/api/v1")
    assert schema["paths"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = {str(s) for s in operation["responses"]}
            assert any(s.startswith("2") for s in statuses), (path, method)
            errors = {s for s in statuses if s[0] in "45"}
            assert errors, f"{method.upper()} {path} declares no error response"
            if operation.get("security"):
                assert "401" in errors, f"{method.upper()} {path} takes a token but lacks 401"
            for status in errors:
                ref = json.dumps(operation["responses"][int(status)])
                assert "ErrorOut" in ref, (path, method, status)


def test_committed_openapi_document_is_current() -> None:
    from pathlib import Path

    committed = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
    current = ninja_api.get_openapi_schema(path_prefix="/api/v1")
    assert json.loads(committed.read_text()) == json.loads(json.dumps(current)), (
        "docs/openapi.json is stale: run `make openapi` and review the diff"
    )


def test_identifiers_are_random_and_opaque() -> None:
    made = {ids.new_id("INC") for _ in range(2000)}
    assert len(made) == 2000
    for value in list(made)[:50]:
        assert ids.looks_like("INC", value)
        assert not any(c in value[4:] for c in "ILOU")


@pytest.mark.django_db
def test_nul_characters_are_refused_at_the_door(api, login) -> None:  # type: ignore[no-untyped-def]
    status, body = api.post("/drafts", {"data": {"narrative": "a\x00b"}}, as_="pk-liaison")
    assert status == 400 and body["error"]["code"] == "bad-request"
    assert api.get("/incidents?state=%00", as_="qa-monitor")[0] == 400
    page = login("pk-liaison").post("/reports/new/", {"narrative": "a\x00b", "save_draft": "1"})
    assert page.status_code == 400
