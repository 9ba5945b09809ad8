"""Words, not slugs, and cheaply: a refused step is said by the step's and the state's labels
in the reader's language, never the slugs of the state table (``Cannot open: the incident is
under-verification``); scenario names are read once per request, not once per name."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from truceline.core.errors import STEPS, IllegalTransition
from truceline.incidents.models import TRANSITIONS
from truceline.incidents.services import incident_open
from truceline.testing.incidents import make_incident

SLUG = re.compile(r"\b[a-z]+(?:-[a-z]+)+\b")


@pytest.mark.django_db
def test_a_refused_step_names_the_step_and_the_state_in_words(people) -> None:  # type: ignore[no-untyped-def]
    incident = make_incident(people, "received")
    with pytest.raises(IllegalTransition) as refused:
        incident_open(incident=incident, actor=people["qa-monitor"])
    assert refused.value.message == "Cannot open verification: the incident is received."
    assert refused.value.extra == {"state": "received"}  # programs keep the slug


def test_every_step_of_the_state_table_has_words() -> None:
    assert {action for _state, action in TRANSITIONS} <= set(STEPS)
    for state in ("under-verification", "finding-drafted"):
        message = IllegalTransition(state=state, action="draft-finding").message
        assert not SLUG.search(message), message
    assert (
        "under verification"
        in IllegalTransition(state="under-verification", action="publish").message
    )


@pytest.mark.parametrize("language", ["ur", "ar"])
def test_a_refused_step_in_a_right_to_left_language_has_no_latin_slug(language: str) -> None:
    with translation.override(language):
        message = IllegalTransition(state="under-verification", action="publish").message
    assert "under-verification" not in message and "publish" not in message


@pytest.mark.django_db
def test_scenario_names_are_read_once_per_request(scenario, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from django.core import signals

    from truceline.web.templatetags import words
    from truceline.web.templatetags.words import scenario_name

    # the request's start and end are the app's receivers, called here as the signals call them:
    # sending request_started itself would also close the test's connection (Django's
    # close_old_connections listens to it), and with it the test's transaction on PostgreSQL
    for signal in (signals.request_started, signals.request_finished):
        assert any(key[0] == "web-scenario-names" for key, *_ in signal.receivers)
    words.request_started()
    try:
        with django_assert_num_queries(2):  # one per kind, however many names
            for _ in range(20):
                assert scenario_name("pakistan", "organisation") == "Pakistan"
                assert scenario_name(["qatar", "turkiye"], "organisation") == "Qatar, Türkiye"
                assert scenario_name("torkham", "place") == "Torkham"
            assert scenario_name("nowhere", "place") == "nowhere"
        with django_assert_num_queries(1):  # a party by its country's code, as geo derives it
            assert scenario_name("PK", "country") == "Pakistan"
            assert scenario_name("AF", "country") == "Afghanistan"
    finally:
        words.request_finished()
    with django_assert_num_queries(1):  # outside a request: read each time, never stale
        scenario_name("pakistan", "organisation")
