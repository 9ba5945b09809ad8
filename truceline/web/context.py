from django.http import HttpRequest

from truceline.policy import navigation
from truceline.scenario.models import Scenario


def site(request: HttpRequest) -> dict[str, object]:
    """What every page's layout shows: the mechanism's title, and the links and offers the
    policy gives this viewer (``nav``; the role itself is shown from ``user``)."""
    return {
        "scenario": Scenario.objects.only("title", "slug", "translations").first(),
        "nav": navigation(request.user),
    }
