"""Sign-in with password and, for whoever has an authenticator, its code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

from truceline.accounts import twofactor
from truceline.security.models import Authenticator


class SignInForm(AuthenticationForm):
    code = forms.CharField(
        label=_("Authentication code"),
        required=False,
        max_length=10,
        help_text=_("Six digits from your authenticator app, if you have set one up."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device: Authenticator | None = None

    def clean_username(self) -> str:
        """Django's sign-in form sets the field's max_length after its validators were made,
        so a name of any length went through to authenticate() and to the lockout's records
        (255 characters: a 500 on PostgreSQL). Found by the form fuzzer."""
        username: str = self.cleaned_data["username"]
        limit = getattr(self.fields["username"], "max_length", None) or 150
        if len(username) > limit:
            raise forms.ValidationError(
                _("A username has at most %(limit)d characters."), params={"limit": limit}
            )
        return username

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
