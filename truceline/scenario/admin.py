"""The scenario is read-only here: it changes by loading a file (`truceline load-scenario`),
so that every change is a reviewed file and an event, not a click."""

from django.contrib import admin

from truceline.core.admin import ReadOnlyAdmin
from truceline.scenario import models as m


@admin.register(m.Scenario)
class ScenarioAdmin(ReadOnlyAdmin):
    list_display = ["slug", "title", "quorum", "reply_window_hours", "loaded_at"]


@admin.register(m.Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["slug", "name", "kind", "guarantor", "time_zone", "retired"]


@admin.register(m.Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["slug", "name", "acled_event_type", "acled_sub_event_type", "retired"]


@admin.register(m.Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ["slug", "title", "introduced_by", "retired"]


@admin.register(m.Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["slug", "title", "venue", "starts", "ends"]


@admin.register(m.Sector)
class SectorAdmin(ReadOnlyAdmin):
    list_display = ["slug", "name"]


@admin.register(m.Place)
class PlaceAdmin(ReadOnlyAdmin):
    list_display = ["slug", "name", "kind", "country", "sector", "lat", "lon"]
    list_filter = ["kind", "country"]


@admin.register(m.Actor)
class ActorAdmin(ReadOnlyAdmin):
    list_display = ["slug", "name", "kind", "organisation", "affiliation"]
    list_filter = ["kind"]
