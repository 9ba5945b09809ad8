"""Forms for the workflow pages. They only parse; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from truceline.core.moments import current_zone
from truceline.findings.models import Confidence, Determination, Grade, Intent
from truceline.reports.models import Confidentiality, PlacePrecision, TimePrecision
from truceline.scenario.models import Category, Commitment, Organisation, Place


class NamedChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of scenario objects, each by its name in the reader's language."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.shown_name)


class NamedMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Several scenario objects, each by its name in the reader's language."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.shown_name)


class ReportForm(forms.Form):
    category = NamedChoiceField(Category.objects.filter(retired=False), label=_("Category"))
    accused_party = NamedChoiceField(
        Organisation.objects.filter(kind="party", retired=False), label=_("Accused party")
    )
    # read in the user's own zone (Django reads a naive time in the current zone), which the
    # label names; __init__ puts it there, as the zone is the request's
    occurred_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    time_precision = forms.ChoiceField(choices=TimePrecision.choices, label=_("Time precision"))
    place = NamedChoiceField(
        Place.objects.filter(retired=False), required=False, label=_("Nearest named place")
    )
    lat = forms.FloatField(min_value=-90, max_value=90, label=_("Latitude"))
    lon = forms.FloatField(min_value=-180, max_value=180, label=_("Longitude"))
    location_precision = forms.ChoiceField(
        choices=PlacePrecision.choices, label=_("Location precision")
    )
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label=_("What happened"))
    killed = forms.IntegerField(min_value=0, required=False, label=_("Killed (all groups)"))
    injured = forms.IntegerField(min_value=0, required=False, label=_("Injured (all groups)"))
    origin = NamedChoiceField(
        Organisation.objects.filter(kind="party"), required=False, label=_("Territory of origin")
    )
    confidentiality = forms.ChoiceField(
        choices=Confidentiality.choices, initial="parties", label=_("Confidentiality")
    )
    urgent = forms.BooleanField(required=False, label=_("Urgent: firing is still going on"))
    sources = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Sources (one per line)")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].label = format_lazy("{} ({})", _("When"), current_zone())


class FindingForm(forms.Form):
    # nothing preselected: a monitor chooses each judgement (an empty choice is refused)
    determination = forms.ChoiceField(
        choices=[("", "—"), *Determination.choices], label=_("Determination")
    )
    confidence = forms.ChoiceField(choices=[("", "—"), *Confidence.choices], label=_("Confidence"))
    grade = forms.ChoiceField(choices=[("", "—"), *Grade.choices], label=_("Attribution"))
    actor = forms.CharField(required=False, max_length=60, label=_("Actor (slug)"))
    territory = NamedChoiceField(
        Organisation.objects.filter(kind="party"), required=False, label=_("Territory")
    )
    intent = forms.ChoiceField(choices=[("", "—"), *Intent.choices], label=_("Intent"))
    clauses = NamedMultipleChoiceField(
        Commitment.objects.filter(retired=False),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Commitments breached"),
    )
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label=_("Summary"))
