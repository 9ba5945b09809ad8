from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from truceline.core.errors import ApiError
from truceline.ledger.models import Event
from truceline.scenario import models as m
from truceline.scenario.schema import ScenarioFileError, parse_scenario
from truceline.scenario.services import scenario_load, scenario_load_file

BUNDLED: Path = settings.TRUCELINE_BUNDLED_SCENARIO


def bundled_text() -> str:
    return BUNDLED.read_text(encoding="utf-8")


def test_bundled_scenario_has_what_the_brief_names() -> None:
    doc = parse_scenario(bundled_text(), "bundled")
    orgs = {o.slug: o for o in doc.organisations}
    assert {s for s, o in orgs.items() if o.kind == "party"} == {"pakistan", "afghanistan"}
    assert {s for s, o in orgs.items() if o.guarantor} == {"qatar", "turkiye"}
    assert [c.slug for c in doc.categories] == [
        "cross-border-fire",
        "air-or-drone-strike",
        "shelling",
        "ground-incursion",
        "militant-attack",
        "infiltration",
        "airspace-violation",
        "abduction-or-detention",
    ]
    crossings = {p.slug for p in doc.places if p.kind == "crossing"}
    assert crossings == {"torkham", "chaman-spin-boldak", "ghulam-khan", "angoor-adda", "kharlachi"}
    assert [(r.starts.isoformat(), r.ends.isoformat()) for r in doc.rounds] == [
        ("2025-10-18", "2025-10-19"),
        ("2025-10-25", "2025-10-30"),
        ("2025-11-06", "2025-11-07"),
    ]
    assert {
        "no-cross-border-fire",
        "territory-not-used-for-attacks",
        "action-against-armed-groups",
        "crossings-reopened",
    } <= {c.slug for c in doc.commitments}
    assert doc.scenario.agreement.date.isoformat() == "2025-10-19"


@pytest.mark.django_db
def test_loading_records_every_change_and_reloading_changes_nothing() -> None:
    before = Event.objects.count()  # the ledger's key, made when the database was
    summary = scenario_load_file(actor=None, path=BUNDLED)
    assert "place:torkham" in summary.created
    events = Event.objects.count()
    assert events - before == len(summary.created) + 2  # + the scenario head + "loaded"
    assert m.Place.objects.get(pk="torkham").country_id == "pakistan"
    assert set(
        m.Commitment.objects.get(pk="no-cross-border-fire").parties.values_list("pk", flat=True)
    ) == {
        "pakistan",
        "afghanistan",
    }
    again = scenario_load_file(actor=None, path=BUNDLED)
    assert not again.changed
    assert Event.objects.count() == events


@pytest.mark.django_db
def test_update_and_retire_are_logged_and_nothing_is_deleted() -> None:
    scenario_load_file(actor=None, path=BUNDLED)
    data = yaml.safe_load(bundled_text())
    data["places"] = [p for p in data["places"] if p["slug"] != "wana"]
    next(p for p in data["places"] if p["slug"] == "torkham")["lat"] = 34.2
    data["scenario"]["mechanism"]["reply_window_hours"] = 96
    summary = scenario_load(actor=None, doc=parse_scenario(yaml.safe_dump(data)))
    assert summary.retired == ["place:wana"]
    assert "place:torkham" in summary.updated
    assert m.Place.objects.get(pk="wana").retired is True
    assert m.Scenario.objects.get().reply_window_hours == 96
    updated = Event.objects.get(kind="scenario.place.updated", object_id="torkham")
    assert updated.payload == '{"slug":"torkham","values":{"lat":34.2}}'
    assert Event.objects.filter(kind="scenario.place.retired", object_id="wana").exists()


@pytest.mark.django_db
def test_a_database_holds_one_scenario() -> None:
    scenario_load_file(actor=None, path=BUNDLED)
    data = yaml.safe_load(bundled_text())
    data["scenario"]["slug"] = "another-ceasefire"
    with pytest.raises(ApiError) as exc:
        scenario_load(actor=None, doc=parse_scenario(yaml.safe_dump(data)))
    assert exc.value.code == "conflict"


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_errors_name_the_field_and_its_line() -> None:
    text = bundled_text().replace("lat: 34.1031", "lat: north")
    with pytest.raises(ScenarioFileError) as exc:
        parse_scenario(text, "s.yaml")
    (problem,) = exc.value.problems
    at = [p["slug"] for p in yaml.safe_load(bundled_text())["places"]].index("torkham")
    assert problem.path == f"places[{at}].lat"
    assert problem.line == _line_of(text, "lat: north")
    assert str(exc.value).startswith(f"s.yaml:{problem.line}: places[{at}].lat: ")


def test_cross_references_are_checked_with_lines() -> None:
    text = bundled_text().replace(
        "sector: kurram\n    parent: kurram", "sector: nowhere\n    parent: kurram", 1
    )
    with pytest.raises(ScenarioFileError) as exc:
        parse_scenario(text, "s.yaml")
    (problem,) = exc.value.problems
    assert problem.path.endswith(".sector") and "nowhere" in problem.message
    assert problem.line == _line_of(text, "sector: nowhere")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            lambda d: d["organisations"][0].update(time_zone="Mars/Olympus"),
            "organisations[0].time_zone",
        ),
        (lambda d: d["organisations"][0].update(colour="green"), "organisations[0].colour"),
        (lambda d: d["scenario"]["mechanism"].update(quorum=3), "scenario.mechanism.quorum"),
        (lambda d: d["rounds"][0].update(ends="2025-10-01"), "rounds[0].ends"),
        (lambda d: d["commitments"][0]["parties"].append("qatar"), "commitments[0].parties[2]"),
        (lambda d: d["categories"].append(dict(d["categories"][0])), "categories[8].slug"),
        (
            lambda d: d["commitments"][0]["translations"]["ur"].update(txt="..."),
            "commitments[0].translations.ur.txt",
        ),
        (
            lambda d: d["rounds"][0]["translations"]["ar"]["agenda"].pop(),
            "rounds[0].translations.ar.agenda",
        ),
    ],
)
def test_invalid_content_is_refused_with_its_path(change, path: str) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(bundled_text())
    change(data)
    with pytest.raises(ScenarioFileError) as exc:
        parse_scenario(yaml.safe_dump(data, allow_unicode=True))
    assert path in [p.path for p in exc.value.problems]


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(ScenarioFileError) as exc:
        parse_scenario("version: 1\nscenario: [\n", "bad.yaml")
    assert exc.value.problems[0].line is not None


@pytest.mark.django_db
def test_load_scenario_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_scenario", str(BUNDLED))
    assert "created" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text(bundled_text().replace("quorum: 2", "quorum: many"), encoding="utf-8")
    before = Event.objects.count()
    with pytest.raises(CommandError, match=r"bad.yaml:\d+: scenario.mechanism.quorum"):
        call_command("load_scenario", str(bad))
    assert Event.objects.count() == before


@pytest.mark.django_db
def test_scenario_api(api) -> None:  # type: ignore[no-untyped-def]
    status, body = api.get("/scenario")
    assert status == 200
    assert [p["slug"] for p in body["parties"]] == ["pakistan", "afghanistan"]
    assert [p["slug"] for p in body["mediators"]] == ["qatar", "turkiye"]
    assert body["mechanism"]["quorum"] == 2
    assert len(body["categories"]) == 8
    torkham = next(p for p in body["places"] if p["slug"] == "torkham")
    assert torkham["country"] == "pakistan" and torkham["kind"] == "crossing"
    status_auth, body_auth = api.get("/scenario", as_="pk-liaison")
    assert (status_auth, body_auth) == (200, body)


LANGUAGES = ("ur", "ps", "prs", "ar", "tr")


def test_bundled_scenario_brings_its_texts_in_every_language() -> None:
    """Every text a page shows from the scenario has its translation in each language the
    mechanism is read in (not the English again)."""
    doc = parse_scenario(bundled_text(), "bundled")
    missing = []

    def check(where: str, english: object, by_language: dict[str, object]) -> None:
        for lang in LANGUAGES:
            if not by_language.get(lang) or by_language[lang] == english:
                missing.append(f"{where} [{lang}]")

    head, agreement = doc.scenario, doc.scenario.agreement
    check("title", head.title, {k: v.title for k, v in head.translations.items()})
    for field in ("title", "venue", "text"):
        texts = {k: getattr(v, field) for k, v in agreement.translations.items()}
        check(f"agreement.{field}", getattr(agreement, field), texts)
    for r in doc.rounds:
        check(f"{r.slug}.title", r.title, dict(r.names))
        for field in ("venue", "summary", "outcome"):
            texts = {k: getattr(v, field) for k, v in r.translations.items()}
            check(f"{r.slug}.{field}", getattr(r, field), texts)
        for i, item in enumerate(r.agenda):
            texts = {k: (v.agenda or [None] * len(r.agenda))[i] for k, v in r.translations.items()}
            check(f"{r.slug}.agenda[{i}]", item, texts)
        for i, d in enumerate(r.decisions):
            check(
                f"{r.slug}.decisions[{i}]", d.text, {k: v.text for k, v in d.translations.items()}
            )
    for c in doc.commitments:
        check(f"{c.slug}.title", c.title, dict(c.names))
        check(f"{c.slug}.text", c.text, {k: v.text for k, v in c.translations.items()})
        for ind in c.indicators:
            check(f"{c.slug}.{ind.slug}", ind.name, dict(ind.names))
            if ind.description:
                texts = {k: v.description for k, v in ind.translations.items()}
                check(f"{c.slug}.{ind.slug}.description", ind.description, texts)
    assert missing == []


@pytest.mark.django_db
def test_a_page_shows_the_scenario_texts_in_the_readers_language() -> None:
    from django.template import Context, Template
    from django.utils import translation

    scenario_load_file(actor=None, path=BUNDLED)
    clause = m.Commitment.objects.get(pk="no-cross-border-fire")
    rnd = m.Round.objects.get(pk="doha-2025-10")
    page = Template(
        '{{ c|translated:"text" }}|{{ r|named }}|{{ r|translated:"agenda"|first }}|'
        '{{ d|translated:"text" }}|{{ i|named }}|{{ s|translated:"title" }}'
    )
    context = Context(
        {
            "c": clause,
            "r": rnd,
            "d": rnd.decisions[1],
            "i": clause.indicators[0],
            "s": m.Scenario.objects.get(),
        }
    )
    with translation.override("ur"):
        urdu = page.render(context).split("|")
    with translation.override("prs"):
        dari = page.render(context).split("|")
    with translation.override("en"):
        english = page.render(context).split("|")
    assert urdu[0].startswith("ہر فریق کی افواج") and urdu[1] == "دوحہ مذاکرات"
    assert urdu[2] == "سرحد پار لڑائی کا خاتمہ"
    assert urdu[3] == "دونوں فریق سرحد پار فائرنگ بند کریں گے۔"
    assert urdu[4] == "فریق کی افواج سے براہِ راست منسوب تصدیق شدہ خلاف ورزیاں"
    assert urdu[5].startswith("پاکستان – افغانستان")
    assert dari[1] == "مذاکرات دوحه"
    assert english == [
        clause.text.replace("'", "&#x27;"),
        "Doha talks",
        "An end to the cross-border fighting",
        "Both parties cease fire across the border.",
        "Confirmed violations attributed directly to the party&#x27;s forces",
        "Pakistan – Afghanistan ceasefire monitoring and verification mechanism",
    ]
