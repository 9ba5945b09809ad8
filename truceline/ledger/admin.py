from django.contrib import admin

from truceline.core.admin import ReadOnlyAdmin
from truceline.ledger.models import Event


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "recorded_at", "actor_label", "kind", "object_type", "object_id"]
    list_filter = ["kind", "object_type"]
    search_fields = ["object_id", "actor_label", "kind"]
    ordering = ["-seq"]
