"""The OpenAPI document is a contract the parties' systems can build on: every operation's
success answer has a typed schema, and a client generated from ``docs/openapi.json`` by a
standard generator (openapi-python-client) has a field for each property of every answer,
nested objects included.

The generator runs in this process on the committed file: it reads no network (the document
is a local path; no post-hooks run)."""

from __future__ import annotations

import importlib
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from django.core.management import call_command
from openapi_python_client import generate
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.properties import ListProperty, ModelProperty, UnionProperty

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
PACKAGE = "truceline_client"
JSON = "application/json"

# The answers that are files, not JSON: the signed checkpoint (text), the evidence's bytes,
# the exports (CSV, GeoJSON, JSON lines), each declared with its media types.
FILE_ANSWERS = {
    ("get", "/api/v1/ledger/checkpoint"),
    ("get", "/api/v1/evidence/{evidence_id}/download"),
    ("get", "/api/v1/exports/incidents.{fmt}"),
}


def text(value: Any) -> str:
    """The generator keeps the document's strings wrapped (UntrustedString)."""
    return str(value.get_untrusted_value()) if hasattr(value, "get_untrusted_value") else value


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def success_answers(document: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if str(status).startswith("2"):
                    yield method, path, str(status), answer


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text())


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GeneratorData, Any]]:
    """The generator's reading of the document and the models package it wrote."""
    out = tmp_path_factory.mktemp("client") / PACKAGE
    config = Config.from_sources(
        ConfigFile(post_hooks=[]), MetaType.NONE, DOCUMENT, "utf-8", False, out
    )
    problems = generate(config=config)
    assert not problems, [f"{p.header}: {p.detail}" for p in problems]
    data = GeneratorData.from_dict(json.loads(DOCUMENT.read_text()), config=config)
    assert isinstance(data, GeneratorData), data
    sys.path.insert(0, str(out.parent))
    try:
        yield data, importlib.import_module(f"{PACKAGE}.models")
    finally:
        sys.path.remove(str(out.parent))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_committed_document_is_what_the_command_prints(document: dict[str, Any]) -> None:
    printed = io.StringIO()
    call_command("openapi", stdout=printed)
    assert json.loads(printed.getvalue()) == document, (
        "docs/openapi.json is stale: run `make openapi` and review the diff"
    )


def test_every_success_answer_is_typed(document: dict[str, Any]) -> None:
    untyped = []
    for method, path, status, answer in success_answers(document):
        content = answer.get("content", {})
        if (method, path) in FILE_ANSWERS:
            assert content and JSON not in content, (method, path, "a file, declared as one")
            assert all(c["schema"].get("type") == "string" for c in content.values()), path
            continue
        schema = resolve(document, content.get(JSON, {}).get("schema", {}))
        if (
            schema.get("type") != "object"
            or not schema.get("properties")
            or schema.get("additionalProperties") is True
        ):
            untyped.append(f"{method.upper()} {path} {status}")
    assert not untyped, f"answers without a typed schema: {untyped}"


def _models_in(prop: Any) -> Iterator[ModelProperty]:
    if isinstance(prop, ModelProperty):
        yield prop
    elif isinstance(prop, ListProperty):
        yield from _models_in(prop.inner_property)
    elif isinstance(prop, UnionProperty):
        for inner in prop.inner_properties:
            yield from _models_in(inner)


def _missing_fields(
    prop: ModelProperty, parsed: dict[str, ModelProperty], models: Any, seen: set[str]
) -> Iterator[str]:
    """Every property of this model's schema (and of the objects nested in it) that the
    generated class has no attribute for."""
    name = prop.class_info.name
    if name in seen:
        return
    seen.add(name)
    prop = parsed[name]  # a nested reference carries the model unparsed: take the parsed one
    cls = getattr(models, name)
    attributes = attrs.fields_dict(cls)
    generated = {
        text(p.name): p
        for p in [*(prop.required_properties or []), *(prop.optional_properties or [])]
    }
    for key in map(text, prop.data.properties or {}):
        field = generated.get(key)
        if field is None or str(field.python_name) not in attributes:
            yield f"{name}.{key}"
            continue
        for nested in _models_in(field):
            yield from _missing_fields(nested, parsed, models, seen)


def test_the_generated_client_has_a_field_for_every_property(
    document: dict[str, Any], client: tuple[GeneratorData, Any]
) -> None:
    data, models = client
    parsed = {m.class_info.name: m for m in data.models}
    endpoints = {
        (str(e.method), text(e.path)): e
        for collection in data.endpoint_collections_by_tag.values()
        for e in collection.endpoints
    }
    missing: list[str] = []
    seen: set[str] = set()
    checked = 0
    for method, path, status, answer in success_answers(document):
        if (method, path) in FILE_ANSWERS:
            continue
        endpoint = endpoints[(method, path)]
        (response,) = [r for r in endpoint.responses if r.status_code.pattern == status]
        assert isinstance(response.prop, ModelProperty), (method, path, status)
        schema = resolve(document, answer["content"][JSON]["schema"])
        assert set(map(text, response.prop.data.properties or {})) == set(schema["properties"])
        missing += _missing_fields(response.prop, parsed, models, seen)
        checked += 1
    assert checked == sum(1 for a in success_answers(document)) - len(FILE_ANSWERS)
    assert not missing, f"properties the generated client has no field for: {missing}"
