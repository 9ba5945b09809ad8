"""The client's address: X-Forwarded-For believed only from the configured proxies, walked
from the right past the proxies' own hops."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from truceline.core.clientip import client_address


def _address(remote: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_header_is_ignored(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUCELINE_TRUSTED_PROXIES = []
    assert _address("192.0.2.10", "198.51.100.1") == "192.0.2.10"


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),  # one proxy
        ("10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # a forged hop to the left
        ("10.0.0.2", "198.51.100.1, 10.0.0.3", "198.51.100.1"),  # two proxies of ours
        ("10.0.0.2", "[2001:db8::5]:4431", "2001:db8::5"),  # IPv6 with a port
        ("10.0.0.2", 'for="198.51.100.1:80"', "198.51.100.1"),  # RFC 7239 form
        ("10.0.0.2", "::ffff:198.51.100.1", "198.51.100.1"),  # IPv4 mapped
        ("10.0.0.2", "not an address", "10.0.0.2"),  # nothing usable: the proxy itself
        ("10.0.0.2", None, "10.0.0.2"),
        ("10.0.0.2", "10.0.0.7", "10.0.0.7"),  # begun inside, all hops ours
        ("192.0.2.10", "198.51.100.1", "192.0.2.10"),  # not a proxy of ours
        ("::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1"),  # the proxy over IPv6
    ],
)
def test_behind_trusted_proxies(settings, remote, forwarded, client) -> None:  # type: ignore[no-untyped-def]
    settings.TRUCELINE_TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8:ffff::1"]
    assert _address(remote, forwarded) == client


def test_a_proxy_that_is_no_address_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUCELINE_TRUSTED_PROXIES = ["proxy.internal"]
    with pytest.raises(ImproperlyConfigured, match="TRUCELINE_TRUSTED_PROXIES"):
        _address("10.0.0.2", "198.51.100.1")


@pytest.mark.parametrize(
    ("proxies", "remote", "believed"),
    [
        ([], "127.0.0.1", True),  # no proxy configured: one on this machine
        ([], "::1", True),
        ([], "203.0.113.5", False),  # a client that reached serve directly
        (["10.0.0.2"], "10.0.0.2", True),
        (["10.0.0.2"], "127.0.0.1", False),  # configured proxies only, then
        (["10.0.0.2"], "203.0.113.5", False),
    ],
)
def test_the_scheme_is_believed_from_the_proxies_only(  # type: ignore[no-untyped-def]
    client, settings, proxies, remote, believed
) -> None:
    """Served as HTTPS (redirecting plain requests), a request that says it came over TLS is
    believed only from the mechanism's proxy; from anyone else it is plain, and redirected."""
    settings.TRUCELINE_TRUSTED_PROXIES = proxies
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    answer = client.get("/about/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_PROTO="https")
    assert (answer.status_code != 301) is believed, answer.status_code
    if not believed:
        assert answer["Location"].startswith("https://")
