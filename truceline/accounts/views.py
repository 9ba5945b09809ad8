"""Sign-in with the second factor, setting up an authenticator, changing one's password."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from truceline.accounts import twofactor
from truceline.accounts.forms import SignInForm
from truceline.accounts.services import user_set_password
from truceline.core.errors import ApiError, field_messages
from truceline.core.parsing import id_or_none
from truceline.security.models import Authenticator


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        if form.device is not None:
            otp_login(self.request, form.device)
        return response


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) the authenticator: scan or type the key, confirm with a code."""
    user: Any = request.user
    current = twofactor.device_of(user)
    error = None
    pending = None
    if request.method == "POST":
        pending = Authenticator.objects.filter(
            user=user, confirmed=False, pk=id_or_none(request.POST.get("device")) or 0
        ).first()
        try:
            if current is not None:  # replacing one: a code from the old one first
                twofactor.check_fresh(user, request.POST.get("current_code", ""))
            if pending is None:
                raise ApiError("invalid", fields={"code": [_("start again")]})
            device = twofactor.enrolment_confirm(user, pending, request.POST.get("code", ""))
        except ApiError as exc:
            error = exc
        else:
            update_session_auth_hash(request, user)  # this session goes on; the others ended
            otp_login(request, device)
            messages.success(request, _("Your authenticator is set up."))
            return redirect("web:home")
    if pending is None or pending.confirmed:
        pending = twofactor.enrolment_start(user)  # a key not yet shown to anyone
    uri = pending.config_url
    return render(
        request,
        "accounts/two_factor.html",
        {
            "current": current,
            "required": twofactor.required_for(user),
            "device": pending,
            "key": _base32(pending.bin_key),
            "qr": segno.make(uri, error="m").svg_inline(scale=4, title=_("Authenticator QR code")),
            "errors": field_messages(error),
        },
        status=422 if error else 200,
    )


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """One's own password, through the service (a ledger entry); the admin's link to change
    its own password comes here too (accounts/admin.py). The session goes on, still verified."""
    user: Any = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_set_password(actor=user, user=user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password is changed."))
        return redirect("web:home")
    return render(
        request,
        "accounts/password.html",
        {"form": form},
        status=422 if form.is_bound else 200,
    )


def _base32(key: bytes) -> str:
    import base64

    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
