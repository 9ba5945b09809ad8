from django.http import HttpRequest

from truceline.policy import role_of
from truceline.scenario.models import Scenario


def site(request: HttpRequest) -> dict[str, object]:
    """What every page's layout shows: the mechanism's title and the viewer's role."""
    return {
        "scenario": Scenario.objects.only("title", "slug").first(),
        "viewer_role": role_of(request.user),
    }
