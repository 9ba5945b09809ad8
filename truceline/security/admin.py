from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from truceline.security.models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security review: read-only, nothing added, changed or deleted by hand."""

    list_display = (
        "at",
        "kind",
        "username",
        "object_type",
        "object_id",
        "method",
        "path",
        "address",
    )
    list_filter = ("kind",)
    search_fields = ("username", "object_id", "path", "address")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
