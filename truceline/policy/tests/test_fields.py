"""Every text and file field of every installed model is classified (policy/fields.py), and no
template reads a sealable field from a row instead of from the seal-applying read path."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.db import models

from truceline.policy.fields import ALSO_OWN_SIDE, CLASSES, FIELDS, SEALABLE, sealable_fields
from truceline.redaction.models import SEALABLE as SEAL_TARGETS

ROOT = Path(__file__).resolve().parents[2]  # truceline/
TEXT_AND_FILES = (models.CharField, models.TextField, models.JSONField, models.FileField)

# redaction's object types, by model
SEAL_MODELS = {
    "report": "reports.Report",
    "response": "incidents.Response",
    "question": "incidents.Question",
}


def model_fields() -> set[str]:
    """``<app>.<Model>.<field>`` of every concrete text, JSON and file field (subclasses too:
    slugs, e-mail addresses, images)."""
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, TEXT_AND_FILES) and getattr(field, "concrete", False)
    }


def test_every_text_and_file_field_is_classified() -> None:
    missing = sorted(model_fields() - set(FIELDS))
    assert not missing, f"fields policy/fields.py does not classify: {missing}"


def test_no_classification_names_a_field_that_is_gone() -> None:
    stale = sorted(set(FIELDS) - model_fields())
    assert not stale, f"classified, but no such text or file field: {stale}"
    assert set(FIELDS.values()) <= set(CLASSES)
    assert set(ALSO_OWN_SIDE) <= {k for k, v in FIELDS.items() if v == SEALABLE}


def test_sealable_fields_are_those_a_seal_can_cover() -> None:
    expected = {SEAL_MODELS[kind]: set(fields) for kind, fields in SEAL_TARGETS.items()}
    assert {k: set(v) for k, v in sealable_fields().items()} == expected


# A template reading a sealable field's name (``x.narrative``, ``x.text``...) reads it from
# what a read path gave it (seals applied), or from what is not a sealable row at all. Each
# (template, variable) is listed with where its value comes from; a new one fails until it is
# shown to come from the read path.
READS: dict[tuple[str, str], str] = {
    ("incidents/templates/incidents/detail.html", "r"): (
        "report_out / response_out: the reports and responses with seals applied"
    ),
    ("incidents/templates/incidents/detail.html", "out"): "question_out: seals applied",
    ("incidents/templates/incidents/detail.html", "e"): "the refusal's field messages",
    ("incidents/templates/incidents/detail.html", "err"): "the refusal's field messages",
    ("incidents/templates/incidents/detail.html", "posted"): "what the person just typed",
    ("publications/templates/publications/periodic.html", "r"): (
        "response_out for the edition's reader: seals applied"
    ),
    ("publications/templates/publications/periodic.html", "row"): (
        "a request's answer (accepted, refused): not sealable"
    ),
    ("publications/templates/publications/periodic.html", "m"): "a measure's text: public",
    ("web/templates/web/home_monitor.html", "q"): (
        "the monitors' own home: the mechanism reads under the seals (policy.reads_sealed)"
    ),
    ("web/templates/web/_drafts.html", "d.data"): (
        "the author's own draft: nothing filed yet, nothing sealed"
    ),
    ("followup/templates/followup/_history.html", "h"): "a clause's text in history: public",
    ("followup/templates/followup/_measures.html", "x.m"): "a measure's text: public",
    ("followup/templates/followup/agreement.html", "c"): "a commitment's text: public",
    ("followup/templates/followup/agreement.html", "d"): "a round's decision: public",
    ("followup/templates/followup/agreement.html", "row"): "a request count's answer",
    ("followup/templates/followup/compliance_cell.html", "clause"): "a commitment: public",
    ("followup/templates/followup/measure_list.html", "m"): "a measure's text: public",
    ("followup/templates/followup/request_detail.html", "posted"): "what was just typed",
    ("followup/templates/followup/request_detail.html", "req"): (
        "a request's answer (accepted, refused): not sealable"
    ),
    ("followup/templates/followup/request_list.html", "r"): "a request's answer: not sealable",
    ("followup/templates/followup/round_new.html", "r"): "the round form's decision rows",
    ("dashboards/templates/dashboards/dashboard.html", "baseline"): (
        "the baseline's list of data sources: not a report's"
    ),
}
SEALABLE_NAMES = sorted({field for fields in SEAL_TARGETS.values() for field in fields})
TAG = re.compile(r"\{[{%].*?[%}]\}", re.S)
READ = re.compile(r"([A-Za-z_][\w.]*)\.(" + "|".join(SEALABLE_NAMES) + r")\b")
# the same field read in the reader's language, through the scenario's |translated filter
READ_TRANSLATED = re.compile(
    r"([A-Za-z_][\w.]*)\|translated:[\"'](" + "|".join(SEALABLE_NAMES) + r")[\"']"
)


def template_reads() -> set[tuple[str, str]]:
    out = set()
    for path in ROOT.rglob("*.html"):
        for tag in TAG.findall(path.read_text()):
            for variable, _field in READ.findall(tag) + READ_TRANSLATED.findall(tag):
                out.add((str(path.relative_to(ROOT)), variable))
    return out


def test_templates_read_sealable_fields_from_the_read_path_only() -> None:
    unlisted = sorted(template_reads() - set(READS))
    assert not unlisted, (
        "templates reading a sealable field's name from a variable not known to come from "
        f"the seal-applying read path (policy/tests/test_fields.py READS): {unlisted}"
    )


def test_every_listed_read_is_still_there() -> None:
    stale = sorted(set(READS) - template_reads())
    assert not stale, f"READS entries that match no template any more: {stale}"


def test_the_template_check_sees_a_row_read() -> None:
    assert READ.findall("{{ incident.reports.first.narrative }}") == [
        ("incident.reports.first", "narrative")
    ]
    assert READ.findall("{% if response.counter_claims %}") == [("response", "counter_claims")]
    assert READ_TRANSLATED.findall('{{ clause|translated:"text" }}') == [("clause", "text")]
