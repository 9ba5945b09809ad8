"""People are configuration: the secretariat edits them here, and every change is an event.

The admin is held to the mechanism's own rules, not Django's stock ones:

- It signs in where everyone does (``/signin/``: password, then the authenticator's code),
  never with its own password-only form, and none of its views answers a session whose
  second factor is pending (``policy.second_factor_pending``).
- Passwords change through ``user_set_password`` (a ledger entry), whether the admin sets
  someone's or changes its own; authenticators are read-only here, with no key shown, and are
  removed only through ``twofactor.authenticator_remove`` (a ledger entry).
- Of a person whose role requires a second factor, a password, an authenticator's removal,
  a role, organisation or activation set here by an admin waits for a second admin (the
  services hold it: accounts/credentials.py; approved or refused in security/admin.py).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from truceline.accounts.models import MEDIATOR_ROLES, PARTY_ROLES, ApiToken, User
from truceline.accounts.services import token_revoke, user_admin_saved, user_set_password
from truceline.accounts.twofactor import authenticator_remove
from truceline.core.admin import ReadOnlyAdmin
from truceline.policy import can, may_administer
from truceline.policy.factors import may_remove_authenticator
from truceline.security.models import CredentialChange


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin's sign-in is the project's: ``/signin/?next=…`` (password and code)."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect_to_login(target or reverse("admin:index"), settings.LOGIN_URL)


def admin_has_permission(request: HttpRequest) -> bool:
    """An active staff member whose session has verified its second factor."""
    user = request.user
    return may_administer(user)


def admin_password_change(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin's own password: the account page's, through the service."""
    return redirect("accounts:password")


admin.site.login = admin_login  # type: ignore[method-assign]
admin.site.has_permission = admin_has_permission  # type: ignore[method-assign]
admin.site.password_change = admin_password_change  # type: ignore[method-assign,assignment]


def _tell_held(request: HttpRequest, held: CredentialChange) -> None:
    messages.warning(
        request,
        _(
            "%(what)s for %(user)s waits for a second admin's approval (%(id)s, under "
            "Security › Credential changes); %(user)s and the other admins are told."
        )
        % {"what": held.get_kind_display(), "user": held.user.username, "id": held.id},
    )


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
        held = user_admin_saved(
            actor=request.user,  # type: ignore[arg-type]
            user=obj,
            created=not change,
            changed_fields=list(form.changed_data),
        )
        if held is not None:
            _tell_held(request, held)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Setting someone's password (or turning password sign-in off) goes through the
        service, with its ledger entry; the form, its checks and its page are Django's."""
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        form = self.change_password_form(user, request.POST)
        usable = form.is_valid() and form.cleaned_data["set_usable_password"]
        if not form.is_valid() or not (usable or "unset-password" in request.POST):
            return super().user_change_password(request, id, form_url)  # its errors, its page
        held = user_set_password(
            actor=request.user,  # type: ignore[arg-type]
            user=user,
            password=form.cleaned_data["password1"] if usable else None,
        )
        if held is not None:
            _tell_held(request, held)
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=(user.pk,)))
        self.log_change(request, user, self.construct_change_message(request, form, []))
        messages.success(request, "Password changed." if usable else "Password sign-in is off.")
        update_session_auth_hash(request, user)  # the admin's own session, if it was its own
        return HttpResponseRedirect(reverse("admin:accounts_user_change", args=(user.pk,)))


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
        return obj is None and can(request.user, "token.revoke-many")


if admin.site.is_registered(TOTPDevice):  # django-otp's own shows the key and its QR code
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(ReadOnlyAdmin):
    """Who has an authenticator, and since when: never its key (no field, no QR code page).
    A lost one is removed with the action, through the service (a ledger entry); its owner
    sets up a new one at the next sign-in."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields
    actions = ["remove"]

    @admin.action(description="Remove the selected authenticators (on the ledger)")
    def remove(self, request: HttpRequest, queryset: QuerySet[TOTPDevice]) -> None:
        removed = 0
        for device in queryset.select_related("user"):
            held = authenticator_remove(actor=request.user, device=device)  # type: ignore[arg-type]
            if held is not None:
                _tell_held(request, held)
            else:
                removed += 1
        if removed:
            messages.success(
                request, _("Removed; each owner sets up a new one at the next sign-in.")
            )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The remove action needs change permission on the list; a device's page stays
        # read-only because every field on it is.
        return obj is None and may_remove_authenticator(request.user)
