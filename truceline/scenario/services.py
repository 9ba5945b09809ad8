"""Loading a scenario file into the database: create, update or retire, each change logged."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone
from pydantic import BaseModel

from truceline.core.canonical import canonical_bytes, jsonable
from truceline.core.errors import ApiError
from truceline.ledger.services import event_append
from truceline.scenario import models as m
from truceline.scenario.schema import ScenarioDocument, parse_scenario


@dataclass
class LoadSummary:
    slug: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)


def _texts(translations: Mapping[str, BaseModel], **columns: str) -> dict[str, dict[str, Any]]:
    """A file's ``translations`` (by language, then field) as stored, the fields renamed to
    the columns they translate (``columns``) and those left out dropped."""
    out: dict[str, dict[str, Any]] = {}
    for lang, texts in translations.items():
        given = {columns.get(k, k): v for k, v in texts.model_dump(exclude_none=True).items()}
        if given:
            out[lang] = given
    return out


def _item(item: BaseModel, **dump: Any) -> dict[str, Any]:
    """A nested item (an indicator, a decision) as stored, with its names and translations
    where the file gives them, so that an item without them is stored as before."""
    out = item.model_dump(exclude={"names", "translations"}, **dump)
    if getattr(item, "names", None):
        out["names"] = dict(item.names)  # type: ignore[attr-defined]
    translations = _texts(getattr(item, "translations", {}))
    if translations:
        out["translations"] = translations
    return out


def _rows(doc: ScenarioDocument) -> list[tuple[str, type[models.Model], dict[str, dict[str, Any]]]]:
    """Each object kind with the column values the file gives, keyed by slug, in load order."""
    return [
        (
            "organisation",
            m.Organisation,
            {
                o.slug: {
                    "name": o.name,
                    "kind": o.kind,
                    "guarantor": o.guarantor,
                    "country_code": o.country_code,
                    "time_zone": o.time_zone,
                    "names": dict(o.names),
                    "order": i,
                }
                for i, o in enumerate(doc.organisations)
            },
        ),
        (
            "category",
            m.Category,
            {
                c.slug: {
                    "name": c.name,
                    "description": c.description,
                    "acled_event_type": c.acled.event_type,
                    "acled_sub_event_type": c.acled.sub_event_type,
                    "cues": list(c.cues),
                    "names": dict(c.names),
                    "order": i,
                }
                for i, c in enumerate(doc.categories)
            },
        ),
        (
            "round",
            m.Round,
            {
                r.slug: {
                    "title": r.title,
                    "names": dict(r.names),
                    "venue": r.venue,
                    "starts": r.starts,
                    "ends": r.ends,
                    "summary": r.summary,
                    "delegations": [d.model_dump() for d in r.delegations],
                    "agenda": list(r.agenda),
                    "outcome": r.outcome,
                    "decisions": jsonable([_item(d, exclude_none=True) for d in r.decisions]),
                    "translations": _texts(r.translations),
                    "announced_at": dt.datetime.combine(r.ends, dt.time(), tzinfo=dt.UTC),
                    "mediators": sorted(r.mediators),
                }
                for r in doc.rounds
            },
        ),
        (
            "commitment",
            m.Commitment,
            {
                c.slug: {
                    "title": c.title,
                    "text": c.text,
                    "translations": _texts(c.translations),
                    "indicators": [_item(i) for i in c.indicators],
                    "introduced_by_id": c.introduced_by,
                    "names": dict(c.names),
                    "order": i,
                    "parties": sorted(c.parties),
                }
                for i, c in enumerate(doc.commitments)
            },
        ),
        (
            "sector",
            m.Sector,
            {
                s.slug: {
                    "name": s.name,
                    "description": s.description,
                    "start_lat": s.start.lat,
                    "start_lon": s.start.lon,
                    "end_lat": s.end.lat,
                    "end_lon": s.end.lon,
                    "names": dict(s.names),
                    "order": i,
                }
                for i, s in enumerate(doc.sectors)
            },
        ),
        (
            "place",
            m.Place,
            {
                p.slug: {
                    "name": p.name,
                    "kind": p.kind,
                    "country_id": p.country,
                    "sector_id": p.sector,
                    "parent_id": p.parent,
                    "border_area": p.border_area,
                    "lat": p.lat,
                    "lon": p.lon,
                    "aliases": [a.model_dump() for a in p.aliases],
                    "names": dict(p.names),
                }
                for p in doc.places
            },
        ),
        (
            "actor",
            m.Actor,
            {
                a.slug: {
                    "name": a.name,
                    "kind": a.kind,
                    "organisation_id": a.organisation,
                    "affiliation": a.affiliation,
                    "role": a.role,
                    "aliases": [x.model_dump() for x in a.aliases],
                }
                for a in doc.actors
            },
        ),
    ]


M2M_FIELDS = {"mediators", "parties"}


def _current(obj: models.Model, wanted: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in wanted:
        if name in M2M_FIELDS:
            values[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
        else:
            values[name] = getattr(obj, name)
    values["retired"] = obj.retired  # type: ignore[attr-defined]
    return values


def scenario_load(
    *, actor: AbstractBaseUser | None, doc: ScenarioDocument, source: str = ""
) -> LoadSummary:
    """Load or update the scenario; every created, changed or retired object is an event.

    Loading the same file twice changes nothing and records nothing. A database holds one
    scenario: loading a file with another slug is refused.
    """
    digest = hashlib.sha256(canonical_bytes(doc.model_dump(mode="json"))).hexdigest()
    summary = LoadSummary(slug=doc.scenario.slug)
    with transaction.atomic():
        head = m.Scenario.objects.select_for_update().first()
        if head is not None and head.slug != doc.scenario.slug:
            raise ApiError(
                "conflict",
                f"this database holds scenario {head.slug!r}; it cannot load {doc.scenario.slug!r}",
            )
        mech = doc.scenario.mechanism
        head_values: dict[str, Any] = {
            "title": doc.scenario.title,
            "agreement_title": doc.scenario.agreement.title,
            "agreement_date": doc.scenario.agreement.date,
            "agreement_venue": doc.scenario.agreement.venue,
            "agreement_text": doc.scenario.agreement.text,
            "reply_window_hours": mech.reply_window_hours,
            "embargo_hours": mech.embargo_hours,
            "quorum": mech.quorum,
            "clocks": mech.clocks.model_dump(),
            "public_precision_km": mech.public_precision_km,
            "translations": _head_texts(doc),
        }
        if head is None or head.digest != digest:
            changes = {
                k: v for k, v in head_values.items() if head is None or getattr(head, k) != v
            }
            is_new = head is None
            if head is None:
                head = m.Scenario(slug=doc.scenario.slug)
            for k, v in head_values.items():
                setattr(head, k, v)
            head.digest = digest
            head.loaded_at = timezone.now()
            head.save()
            if changes:
                _log(actor, "created" if is_new else "updated", "scenario", head.slug, changes)
                summary.updated.append(f"scenario:{head.slug}")

            for kind, model, wanted_by_slug in _rows(doc):
                existing = {
                    obj.pk: obj for obj in model._default_manager.all() if not _mechanism_owned(obj)
                }
                for slug, wanted in wanted_by_slug.items():
                    if slug not in existing and model._default_manager.filter(pk=slug).exists():
                        continue  # the mechanism's own (see _mechanism_owned)
                    _apply(actor, kind, model, existing.get(slug), slug, wanted, summary)
                for slug, obj in existing.items():
                    if slug not in wanted_by_slug and not obj.retired:  # type: ignore[attr-defined]
                        obj.retired = True  # type: ignore[attr-defined]
                        obj.save(update_fields=["retired"])
                        _log(actor, "retired", kind, slug, {})
                        summary.retired.append(f"{kind}:{slug}")
            event_append(
                actor=actor,
                kind="scenario.loaded",
                object_type="scenario",
                object_id=head.slug,
                payload={
                    "digest": digest,
                    "source": source,
                    "created": len(summary.created),
                    "updated": len(summary.updated),
                    "retired": len(summary.retired),
                },
            )
    return summary


def _head_texts(doc: ScenarioDocument) -> dict[str, dict[str, Any]]:
    """The scenario's title and the agreement's texts by language, by the columns they
    translate."""
    out = _texts(doc.scenario.translations)
    agreement = _texts(
        doc.scenario.agreement.translations,
        title="agreement_title",
        venue="agreement_venue",
        text="agreement_text",
    )
    for lang, texts in agreement.items():
        out.setdefault(lang, {}).update(texts)
    return out


def _mechanism_owned(obj: models.Model) -> bool:
    """Rounds the mechanism recorded, and clauses such rounds made or changed, belong to the
    mechanism's own record: a scenario file neither overwrites nor retires them."""
    if isinstance(obj, m.Round):
        return obj.recorded_by_id is not None
    if isinstance(obj, m.Commitment):
        return obj.changed_by_id is not None
    return False


def _apply(
    actor: AbstractBaseUser | None,
    kind: str,
    model: type[models.Model],
    obj: models.Model | None,
    slug: str,
    wanted: dict[str, Any],
    summary: LoadSummary,
) -> None:
    plain = {k: v for k, v in wanted.items() if k not in M2M_FIELDS}
    if obj is None:
        obj = model._default_manager.create(pk=slug, **plain)
        for name in M2M_FIELDS & wanted.keys():
            getattr(obj, name).set(wanted[name])
        _log(actor, "created", kind, slug, wanted)
        summary.created.append(f"{kind}:{slug}")
        return
    before = _current(obj, wanted)
    after = dict(wanted, retired=False)
    changes = {k: v for k, v in after.items() if jsonable(before.get(k)) != jsonable(v)}
    if not changes:
        return
    for k, v in changes.items():
        if k in M2M_FIELDS:
            getattr(obj, k).set(v)
        else:
            setattr(obj, k, v)
    obj.save()
    _log(actor, "updated", kind, slug, changes)
    summary.updated.append(f"{kind}:{slug}")


def _log(
    actor: AbstractBaseUser | None, verb: str, kind: str, slug: str, values: dict[str, Any]
) -> None:
    event_append(
        actor=actor,
        kind=f"scenario.{kind}.{verb}",
        object_type=kind,
        object_id=slug,
        payload={"slug": slug, "values": jsonable(values)},
    )


def scenario_load_file(*, actor: AbstractBaseUser | None, path: Path) -> LoadSummary:
    """Parse, validate and load a scenario file (ScenarioFileError names each bad field)."""
    text = path.read_text(encoding="utf-8")
    return scenario_load(actor=actor, doc=parse_scenario(text, source=str(path)), source=path.name)


def current_scenario() -> m.Scenario | None:
    return m.Scenario.objects.first()
