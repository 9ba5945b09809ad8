"""Imports of background history: the real UCDP GED sample end to end, ACLED files in ACLED's
format, whole or not at all, idempotent, shown on the dashboard as the baseline."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from truceline.exchange.imports import ImportRefused, import_file
from truceline.exchange.models import HistoricEvent, ImportBatch
from truceline.ledger.models import Event

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "events"
UCDP = SHARED / "ucdp-ged-23.1-afg-pak-sample.csv"

ACLED_HEADER = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
]
ACLED_ROWS = [
    [
        "PAK100",
        "12 October 2025",
        "2025",
        "1",
        "Political violence",
        "Battles",
        "Armed clash",
        "Military Forces of Pakistan",
        "Military Forces of Afghanistan",
        "Pakistan",
        "Khyber Pakhtunkhwa",
        "Torkham",
        "34.13",
        "71.09",
        "1",
        "Dawn",
        "Clashes at the border.",
        "3",
    ],
    [
        "AFG200",
        "2025-10-13",
        "2025",
        "1",
        "Political violence",
        "Explosions/Remote violence",
        "Air/drone strike",
        "Military Forces of Pakistan",
        "",
        "Afghanistan",
        "Kandahar",
        "Spin Boldak",
        "31.00",
        "66.40",
        "2",
        "Tolo",
        "Strike near Spin Boldak.",
        "12",
    ],
    [
        "PAK101",
        "09 September 2025",
        "2025",
        "1",
        "Political violence",
        "Battles",
        "Armed clash",
        "TTP",
        "Military Forces of Pakistan",
        "Pakistan",
        "Khyber Pakhtunkhwa",
        "Wana",
        "32.30",
        "69.57",
        "2",
        "Dawn",
        "",
        "5",
    ],
]


def write(tmp_path: Path, rows: list[list[str]], name: str = "acled.csv") -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ACLED_HEADER)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_the_real_ucdp_sample_end_to_end(people, login) -> None:  # type: ignore[no-untyped-def]
    summary = import_file(actor=None, source="ucdp", path=UCDP)
    assert (summary.rows, summary.created) == (169, 169)
    by_country = {c: HistoricEvent.objects.filter(country=c).count() for c in ("AF", "PK")}
    assert by_country["AF"] >= 120 and by_country["PK"] >= 25  # located from the points
    event = HistoricEvent.objects.get(source="ucdp", source_id="401115")  # '401115.0' read
    assert event.event_type == "State-based conflict" and event.fatalities == 10
    assert Event.objects.filter(kind="import.ucdp").count() == 1
    again = import_file(actor=None, source="ucdp", path=UCDP)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 169)
    assert (
        Event.objects.filter(kind="import.ucdp").count() == 1 and ImportBatch.objects.count() == 1
    )
    page = login("af-liaison").get("/dashboard/").content.decode()
    assert "Baseline: before the ceasefire" in page and "ucdp" in page


def test_acled_imports_and_a_corrected_row_updates(scenario, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = import_file(actor=None, source="acled", path=write(tmp_path, ACLED_ROWS))
    assert first.created == 3
    torkham = HistoricEvent.objects.get(source_id="PAK100")
    assert str(torkham.event_date) == "2025-10-12" and torkham.country == "PK"
    assert torkham.border_km is not None and torkham.border_km < 10
    corrected = [row[:] for row in ACLED_ROWS]
    corrected[0][-1] = "4"
    second = import_file(actor=None, source="acled", path=write(tmp_path, corrected, "v2.csv"))
    assert (second.created, second.updated, second.unchanged) == (0, 1, 2)
    assert HistoricEvent.objects.get(source_id="PAK100").fatalities == 4


def test_a_bad_row_refuses_the_whole_file_naming_its_line(scenario, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = [row[:] for row in ACLED_ROWS]
    bad[1][12] = "north of here"  # line 3: the latitude
    bad[2][1] = "soon"  # line 4: the date
    with pytest.raises(ImportRefused) as refused:
        import_file(actor=None, source="acled", path=write(tmp_path, bad))
    problems = refused.value.problems
    assert problems[0].startswith("line 3:") and problems[1].startswith("line 4:")
    assert (
        not HistoricEvent.objects.exists()
        and not Event.objects.filter(kind__startswith="import.").exists()
    )
    missing = tmp_path / "short.csv"
    missing.write_text("event_id_cnty,event_date\nX,2025-01-01\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_file(actor=None, source="acled", path=missing)
    assert "missing columns" in refused.value.problems[0]


def test_the_command(scenario, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("import", "acled", str(write(tmp_path, ACLED_ROWS)))
    assert "3 new" in capsys.readouterr().out
    bad = [row[:] for row in ACLED_ROWS]
    bad[0][0] = ""
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import", "acled", str(write(tmp_path, bad, "bad.csv")))
    assert "line 2: the event id is empty" in capsys.readouterr().err
    with pytest.raises(CommandError):
        call_command("import", "acled", str(tmp_path / "nowhere.csv"))
