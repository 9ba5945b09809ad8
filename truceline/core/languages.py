"""The parties' languages: Pashto and Dari beside Django's own, and how a request picks one.

Django ships no locale for Pashto (`ps`) or Dari (`prs`): both are added to Django's LANG_INFO
here (direction, names), and Dari's translation falls back to Django's Persian catalogue, so
that Django's own strings (form errors, dates) read in Dari without copying that catalogue
into the repository. A browser that asks for `fa-AF` (Persian as written in Afghanistan) or
plain `fa` gets Dari. A signed-in user's own language, when set, comes before the browser's.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.translation import trans_real

# Accept-Language tags that mean a shipped language under another name
ALIASES = {"fa-af": "prs", "fa": "prs"}
_TAG = re.compile(r"(?<![\w-])(fa-af|fa)(?![\w-])", re.IGNORECASE)


def install() -> None:
    """Add the languages Django lacks (called once, when the apps are ready)."""
    for code, info in settings.EXTRA_LANG_INFO.items():
        LANG_INFO.setdefault(code, info)
    real = trans_real.translation

    def translation_with_dari(language: str) -> trans_real.DjangoTranslation:
        t = real(language)
        if language == "prs" and not getattr(t, "_persian_fallback", False):
            # project strings in Dari first, then Django's own in Persian, then English
            persian = real("fa")
            t._fallback = None  # type: ignore[attr-defined]
            t.add_fallback(persian)
            t._persian_fallback = True  # type: ignore[attr-defined]
        return t

    trans_real.translation = translation_with_dari  # type: ignore[assignment]


def alias_accept_language(header: str) -> str:
    return _TAG.sub(lambda m: ALIASES[m[1].lower()], header)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, with a user's own language first and the Dari aliases of Accept-Language."""

    def process_request(self, request: HttpRequest) -> None:
        header = request.META.get("HTTP_ACCEPT_LANGUAGE")
        if header:
            request.META["HTTP_ACCEPT_LANGUAGE"] = alias_accept_language(header)
        super().process_request(request)


def language_of(user: object) -> str | None:
    """The user's own language, if one is set and shipped."""
    code = getattr(user, "language", "") or ""
    return code if code and code in dict(settings.LANGUAGES) else None


def activate_for(user: object) -> None:
    code = language_of(user)
    if code:
        translation.activate(code)
