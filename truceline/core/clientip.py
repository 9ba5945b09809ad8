"""The client's address, as the mechanism's own reverse proxies report it (docs/security.md,
Client addresses).

``X-Forwarded-For`` is anyone's to write, so it is read only when the connection comes from a
proxy named in ``TRUCELINE_TRUSTED_PROXIES`` (addresses or networks). The header is then
walked from its right end, the hop the nearest proxy appended, past every hop that is itself
a trusted proxy; the first one that is not is the client. What a client wrote to the left of
that is never read, so one party's officer behind the proxy cannot pass for the other's
address, and rate limits and sign-in lockouts count each client on its own. With no trusted
proxy configured (the default), the connection's own address is the client.

The header is parsed by python-ipware (the parser behind django-ipware): bracketed IPv6,
ports and RFC 7239 ``for=`` elements included.
"""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from python_ipware.modern.parsers import parse_ip, split_proxy_chain, unwrap_ipv4

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(spec: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in spec)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUCELINE_TRUSTED_PROXIES: {error}") from error


def trusted_proxies() -> tuple[Network, ...]:
    """The configured proxies (refused at start when one is not an address or a network)."""
    return _trusted(tuple(settings.TRUCELINE_TRUSTED_PROXIES))


def _is_trusted(address: Any, proxies: tuple[Network, ...]) -> bool:
    address = unwrap_ipv4(address)
    return any(address.version == net.version and address in net for net in proxies)


def client_address(request: Any) -> str:
    """The client's address ("" when the server was given none)."""
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    proxies = trusted_proxies()
    peer = parse_ip(remote)
    if not proxies or peer is None or not _is_trusted(peer, proxies):
        return remote
    chain = split_proxy_chain(request.META.get("HTTP_X_FORWARDED_FOR", ""), strict=False) or []
    for hop in reversed(chain):
        if not _is_trusted(hop, proxies):
            return str(unwrap_ipv4(hop))
    # Every hop is a proxy of ours (or there is no header): the request began inside.
    return str(unwrap_ipv4(chain[0])) if chain else remote


def from_trusted_proxy(request: Any) -> bool:
    """Whether the connection comes from one of the mechanism's reverse proxies: a configured
    one, or, when none is configured, a proxy on this machine (loopback)."""
    peer = parse_ip((request.META.get("REMOTE_ADDR") or "").strip())
    if peer is None:
        return False
    proxies = trusted_proxies()
    return _is_trusted(peer, proxies) if proxies else unwrap_ipv4(peer).is_loopback


def axes_client_address(request: Any) -> str:
    """django-axes' ``AXES_CLIENT_IP_CALLABLE``: sign-in lockouts count the same client."""
    return client_address(request)
