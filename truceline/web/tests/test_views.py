import pytest
from django.test import Client

from truceline.ledger.models import Event
from truceline.testing.people import PASSWORD

HOMES = {
    "pk-liaison": "Needs your action now",
    "qa-monitor": "Triage",
    "qa-signatory": "Findings awaiting your vote",
    "admin": "Secretariat administration",
}


@pytest.mark.django_db
def test_public_home(client: Client, scenario) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Published findings" in html and "Doha ceasefire" in html
    assert "https://" not in html.split("<body")[0]  # nothing loaded from elsewhere


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "heading"), HOMES.items())
def test_each_role_has_its_home(login, username: str, heading: str) -> None:  # type: ignore[no-untyped-def]
    response = login(username).get("/")
    assert response.status_code == 200 and heading in response.content.decode()


@pytest.mark.django_db
def test_sign_in_and_out(client: Client, people) -> None:  # type: ignore[no-untyped-def]
    bad = client.post("/signin/", {"username": "pk-liaison", "password": "wrong"})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
    good = client.post("/signin/", {"username": "pk-liaison", "password": PASSWORD})
    assert good.status_code == 302
    assert "Liaison · Pakistan" in client.get("/").content.decode()
    client.post("/signout/")
    assert "Sign in" in client.get("/").content.decode()


@pytest.mark.django_db
def test_home_refuses_other_methods(client: Client, scenario) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["pk-liaison", "qa-monitor", "qa-signatory"])
def test_admin_is_for_the_secretariat_only(login, username: str) -> None:  # type: ignore[no-untyped-def]
    response = login(username).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_admin_edits_configuration_but_domain_records_are_read_only(login, people) -> None:  # type: ignore[no-untyped-def]
    client = login("admin")
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/ledger/event/").status_code == 200
    event = Event.objects.first()
    assert event is not None
    assert client.get(f"/admin/ledger/event/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/ledger/event/add/").status_code == 403
    page = client.get(f"/admin/ledger/event/{event.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    before = Event.objects.count()
    client.post(f"/admin/ledger/event/{event.pk}/change/", {"kind": "forged"})
    assert Event.objects.get(pk=event.pk).kind == event.kind
    assert client.get("/admin/scenario/place/torkham/delete/").status_code == 403
    assert client.get(f"/admin/accounts/user/{people['af-liaison'].pk}/delete/").status_code == 403
    # A change to a person is configuration: allowed, and on the event log.
    user = people["af-liaison"]
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": user.username,
            "organisation": "afghanistan",
            "role": "liaison",
            "time_zone": "Asia/Kabul",
            "is_active": "",
            "first_name": "",
            "last_name": "",
            "email": "",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    changed = Event.objects.filter(kind="user.changed", object_id="af-liaison").get()
    assert Event.objects.count() == before + 1
    assert '"is_active":false' in changed.payload


@pytest.mark.django_db
def test_admin_refuses_a_role_that_does_not_fit(login, people) -> None:  # type: ignore[no-untyped-def]
    client = login("admin")
    user = people["af-liaison"]
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": user.username,
            "organisation": "afghanistan",
            "role": "monitor",
            "time_zone": "Asia/Kabul",
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and "cannot hold this role" in response.content.decode()
    user.refresh_from_db()
    assert user.role == "liaison"


@pytest.mark.django_db
def test_an_overlong_username_is_refused_by_the_form(client: Client, people) -> None:  # type: ignore[no-untyped-def]
    from axes.models import AccessAttempt

    response = client.post("/signin/", {"username": "n" * 300, "password": "x"})
    assert response.status_code == 200 and "at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()  # never reached authenticate()


@pytest.mark.django_db
def test_a_liaisons_home_is_led_by_what_needs_its_action(people, login) -> None:  # type: ignore[no-untyped-def]
    import re

    from truceline.testing.incidents import make_incident

    waiting = make_incident(people, "received")  # Pakistan's, with the mechanism
    to_answer = make_incident(people, "under-verification")  # against Afghanistan
    done = make_incident(people, "published")
    afghanistan = login("af-liaison").get("/").content.decode()
    now, rest = afghanistan.split('id="waiting"')
    assert to_answer.id in now and "Allegations awaiting your reply" in now
    assert re.search(r'id="now">Needs your action now <span class="badge">\d+</span>', now)
    pakistan = login("pk-liaison").get("/").content.decode()
    now, rest = pakistan.split('id="waiting"')
    waiting_part, done_part = rest.split('id="done"')
    assert waiting.id not in now and waiting.id in waiting_part and waiting.id not in done_part
    assert done.id in done_part and done.id not in waiting_part
    assert 'id="done">Done <span class="badge">1</span>' in pakistan
    # the decided ones are paged; a page beyond the last shows the last
    assert done.id in login("pk-liaison").get("/?done=9").content.decode().split('id="done"')[1]
    assert login("pk-liaison").get("/?done=x&waiting=-3").status_code == 200
    for _ in range(11):  # more than a page with the mechanism: the next page holds the rest
        make_incident(people, "received")
    first = login("pk-liaison").get("/").content.decode().split('id="waiting"')[1]
    assert first.split('id="done"')[0].count('href="/incidents/INC-') == 10
    assert 'href="?waiting=2&amp;done=1#waiting" rel="next"' in first
    second = login("pk-liaison").get("/?waiting=2").content.decode().split('id="waiting"')[1]
    assert second.split('id="done"')[0].count('href="/incidents/INC-') == 3  # 13 in all
