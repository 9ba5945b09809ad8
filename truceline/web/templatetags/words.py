"""Template filters for words instead of slugs: ``{{ place|named }}`` shows a scenario object
by its name in the reader's language. A template builtin, like the time filters."""

from __future__ import annotations

import threading
from typing import Any

from django import template

register = template.Library()


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else getattr(value, key, None)


@register.filter
def named(value: Any) -> Any:
    """A scenario object (party, place, category, sector, commitment, round, indicator) by its
    name in the reader's language, from its ``names`` (an object, or its dict as a selector
    gives it); anything else with a name by that name; "—" for nothing."""
    from truceline.scenario.models import in_reader_language

    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    shown = getattr(value, "shown_name", None)
    if shown is not None:
        return shown
    found = in_reader_language(_get(value, "names"))
    if found is not None:
        return found
    if isinstance(value, dict):
        return value.get("name") or value.get("title") or "—"
    for attr in ("name", "title"):
        found = getattr(value, attr, None)
        if isinstance(found, str) and found:
            return found
    return value


@register.filter
def translated(value: Any, field: str) -> Any:
    """A scenario object's text in the reader's language, from its ``translations`` (by
    language, then field, as the scenario file gives them), or its English:
    ``{{ clause|translated:"text" }}``, ``{% for item in r|translated:"agenda" %}``. Works on
    the objects and on the dicts selectors make of them (decisions, indicators)."""
    from truceline.scenario.models import translated as pick

    if value is None:
        return ""
    # the scenario's objects only: a record's field is read through its read path (the seals)
    if not isinstance(value, dict) and type(value).__module__ != "truceline.scenario.models":
        raise TypeError(f"|translated reads scenario objects, not {type(value).__name__}")
    return pick(_get(value, "translations"), field, _get(value, field))


@register.filter
def in_language(english: Any, names: Any) -> Any:
    """An English text, or its translation for the reader's language from a ``{language code:
    text}`` mapping: ``{{ h.round_title|in_language:h.round_names }}``."""
    from truceline.scenario.models import in_reader_language

    found = in_reader_language(names)
    return english if found is None else found


@register.filter
def event_label(kind: str) -> str:
    """What a ledger entry of this kind records, in words (ledger/kinds.py)."""
    from truceline.ledger.kinds import label

    return label(kind)


SCENARIO_MODELS = {
    "organisation": "Organisation",
    "category": "Category",
    "place": "Place",
    "sector": "Sector",
    "commitment": "Commitment",
    "round": "Round",
    "country": "Organisation",  # a party by its country's ISO code ("PK"), as geo derives it
}

# Scenario objects by kind, read once per request: a page that names forty parties and places
# costs one query per kind, not one per name. Outside a request (the worker, a command) there
# is no cache, so a scenario loaded meanwhile is never shown stale.
_request = threading.local()


def request_started(**_kwargs: Any) -> None:
    _request.scenario = {}


def request_finished(**_kwargs: Any) -> None:
    _request.scenario = None


def _scenario_object(kind: str, slug: str) -> Any:
    from truceline.scenario import models

    model = getattr(models, SCENARIO_MODELS[kind])
    key = "country_code" if kind == "country" else "pk"
    cache = getattr(_request, "scenario", None)
    if cache is None:
        return model.objects.filter(**{key: slug}).first()
    if kind not in cache:
        cache[kind] = {getattr(obj, key): obj for obj in model.objects.all()}
    return cache[kind].get(slug)


@register.filter
def scenario_name(slug: Any, kind: str) -> Any:
    """A scenario object's name in the reader's language from its slug (or a list of slugs,
    joined by commas): ``{{ r.mediators|scenario_name:"organisation" }}``."""
    if isinstance(slug, list | tuple):
        return ", ".join(str(scenario_name(s, kind)) for s in slug) or "—"
    if not slug:
        return "—"
    obj = _scenario_object(kind, slug)
    return obj.shown_name if obj is not None else slug


@register.filter
def choice_label(value: Any, choices: str) -> Any:
    """An enum value by its label: ``{{ row.kind|choice_label:"request-kind" }}``."""
    from truceline.web.labels import CHOICES

    if value in (None, ""):
        return "—"
    return CHOICES[choices].get(value, value)
