"""Webhooks reach public internet addresses only (core/outbound.py), checked after resolving,
at registration and again at every delivery, never through a redirect, and on the address that
was checked. These tests run with loopback refused, as a deployment does: the receivers they
start on 127.0.0.1 stand for the server's own services, which must hear nothing.

``Internet`` stands in for the internet: a name of its own resolves to a public address, and
a connection to that address reaches a listener here (the only thing the tests replace is
the last hop of the network)."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from typing import Any

import pytest

from truceline.core import outbound
from truceline.core.errors import Invalid
from truceline.notify.models import Attempt, Delivery, Webhook
from truceline.notify.services import webhook_create
from truceline.testing.incidents import make_incident
from truceline.testing.network import signed_correctly
from truceline.testing.tasks import work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_refused(settings: Any) -> None:
    settings.TRUCELINE_OUTBOUND_ALLOW_LOOPBACK = False
    settings.TRUCELINE_WEBHOOK_RETRY_SECONDS = 0
    settings.TRUCELINE_WEBHOOK_TIMEOUT = 5
    settings.TRUCELINE_WEBHOOK_ATTEMPTS = 2


def log_of(api: Any, hook: Webhook, as_: str) -> list[dict[str, Any]]:
    status, body = api.get(f"/webhooks/{hook.public_id}/deliveries", as_=as_)
    assert status == 200
    return [a for d in body["items"] for a in d["attempts"]]


def test_a_receiver_on_the_internet_gets_its_deliveries(people, listen, internet) -> None:  # type: ignore[no-untyped-def]
    """The rule refuses what is not public, not deliveries."""
    receiver = listen()
    _hook, secret = webhook_create(
        actor=people["af-liaison"], url=internet.serve("hooks.example.org", receiver, "/in")
    )
    make_incident(people, "under-verification")
    work()
    delivery = Delivery.objects.get(channel="webhook")
    assert delivery.state == "delivered"
    (got,) = receiver.got
    assert got["path"] == "/in" and signed_correctly(got, secret)
    assert got["headers"]["Host"] == f"hooks.example.org:{receiver.port}"


@pytest.mark.parametrize(
    "where",
    [
        "http://127.0.0.1:{port}/hook",
        "http://localhost:{port}/hook",  # a name that resolves to 127.0.0.1
        "http://[::1]:{port}/hook",
        "http://127.7.7.7:{port}/hook",
        "http://2130706433:{port}/hook",  # 127.0.0.1 as one number
        "http://0x7f.1:{port}/hook",
        "http://[::ffff:127.0.0.1]:{port}/hook",
        "http://0.0.0.0:{port}/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.1/hook",
        "http://192.168.1.1/hook",
        "http://100.64.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",  # the cloud's metadata service
        "http://100.100.100.200/latest/meta-data/",
        "http://168.63.129.16/machine",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://[fe80::1]/hook",
        "http://[fc00::1]/hook",
        "http://224.0.0.1/hook",
        "http://[ff02::1]/hook",
        "http://240.0.0.1/hook",
        "http://192.0.2.1/hook",
        "http://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
        "http://[2002:7f00:1::1]/hook",  # 6to4 of 127.0.0.1
        "http://nowhere.invalid/hook",  # resolves to nothing
    ],
)
def test_registration_refuses_what_is_not_public(people, listen, api, where: str) -> None:  # type: ignore[no-untyped-def]
    receiver = listen()
    url = where.format(port=receiver.port)
    with pytest.raises(Invalid) as refused:
        webhook_create(actor=people["af-liaison"], url=url)
    assert "url" in refused.value.fields
    status, body = api.post("/webhooks", {"url": url}, as_="af-liaison")
    assert status == 422 and "url" in body["error"]["fields"]
    assert not Webhook.objects.exists() and receiver.got == []


def test_a_name_that_resolves_to_a_private_address_is_refused(people, internet) -> None:  # type: ignore[no-untyped-def]
    for name, address in (("intranet.example.org", "10.0.0.7"), ("meta.example.org", "fd00::1")):
        internet.answers[name] = [address]
        with pytest.raises(Invalid):
            webhook_create(actor=people["af-liaison"], url=f"http://{name}/hook")
    # one public address among its answers is not enough: every one must be public
    internet.answers["mixed.example.org"] = ["93.184.215.1"]
    real = socket.getaddrinfo

    def both(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "mixed.example.org":
            loopback = (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))
            return [*real(host, port, *args, **kwargs), loopback]
        return real(host, port, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", both)
        with pytest.raises(Invalid):
            webhook_create(actor=people["af-liaison"], url="http://mixed.example.org/hook")
    assert not Webhook.objects.exists()


def test_a_hook_that_has_become_loopback_is_refused_at_delivery(  # type: ignore[no-untyped-def]
    people, listen, internet, api, settings
) -> None:
    """One made while loopback was allowed, and one whose name resolved to a public address
    when it was made and to 127.0.0.1 since: neither delivery leaves, and the log says only
    "failed"."""
    local = listen()
    settings.TRUCELINE_OUTBOUND_ALLOW_LOOPBACK = True
    direct, _s = webhook_create(actor=people["af-liaison"], url=local.url("/hook"))
    settings.TRUCELINE_OUTBOUND_ALLOW_LOOPBACK = False
    internet.answers["rebound.example.org"] = ["93.184.215.99", "127.0.0.1"]
    renamed, _s = webhook_create(
        actor=people["af-liaison"], url=local.url("/hook", host="rebound.example.org")
    )
    make_incident(people, "under-verification")
    work()
    assert local.got == []
    for hook in (direct, renamed):
        delivery = Delivery.objects.get(webhook=hook)
        assert delivery.state == "failed" and delivery.attempts == 2
        attempts = log_of(api, hook, "af-liaison")
        assert [(a["ok"], a["status_code"], a["error"]) for a in attempts] == [
            (False, None, "failed")
        ] * 2
    assert set(Attempt.objects.values_list("error", flat=True)) == {"failed"}


@pytest.mark.parametrize("to", ["http://127.0.0.1:{port}/admin", "http://localhost:{port}/admin"])
def test_a_webhook_follows_no_redirect(people, listen, internet, api, to: str) -> None:  # type: ignore[no-untyped-def]
    inside = listen()
    front = listen()
    front.script = [(307, {"Location": to.format(port=inside.port)})] * 2
    hook, _s = webhook_create(
        actor=people["af-liaison"], url=internet.serve("hooks.example.org", front, "/in")
    )
    make_incident(people, "under-verification")
    work()
    assert inside.got == [] and len(front.got) == 2
    attempts = log_of(api, hook, "af-liaison")
    assert [(a["ok"], a["status_code"], a["error"]) for a in attempts] == [(False, 307, "")] * 2


def test_the_delivery_log_has_the_status_code_and_no_timings(people, listen, internet, api) -> None:  # type: ignore[no-untyped-def]
    receiver = listen()
    receiver.script = [(500, {})]
    hook, _s = webhook_create(
        actor=people["af-liaison"], url=internet.serve("hooks.example.org", receiver)
    )
    make_incident(people, "under-verification")
    work()
    attempts = log_of(api, hook, "af-liaison")
    assert [(a["ok"], a["status_code"], a["error"]) for a in attempts] == [
        (False, 500, ""),
        (True, 200, ""),
    ]
    assert all(set(a) == {"at", "ok", "status_code", "error"} for a in attempts)


def test_the_connection_goes_to_the_address_that_was_checked(listen, internet) -> None:  # type: ignore[no-untyped-def]
    """DNS rebinding: the name answers a public address to the check and 127.0.0.1 to any
    later lookup. The request is made once, to the public address; the local service hears
    nothing, and the name was looked up once."""
    inside = listen()
    front = listen()
    internet.serve("rebind.example.org", front)
    internet.answers["rebind.example.org"].append("127.0.0.1")
    answer = outbound.request(
        "POST", f"http://rebind.example.org:{inside.port}/hook", body=b"{}", timeout=5
    )
    assert answer.status == 200
    assert len(front.got) == 1 and inside.got == []
    assert internet.lookups == ["rebind.example.org"]
    assert internet.connections == ["93.184.215.10"]


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.215.14", True),
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("127.0.0.1", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 (an address refused, not one bound)
        ("::", False),
        ("10.0.0.1", False),
        ("172.31.255.255", False),
        ("192.168.0.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("169.254.170.2", False),
        ("100.100.100.200", False),
        ("168.63.129.16", False),
        ("fd00:ec2::254", False),
        ("fe80::1", False),
        ("fec0::1", False),
        ("fc00::1", False),
        ("224.0.0.251", False),
        ("239.255.255.250", False),
        ("ff02::1", False),
        ("255.255.255.255", False),
        ("240.0.0.1", False),
        ("198.18.0.1", False),
        ("192.0.0.8", False),
        ("2001:db8::1", False),
        ("2002:a00:1::1", False),  # 6to4 of 10.0.0.1
    ],
)
def test_which_addresses_may_be_reached(address: str, allowed: bool) -> None:
    ip = ipaddress.ip_address(address)
    assert outbound.address_allowed(ip, loopback=False) is allowed
    # the suite's switch lets loopback through, and nothing else
    loopback = ip.is_loopback or address == "::ffff:127.0.0.1"
    assert outbound.address_allowed(ip, loopback=True) is (allowed or loopback)


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_deadline(settings) -> None:  # type: ignore[no-untyped-def]
    """A byte every tenth of a second never trips a per-read timeout; the deadline is for the
    whole request."""
    settings.TRUCELINE_OUTBOUND_ALLOW_LOOPBACK = True  # this one is about time, not address
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle() -> None:
        conn, _peer = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b"X")
                except OSError:
                    return
                stop.wait(0.1)

    threading.Thread(target=trickle, daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(outbound.Failed, match="no answer in time"):
            outbound.request("POST", f"http://127.0.0.1:{server.getsockname()[1]}/", timeout=1)
        assert time.monotonic() - started < 3
    finally:
        stop.set()
        server.close()
