"""Who is asking: the client's address, believing X-Forwarded-For only when it comes from a configured proxy.

Without FINDER_TRUSTED_PROXIES the address is the connection's own peer and the header is ignored, so a
client cannot pick a new identity per request (or name the admin's). Behind a trusted proxy the client is
the right-most address in the header that is not itself a trusted proxy: entries further left were
written by the client and prove nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> list[Network]:
    """FINDER_TRUSTED_PROXIES as networks; a bad entry is a ValueError naming it and the setting."""
    out = []
    for entry in entries:
        try:
            out.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"FINDER_TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR range") from None
    return out


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    v = value.strip()
    if v.startswith("[") and "]" in v:  # [v6]:port
        v = v[1:v.index("]")]
    elif v.count(":") == 1:  # v4:port
        v = v.split(":")[0]
    try:
        return ipaddress.ip_address(v)
    except ValueError:
        return None


def _trusted(address: str | None, trusted: list[Network]) -> bool:
    ip = _ip(address or "")
    return ip is not None and any(ip in net for net in trusted)


def client_address(peer: str | None, forwarded: Iterable[str], trusted: list[Network]) -> str:
    """The client behind `peer`, given the X-Forwarded-For header values of the request."""
    if not peer:
        return "unknown"
    if not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for value in forwarded for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            return peer  # a garbled header: do not guess
        if not _trusted(str(ip), trusted):
            return str(ip)
    return peer if not hops else str(_ip(hops[0]))


def of_request(request: Any, trusted: list[Network]) -> tuple[str, str]:
    """(client address, browser) of a Gradio or Starlette request; ("local", "") when there is none."""
    if request is None:
        return "local", ""
    peer = request.client.host if getattr(request, "client", None) else None
    headers: Any = getattr(request, "headers", None) or {}
    forwarded = headers.getlist("x-forwarded-for") if hasattr(headers, "getlist") else \
        [v for k, v in dict(headers).items() if k.lower() == "x-forwarded-for"]
    return client_address(peer, forwarded, trusted), str(headers.get("user-agent", ""))[:200]


def of_scope(scope: Mapping[str, Any], trusted: list[Network]) -> str:
    """The client address of a raw ASGI request."""
    peer = scope.get("client")[0] if scope.get("client") else None
    forwarded = [v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-forwarded-for"]
    return client_address(peer, forwarded, trusted)
