"""Requests the server makes on someone's behalf: to public internet addresses only.

Webhook deliveries (``notify``) and the pages and feeds ``osint`` reads go to addresses that
people outside the server choose. Left alone, such a request reaches whatever the server can
reach: its own loopback services, the database on the private network, the cloud's metadata
service with its credentials. So every such request goes through ``request`` here, which

- resolves the name once and refuses it unless *every* address it has is a public unicast
  address (no loopback, private, shared, link-local, site-local, multicast, reserved,
  documentation or unspecified address, none of the clouds' metadata addresses, and an IPv6
  address that embeds an IPv4 one is judged by that one too);
- connects to the very address it checked (the socket is opened on the address, never on the
  name again), so a name that answers a public address to the check and a private one to the
  connection (DNS rebinding) gains nothing; TLS is still verified against the name;
- follows a redirect only when asked to, checking each new address as the first, up to a
  limit; a webhook follows none;
- gives up after ``timeout`` seconds in all, and reads at most ``max_bytes`` of the answer.

No proxy from the environment is used. ``check`` is the same test without a request, for
registration (a webhook, a feed), so a refusal is told to the person at once; delivery checks
again, because names change. ``TRUCELINE_OUTBOUND_ALLOW_LOOPBACK`` lets loopback addresses
through, for the test suite's local receivers; nothing else is ever let through.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

REDIRECTS = {301, 302, 303, 307, 308}

# The clouds' instance metadata and host services, refused even where they would pass as
# public (Azure's 168.63.129.16 is a public address), and blocks that are not for hosts.
_METADATA = {
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
        "169.254.170.2",  # AWS ECS task credentials
        "169.254.169.123",  # AWS time
        "169.254.169.253",  # AWS DNS
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure host (wireserver)
        "192.0.0.192",  # Oracle Cloud (legacy)
        "fd00:ec2::254",  # AWS over IPv6
        "fd00:ec2::23",  # AWS DNS over IPv6
    )
}
_NOT_HOSTS = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "100.64.0.0/10",  # shared address space (carrier NAT; Alibaba's metadata)
        "192.0.0.0/24",  # IETF protocol assignments
        "192.88.99.0/24",  # 6to4 relays
        "198.18.0.0/15",  # benchmarking
        "64:ff9b:1::/48",  # local-use NAT64
    )
]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(Exception):
    """A request that did not happen or did not finish; the message is fit to show."""


class Refused(OutboundError):
    """The address is not one the server may reach on someone's behalf."""


class Failed(OutboundError):
    """No answer: refused connection, timeout, broken answer, too many redirects."""


@dataclass(frozen=True)
class Target:
    """A checked address: where to connect, and what to say once connected."""

    url: str
    scheme: str
    host: str  # the name as sent (ASCII; IDNA for international names)
    port: int
    path: str  # the request target: path and query, percent-encoded
    addresses: tuple[tuple[int, tuple[object, ...]], ...]  # (family, sockaddr), as checked


@dataclass
class Response:
    status: int
    url: str  # the last address asked (after any redirects)
    headers: Message
    body: bytes = field(repr=False)


def allow_loopback() -> bool:
    return bool(getattr(settings, "TRUCELINE_OUTBOUND_ALLOW_LOOPBACK", False))


def _embedded_v4(ip: IP) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    return None


def _is_public(ip: IP) -> bool:
    if ip in _METADATA or any(ip in net for net in _NOT_HOSTS if net.version == ip.version):
        return False
    if (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    ):
        return False
    return not (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)


def address_allowed(ip: IP, *, loopback: bool | None = None) -> bool:
    """Whether the server may connect to ``ip`` on someone's behalf."""
    if loopback is None:
        loopback = allow_loopback()
    inner = _embedded_v4(ip)
    if loopback and (ip.is_loopback or (inner is not None and inner.is_loopback)):
        return True
    if inner is not None:
        # ::ffff:a.b.c.d and 64:ff9b::a.b.c.d reach a.b.c.d itself: judged as that address.
        # A 6to4 address must pass both ways.
        if not address_allowed(inner, loopback=False):
            return False
        if isinstance(ip, ipaddress.IPv6Address) and (ip.ipv4_mapped is not None or ip in _NAT64):
            return True
    return _is_public(ip)


def check(url: str) -> Target:
    """Parse and resolve ``url``; refuse it unless it is http(s) to public addresses only."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise Refused(gettext("not a valid address")) from exc
    if parts.scheme not in {"http", "https"}:
        raise Refused(gettext("only http:// and https:// addresses"))
    if not parts.hostname:
        raise Refused(gettext("an address needs a host name"))
    if parts.username is not None or parts.password is not None:
        raise Refused(gettext("no user name or password in the address"))
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise Refused(gettext("not a valid host name")) from exc
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError) as exc:
        raise Refused(f"{host} does not resolve") from exc
    addresses: list[tuple[int, tuple[object, ...]]] = []
    for family, _type, _proto, _name, sockaddr in found:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        try:
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        except ValueError as exc:
            raise Refused(f"{host} does not resolve to an internet address") from exc
        if not address_allowed(ip):
            raise Refused(f"{host} is not a public internet address")
        if (family, sockaddr) not in addresses:
            addresses.append((family, tuple(sockaddr)))
    if not addresses:
        raise Refused(f"{host} does not resolve")
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return Target(url.strip(), parts.scheme, host, port, path, tuple(addresses))


def _open_socket(family: int, sockaddr: tuple[object, ...], timeout: float) -> socket.socket:
    """A TCP connection to exactly this address (no name is looked up again)."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


class _Pinned(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._target = target

    def _raw(self) -> socket.socket:
        last: OSError | None = None
        for family, sockaddr in self._target.addresses:
            try:
                return _open_socket(family, sockaddr, self.timeout)  # type: ignore[arg-type]
            except OSError as exc:
                last = exc
        raise last or OSError("no address")

    def connect(self) -> None:
        self.sock = self._raw()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedTLS(_Pinned):
    default_port = 443

    def connect(self) -> None:
        raw = self._raw()
        context = ssl.create_default_context()
        try:
            self.sock = context.wrap_socket(raw, server_hostname=self._target.host)
        except BaseException:
            raw.close()
            raise


def _cut(conn: http.client.HTTPConnection) -> None:
    """The deadline passed: shut the socket under the reader (TLS or not) so it returns."""
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _once(
    target: Target,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    deadline: float,
    max_bytes: int,
) -> Response:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Failed("no answer in time")
    kind = _PinnedTLS if target.scheme == "https" else _Pinned
    conn = kind(target, timeout=remaining)
    timer = threading.Timer(remaining, _cut, args=(conn,))
    timer.daemon = True
    timer.start()
    try:
        conn.request(method, target.path, body=body, headers=headers)
        answer = conn.getresponse()
        chunks: list[bytes] = []
        size = 0
        while size < max_bytes:
            piece = answer.read1(min(65536, max_bytes - size))
            if not piece:
                break
            chunks.append(piece)
            size += len(piece)
            if time.monotonic() > deadline:
                raise Failed("no answer in time")
        if time.monotonic() >= deadline:  # cut short by the deadline, not ended
            raise Failed("no answer in time")
        return Response(answer.status, target.url, answer.headers, b"".join(chunks))
    except ssl.SSLCertVerificationError as exc:
        raise Failed("the certificate does not match") from exc
    except TimeoutError as exc:
        raise Failed("no answer in time") from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if time.monotonic() >= deadline:
            raise Failed("no answer in time") from exc
        raise Failed("no answer") from exc
    finally:
        timer.cancel()
        conn.close()


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 20.0,
    max_bytes: int = 5_000_000,
    redirects: int = 0,
) -> Response:
    """One request to a public address, checked before it is made. With ``redirects`` > 0 a
    GET follows up to that many redirects, each new address checked as the first; otherwise
    a redirect is the answer. Raises Refused or Failed; any HTTP status is an answer."""
    deadline = time.monotonic() + timeout
    target = check(url)
    for _hop in range(redirects + 1):
        answer = _once(target, method, body, dict(headers or {}), deadline, max_bytes)
        location = answer.headers.get("Location")
        if answer.status not in REDIRECTS or not location or redirects == 0:
            return answer
        if method != "GET":
            return answer
        target = check(urljoin(target.url, location.strip()))
    raise Failed("too many redirects")
