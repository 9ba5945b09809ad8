"""The second factor's rules (DESIGN.md, "Who sees what"): who must have one, when a session
counts as signed in, which acts are signatures that ask for a code typed for them, and who
may take someone's authenticator away.

The checks themselves live with the authenticators (accounts/twofactor.py), the middleware
(accounts/middleware.py), the API's auth (core/api.py) and the admin (accounts/admin.py);
what they check is decided here.
"""

from __future__ import annotations

from truceline.policy.core import Viewer, role_of

# Monitors, signatories and the secretariat's admins: the mechanism's own people.
SECOND_FACTOR_ROLES = frozenset({"monitor", "signatory", "admin"})

# Acts signed in an organisation's name: each takes a fresh code, on the web and through the
# API alike (with a token too), checked once, in the service that signs.
SIGNED_ACTS = frozenset(
    {
        "finding.vote",  # a guarantor's vote, signed with its key
        "measure.decide",  # a measure on a published finding, signed with its key
        "round.announce",  # a guarantor announces a round: its decisions change the clauses
        "assessment.confirm",  # a guarantor confirms a compliance status
    }
)


def second_factor_required(user: Viewer) -> bool:
    """Whether this person must have an authenticator and use it at every sign-in."""
    return str(getattr(user, "role", "") or "") in SECOND_FACTOR_ROLES


def second_factor_pending(user: Viewer) -> bool:
    """A signed-in session that may reach nothing yet: its person must use a second factor
    and has not verified one in this session (none set up, or signed in by password alone).
    It may set one up, or sign out; no page, API read or write, export or admin view."""
    if not user.is_authenticated or not second_factor_required(user):
        return False
    is_verified = getattr(user, "is_verified", None)  # django-otp's middleware sets it
    return not (callable(is_verified) and is_verified())


def needs_fresh_code(act: str) -> bool:
    return act in SIGNED_ACTS


def may_remove_authenticator(actor: Viewer) -> bool:
    """The secretariat removes a lost authenticator; its owner then sets up a new one."""
    return role_of(actor) == "admin"
