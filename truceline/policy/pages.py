"""What the pages offer a viewer, decided here so that no template or view reads a role: the
links of the navigation, the report editions it may choose, which fields of the mechanism's
own it reads."""

from __future__ import annotations

from truceline.policy.core import Viewer, can, is_mediator, is_party_user, role_of
from truceline.policy.osint import reads_working_file


def sees_mechanism(viewer: Viewer) -> bool:
    """Whether this viewer reads the fields classified "mechanism" (policy/fields.py): who
    in the mechanism asked, decided or is assigned, the geocoder's flags."""
    return is_mediator(viewer)


def reads_sealed(viewer: Viewer) -> bool:
    """Whether this viewer reads sealed passages in clear: the mechanism's own people."""
    return is_mediator(viewer)


def reads_parties_edition(viewer: Viewer) -> bool:
    """The restricted edition of the periodic report: the parties' liaisons and the
    mechanism; anyone else the public edition."""
    return is_mediator(viewer) or is_party_user(viewer)


def navigation(viewer: Viewer) -> dict[str, bool]:
    """The links and offers every page's frame may show this viewer."""
    return {
        "open_sources": reads_working_file(viewer),
        "requests": is_mediator(viewer) or role_of(viewer) == "liaison",
        "make_request": can(viewer, "request.make"),
        # the link; the admin itself lets in its staff with a verified second factor only
        "administration": role_of(viewer) == "admin",
        "parties_edition": reads_parties_edition(viewer),
    }
