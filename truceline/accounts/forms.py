"""Sign-in with password and, for whoever has an authenticator, its code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

from truceline.accounts import twofactor


class SignInForm(AuthenticationForm):
    code = forms.CharField(
        label=_("Authentication code"),
        required=False,
        max_length=10,
        help_text=_("Six digits from your authenticator app, if you have set one up."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # the password (and the lockout, through axes)
        user = self.get_user()
        device = twofactor.device_of(user) if user is not None else None
        if device is not None:
            if not twofactor.verify(device, cleaned.get("code", "")):
                # Counts towards the lockout like a wrong password.
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": cleaned.get("username", "")},
                    request=self.request,
                )
                raise forms.ValidationError(
                    _("The authentication code is wrong or was already used."),
                    code="invalid_code",
                )
            self.device = device
        return cleaned
