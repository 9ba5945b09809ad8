"""An Atom feed of newly published findings (what the public may see, nothing more)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from truceline.findings.models import Finding
from truceline.policy import visible_to
from truceline.scenario.models import Scenario


class PublishedFindings(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed
    link = "/"

    def title(self) -> str:
        scenario = Scenario.objects.first()
        return f"{scenario.title if scenario else 'Truceline'}: published findings"

    def subtitle(self) -> str:
        return "Findings of the monitoring and verification mechanism, as published."

    def items(self) -> Any:
        return (
            visible_to(AnonymousUser(), Finding)
            .filter(status="published")
            .select_related("incident", "attributed_party")
            .order_by("-published_at")[:50]
        )

    def item_title(self, item: Finding) -> str:
        who = f", attributed to {item.attributed_party.name}" if item.attributed_party else ""
        return f"{item.get_determination_display()}: incident {item.incident_id}{who}"

    def item_description(self, item: Finding) -> str:
        return item.summary

    def item_link(self, item: Finding) -> str:
        return reverse("incidents:detail", args=[item.incident_id])

    def item_guid(self, item: Finding) -> str:
        return item.pk

    def item_pubdate(self, item: Finding) -> Any:
        return item.published_at

    def item_updateddate(self, item: Finding) -> Any:
        return item.published_at
