"""An Atom feed of newly published findings (what the public may see, nothing more).

Every text from a record goes out as plain text: summaries are Atom ``type="text"`` (Django
marks them ``type="html"``, which a feed reader would render, markup and scripts included), and
characters XML cannot carry are dropped rather than failing the whole feed.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from truceline.findings.models import Finding
from truceline.policy import visible_to
from truceline.scenario.models import Scenario

# Characters XML 1.0 cannot carry (C0 controls other than tab and line breaks, surrogates,
# U+FFFE and U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def plain(text: str) -> str:
    return _NOT_XML.sub("", text)


class PlainTextAtom(Atom1Feed):
    """Atom whose entry summaries are plain text, shown as typed, never rendered as HTML."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        summary = item.get("description")
        super().add_item_elements(handler, {**item, "description": None})
        if summary is not None:
            handler.addQuickElement("summary", summary, {"type": "text"})


class PublishedFindings(Feed):  # type: ignore[type-arg]
    feed_type = PlainTextAtom
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
        return plain(f"{item.get_determination_display()}: incident {item.incident_id}{who}")

    def item_description(self, item: Finding) -> str:
        return plain(item.summary)

    def item_link(self, item: Finding) -> str:
        return reverse("incidents:detail", args=[item.incident_id])

    def item_guid(self, item: Finding) -> str:
        return item.pk

    def item_pubdate(self, item: Finding) -> Any:
        return item.published_at

    def item_updateddate(self, item: Finding) -> Any:
        return item.published_at
