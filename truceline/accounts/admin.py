"""People are configuration: the secretariat edits them here, and every save is an event."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from truceline.accounts.models import MEDIATOR_ROLES, PARTY_ROLES, ApiToken, User
from truceline.accounts.services import token_revoke, user_admin_saved
from truceline.core.admin import ReadOnlyAdmin


class RoleFitsOrganisation(forms.ModelForm):  # type: ignore[type-arg]
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        org, role = data.get("organisation"), data.get("role")
        if org is not None and role:
            allowed = PARTY_ROLES if org.is_party else MEDIATOR_ROLES
            if role not in allowed:
                self.add_error("role", f"a {org.kind} organisation cannot hold this role")
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    form = type("UserChangeForm", (RoleFitsOrganisation, BaseUserAdmin.form), {})  # type: ignore[misc]
    add_form = type("UserCreationForm", (RoleFitsOrganisation, BaseUserAdmin.add_form), {})
    list_display = ["username", "organisation", "role", "is_active", "last_login"]
    list_filter = ["organisation", "role", "is_active"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Mechanism", {"fields": ("organisation", "role", "time_zone", "is_active")}),
        ("Personal", {"fields": ("first_name", "last_name", "email")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2", "organisation", "role")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # people are deactivated, never deleted: the log names them

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        user_admin_saved(
            actor=request.user,  # type: ignore[arg-type]
            user=obj,
            created=not change,
            changed_fields=list(form.changed_data),
        )


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "user",
        "name",
        "hint",
        "role",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["role"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
        messages.success(request, "Revoked.")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The revoke action needs change permission; the change form stays read-only
        # because every field is read-only.
        return obj is None and request.user.is_superuser
